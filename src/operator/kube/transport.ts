import type { RequestOptions } from 'node:https';
import type { KubeConfigSource } from './config.ts';
import { Agent, fetch, type Response } from 'undici';
import type { RuntimeMetrics } from '../runtime/metrics.ts';
import { KubeError, kubeErrorFromStatus, type KubeStatus } from './errors.ts';

export interface TransportOptions {
  kubeConfig: KubeConfigSource;
  metrics?: RuntimeMetrics;
  /** Deadline of ordinary requests (not watches). Default 30 s. */
  requestTimeoutMs?: number;
  userAgent?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Streams (watches) have no deadline: the informer's watchdog guards them. */
  stream?: boolean;
}

/** Credentials are re-read this often, so rotated service-account tokens are picked up. */
const AUTH_REFRESH_MS = 60_000;

/**
 * HTTP to the API server with the KubeConfig's TLS and credentials, over one keep-alive
 * connection pool. Every request is counted in rest_client_requests_total{code,method} (code
 * `<error>` when no response arrived) and timed in rest_client_request_duration_seconds{verb}.
 * Non-2xx answers become KubeErrors; network failures become KUBE_UNAVAILABLE.
 */
export class Transport {
  readonly server: string;
  private readonly kubeConfig: KubeConfigSource;
  private readonly metrics: RuntimeMetrics | undefined;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private auth: { dispatcher: Agent; headers: Record<string, string>; at: number } | undefined;

  constructor(options: TransportOptions) {
    const cluster = options.kubeConfig.getCurrentCluster();
    if (cluster === null) throw new KubeError('KUBE_INVALID', 'kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.kubeConfig = options.kubeConfig;
    this.metrics = options.metrics;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'phoenix-operator';
  }

  /** Sends a request; resolves the parsed JSON body (undefined when empty). */
  async json(req: HttpRequest): Promise<unknown> {
    const res = await this.send(req);
    const text = await res.text();
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  /** Sends a request and hands back the raw 2xx response (for watch streams). */
  async send(req: HttpRequest): Promise<Response> {
    const { dispatcher, headers } = await this.credentials();
    const url = this.url(req);
    const signals = [req.signal, req.stream === true ? undefined : AbortSignal.timeout(this.timeoutMs)];
    const signal = AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(url, {
        method: req.method,
        headers: {
          ...headers,
          accept: 'application/json',
          'user-agent': this.userAgent,
          ...(req.body === undefined ? {} : { 'content-type': req.contentType ?? 'application/json' }),
        },
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        dispatcher,
        signal,
      });
    } catch (err) {
      this.observe(req.method, '<error>', started);
      if (req.signal?.aborted === true) throw req.signal.reason;
      throw new KubeError('KUBE_UNAVAILABLE', `${req.method} ${req.path}: ${describe(err)}`, { cause: err });
    }
    this.observe(req.method, String(res.status), started);
    if (res.status >= 200 && res.status < 300) return res;
    throw kubeErrorFromStatus(`${req.method} ${req.path}`, res.status, await readStatus(res));
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.auth?.dispatcher.close();
    this.auth = undefined;
  }

  private url(req: HttpRequest): string {
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    return url.toString();
  }

  private observe(method: string, code: string, started: number): void {
    this.metrics?.restRequests.inc({ code, method });
    this.metrics?.restLatency.observe({ verb: method }, (performance.now() - started) / 1000);
  }

  private async credentials(): Promise<{ dispatcher: Agent; headers: Record<string, string> }> {
    const now = Date.now();
    if (this.auth !== undefined && now - this.auth.at < AUTH_REFRESH_MS) return this.auth;
    const opts: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    if (typeof opts.auth === 'string')
      headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const dispatcher =
      this.auth?.dispatcher ??
      new Agent({
        connect: {
          ...(opts.ca === undefined ? {} : { ca: opts.ca }),
          ...(opts.cert === undefined ? {} : { cert: opts.cert }),
          ...(opts.key === undefined ? {} : { key: opts.key }),
          ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
          ...(opts.servername === undefined ? {} : { servername: opts.servername }),
        },
        // Watches are long and may be quiet; the informer's watchdog decides when one is dead.
        bodyTimeout: 0,
        keepAliveTimeout: 30_000,
      });
    this.auth = { dispatcher, headers, at: now };
    return this.auth;
  }
}

async function readStatus(res: Response): Promise<KubeStatus | undefined> {
  try {
    const body = (await res.json()) as KubeStatus;
    return typeof body === 'object' ? body : undefined;
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
