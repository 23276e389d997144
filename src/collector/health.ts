/**
 * Detailed health (`/health`): database, LLM service, external APIs, email relay and system
 * resources, each healthy / degraded / unhealthy with its response time. Results are cached for a
 * few seconds and computed once for concurrent probes, so probes stay cheap. The score feeds
 * phoenix_system_health_score.
 */
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { request } from 'undici';
import type { CollectorMetrics, UpstreamState } from './metrics.ts';

export type CheckStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  responseTimeMs: number;
  message: string;
}

export interface HealthReport {
  status: CheckStatus;
  score: number;
  checkedAt: string;
  checks: CheckResult[];
}

export type Check = { name: string; run: () => Promise<Omit<CheckResult, 'name' | 'responseTimeMs'>> };

const SCORE: Record<CheckStatus, number> = { healthy: 1, degraded: 0.5, unhealthy: 0 };

/** Overall status and score of a set of check results (pure). */
export function overall(checks: CheckResult[]): { status: CheckStatus; score: number } {
  const score = checks.length === 0 ? 1 : checks.reduce((s, c) => s + SCORE[c.status], 0) / checks.length;
  const status = checks.some((c) => c.status === 'unhealthy')
    ? 'unhealthy'
    : checks.some((c) => c.status === 'degraded')
      ? 'degraded'
      : 'healthy';
  return { status, score: Math.round(score * 1000) / 1000 };
}

async function timed(check: Check, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  try {
    const result = await Promise.race([
      check.run(),
      new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs).unref();
      }),
    ]);
    return { name: check.name, ...result, responseTimeMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      name: check.name,
      status: 'unhealthy',
      message: err instanceof Error ? err.message : String(err),
      responseTimeMs: Math.round(performance.now() - started),
    };
  }
}

export class HealthChecker {
  readonly #checks: Check[];
  readonly #ttlMs: number;
  readonly #metrics: CollectorMetrics;
  #cached: { at: number; report: HealthReport } | undefined;
  #inflight: Promise<HealthReport> | undefined;

  constructor(checks: Check[], metrics: CollectorMetrics, ttlMs = 5_000) {
    this.#checks = checks;
    this.#metrics = metrics;
    this.#ttlMs = ttlMs;
  }

  async report(): Promise<HealthReport> {
    if (this.#cached !== undefined && Date.now() - this.#cached.at < this.#ttlMs) return this.#cached.report;
    this.#inflight ??= this.#compute().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #compute(): Promise<HealthReport> {
    const checks = await Promise.all(this.#checks.map((c) => timed(c, 3_000)));
    const { status, score } = overall(checks);
    const report = { status, score, checkedAt: new Date().toISOString(), checks };
    this.#metrics.m.healthScore.set(score);
    this.#cached = { at: Date.now(), report };
    return report;
  }
}

export function databaseCheck(ping: () => Promise<number>): Check {
  return {
    name: 'database',
    run: async () => {
      const ms = await ping();
      return ms < 500
        ? { status: 'healthy', message: `ping ${ms.toFixed(1)} ms` }
        : { status: 'degraded', message: `slow ping ${ms.toFixed(0)} ms` };
    },
  };
}

export function llmCheck(options: { enabled: boolean; endpoint: string; model: string }): Check {
  return {
    name: 'llm',
    run: async () => {
      if (!options.enabled) return { status: 'healthy', message: 'disabled; rule-based enrichment' };
      try {
        const response = await request(new URL('/api/tags', options.endpoint), {
          signal: AbortSignal.timeout(2_000),
        });
        const body = (await response.body.json()) as { models?: { name?: string; model?: string }[] };
        const names = (body.models ?? []).map((m) => m.name ?? m.model);
        if (names.includes(options.model))
          return { status: 'healthy', message: `model ${options.model} available` };
        return {
          status: 'degraded',
          message: `model ${options.model} not pulled; rule-based fallback in use`,
        };
      } catch (err) {
        // Enrichment falls back to rules, so an unreachable model degrades rather than breaks.
        return {
          status: 'degraded',
          message: `Ollama unreachable (${err instanceof Error ? err.message : String(err)}); rule-based fallback in use`,
        };
      }
    },
  };
}

/** External APIs as seen by the collector's own recent calls (probing would spend rate limit). */
export function upstreamStatus(
  name: string,
  state: UpstreamState | undefined,
): { status: CheckStatus; message: string } {
  if (state === undefined) return { status: 'healthy', message: `${name}: no requests yet` };
  if (state.unauthorized) return { status: 'unhealthy', message: `${name}: token rejected` };
  if ((state.lastFailureAt ?? 0) > (state.lastSuccessAt ?? 0))
    return { status: 'degraded', message: `${name}: last request failed (${state.lastCode ?? 'error'})` };
  return { status: 'healthy', message: `${name}: last request succeeded` };
}

export function externalApisCheck(metrics: CollectorMetrics, sources: string[]): Check {
  return {
    name: 'external_apis',
    run: () => {
      const results = sources.map((s) => upstreamStatus(s, metrics.upstreams.get(s)));
      const worst = overall(
        results.map((r, i) => ({ ...r, name: sources[i] ?? '', responseTimeMs: 0 })),
      ).status;
      return Promise.resolve({
        status: worst,
        message: results.map((r) => r.message).join('; ') || 'no sources',
      });
    },
  };
}

/** Connects to the relay and reads its 220 greeting. */
export function emailRelayCheck(smarthost: string | undefined): Check {
  return {
    name: 'email_relay',
    run: () =>
      new Promise((resolve) => {
        if (smarthost === undefined) {
          resolve({ status: 'healthy', message: 'not configured' });
          return;
        }
        const [host, port] = [
          smarthost.slice(0, smarthost.lastIndexOf(':')),
          Number(smarthost.slice(smarthost.lastIndexOf(':') + 1)),
        ];
        const socket = connect({ host, port, timeout: 2_000 });
        const done = (status: CheckStatus, message: string): void => {
          socket.destroy();
          resolve({ status, message });
        };
        socket.once('data', (data) => {
          const ok = data.toString('utf8').startsWith('220');
          done(
            ok ? 'healthy' : 'degraded',
            ok ? `${smarthost} greeted` : `${smarthost} answered without 220`,
          );
        });
        socket.once('timeout', () => {
          done('unhealthy', `${smarthost}: no greeting`);
        });
        socket.once('error', (err) => {
          done('degraded', `${smarthost}: ${err.message}; reports will be retried`);
        });
      }),
  };
}

export function systemCheck(
  memoryLimitBytes: number,
): Check & { histogram: ReturnType<typeof monitorEventLoopDelay> } {
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  return {
    name: 'system_resources',
    histogram,
    run: () => {
      const rss = process.memoryUsage.rss();
      const lagMs = histogram.percentile(99) / 1e6;
      histogram.reset();
      const memShare = memoryLimitBytes > 0 ? rss / memoryLimitBytes : 0;
      const message = `rss ${(rss / 2 ** 20).toFixed(0)} MiB${memoryLimitBytes > 0 ? ` (${(memShare * 100).toFixed(0)}% of limit)` : ''}, event-loop p99 ${lagMs.toFixed(1)} ms`;
      const status: CheckStatus =
        memShare > 0.9 ? 'unhealthy' : memShare > 0.75 || lagMs > 1000 ? 'degraded' : 'healthy';
      return Promise.resolve({ status, message });
    },
  };
}
