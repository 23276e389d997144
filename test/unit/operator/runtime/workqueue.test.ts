import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRuntimeMetrics } from '../../../../src/operator/runtime/metrics.ts';
import {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  exponentialFailureRateLimiter,
  maxOfRateLimiter,
} from '../../../../src/operator/runtime/rate-limiter.ts';
import { WorkQueue } from '../../../../src/operator/runtime/workqueue.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** get() with a guard: a key or 'none' if nothing arrives within `ms` of fake time. */
async function getWithin(queue: WorkQueue, ms = 0): Promise<{ key: string | undefined } | 'none'> {
  const box: { got?: { key: string | undefined } } = {};
  void queue.get().then((key) => {
    box.got = { key };
  });
  await vi.advanceTimersByTimeAsync(ms);
  return box.got ?? 'none';
}

describe('WorkQueue', () => {
  it('de-duplicates a key added several times before a worker takes it', async () => {
    const q = new WorkQueue({ name: 't' });
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key to two workers: a re-add during processing waits for done()', async () => {
    const q = new WorkQueue({ name: 't' });
    q.add('ns/a');
    expect(await q.get()).toBe('ns/a');
    q.add('ns/a');
    q.add('ns/a');
    expect(q.len()).toBe(0);
    const second = q.get();
    let secondKey: string | undefined;
    void second.then((k) => (secondKey = k));
    await vi.advanceTimersByTimeAsync(1000);
    expect(secondKey).toBeUndefined();
    q.done('ns/a');
    expect(await second).toBe('ns/a');
    // the key was queued again exactly once
    expect(q.len()).toBe(0);
    expect(q.inFlight()).toBe(1);
    q.done('ns/a');
    expect(q.inFlight()).toBe(0);
    expect(await getWithin(q, 10)).toBe('none');
  });

  it('done() without a re-add does not queue the key again', async () => {
    const q = new WorkQueue({ name: 't' });
    q.add('ns/a');
    await q.get();
    q.done('ns/a');
    expect(q.len()).toBe(0);
  });

  it('wakes a blocked worker when a key arrives', async () => {
    const q = new WorkQueue({ name: 't' });
    const got = q.get();
    q.add('ns/x');
    expect(await got).toBe('ns/x');
  });

  it('addAfter delays the key, and the earliest of several delays wins', async () => {
    const q = new WorkQueue({ name: 't' });
    q.addAfter('ns/a', 5000);
    q.addAfter('ns/a', 1000);
    q.addAfter('ns/a', 3000);
    await vi.advanceTimersByTimeAsync(999);
    expect(q.len()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.len()).toBe(1);
    await q.get();
    q.done('ns/a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(q.len()).toBe(0);
  });

  it('addAfter with zero or negative delay adds at once', () => {
    const q = new WorkQueue({ name: 't' });
    q.addAfter('ns/a', 0);
    q.addAfter('ns/b', -5);
    expect(q.len()).toBe(2);
  });

  it('addRateLimited backs off exponentially per key and forget() resets it', async () => {
    const q = new WorkQueue({
      name: 't',
      rateLimiter: exponentialFailureRateLimiter({ baseDelayMs: 100, maxDelayMs: 1000 }),
    });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = Date.now();
      q.addRateLimited('ns/a');
      while (q.len() === 0) await vi.advanceTimersByTimeAsync(1);
      delays.push(Date.now() - start);
      await q.get();
      q.done('ns/a');
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(q.numRequeues('ns/a')).toBe(6);
    q.forget('ns/a');
    expect(q.numRequeues('ns/a')).toBe(0);
    q.addRateLimited('ns/a');
    await vi.advanceTimersByTimeAsync(100);
    expect(q.len()).toBe(1);
  });

  it('shutdown releases blocked workers with undefined and ignores later adds', async () => {
    const q = new WorkQueue({ name: 't' });
    const a = q.get();
    const b = q.get();
    q.addAfter('ns/later', 1000);
    q.shutdown();
    expect(await a).toBeUndefined();
    expect(await b).toBeUndefined();
    q.add('ns/x');
    await vi.advanceTimersByTimeAsync(2000);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('shutdownWithDrain waits for in-flight keys, and gives up after the timeout', async () => {
    const q = new WorkQueue({ name: 't' });
    q.add('ns/a');
    q.add('ns/b');
    await q.get();
    await q.get();
    let drained: boolean | undefined;
    void q.shutdownWithDrain(5000).then((d) => (drained = d));
    await vi.advanceTimersByTimeAsync(100);
    q.done('ns/a');
    await vi.advanceTimersByTimeAsync(100);
    expect(drained).toBeUndefined();
    q.done('ns/b');
    await vi.advanceTimersByTimeAsync(0);
    expect(drained).toBe(true);

    const q2 = new WorkQueue({ name: 't2' });
    q2.add('ns/a');
    await q2.get();
    let drained2: boolean | undefined;
    void q2.shutdownWithDrain(5000).then((d) => (drained2 = d));
    await vi.advanceTimersByTimeAsync(5000);
    expect(drained2).toBe(false);
  });

  it('exports controller-runtime workqueue metrics under the queue name', async () => {
    const registry = new Registry();
    const metrics = createRuntimeMetrics(registry);
    const q = new WorkQueue({ name: 'phoenixmarket', metrics });
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    await vi.advanceTimersByTimeAsync(250);
    await q.get();
    q.addAfter('ns/c', 10);
    await vi.advanceTimersByTimeAsync(3000);
    const text = await registry.metrics();
    expect(text).toContain('workqueue_adds_total{name="phoenixmarket"} 3');
    expect(text).toContain('workqueue_depth{name="phoenixmarket"} 2');
    expect(text).toContain('workqueue_retries_total{name="phoenixmarket"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_count{name="phoenixmarket"} 1');
    expect(text).toContain('workqueue_unfinished_work_seconds{name="phoenixmarket"} 3');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="phoenixmarket"} 3');
    q.done('ns/a');
    expect(await registry.metrics()).toContain(
      'workqueue_work_duration_seconds_count{name="phoenixmarket"} 1',
    );
  });
});

describe('rate limiters', () => {
  it('exponential limiter: 5 ms doubling up to 1000 s by default', () => {
    const l = exponentialFailureRateLimiter();
    const delays = Array.from({ length: 30 }, () => l.when('k'));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(delays.at(-1)).toBe(1_000_000);
    expect(l.when('other')).toBe(5);
  });

  it('token bucket: burst is free, then qps paces', () => {
    const l = bucketRateLimiter({ qps: 10, burst: 3 });
    expect([l.when('a'), l.when('b'), l.when('c')]).toEqual([0, 0, 0]);
    expect(l.when('d')).toBe(100);
    expect(l.when('e')).toBe(200);
    vi.advanceTimersByTime(1000);
    // 10 tokens refilled, capped at burst 3, minus the two borrowed
    expect(l.when('f')).toBe(0);
  });

  it('max-of takes the longest delay: overall rate limit applies even to fresh keys', () => {
    const l = maxOfRateLimiter(
      exponentialFailureRateLimiter({ baseDelayMs: 5 }),
      bucketRateLimiter({ qps: 1, burst: 1 }),
    );
    expect(l.when('a')).toBe(5);
    expect(l.when('b')).toBe(1000);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
    expect(l.numRequeues('b')).toBe(1);
  });

  it('the controller default is 5 ms per key with a 10 qps / 100 burst bucket', () => {
    const l = defaultControllerRateLimiter();
    const delays = Array.from({ length: 101 }, (_, i) => l.when(`k${i}`));
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays[100]).toBe(100);
  });
});
