/**
 * The Maricopa County Assessor API over undici, as the county documents it: the raw token in an
 * `AUTHORIZATION` header, `user-agent: null`, `/search/property/?q=&page=` (25 results a page,
 * pages from 1) and `/parcel/{apn}[/section]`. Every call waits for a token of the rate limit,
 * has a timeout, and is retried only on network errors, 5xx (not the unauthorised 500) and 429.
 */
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { ApiObserver } from '../source.ts';
import { SourceError, statusClass } from '../source.ts';
import { UNPARSED_KEY } from './decode.ts';
import { withRetry, type Attempt, type CallOutcome, type RetryPolicy } from './retry.ts';
import { TokenBucket, systemClock, type Clock } from './token-bucket.ts';

export const ASSESSOR_PAGE_SIZE = 25;
export const PARCEL_SECTIONS = [
  'propertyinfo',
  'address',
  'valuations',
  'residential-details',
  'owner-details',
] as const;
export type ParcelSection = (typeof PARCEL_SECTIONS)[number];

export interface AssessorClientOptions {
  baseUrl: string;
  token: string;
  requestsPerSecond: number;
  timeoutMs: number;
  retry: RetryPolicy;
  observer: ApiObserver;
  clock?: Clock;
  connections?: number;
}

const UNAUTHORIZED_TEXT = /unauthori[sz]ed access/i;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class AssessorClient {
  readonly #options: AssessorClientOptions;
  readonly #bucket: TokenBucket;
  readonly #clock: Clock;
  readonly #dispatcher: Dispatcher;

  constructor(options: AssessorClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#bucket = new TokenBucket({ ratePerSecond: options.requestsPerSecond, clock: this.#clock });
    this.#dispatcher = new Agent({
      connections: options.connections ?? 8,
      keepAliveTimeout: 10_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** One page of the property search (pages start at 1). */
  search(query: string, page: number, signal: AbortSignal): Promise<unknown> {
    const q = new URLSearchParams({ q: query, page: String(page) });
    return this.#get(`/search/property/?${q.toString()}`, 'search', signal);
  }

  parcel(apn: string, signal: AbortSignal): Promise<unknown> {
    return this.#get(`/parcel/${encodeURIComponent(apn)}`, 'parcel', signal);
  }

  parcelSection(apn: string, section: ParcelSection, signal: AbortSignal): Promise<unknown> {
    return this.#get(`/parcel/${encodeURIComponent(apn)}/${section}`, section, signal);
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  #get(path: string, endpoint: string, signal: AbortSignal): Promise<unknown> {
    return withRetry(() => this.#attempt(path, endpoint, signal), {
      policy: this.#options.retry,
      clock: this.#clock,
      signal,
    });
  }

  async #attempt(path: string, endpoint: string, signal: AbortSignal): Promise<Attempt<unknown>> {
    await this.#bucket.take(signal);
    const started = performance.now();
    const observe = (code: string): void => {
      this.#options.observer.request('assessor', endpoint, code, (performance.now() - started) / 1000);
    };
    try {
      const response = await request(new URL(path, this.#options.baseUrl), {
        method: 'GET',
        dispatcher: this.#dispatcher,
        headers: { AUTHORIZATION: this.#options.token, 'user-agent': 'null', accept: 'application/json' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
      });
      const text = await readBody(response.body);
      observe(statusClass(response.statusCode));
      return interpret(response.statusCode, response.headers['retry-after'], text, path);
    } catch (err) {
      if (signal.aborted) throw err;
      observe('error');
      const timeout = isTimeout(err);
      const outcome: CallOutcome = timeout ? { kind: 'timeout' } : { kind: 'network' };
      const error = new SourceError(
        timeout ? 'PHOENIX_SOURCE_TIMEOUT' : 'PHOENIX_SOURCE_NETWORK',
        `Assessor API ${path}: ${timeout ? 'timed out' : 'network error'}`,
        { source: 'assessor', kind: 'transient', cause: err },
      );
      return { ok: false, outcome, error };
    }
  }
}

function isTimeout(err: unknown): boolean {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return true;
  }
  return err instanceof DOMException && err.name === 'TimeoutError';
}

async function readBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new Error(`response larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Maps a response to a value or a classified failure. */
export function interpret(
  status: number,
  retryAfter: string | string[] | undefined,
  text: string,
  path: string,
): Attempt<unknown> {
  const unauthorized = status === 401 || status === 403 || (status === 500 && UNAUTHORIZED_TEXT.test(text));
  if (unauthorized) {
    const error = new SourceError(
      'PHOENIX_SOURCE_UNAUTHORIZED',
      `Assessor API rejected the token (HTTP ${status} on ${path}); check the Secret behind PHOENIX_ASSESSOR_TOKEN`,
      { source: 'assessor', kind: 'terminal', status },
    );
    return { ok: false, outcome: { kind: 'status', status, unauthorized: true }, error };
  }
  if (status < 200 || status >= 300) {
    const error = new SourceError('PHOENIX_SOURCE_HTTP', `Assessor API ${path}: HTTP ${status}`, {
      source: 'assessor',
      kind: status === 429 || status >= 500 ? 'transient' : 'terminal',
      status,
    });
    return { ok: false, outcome: { kind: 'status', status, retryAfter: header(retryAfter) }, error };
  }
  try {
    return { ok: true, value: text.trim() === '' ? null : JSON.parse(text) };
  } catch {
    // A record the server garbled is a reject of that record, not a failure of the run.
    return { ok: true, value: { [UNPARSED_KEY]: text.slice(0, 4096) } };
  }
}
