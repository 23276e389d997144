import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PhoenixError } from '../../../../src/shared/errors.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { EventRecorder } from '../../../../src/operator/runtime/events.ts';
import { Manager } from '../../../../src/operator/runtime/manager.ts';
import { kubeConfig, useNamespace } from '../../../support/kube.ts';

const ns = useNamespace('rt-manager');
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const DEPLOY = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
let manager: Manager;
const reconciles: string[] = [];

function count(key: string): number {
  return reconciles.filter((k) => k === key).length;
}

function deployment(name: string, replicas: number, owner?: KubeObject): KubeObject {
  const ownerReferences =
    owner === undefined
      ? undefined
      : [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: owner.metadata!.name!,
            uid: owner.metadata!.uid!,
            controller: true,
          },
        ];
  return {
    ...DEPLOY,
    metadata: {
      name,
      namespace: ns.name,
      labels: { app: name },
      ...(ownerReferences ? { ownerReferences } : {}),
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'registry.invalid/none:1' }] },
      },
    },
  };
}

beforeAll(async () => {
  manager = new Manager({
    kubeConfig: kubeConfig(),
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    metricsPort: 0,
    healthPort: 0,
    host: '127.0.0.1',
  });
  const deployments = manager.informer(DEPLOY, { namespace: ns.name });
  const configMaps = manager.informer(CM, { namespace: ns.name });
  manager
    .addController({
      name: 'deployments',
      maxConcurrentReconciles: 2,
      reconcile: async (req) => {
        reconciles.push(`deploy:${req.key}`);
        return Promise.resolve();
      },
    })
    .watchPrimary(deployments);
  manager
    .addController({
      name: 'parents',
      reconcile: async (req) => {
        reconciles.push(`parent:${req.key}`);
        return Promise.resolve();
      },
    })
    .watchPrimary(configMaps)
    .watchOwned(deployments, CM);
  await manager.start();
});

afterAll(async () => {
  await manager.stop();
});

