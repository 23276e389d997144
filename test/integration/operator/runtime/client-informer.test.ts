import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KubeClient } from '../../../../src/operator/kube/client.ts';
import { loadKubeConfig } from '../../../../src/operator/kube/config.ts';
import { isKubeError, KubeError } from '../../../../src/operator/kube/errors.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { Informer } from '../../../../src/operator/runtime/informer.ts';
import { createRuntimeMetrics, type RuntimeMetrics } from '../../../../src/operator/runtime/metrics.ts';
import { kubeConfig, kubeconfigPath, useNamespace } from '../../../support/kube.ts';

const ns = useNamespace('rt-informer');
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
let client: KubeClient;
let metrics: RuntimeMetrics;

beforeAll(() => {
  metrics = createRuntimeMetrics(new Registry());
  client = new KubeClient({ kubeConfig: kubeConfig(), metrics });
});
afterAll(async () => {
  await client.close();
});

function configMap(
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): KubeObject {
  return { ...CM, metadata: { name, namespace: ns.name, labels }, data };
}

async function caught(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KubeError) return err;
    throw err;
  }
  throw new Error('expected a KubeError');
}

describe('KubeClient against the real API server', () => {
  it('server-side apply creates, updates, and leaves an unchanged object untouched', async () => {
    const fieldManager = 'phoenix-operator';
    const first = await client.apply(configMap('ssa', { a: '1' }), { fieldManager });
    const again = await client.apply(configMap('ssa', { a: '1' }), { fieldManager });
    expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const changed = await client.apply(configMap('ssa', { a: '2' }), { fieldManager });
    expect(changed.metadata?.resourceVersion).not.toBe(first.metadata?.resourceVersion);
    expect(changed.data).toEqual({ a: '2' });
    // Plain JSON out: timestamps stay strings.
    expect(typeof changed.metadata?.creationTimestamp).toBe('string');
  });

  it('maps API errors to typed codes and kinds', async () => {
    const missing = await caught(client.get({ ...CM, namespace: ns.name, name: 'nope' }));
    expect([missing.code, missing.kind, missing.status]).toEqual(['KUBE_NOT_FOUND', 'terminal', 404]);
    expect(await client.getOrUndefined({ ...CM, namespace: ns.name, name: 'nope' })).toBeUndefined();

    const created = await client.create(configMap('conflict', { a: '1' }));
    await client.replace({ ...created, data: { a: '2' } });
    const stale = await caught(client.replace({ ...created, data: { a: '3' } }));
    expect([stale.code, stale.kind]).toEqual(['KUBE_CONFLICT', 'conflict']);
    const exists = await caught(client.create(configMap('conflict', { a: '1' })));
    expect([exists.code, exists.reason]).toEqual(['KUBE_CONFLICT', 'AlreadyExists']);

    const invalid = await caught(client.create(configMap('Not_A_Valid_Name', {})));
    expect([invalid.code, invalid.kind]).toEqual(['KUBE_INVALID', 'terminal']);

    const unknownKind = await caught(client.get({ apiVersion: 'v1', kind: 'NoSuchKind', name: 'x' }));
    expect(unknownKind.code).toBe('KUBE_NOT_FOUND');
  });

  it('a watch from a compacted resourceVersion fails with KUBE_GONE', async () => {
    const err = await caught(
      client.watch(CM, { namespace: ns.name, resourceVersion: '1', timeoutSeconds: 5 }, () => undefined),
    );
    expect(err.code).toBe('KUBE_GONE');
    expect(err.status).toBe(410);
  });

  it('deletes, reporting whether the object was there', async () => {
    await client.create(configMap('to-delete', {}));
    expect(await client.delete({ ...CM, namespace: ns.name, name: 'to-delete' })).toBe(true);
    expect(await client.delete({ ...CM, namespace: ns.name, name: 'to-delete' })).toBe(false);
  });

  it('counts requests in rest_client_requests_total by code and method', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/rest_client_requests_total\{code="200",method="GET"\} \d+/);
    expect(text).toMatch(/rest_client_requests_total\{code="404",method="GET"\} \d+/);
    expect(text).toMatch(/rest_client_requests_total\{code="409",method="PUT"\} \d+/);
  });
});

describe('Informer against the real API server', () => {
  it('lists, watches, and sees adds, updates and deletes; label selectors scope it', async () => {
    await client.create(configMap('pre-existing', { v: '1' }, { app: 'rt' }));
    await client.create(configMap('other-app', { v: '1' }, { app: 'other' }));
    const informer = new Informer({
      client,
      gvk: CM,
      namespace: ns.name,
      labelSelector: 'app=rt',
      pageSize: 1,
    });
    const log: string[] = [];
    informer.addHandlers({
      onAdd: (o) => log.push(`add ${o.metadata?.name ?? ''}`),
      onUpdate: (_a, o) => log.push(`update ${o.metadata?.name ?? ''} ${JSON.stringify(o.data)}`),
      onDelete: (o) => log.push(`delete ${o.metadata?.name ?? ''}`),
    });
    informer.start();
    try {
      await informer.waitForSync();
      expect(informer.keys()).toEqual([`${ns.name}/pre-existing`]);
      await client.create(configMap('new', { v: '1' }, { app: 'rt' }));
      await client.apply(configMap('new', { v: '2' }, { app: 'rt' }), { fieldManager: 'test' });
      await client.delete({ ...CM, namespace: ns.name, name: 'pre-existing' });
      await client.create(configMap('ignored', { v: '1' }, { app: 'other' }));
      await vi.waitFor(
        () => {
          expect(log).toHaveLength(4);
        },
        { timeout: 10_000 },
      );
      expect(log).toEqual(['add pre-existing', 'add new', 'update new {"v":"2"}', 'delete pre-existing']);
      expect(informer.get(`${ns.name}/new`)?.data).toEqual({ v: '2' });
      expect(informer.get(`${ns.name}/new`)?.metadata?.managedFields).toBeUndefined();
    } finally {
      await informer.stop();
    }
  });
});

describe('built-in kubeconfig loader', () => {
  it('talks to the real API server with the credentials of the test kubeconfig', async () => {
    const light = new KubeClient({ kubeConfig: loadKubeConfig({ path: kubeconfigPath() }) });
    try {
      const ns1 = await light.get({ apiVersion: 'v1', kind: 'Namespace', name: ns.name });
      expect(ns1.metadata?.name).toBe(ns.name);
    } finally {
      await light.close();
    }
  });
});

describe('typed error helpers', () => {
  it('isKubeError narrows by code', () => {
    const err = new KubeError('KUBE_GONE', 'gone');
    expect(isKubeError(err, 'KUBE_GONE')).toBe(true);
    expect(isKubeError(err, 'KUBE_CONFLICT')).toBe(false);
    expect(err.kind).toBe('transient');
  });
});
