/** The Assessor API as a PropertySource: search pages by zip code, then one parcel per APN. */
import type { DiscoverPage, PropertySource, SourceObservation, SourceRef } from '../source.ts';
import { ASSESSOR_PAGE_SIZE, type AssessorClient } from './client.ts';
import { decodeParcel, decodeSearchPage, type Decoded } from './decode.ts';

/** Whether a search page is followed by another (pure; pages start at 1). */
export function nextSearchPage(page: number, size: number, total: number | undefined): number | undefined {
  if (size < ASSESSOR_PAGE_SIZE) return undefined;
  if (total !== undefined && page * ASSESSOR_PAGE_SIZE >= total) return undefined;
  return page + 1;
}

export function createAssessorSource(client: AssessorClient): PropertySource {
  return {
    name: 'assessor',
    async discover(zip: string, page: number, signal: AbortSignal): Promise<DiscoverPage> {
      const raw = await client.search(zip, page, signal);
      const decoded = decodeSearchPage(raw);
      if (decoded === undefined) {
        return {
          refs: [],
          invalid: [{ raw, reason: 'unknown_shape', detail: 'search response has no result list' }],
          nextPage: undefined,
        };
      }
      // A free-text search for a zip code also matches street numbers; keep this zip's parcels.
      const refs: SourceRef[] = decoded.hits
        .filter((hit) => hit.zip === undefined || hit.zip === zip)
        .map((hit) => ({
          key: hit.apn,
          hint: { address: hit.address, city: hit.city, zip: hit.zip ?? zip },
        }));
      return { refs, invalid: decoded.invalid, nextPage: nextSearchPage(page, decoded.size, decoded.total) };
    },
    fetch(ref: SourceRef, signal: AbortSignal): Promise<unknown> {
      return client.parcel(ref.key, signal);
    },
    decode(raw: unknown, ref: SourceRef): Decoded<SourceObservation> {
      const hint = {
        apn: ref.key,
        address: ref.hint?.['address'],
        city: ref.hint?.['city'],
        zip: ref.hint?.['zip'],
      };
      const parcel = decodeParcel(raw, hint);
      return parcel.ok ? { ok: true, value: { kind: 'assessor', parcel: parcel.value } } : parcel;
    },
    close: () => client.close(),
  };
}
