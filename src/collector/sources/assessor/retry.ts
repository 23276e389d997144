/**
 * Retry policy of upstream HTTP calls: retry only network errors, 5xx (except the Assessor's
 * "Unauthorized access" 500) and 429, with exponential backoff and full jitter, honouring
 * Retry-After. The decision is pure; `withRetry` applies it.
 */
import type { Clock } from './token-bucket.ts';

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
}

export type CallOutcome =
  | { kind: 'network' }
  | { kind: 'timeout' }
  | { kind: 'status'; status: number; retryAfter?: string | undefined; unauthorized?: boolean };

export type RetryDecision = { retry: false; reason: string } | { retry: true; delayMs: number };

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export function isRetryable(outcome: CallOutcome): boolean {
  if (outcome.kind !== 'status') return true;
  if (outcome.unauthorized === true) return false;
  return outcome.status === 429 || outcome.status >= 500;
}

export interface DecideInput {
  outcome: CallOutcome;
  /** Retries already made (0 before the first retry). */
  attempt: number;
  policy: RetryPolicy;
  random: () => number;
  nowMs: number;
}

export function decideRetry(input: DecideInput): RetryDecision {
  const { outcome, attempt, policy } = input;
  if (!isRetryable(outcome)) return { retry: false, reason: 'not retryable' };
  if (attempt >= policy.maxRetries) return { retry: false, reason: `gave up after ${attempt} retries` };
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  const jittered = backoff / 2 + input.random() * (backoff / 2);
  if (outcome.kind === 'status' && outcome.status === 429) {
    const after = parseRetryAfter(outcome.retryAfter, input.nowMs);
    // The server's word wins; a wait beyond the policy's ceiling is not worth holding a lease for.
    if (after !== undefined && after > policy.maxMs) {
      return { retry: false, reason: `Retry-After of ${Math.round(after / 1000)} s exceeds the limit` };
    }
    if (after !== undefined) return { retry: true, delayMs: after };
  }
  return { retry: true, delayMs: jittered };
}

/** An attempt's result: a value, or an outcome describing why it failed (with the error). */
export type Attempt<T> = { ok: true; value: T } | { ok: false; outcome: CallOutcome; error: Error };

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  random?: () => number;
  signal?: AbortSignal | undefined;
  onRetry?: (outcome: CallOutcome, delayMs: number) => void;
}

export async function withRetry<T>(attempt: () => Promise<Attempt<T>>, options: RetryOptions): Promise<T> {
  for (let retries = 0; ; retries++) {
    const result = await attempt();
    if (result.ok) return result.value;
    const decision = decideRetry({
      outcome: result.outcome,
      attempt: retries,
      policy: options.policy,
      random: options.random ?? Math.random,
      nowMs: Date.now(),
    });
    if (!decision.retry) throw result.error;
    options.onRetry?.(result.outcome, decision.delayMs);
    await options.clock.sleep(decision.delayMs, options.signal);
  }
}
