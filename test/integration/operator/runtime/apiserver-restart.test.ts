import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../../../src/local/control-plane.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { Manager } from '../../../../src/operator/runtime/manager.ts';

// This file stops kube-apiserver, so it runs its own control plane rather than the shared one.
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const NS = 'restart';
let plane: ControlPlane;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-rt-restart-'));
  plane = await startControlPlane({ dir, withControllers: false });
}, 180_000);

afterAll(async () => {
  await plane.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cm(name: string, data: Record<string, string>): KubeObject {
  return { ...CM, metadata: { name, namespace: NS }, data };
}

describe('kube-apiserver stopped and restarted under a running manager', () => {
  it('the caches and the controller catch up with changes made after the restart', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    const registry = new Registry();
    const manager = new Manager({
      kubeConfig: kc,
      logger: pino({ level: 'silent' }),
      registry,
      informerDefaults: { backoff: { initialMs: 200, maxMs: 2000 } },
    });
    const { client } = manager;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await client.create(cm('changed', { v: '1' }));
    await client.create(cm('deleted', { v: '1' }));

    const informer = manager.informer(CM, { namespace: NS });
    const reconciled = new Map<string, string | undefined>();
    manager
      .addController({
        name: 'configmaps',
        reconcile: async (req) => {
          const obj = informer.get(req.key);
          reconciled.set(req.name, obj === undefined ? 'absent' : JSON.stringify(obj.data));
          return Promise.resolve();
        },
      })
      .watchPrimary(informer);
    await manager.start();
    try {
      await vi.waitFor(() => {
        expect(reconciled.get('changed')).toBe('{"v":"1"}');
      });

      await plane.stopApiServer();
      // Let the watch break and the informer fail a few reconnects.
      await new Promise((r) => setTimeout(r, 4000));
      await plane.restartApiServer();

      await client.apply(cm('changed', { v: '2' }), { fieldManager: 'test' });
      await client.create(cm('created', { v: '1' }));
      await client.delete({ ...CM, namespace: NS, name: 'deleted' });

      await vi.waitFor(
        () => {
          expect(reconciled.get('changed')).toBe('{"v":"2"}');
          expect(reconciled.get('created')).toBe('{"v":"1"}');
          expect(reconciled.get('deleted')).toBe('absent');
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(informer.keys().sort()).toEqual([`${NS}/changed`, `${NS}/created`]);
      const restarts = await manager.metrics.informerRestarts.get();
      expect(
        restarts.values.filter((v) => v.labels.reason === 'error').reduce((a, v) => a + v.value, 0),
      ).toBeGreaterThan(0);
      expect(await registry.metrics()).toMatch(
        /rest_client_requests_total\{code="<error>",method="GET"\} \d+/,
      );
    } finally {
      await manager.stop();
    }
  });
});
