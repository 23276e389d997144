// Reconcile stand-ins below are async to match ReconcileFn though most do not await.
/* eslint-disable @typescript-eslint/require-await */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PhoenixError } from '../../../../src/shared/errors.ts';
import { KubeError } from '../../../../src/operator/kube/errors.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { Controller, type ReconcileFn } from '../../../../src/operator/runtime/controller.ts';
import { createRuntimeMetrics, type RuntimeMetrics } from '../../../../src/operator/runtime/metrics.ts';
import {
  mapToControllerOwner,
  resourceVersionChanged,
  sameJson,
  specOrMetadataChanged,
} from '../../../../src/operator/runtime/predicates.ts';
import { exponentialFailureRateLimiter } from '../../../../src/operator/runtime/rate-limiter.ts';

const controllers: Controller[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop(1000)));
});

function make(
  reconcile: ReconcileFn,
  extra: { workers?: number; metrics?: RuntimeMetrics } = {},
): Controller {
  const c = new Controller({
    name: 'test',
    reconcile,
    maxConcurrentReconciles: extra.workers ?? 1,
    rateLimiter: exponentialFailureRateLimiter({ baseDelayMs: 10, maxDelayMs: 1000 }),
    ...(extra.metrics === undefined ? {} : { metrics: extra.metrics }),
  });
  controllers.push(c);
  return c;
}

async function value(
  metric: { get(): Promise<{ values: { labels: object; value: number }[] }> },
  labels: object,
) {
  const m = await metric.get();
  return m.values.find((v) => sameJson(v.labels, labels))?.value ?? 0;
}

describe('Controller', () => {
  it('reconciles queued keys with namespace and name split out', async () => {
    const seen: string[] = [];
    const c = make(async (req) => {
      seen.push(`${req.namespace ?? '-'}|${req.name}|${req.key}`);
    });
    c.start();
    c.enqueue('ns1/a');
    c.enqueue('cluster-scoped');
    await vi.waitFor(() => {
      expect(seen).toHaveLength(2);
    });
    expect(seen).toEqual(['ns1|a|ns1/a', '-|cluster-scoped|cluster-scoped']);
  });

  it('requeueAfter reconciles again after the delay and counts requeue_after', async () => {
    const metrics = createRuntimeMetrics(new Registry());
    const times: number[] = [];
    const c = make(
      async () => {
        times.push(Date.now());
        return times.length < 3 ? { requeueAfter: 100 } : undefined;
      },
      { metrics },
    );
    c.start();
    c.enqueue('ns/a');
    await vi.waitFor(() => {
      expect(times).toHaveLength(3);
    });
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(95);
    expect(await value(metrics.reconcileTotal, { controller: 'test', result: 'requeue_after' })).toBe(2);
    expect(await value(metrics.reconcileTotal, { controller: 'test', result: 'success' })).toBe(1);
  });

  it('a transient error is retried with growing backoff until it succeeds, then forgotten', async () => {
    const metrics = createRuntimeMetrics(new Registry());
    const attempts: { at: number; retries: number }[] = [];
    const c = make(
      async (_req, ctx) => {
        attempts.push({ at: Date.now(), retries: ctx.retries });
        if (attempts.length <= 4) throw new KubeError('KUBE_UNAVAILABLE', 'api server down');
      },
      { metrics },
    );
    c.start();
    c.enqueue('ns/a');
    await vi.waitFor(
      () => {
        expect(attempts).toHaveLength(5);
      },
      { timeout: 3000 },
    );
    expect(attempts.map((a) => a.retries)).toEqual([0, 1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    // Timers never fire early: each gap is at least its backoff step (10, 20, 40, 80 ms).
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(10 * 2 ** i - 2);
    });
    expect(c.queue.numRequeues('ns/a')).toBe(0);
    expect(await value(metrics.reconcileErrors, { controller: 'test' })).toBe(4);
    expect(await value(metrics.reconcileTotal, { controller: 'test', result: 'error' })).toBe(4);
  });

  it('an unknown error (not a PhoenixError) is treated as transient', async () => {
    let n = 0;
    const c = make(async () => {
      n += 1;
      if (n === 1) throw new Error('boom');
    });
    c.start();
    c.enqueue('ns/a');
    await vi.waitFor(() => {
      expect(n).toBe(2);
    });
  });

  it('a terminal error is not retried and is counted as terminal', async () => {
    const metrics = createRuntimeMetrics(new Registry());
    let n = 0;
    const c = make(
      async () => {
        n += 1;
        throw new PhoenixError('PHOENIX_INVALID_SPEC', 'spec.zipCodes: must not be empty', {
          kind: 'terminal',
        });
      },
      { metrics },
    );
    c.start();
    c.enqueue('ns/a');
    await vi.waitFor(() => {
      expect(n).toBe(1);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(n).toBe(1);
    expect(await value(metrics.terminalReconcileErrors, { controller: 'test' })).toBe(1);
    expect(c.queue.numRequeues('ns/a')).toBe(0);
  });

  it('a conflict is requeued', async () => {
    let n = 0;
    const c = make(async () => {
      n += 1;
      if (n === 1) throw new KubeError('KUBE_CONFLICT', 'the object has been modified');
    });
    c.start();
    c.enqueue('ns/a');
    await vi.waitFor(() => {
      expect(n).toBe(2);
    });
  });

  it('requeue: true goes through the rate limiter', async () => {
    let n = 0;
    const c = make(async () => {
      n += 1;
      return n < 3 ? { requeue: true } : undefined;
    });
    c.start();
    c.enqueue('ns/a');
    await vi.waitFor(() => {
      expect(n).toBe(3);
    });
  });

  it('runs different keys concurrently but never one key twice at once', async () => {
    const metrics = createRuntimeMetrics(new Registry());
    const active = new Map<string, number>();
    let maxSameKey = 0;
    let maxTotal = 0;
    let done = 0;
    const c = make(
      async (req) => {
        active.set(req.key, (active.get(req.key) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, active.get(req.key)!);
        maxTotal = Math.max(
          maxTotal,
          [...active.values()].reduce((a, b) => a + b, 0),
        );
        await new Promise((r) => setTimeout(r, 30));
        active.set(req.key, active.get(req.key)! - 1);
        done += 1;
      },
      { workers: 4, metrics },
    );
    c.start();
    for (let i = 0; i < 5; i++) for (const k of ['ns/a', 'ns/b', 'ns/c', 'ns/d']) c.enqueue(k);
    await new Promise((r) => setTimeout(r, 10));
    for (const k of ['ns/a', 'ns/b']) c.enqueue(k); // re-added while in flight: runs once more after
    await vi.waitFor(
      () => {
        expect(done).toBe(6);
      },
      { timeout: 3000 },
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(6);
    expect(maxSameKey).toBe(1);
    expect(maxTotal).toBe(4);
    expect(await value(metrics.maxConcurrentReconciles, { controller: 'test' })).toBe(4);
    expect(await value(metrics.activeWorkers, { controller: 'test' })).toBe(0);
  });

  it('stop() lets an in-flight reconcile finish and takes no new keys', async () => {
    const finished: string[] = [];
    const c = make(async (req) => {
      await new Promise((r) => setTimeout(r, 100));
      finished.push(req.key);
    });
    c.start();
    c.enqueue('ns/a');
    await new Promise((r) => setTimeout(r, 20));
    c.enqueue('ns/b');
    const drained = await c.stop(2000);
    expect(drained).toBe(true);
    expect(finished).toEqual(['ns/a']);
  });

  it('stop() aborts the reconcile signal once the drain timeout passes', async () => {
    let aborted = false;
    const c = make(async (_req, ctx) => {
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          resolve();
        });
      });
    });
    c.start();
    c.enqueue('ns/a');
    await new Promise((r) => setTimeout(r, 20));
    expect(await c.stop(50)).toBe(false);
    expect(aborted).toBe(true);
  });
});

