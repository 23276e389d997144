/**
 * A token bucket: `take` resolves when a request may be sent at the configured rate. Time and
 * sleeping are injected so that the rate arithmetic is tested without waiting.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Largest burst; defaults to max(1, rate). */
  capacity?: number;
  clock?: Clock;
}

export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;
  // Waiters are served in order: each reserves its token before sleeping.
  #reservedUntil = 0;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    this.#rate = options.ratePerSecond;
    this.#capacity = options.capacity ?? Math.max(1, options.ratePerSecond);
    this.#clock = options.clock ?? systemClock;
    this.#tokens = this.#capacity;
    this.#updatedAt = this.#clock.now();
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#rate);
    this.#updatedAt = now;
  }

  /** Milliseconds the caller must wait for its token (the token is reserved immediately). */
  reserve(): number {
    const now = this.#clock.now();
    this.#refill(now);
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    const wait = (-this.#tokens / this.#rate) * 1000;
    this.#reservedUntil = now + wait;
    return wait;
  }

  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.#clock.sleep(wait, signal);
  }

  /** Tokens available now (negative while callers wait). */
  available(): number {
    this.#refill(this.#clock.now());
    return this.#tokens;
  }

  get reservedUntil(): number {
    return this.#reservedUntil;
  }
}
