import { describe, expect, it } from 'vitest';
import {
  decideRetry,
  parseRetryAfter,
  withRetry,
  type RetryPolicy,
} from '../../../src/collector/sources/assessor/retry.ts';
import { TokenBucket, type Clock } from '../../../src/collector/sources/assessor/token-bucket.ts';

function fakeClock(): Clock & { t: number; slept: number[] } {
  const clock = {
    t: 0,
    slept: [] as number[],
    now: () => clock.t,
    sleep: (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

const policy: RetryPolicy = { maxRetries: 3, baseMs: 100, maxMs: 5_000 };

describe('token bucket', () => {
  it('allows a burst of its capacity, then one request per 1/rate seconds', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 2, capacity: 2, clock });
    for (let i = 0; i < 6; i++) await bucket.take();
    // 2 immediately, then 4 more at 500 ms intervals.
    expect(clock.t).toBe(2000);
  });

  it('refills over idle time up to its capacity only', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 3, clock });
    bucket.reserve();
    bucket.reserve();
    bucket.reserve();
    clock.t += 60_000;
    expect(bucket.available()).toBe(3);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow(RangeError);
  });
});

describe('retry policy', () => {
  const decide = (outcome: Parameters<typeof decideRetry>[0]['outcome'], attempt = 0) =>
    decideRetry({ outcome, attempt, policy, random: () => 1, nowMs: 0 });

  it('retries network errors, timeouts, 5xx and 429', () => {
    expect(decide({ kind: 'network' }).retry).toBe(true);
    expect(decide({ kind: 'timeout' }).retry).toBe(true);
    expect(decide({ kind: 'status', status: 502 }).retry).toBe(true);
    expect(decide({ kind: 'status', status: 429 }).retry).toBe(true);
  });

  it('never retries 4xx or the unauthorised 500', () => {
    expect(decide({ kind: 'status', status: 404 }).retry).toBe(false);
    expect(decide({ kind: 'status', status: 500, unauthorized: true }).retry).toBe(false);
  });

  it('backs off exponentially and gives up after maxRetries', () => {
    expect(decide({ kind: 'network' }, 0)).toEqual({ retry: true, delayMs: 100 });
    expect(decide({ kind: 'network' }, 2)).toEqual({ retry: true, delayMs: 400 });
    expect(decide({ kind: 'network' }, 3).retry).toBe(false);
  });

  it('honours Retry-After in seconds and as a date, and gives up when it exceeds the ceiling', () => {
    expect(decide({ kind: 'status', status: 429, retryAfter: '2' })).toEqual({ retry: true, delayMs: 2000 });
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(decide({ kind: 'status', status: 429, retryAfter: '600' }).retry).toBe(false);
  });

  it('withRetry sleeps between attempts and returns the first success', async () => {
    const clock = fakeClock();
    let calls = 0;
    const value = await withRetry(
      () => {
        calls++;
        return Promise.resolve(
          calls < 3
            ? { ok: false as const, outcome: { kind: 'network' as const }, error: new Error('down') }
            : { ok: true as const, value: 'ok' },
        );
      },
      { policy, clock, random: () => 1 },
    );
    expect(value).toBe('ok');
    expect(clock.slept).toEqual([100, 200]);
  });

  it('withRetry throws the terminal error at once', async () => {
    const clock = fakeClock();
    const error = new Error('unauthorised');
    await expect(
      withRetry(
        () =>
          Promise.resolve({
            ok: false as const,
            outcome: { kind: 'status' as const, status: 500, unauthorized: true },
            error,
          }),
        { policy, clock },
      ),
    ).rejects.toBe(error);
    expect(clock.slept).toEqual([]);
  });
});
