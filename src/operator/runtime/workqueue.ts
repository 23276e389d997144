import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export interface WorkQueueOptions {
  /** Queue name, the `name` label of the workqueue_* metrics (the controller name). */
  name: string;
  rateLimiter?: RateLimiter;
  metrics?: RuntimeMetrics;
  clock?: Clock;
}

/**
 * A rate-limited, de-duplicating work queue of keys (`namespace/name`), with client-go's
 * semantics:
 *
 * - a key is queued at most once, however often it is added before a worker takes it;
 * - a key is never handed to two workers at once: adding a key that is being processed marks
 *   it dirty, and `done()` queues it again;
 * - `addRateLimited` waits as long as the rate limiter says (per-key exponential backoff, at
 *   least the overall token bucket), `forget` resets the key's backoff after a success;
 * - `addAfter` delays a key; of several pending delays for one key the earliest wins.
 *
 * Unlike client-go, `get()` returns `undefined` as soon as the queue shuts down, even if keys
 * are still queued: on shutdown we finish the work in flight, not the backlog (the next leader
 * relists and requeues everything anyway).
 */
export class WorkQueue {
  readonly name: string;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly waiting = new Map<string, { readyAt: number; timer: TimerHandle }>();
  private readonly waiters: (() => void)[] = [];
  private readonly drained: (() => void)[] = [];
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: RuntimeMetrics | undefined;
  private readonly clock: Clock;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock();
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter({ clock: this.clock });
    this.metrics = options.metrics;
    this.metrics?.registerQueueProbe(this.name, {
      unfinishedWorkSeconds: () => this.unfinishedWorkSeconds(),
      longestRunningProcessorSeconds: () => this.longestRunningSeconds(),
    });
    const labels = { name: this.name };
    this.metrics?.queueDepth.set(labels, 0);
    this.metrics?.queueAdds.inc(labels, 0);
    this.metrics?.retries.inc(labels, 0);
    this.metrics?.queueLatency.zero(labels);
    this.metrics?.workDuration.zero(labels);
  }

  /** Queues a key now (no-op if it is already queued, or after shutdown). */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics?.queueAdds.inc({ name: this.name });
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Queues a key after `ms`; an earlier pending delay for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    this.metrics?.retries.inc({ name: this.name });
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending !== undefined && pending.readyAt <= readyAt) return;
    if (pending !== undefined) this.clock.clearTimeout(pending.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Queues a key after the rate limiter's delay for it (counts as one more failure). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clears the key's failure history (call after a successful reconcile). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Keys waiting for a worker (not counting delayed or in-flight keys). */
  len(): number {
    return this.queue.length;
  }

  /** Keys being processed right now. */
  inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Waits for a key; `undefined` means the queue shut down and the worker should stop. */
  async get(): Promise<string | undefined> {
    while (this.queue.length === 0 && !this.shuttingDown) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.shuttingDown) return undefined;
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    const now = this.clock.now();
    this.metrics?.queueDepth.set({ name: this.name }, this.queue.length);
    const added = this.addedAt.get(key);
    if (added !== undefined) this.metrics?.queueLatency.observe({ name: this.name }, (now - added) / 1000);
    this.addedAt.delete(key);
    this.processing.set(key, now);
    this.dirty.delete(key);
    return key;
  }

  /** Marks a key's processing finished; a key re-added meanwhile is queued again now. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics?.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (this.processing.size === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  /** Stops handing out keys and drops delayed ones; workers blocked in get() return undefined. */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    for (const resolve of this.waiters.splice(0)) resolve();
    this.metrics?.unregisterQueueProbe(this.name);
  }

  /** Shuts down and waits until every in-flight key is done, or `timeoutMs` passes. True if drained. */
  async shutdownWithDrain(timeoutMs: number): Promise<boolean> {
    this.shutdown();
    if (this.processing.size === 0) return true;
    let timer: TimerHandle | undefined;
    const drained = new Promise<boolean>((resolve) => {
      this.drained.push(() => {
        resolve(true);
      });
    });
    const timeout = new Promise<boolean>((resolve) => {
      timer = this.clock.setTimeout(() => {
        resolve(false);
      }, timeoutMs);
    });
    const result = await Promise.race([drained, timeout]);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    return result;
  }

  private push(key: string): void {
    this.queue.push(key);
    this.metrics?.queueDepth.set({ name: this.name }, this.queue.length);
    this.waiters.shift()?.();
  }

  private unfinishedWorkSeconds(): number {
    const now = this.clock.now();
    let total = 0;
    for (const started of this.processing.values()) total += (now - started) / 1000;
    return total;
  }

  private longestRunningSeconds(): number {
    const now = this.clock.now();
    let longest = 0;
    for (const started of this.processing.values()) longest = Math.max(longest, (now - started) / 1000);
    return longest;
  }
}
