import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../../src/local/control-plane.ts';
import { waitUntil } from '../../../src/local/process.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';

const group = 'realestate.phoenix.io';
const version = 'v1alpha1';
const plural = 'phoenixmarkets';
const namespace = 'markets';

function sample(file: string): Record<string, unknown> {
  return load(readFileSync(join(repoRoot, 'manifests', 'samples', 'markets', file), 'utf8')) as Record<
    string,
    unknown
  >;
}

/**
 * Recovery with its own control plane (its kube-apiserver is stopped on purpose) and two
 * operator processes electing a leader through a Lease.
 */
describe('operator recovery', () => {
  let dir: string;
  let plane: ControlPlane;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  const operators = new Map<string, ChildProcess>();
  const stopped = new Set<string>();

  // Like a kubelet: an operator process that exits (it does on losing leadership) is restarted,
  // unless the test stopped it on purpose.
  const startOperator = (name: string): void => {
    const child = spawn(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'operator'], {
      env: {
        ...process.env,
        KUBECONFIG: plane.kubeconfigPath,
        POD_NAME: name,
        POD_NAMESPACE: 'kube-system',
        WATCH_NAMESPACE: namespace,
        LEADER_ELECT: 'true',
        METRICS_PORT: '0',
        HEALTH_PORT: '0',
        METRICS_HOST: '127.0.0.1',
        LOG_LEVEL: process.env['PHOENIX_TEST_LOG'] ?? 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    operators.set(name, child);
    child.once('exit', () => {
      if (!stopped.has(name))
        setTimeout(() => {
          startOperator(name);
        }, 500);
    });
  };
  const stopOperator = (name: string, signal: NodeJS.Signals): Promise<unknown> => {
    stopped.add(name);
    const child = operators.get(name);
    const exited = new Promise((r) => child?.once('exit', r));
    child?.kill(signal);
    return exited;
  };
  const ready = (name: string, timeoutMs = 60_000) =>
    waitUntil(async () => {
      const m = (await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return m.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    }, timeoutMs);
  const create = (file: string) =>
    custom.createNamespacedCustomObject({ group, version, namespace, plural, body: sample(file) });
  const leader = async (): Promise<string> => {
    const lease = await kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'phoenix-operator', namespace: 'kube-system' });
    return lease.spec?.holderIdentity ?? '';
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phoenix-recovery-'));
    plane = await startControlPlane({ dir, withControllers: true, nodes: 2 });
    kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    custom = kc.makeApiClient(CustomObjectsApi);
    await installCrds(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    startOperator('operator-a');
    startOperator('operator-b');
  });
  afterAll(async () => {
    for (const name of operators.keys()) void stopOperator(name, 'SIGKILL');
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('elects one leader that reconciles', async () => {
    await create('08-peoria.yaml');
    expect(await ready('peoria')).toBe(true);
    expect(['operator-a', 'operator-b']).toContain((await leader()).split('_')[0]);
  });

  it('hands over to the other replica when the leader is killed', async () => {
    const holder = await leader();
    const name = holder.startsWith('operator-a') ? 'operator-a' : 'operator-b';
    await stopOperator(name, 'SIGKILL');
    await create('10-goodyear.yaml');
    expect(await ready('goodyear', 90_000)).toBe(true);
    const next = await leader();
    expect(next).not.toBe(holder);
    expect(next.startsWith(name)).toBe(false);
  });

  it('catches up after kube-apiserver is stopped and restarted', async () => {
    await plane.stopApiServer();
    await new Promise((r) => setTimeout(r, 3000));
    await plane.restartApiServer();
    // A change made once the API server is back, and a market created then, are both reconciled.
    await custom.patchNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: 'peoria',
      body: [{ op: 'add', path: '/spec/zipCodes/-', value: '85385' }],
    });
    await create('09-surprise.yaml');
    expect(await ready('surprise', 90_000)).toBe(true);
    const cm = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: 'peoria-collector', namespace });
    expect(
      await waitUntil(async () => {
        const current = await kc
          .makeApiClient(CoreV1Api)
          .readNamespacedConfigMap({ name: 'peoria-collector', namespace });
        return current.data?.['collector.yaml']?.includes('85385') ?? false;
      }, 60_000),
    ).toBe(true);
    expect(cm.metadata?.name).toBe('peoria-collector');
  });

  it('graceful stop releases the lease so a successor starts at once', async () => {
    const holder = await leader();
    const name = [...operators.keys()].find((n) => holder.startsWith(n)) ?? '';
    startOperator('operator-c');
    await stopOperator(name, 'SIGTERM');
    const t0 = Date.now();
    expect(await waitUntil(async () => (await leader()).startsWith('operator-c'), 15_000)).toBe(true);
    // Far sooner than the 15 s lease duration: the lease was released, not left to expire.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
