/**
 * The one interface every data source implements: discover the records of a zip code page by
 * page, fetch one record's raw payload, decode it. Raw payloads are kept by the pipeline whatever
 * the decoding says.
 */
import { PhoenixError, type ErrorKind } from '../../shared/errors.ts';
import type { AssessorParcel, Decoded, RejectReason } from './assessor/decode.ts';

export interface SourceRef {
  /** The record's key in the source (the APN for the Assessor). */
  key: string;
  /** What discovery already knows (address, zip), used when the record lacks it. */
  hint?: Record<string, string | undefined>;
}

export interface InvalidEntry {
  raw: unknown;
  reason: RejectReason;
  detail: string;
}

export interface DiscoverPage {
  refs: SourceRef[];
  invalid: InvalidEntry[];
  /** The next page to ask for, or undefined at the end. */
  nextPage: number | undefined;
}

/** A listing seen on a listing site: an asking price, never an assessor valuation. */
export interface ListingRecord {
  apn: string;
  address: string | undefined;
  zip: string | undefined;
  listPrice: number | undefined;
  status: string | undefined;
  bedrooms: number | undefined;
  bathrooms: number | undefined;
  livingAreaSqft: number | undefined;
  remarks: string | undefined;
}

export type SourceObservation =
  { kind: 'assessor'; parcel: AssessorParcel } | { kind: 'listing'; listing: ListingRecord };

export interface PropertySource {
  /** Bounded metric label value: `assessor` or the listing source's name. */
  readonly name: string;
  discover(zip: string, page: number, signal: AbortSignal): Promise<DiscoverPage>;
  fetch(ref: SourceRef, signal: AbortSignal): Promise<unknown>;
  decode(raw: unknown, ref: SourceRef): Decoded<SourceObservation>;
  close(): Promise<void>;
}

export type SourceErrorCode =
  | 'PHOENIX_SOURCE_UNAUTHORIZED'
  | 'PHOENIX_SOURCE_HTTP'
  | 'PHOENIX_SOURCE_NETWORK'
  | 'PHOENIX_SOURCE_TIMEOUT'
  | 'PHOENIX_SOURCE_BOT_PROTECTION'
  | 'PHOENIX_SOURCE_SHAPE';

export class SourceError extends PhoenixError {
  override readonly name = 'SourceError';
  readonly source: string;
  readonly status: number | undefined;
  constructor(
    code: SourceErrorCode,
    message: string,
    options: { source: string; kind: ErrorKind; status?: number; cause?: unknown },
  ) {
    super(code, message, { kind: options.kind, cause: options.cause });
    this.source = options.source;
    this.status = options.status;
  }
}

/** Observes each upstream HTTP call (metrics, cost ledger, health). */
export interface ApiObserver {
  request(source: string, endpoint: string, code: string, seconds: number): void;
}

/** HTTP status as the bounded `code` label: 2xx, 4xx, 5xx, ... or `error`. */
export function statusClass(status: number | undefined): string {
  return status === undefined ? 'error' : `${Math.floor(status / 100)}xx`;
}
