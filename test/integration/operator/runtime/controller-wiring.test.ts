// Reconcile stand-ins below are async to match ReconcileFn though most do not await.
/* eslint-disable @typescript-eslint/require-await */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from '../../../../src/operator/kube/client.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { Controller, type ReconcileFn } from '../../../../src/operator/runtime/controller.ts';
import { Informer } from '../../../../src/operator/runtime/informer.ts';
import { exponentialFailureRateLimiter } from '../../../../src/operator/runtime/rate-limiter.ts';
import { FakeApiServer, sendEvent } from './fake-apiserver.ts';

// A controller fed by a real informer over the wire protocol of a scripted API server.
const controllers: Controller[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop(1000)));
});

function make(reconcile: ReconcileFn): Controller {
  const c = new Controller({
    name: 'test',
    reconcile,
    rateLimiter: exponentialFailureRateLimiter({ baseDelayMs: 10, maxDelayMs: 1000 }),
  });
  controllers.push(c);
  return c;
}

describe('Controller wired to an informer', () => {
  let server: FakeApiServer;
  let client: KubeClient;
  let informer: Informer;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    client = new KubeClient({ kubeConfig: server.kubeConfig() });
    informer = new Informer({ client, gvk: { apiVersion: 'v1', kind: 'ConfigMap' }, namespace: 'ns' });
  });
  afterEach(async () => {
    await informer.stop();
    await client.close();
    await server.close();
  });

  function withGeneration(obj: KubeObject, generation: number, status: unknown): KubeObject {
    return { ...obj, metadata: { ...obj.metadata, generation }, status };
  }

  it('reconciles on add and on spec changes, not on status-only changes of the primary', async () => {
    const keys: string[] = [];
    const c = make(async (req) => {
      keys.push(req.key);
    }).watchPrimary(informer);
    const a = withGeneration(server.put('a', {}), 1, { ready: false });
    server.objects.set('a', a);
    informer.start();
    await informer.waitForSync();
    c.start();
    await vi.waitFor(() => {
      expect(keys).toEqual(['ns/a']);
    });
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(1);
    });
    const res = server.watches[0]!.res;
    sendEvent(res, 'MODIFIED', withGeneration(server.put('a', {}), 1, { ready: true }));
    await new Promise((r) => setTimeout(r, 200));
    expect(keys).toEqual(['ns/a']);
    sendEvent(res, 'MODIFIED', withGeneration(server.put('a', {}), 2, { ready: true }));
    await vi.waitFor(() => {
      expect(keys).toEqual(['ns/a', 'ns/a']);
    });
    sendEvent(res, 'DELETED', server.remove('a'));
    await vi.waitFor(() => {
      expect(keys).toHaveLength(3);
    });
  });

  it('the periodic resync requeues every primary object', async () => {
    const counts = new Map<string, number>();
    const c = new Controller({
      name: 'resync',
      resyncPeriodMs: 150,
      reconcile: async (req) => {
        counts.set(req.key, (counts.get(req.key) ?? 0) + 1);
      },
    }).watchPrimary(informer);
    controllers.push(c);
    server.put('a', {});
    server.put('b', {});
    informer.start();
    await informer.waitForSync();
    c.start();
    await vi.waitFor(
      () => {
        expect(Math.min(counts.get('ns/a') ?? 0, counts.get('ns/b') ?? 0)).toBeGreaterThanOrEqual(3);
      },
      {
        timeout: 3000,
      },
    );
  });
});