function obj(meta: Record<string, unknown>, rest: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', namespace: 'ns', ...meta }, ...rest };
}

describe('predicates', () => {
  it('primary: a status-only change (same generation) does not pass', () => {
    const a = obj({ generation: 3, resourceVersion: '1' }, { spec: { x: 1 }, status: { ready: false } });
    const b = obj(
      { generation: 3, resourceVersion: '2', managedFields: [{}] },
      { spec: { x: 1 }, status: { ready: true } },
    );
    expect(specOrMetadataChanged(a, b)).toBe(false);
  });

  it('primary: a spec change (new generation) passes', () => {
    const a = obj({ generation: 3, resourceVersion: '1' });
    const b = obj({ generation: 4, resourceVersion: '2' });
    expect(specOrMetadataChanged(a, b)).toBe(true);
  });

  it.each([
    ['labels', { labels: { team: 'a' } }, { labels: { team: 'b' } }],
    ['annotations', {}, { annotations: { note: 'x' } }],
    ['finalizers', { finalizers: ['f'] }, { finalizers: [] }],
    ['deletionTimestamp', {}, { deletionTimestamp: '2026-01-01T00:00:00Z' }],
    ['ownerReferences', {}, { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u' }] }],
  ])('primary: a %s change passes even with the same generation', (_what, before, after) => {
    const a = obj({ generation: 1, resourceVersion: '1', ...before });
    const b = obj({ generation: 1, resourceVersion: '2', ...after });
    expect(specOrMetadataChanged(a, b)).toBe(true);
  });

  it('primary without generation (ConfigMap): data changes pass, resourceVersion alone does not', () => {
    const a = obj({ resourceVersion: '1' }, { data: { k: 'v' } });
    expect(specOrMetadataChanged(a, obj({ resourceVersion: '2' }, { data: { k: 'v' } }))).toBe(false);
    expect(specOrMetadataChanged(a, obj({ resourceVersion: '2' }, { data: { k: 'w' } }))).toBe(true);
  });

  it('owned: any new resourceVersion passes, including child status', () => {
    const a = obj({ generation: 1, resourceVersion: '1' }, { status: { readyReplicas: 0 } });
    const b = obj({ generation: 1, resourceVersion: '2' }, { status: { readyReplicas: 1 } });
    expect(resourceVersionChanged(a, b)).toBe(true);
    expect(resourceVersionChanged(a, a)).toBe(false);
  });

  it('maps an owned object to its controlling owner of the right kind and group', () => {
    const map = mapToControllerOwner({ apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'PhoenixMarket' });
    const ref = (over: Record<string, unknown>) => ({
      apiVersion: 'realestate.phoenix.io/v1alpha1',
      kind: 'PhoenixMarket',
      name: 'phoenix',
      uid: 'u',
      controller: true,
      ...over,
    });
    expect(map(obj({ ownerReferences: [ref({})] }))).toEqual(['ns/phoenix']);
    expect(map(obj({ ownerReferences: [ref({ apiVersion: 'realestate.phoenix.io/v1' })] }))).toEqual([
      'ns/phoenix',
    ]);
    expect(map(obj({ ownerReferences: [ref({ controller: false })] }))).toEqual([]);
    expect(map(obj({ ownerReferences: [ref({ apiVersion: 'other.io/v1alpha1' })] }))).toEqual([]);
    expect(map(obj({ ownerReferences: [ref({ kind: 'MonitoringStack' })] }))).toEqual([]);
    expect(map(obj({}))).toEqual([]);
  });

  it('sameJson ignores key order and undefined members', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});