async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('Manager', () => {
  it('serves /healthz, /readyz and /metrics with controller-runtime metric names', async () => {
    const [metricsPort, healthPort] = manager.ports();
    expect(await httpGet(healthPort!, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await httpGet(healthPort!, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await httpGet(healthPort!, '/metrics')).status).toBe(404);
    const metrics = await httpGet(metricsPort!, '/metrics');
    expect(metrics.status).toBe(200);
    for (const name of [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds_bucket',
      'controller_runtime_max_concurrent_reconciles{controller="deployments"} 2',
      'controller_runtime_active_workers{controller="parents"}',
      'workqueue_depth{name="deployments"}',
      'workqueue_adds_total',
      'workqueue_queue_duration_seconds_bucket',
      'workqueue_work_duration_seconds_bucket',
      'workqueue_retries_total',
      'workqueue_unfinished_work_seconds{name="parents"}',
      'workqueue_longest_running_processor_seconds{name="parents"}',
      'leader_election_master_status',
      'rest_client_requests_total{code="200",method="GET"}',
    ]) {
      expect(metrics.body).toContain(name);
    }
  });

  it('ignores status-only updates of the primary kind but reconciles spec and label changes', async () => {
    const key = `${ns.name}/primary`;
    await manager.client.apply(deployment('primary', 0), { fieldManager: 'test' });
    await vi.waitFor(() => {
      expect(count(`deploy:${key}`)).toBeGreaterThanOrEqual(1);
    });
    // kube-controller-manager may annotate the revision; let that settle first.
    await new Promise((r) => setTimeout(r, 1500));
    const before = count(`deploy:${key}`);
    const ref = { ...DEPLOY, namespace: ns.name, name: 'primary' };
    for (const n of [1, 2, 3]) {
      await manager.client.mergePatch(
        ref,
        { status: { observedGeneration: n, replicas: 0 } },
        { subresource: 'status' },
      );
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect(count(`deploy:${key}`)).toBe(before);

    await manager.client.apply(deployment('primary', 1), { fieldManager: 'test' });
    await vi.waitFor(() => {
      expect(count(`deploy:${key}`)).toBeGreaterThan(before);
    });
    const afterSpec = count(`deploy:${key}`);
    await manager.client.mergePatch(ref, { metadata: { labels: { tier: 'x' } } });
    await vi.waitFor(() => {
      expect(count(`deploy:${key}`)).toBeGreaterThan(afterSpec);
    });
  });

  it("maps owned objects' events, status changes included, to the controlling owner", async () => {
    const owner = await manager.client.create({
      ...CM,
      metadata: { name: 'owner', namespace: ns.name },
      data: {},
    });
    const key = `parent:${ns.name}/owner`;
    await vi.waitFor(() => {
      expect(count(key)).toBe(1);
    });
    await manager.client.apply(deployment('child', 0, owner), { fieldManager: 'test' });
    await vi.waitFor(() => {
      expect(count(key)).toBeGreaterThanOrEqual(2);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const before = count(key);
    await manager.client.mergePatch(
      { ...DEPLOY, namespace: ns.name, name: 'child' },
      { status: { observedGeneration: 99, replicas: 0 } },
      { subresource: 'status' },
    );
    await vi.waitFor(() => {
      expect(count(key)).toBeGreaterThan(before);
    });
    // An object without a controller reference to a ConfigMap maps to no parent.
    expect(reconciles.some((k) => k === `parent:${ns.name}/primary`)).toBe(false);
  });

  it('reports not ready while a cache cannot sync, and start() fails after the sync timeout', async () => {
    const broken = new Manager({
      kubeConfig: kubeConfig(),
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      healthPort: 0,
      host: '127.0.0.1',
      informerDefaults: { backoff: { initialMs: 100, maxMs: 200 } },
      cacheSyncTimeoutMs: 2000,
    });
    broken.informer({ apiVersion: 'missing.phoenix.io/v1', kind: 'Nothing' });
    const started = broken.start().then(
      () => 'started',
      (err: unknown) => err,
    );
    try {
      await vi.waitFor(() => {
        expect(broken.ports()).toHaveLength(1);
      });
      const ready = await httpGet(broken.ports()[0]!, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toContain('missing.phoenix.io/v1/Nothing cache not synced');
      expect((await httpGet(broken.ports()[0]!, '/healthz')).status).toBe(200);
      const err = await started;
      expect(err).toBeInstanceOf(PhoenixError);
      expect((err as PhoenixError).code).toBe('PHOENIX_CACHE_SYNC_TIMEOUT');
      expect((err as PhoenixError).message).toContain('missing.phoenix.io/v1/Nothing cache not synced');
    } finally {
      await broken.stop();
    }
  });
});

describe('EventRecorder', () => {
  it('aggregates repeats into one Event with a count and rate-limits per object', async () => {
    const involved = await manager.client.create({
      ...CM,
      metadata: { name: 'evented', namespace: ns.name },
    });
    const recorder = new EventRecorder({
      client: manager.client,
      component: 'phoenix-operator',
      burst: 4,
      refillMs: 3_600_000,
    });
    recorder.event(involved, 'Normal', 'Reconciled', 'all children applied');
    await recorder.flush();
    recorder.event(involved, 'Normal', 'Reconciled', 'all children applied');
    await recorder.flush();
    recorder.event(involved, 'Normal', 'Reconciled', 'all children applied');
    await recorder.flush();
    recorder.event(involved, 'Warning', 'InvalidSpec', 'spec.zipCodes: must not be empty');
    await recorder.flush();
    recorder.event(involved, 'Warning', 'Flood', 'one too many');
    await recorder.flush();
    expect(recorder.dropped).toBe(1);

    const list = await manager.client.list(
      { apiVersion: 'v1', kind: 'Event' },
      {
        namespace: ns.name,
        fieldSelector: `involvedObject.name=evented`,
      },
    );
    const byReason = Object.fromEntries(list.items.map((e) => [e.reason as string, e]));
    expect(Object.keys(byReason).sort()).toEqual(['InvalidSpec', 'Reconciled']);
    expect(byReason.Reconciled!.count).toBe(3);
    expect(byReason.Reconciled!.type).toBe('Normal');
    expect(byReason.InvalidSpec!.type).toBe('Warning');
    expect((byReason.InvalidSpec!.involvedObject as { uid: string }).uid).toBe(involved.metadata?.uid);
    expect((byReason.Reconciled!.source as { component: string }).component).toBe('phoenix-operator');
  });
});
