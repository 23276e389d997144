/**
 * Optional listing sources (off by default), behind the same interface as the Assessor. A listing
 * source is a JSON endpoint `GET {baseUrl}/listings?zip=&page=` answering
 * `{ listings: [...], nextPage }`, reached directly or through the configured proxy. Bot
 * protection is never evaded: a challenge or captcha stops the source with a terminal error that
 * the run reports.
 */
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { field, normaliseApn, toNumber, toText, type Decoded } from './assessor/decode.ts';
import { TokenBucket } from './assessor/token-bucket.ts';
import {
  SourceError,
  statusClass,
  type ApiObserver,
  type DiscoverPage,
  type PropertySource,
  type SourceObservation,
  type SourceRef,
} from './source.ts';

export interface ListingSourceOptions {
  name: string;
  baseUrl: string;
  requestsPerSecond: number;
  timeoutMs: number;
  proxyUrl: string | undefined;
  observer: ApiObserver;
}

const CHALLENGE_TEXT = /captcha|are you a robot|attention required|verify you are human|challenge-platform/i;

/** Whether a response is a bot-protection challenge rather than data (pure). */
export function isBotChallenge(status: number, headers: Record<string, unknown>, text: string): boolean {
  if (headers['cf-mitigated'] === 'challenge') return true;
  if (status === 403 || status === 429 || status === 503 || status === 200) {
    return CHALLENGE_TEXT.test(text.slice(0, 20_000)) && !text.trimStart().startsWith('{');
  }
  return false;
}

function decodeListing(raw: unknown): Decoded<SourceObservation> {
  if (typeof raw !== 'object' || raw === null)
    return { ok: false, reason: 'malformed', detail: 'listing is not an object' };
  const obj = raw as Record<string, unknown>;
  const apn = normaliseApn(field(obj, 'apn', 'parcelNumber'));
  if (apn === undefined) return { ok: false, reason: 'missing_apn', detail: 'listing has no valid APN' };
  return {
    ok: true,
    value: {
      kind: 'listing',
      listing: {
        apn,
        address: toText(field(obj, 'address')),
        zip: toText(field(obj, 'zip', 'zipCode'))?.slice(0, 5),
        listPrice: toNumber(field(obj, 'price', 'listPrice')),
        status: toText(field(obj, 'status')),
        bedrooms: toNumber(field(obj, 'beds', 'bedrooms')),
        bathrooms: toNumber(field(obj, 'baths', 'bathrooms')),
        livingAreaSqft: toNumber(field(obj, 'sqft', 'livingArea')),
        remarks: toText(field(obj, 'remarks', 'description')),
      },
    },
  };
}

export function createListingSource(options: ListingSourceOptions): PropertySource {
  const bucket = new TokenBucket({ ratePerSecond: options.requestsPerSecond });
  const dispatcher: Dispatcher =
    options.proxyUrl === undefined ? new Agent() : new ProxyAgent(options.proxyUrl);
  const seen = new Map<string, unknown>();
  const get = async (path: string, signal: AbortSignal): Promise<unknown> => {
    await bucket.take(signal);
    const started = performance.now();
    const response = await request(new URL(path, options.baseUrl), {
      dispatcher,
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    const text = await response.body.text();
    options.observer.request(
      options.name,
      'listings',
      statusClass(response.statusCode),
      (performance.now() - started) / 1000,
    );
    if (isBotChallenge(response.statusCode, response.headers, text)) {
      throw new SourceError(
        'PHOENIX_SOURCE_BOT_PROTECTION',
        `listing source ${options.name} answered with a bot challenge; stopped (not evaded)`,
        {
          source: options.name,
          kind: 'terminal',
          status: response.statusCode,
        },
      );
    }
    if (response.statusCode >= 300) {
      throw new SourceError(
        'PHOENIX_SOURCE_HTTP',
        `listing source ${options.name}: HTTP ${response.statusCode}`,
        {
          source: options.name,
          kind: response.statusCode >= 500 || response.statusCode === 429 ? 'transient' : 'terminal',
          status: response.statusCode,
        },
      );
    }
    return JSON.parse(text) as unknown;
  };
  return {
    name: options.name,
    async discover(zip: string, page: number, signal: AbortSignal): Promise<DiscoverPage> {
      const raw = await get(
        `/listings?${new URLSearchParams({ zip, page: String(page) }).toString()}`,
        signal,
      );
      const list =
        typeof raw === 'object' && raw !== null
          ? field(raw as Record<string, unknown>, 'listings')
          : undefined;
      if (!Array.isArray(list)) {
        return {
          refs: [],
          invalid: [{ raw, reason: 'unknown_shape', detail: 'no listings array' }],
          nextPage: undefined,
        };
      }
      const refs: SourceRef[] = list.map((entry, index) => {
        const key = `${zip}:${page}:${index}`;
        seen.set(key, entry);
        return { key, hint: { zip } };
      });
      const next = toNumber(field(raw as Record<string, unknown>, 'nextPage'));
      return { refs, invalid: [], nextPage: next !== undefined && next > page ? next : undefined };
    },
    fetch(ref: SourceRef): Promise<unknown> {
      const raw = seen.get(ref.key);
      seen.delete(ref.key);
      return Promise.resolve(raw);
    },
    decode: (raw) => decodeListing(raw),
    close: () => dispatcher.close(),
  };
}
