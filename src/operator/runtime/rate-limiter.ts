import { systemClock, type Clock } from './clock.ts';

/**
 * Decides how long a key waits before it is retried, as client-go's workqueue rate limiters.
 * `when` is called once per retry and counts it; `forget` clears the key's history after a
 * success.
 */
export interface RateLimiter {
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

export interface ExponentialOptions {
  /** First retry delay. Default 5 ms (controller-runtime). */
  baseDelayMs?: number;
  /** Ceiling. Default 1000 s (controller-runtime). */
  maxDelayMs?: number;
}

/** base * 2^failures, capped: 5 ms, 10 ms, 20 ms ... 1000 s by default. */
export function exponentialFailureRateLimiter(options: ExponentialOptions = {}): RateLimiter {
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 1_000_000;
  const failures = new Map<string, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      // 2^n overflows to Infinity long after it passes any sane max; min() handles both.
      return Math.min(base * 2 ** n, max);
    },
    forget(key) {
      failures.delete(key);
    },
    numRequeues: (key) => failures.get(key) ?? 0,
  };
}

export interface BucketOptions {
  /** Tokens per second. Default 10 (client-go). */
  qps?: number;
  /** Bucket size. Default 100 (client-go). */
  burst?: number;
  clock?: Clock;
}

/** An overall token bucket: every retry of any key takes a token; an empty bucket means waiting. */
export function bucketRateLimiter(options: BucketOptions = {}): RateLimiter {
  const qps = options.qps ?? 10;
  const burst = options.burst ?? 100;
  const clock = options.clock ?? systemClock();
  let tokens = burst;
  let last = clock.now();
  return {
    when() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
    },
    forget() {
      // The bucket is shared by all keys: nothing to forget.
    },
    numRequeues: () => 0,
  };
}

/** The longest delay of several limiters (each one still counts the retry). */
export function maxOfRateLimiter(...limiters: RateLimiter[]): RateLimiter {
  return {
    when: (key) => Math.max(0, ...limiters.map((l) => l.when(key))),
    forget(key) {
      for (const l of limiters) l.forget(key);
    },
    numRequeues: (key) => Math.max(0, ...limiters.map((l) => l.numRequeues(key))),
  };
}

export interface ControllerRateLimiterOptions extends ExponentialOptions, BucketOptions {}

/** controller-runtime's default: per-key 5 ms .. 1000 s backoff, overall 10 qps with burst 100. */
export function defaultControllerRateLimiter(options: ControllerRateLimiterOptions = {}): RateLimiter {
  return maxOfRateLimiter(exponentialFailureRateLimiter(options), bucketRateLimiter(options));
}
