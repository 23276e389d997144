import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KubeClient } from '../../../../src/operator/kube/client.ts';
import { KubeError } from '../../../../src/operator/kube/errors.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { LeaderElector } from '../../../../src/operator/runtime/leader-election.ts';
import { createRuntimeMetrics } from '../../../../src/operator/runtime/metrics.ts';

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  leaseTransitions?: number;
  renewTime?: string;
}

/** An in-memory Lease store with the API server's optimistic concurrency (resourceVersion). */
class LeaseStore {
  lease: (KubeObject & { spec?: LeaseSpec }) | undefined;
  rv = 0;
  down = false;
  writes = 0;

  client(): KubeClient {
    const stub = {
      getOrUndefined: () =>
        this.call(() => (this.lease === undefined ? undefined : structuredClone(this.lease))),
      create: (obj: KubeObject) =>
        this.call(() => {
          if (this.lease !== undefined) throw new KubeError('KUBE_CONFLICT', 'already exists');
          return this.save(obj);
        }),
      replace: (obj: KubeObject) =>
        this.call(() => {
          if (obj.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
            throw new KubeError('KUBE_CONFLICT', 'the object has been modified');
          }
          return this.save(obj);
        }),
    };
    return stub as unknown as KubeClient;
  }

  holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }

  private call<T>(fn: () => T): Promise<T> {
    if (this.down) return Promise.reject(new KubeError('KUBE_UNAVAILABLE', 'connection refused'));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private save(obj: KubeObject): KubeObject {
    this.rv += 1;
    this.writes += 1;
    this.lease = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } });
    return structuredClone(this.lease);
  }
}

const TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 };

function elector(store: LeaseStore, identity: string, registry?: Registry): LeaderElector {
  return new LeaderElector({
    client: store.client(),
    namespace: 'ns',
    name: 'lease',
    identity,
    ...TIMING,
    ...(registry === undefined ? {} : { metrics: createRuntimeMetrics(registry) }),
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LeaderElector', () => {
  it('creates the lease, leads, renews every retry period and reports it in the metric', async () => {
    const store = new LeaseStore();
    const registry = new Registry();
    const a = elector(store, 'a', registry);
    const stop = new AbortController();
    let started = 0;
    const run = a.run(stop.signal, () => (started += 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toBe(1);
    expect(a.isLeader()).toBe(true);
    expect(store.holder()).toBe('a');
    expect(store.lease?.spec?.leaseDurationSeconds).toBe(15);
    expect(store.lease?.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(await registry.metrics()).toContain('leader_election_master_status{name="lease"} 1');
    const writes = store.writes;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.writes - writes).toBe(5);
    stop.abort();
    expect(await run).toBe('stopped');
    expect(await registry.metrics()).toContain('leader_election_master_status{name="lease"} 0');
  });

  it('a candidate waits a full lease duration from when it first saw a lease stop changing', async () => {
    const store = new LeaseStore();
    const a = elector(store, 'a');
    const stopA = new AbortController();
    void a.run(stopA.signal, () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    // a "crashes": stops renewing without releasing
    stopA.abort();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.holder()).toBe('a'); // renewTime is now a minute old

    // b does not trust renewTime (clocks differ): it times the lease from its own first sighting.
    const b = elector(store, 'b');
    const stopB = new AbortController();
    let bLeads = false;
    void b.run(stopB.signal, () => (bLeads = true));
    await vi.advanceTimersByTimeAsync(14_000);
    expect(bLeads).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(bLeads).toBe(true);
    expect(store.holder()).toBe('b');
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    stopB.abort();
  });

  it('only one of two simultaneous candidates wins; release hands over at the next retry', async () => {
    const store = new LeaseStore();
    const stops = { a: new AbortController(), b: new AbortController() };
    const electors = { a: elector(store, 'a'), b: elector(store, 'b') };
    const leads: string[] = [];
    const runs = {
      a: electors.a.run(stops.a.signal, () => leads.push('a')),
      b: electors.b.run(stops.b.signal, () => leads.push('b')),
    };
    await vi.advanceTimersByTimeAsync(5000);
    expect(leads).toHaveLength(1);
    const winner = leads[0] as 'a' | 'b';
    const loser = winner === 'a' ? 'b' : 'a';
    expect(electors[loser].isLeader()).toBe(false);

    // Graceful stop of the winner, as the manager does it: stop renewing, then release.
    stops[winner].abort();
    expect(await runs[winner]).toBe('stopped');
    await electors[winner].release();
    expect(store.holder()).toBe('');
    expect(store.lease?.spec?.leaseDurationSeconds).toBe(1);
    // The loser takes over at its next attempt (retry period 2 s, jitter up to 2.4 s more), not after 15 s.
    await vi.advanceTimersByTimeAsync(4500);
    expect(leads).toEqual([winner, loser]);
    stops[loser].abort();
  });

  it('a leader that cannot renew for renewDeadline reports the loss', async () => {
    const store = new LeaseStore();
    const a = elector(store, 'a');
    const run = a.run(new AbortController().signal, () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(a.isLeader()).toBe(true);
    store.down = true;
    let outcome: string | undefined;
    void run.then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(8000);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(4000);
    expect(outcome).toBe('lost');
    expect(a.isLeader()).toBe(false);
    // a lost lease is not released (it may be someone else's by now)
    store.down = false;
    const writes = store.writes;
    await a.release();
    expect(store.writes).toBe(writes);
  });

  it('a leader that finds another holder in the lease reports the loss at once', async () => {
    const store = new LeaseStore();
    const a = elector(store, 'a');
    const run = a.run(new AbortController().signal, () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    store.lease!.spec = { ...store.lease!.spec, holderIdentity: 'intruder' };
    store.rv += 1;
    store.lease!.metadata = { ...store.lease!.metadata, resourceVersion: String(store.rv) };
    await vi.advanceTimersByTimeAsync(2100);
    expect(await run).toBe('lost');
  });
});
