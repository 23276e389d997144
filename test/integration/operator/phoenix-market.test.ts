import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../src/local/process.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';
import { kubeConfig, kubeconfigPath, useNamespace } from '../../support/kube.ts';
import { startTestOperator, type RunningOperator } from '../../support/operator.ts';

const group = 'realestate.phoenix.io';
const version = 'v1alpha1';
const plural = 'phoenixmarkets';

interface Market {
  metadata: { name: string; generation?: number; resourceVersion?: string };
  spec: { zipCodes: string[] };
  status?: {
    observedGeneration?: number;
    phase?: string;
    replicas?: number;
    readyReplicas?: number;
    selector?: string;
    zipCodeCount?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

function sample(file: string): Record<string, unknown> {
  return load(readFileSync(join(repoRoot, 'manifests', 'samples', 'markets', file), 'utf8')) as Record<
    string,
    unknown
  >;
}

function condition(m: Market | undefined, type: string): string | undefined {
  return m?.status?.conditions?.find((c) => c.type === type)?.status;
}

describe('PhoenixMarket reconciler against the real control plane', () => {
  const ns = useNamespace('operator');
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let operator: RunningOperator;

  const getMarket = async (name: string) =>
    (await custom.getNamespacedCustomObject({ group, version, namespace: ns.name, plural, name })) as Market;
  const readyAt = async (name: string, replicas: number, generation?: number) =>
    waitUntil(async () => {
      const m = await getMarket(name);
      return (
        condition(m, 'Ready') === 'True' &&
        m.status?.readyReplicas === replicas &&
        (generation === undefined || m.status.observedGeneration === generation)
      );
    }, 60_000);
  const kubectl = (...args: string[]) =>
    execFileSync('kubectl', ['--kubeconfig', kubeconfigPath(), '-n', ns.name, ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    kc = kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    await installCrds(kc);
    operator = await startTestOperator(kubeconfigPath(), { watchNamespace: ns.name });
  });
  afterAll(async () => {
    await operator.stop();
  });

  it('makes a sample market Ready with its collector pods Ready and every child in place', async () => {
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: ns.name,
      plural,
      body: sample('02-scottsdale.yaml'),
    });
    expect(await readyAt('scottsdale', 2)).toBe(true);
    const m = await getMarket('scottsdale');
    expect(m.status).toMatchObject({ phase: 'Ready', replicas: 2, readyReplicas: 2, zipCodeCount: 10 });
    expect(m.status?.selector).toBe(
      'app.kubernetes.io/name=phoenix-collector,app.kubernetes.io/instance=scottsdale',
    );
    for (const kind of [
      'configmap',
      'serviceaccount',
      'role',
      'rolebinding',
      'service',
      'deployment',
      'poddisruptionbudget',
      'networkpolicy',
    ]) {
      expect(kubectl('get', kind, 'scottsdale-collector', '-o', 'name').trim()).toContain(
        'scottsdale-collector',
      );
    }
    expect(() => kubectl('get', 'hpa', 'scottsdale-collector')).toThrow();
    const pods = await core.listNamespacedPod({
      namespace: ns.name,
      labelSelector: m.status?.selector ?? '',
    });
    expect(pods.items.filter((p) => p.status?.phase === 'Running')).toHaveLength(2);
    // kubectl wait works on the Ready condition (kstatus).
    expect(kubectl('wait', '--for=condition=Ready', 'pm/scottsdale', '--timeout=10s')).toContain(
      'condition met',
    );
  });

  it('writes nothing while nothing changes', async () => {
    const before = await getMarket('scottsdale');
    const deploy = await apps.readNamespacedDeployment({ name: 'scottsdale-collector', namespace: ns.name });
    await new Promise((r) => setTimeout(r, 3000));
    const after = await getMarket('scottsdale');
    const deployAfter = await apps.readNamespacedDeployment({
      name: 'scottsdale-collector',
      namespace: ns.name,
    });
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(deployAfter.metadata?.resourceVersion).toBe(deploy.metadata?.resourceVersion);
  });

  it('rolls the pods when the zip codes change', async () => {
    const before = await apps.readNamespacedDeployment({ name: 'scottsdale-collector', namespace: ns.name });
    const hashBefore = before.spec?.template.metadata?.annotations?.['realestate.phoenix.io/config-hash'];
    const m = await getMarket('scottsdale');
    await custom.patchNamespacedCustomObject({
      group,
      version,
      namespace: ns.name,
      plural,
      name: 'scottsdale',
      body: [{ op: 'add', path: '/spec/zipCodes/-', value: '85268' }],
    });
    expect(await readyAt('scottsdale', 2, (m.metadata.generation ?? 0) + 1)).toBe(true);
    const after = await apps.readNamespacedDeployment({ name: 'scottsdale-collector', namespace: ns.name });
    const hashAfter = after.spec?.template.metadata?.annotations?.['realestate.phoenix.io/config-hash'];
    expect(hashAfter).not.toBe(hashBefore);
    const cm = await core.readNamespacedConfigMap({ name: 'scottsdale-collector', namespace: ns.name });
    expect(cm.data?.['collector.yaml']).toContain('85268');
    const pods = await core.listNamespacedPod({
      namespace: ns.name,
      labelSelector: 'app.kubernetes.io/instance=scottsdale',
    });
    const current = pods.items.filter((p) => p.metadata?.deletionTimestamp === undefined);
    expect(
      current.every((p) => p.metadata?.annotations?.['realestate.phoenix.io/config-hash'] === hashAfter),
    ).toBe(true);
    expect((await getMarket('scottsdale')).status?.zipCodeCount).toBe(11);
  });

  it('follows kubectl scale on the market', async () => {
    kubectl('scale', 'pm', 'scottsdale', '--replicas=3');
    expect(await readyAt('scottsdale', 3)).toBe(true);
    const d = await apps.readNamespacedDeployment({ name: 'scottsdale-collector', namespace: ns.name });
    expect(d.spec?.replicas).toBe(3);
    expect(kubectl('get', 'pm', 'scottsdale', '-o', 'jsonpath={.status.replicas}')).toBe('3');
  });

  it('restores a deleted child and reverts an edit to a field it owns', async () => {
    await core.deleteNamespacedService({ name: 'scottsdale-collector', namespace: ns.name });
    expect(
      await waitUntil(
        async () =>
          (await core.readNamespacedService({ name: 'scottsdale-collector', namespace: ns.name })).metadata
            ?.deletionTimestamp === undefined,
        20_000,
      ),
    ).toBe(true);
    kubectl(
      'patch',
      'networkpolicy',
      'scottsdale-collector',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/ingress/0/ports/0/port","value":1234}]',
    );
    expect(
      await waitUntil(
        () =>
          kubectl(
            'get',
            'networkpolicy',
            'scottsdale-collector',
            '-o',
            'jsonpath={.spec.ingress[0].ports[0].port}',
          ) === '9090',
        20_000,
      ),
    ).toBe(true);
  });

  it('reports a spec only the in-process validation rejects in status, without a hot loop', async () => {
    const body = sample('09-surprise.yaml');
    (body['spec'] as Record<string, unknown>)['schedule'] = '0 0 1 Foo *';
    await custom.createNamespacedCustomObject({ group, version, namespace: ns.name, plural, body });
    expect(
      await waitUntil(async () => (await getMarket('surprise')).status?.phase === 'Invalid', 20_000),
    ).toBe(true);
    const m = await getMarket('surprise');
    const ready = m.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(ready?.message).toContain('spec.schedule');
    await new Promise((r) => setTimeout(r, 2000));
    expect((await getMarket('surprise')).metadata.resourceVersion).toBe(m.metadata.resourceVersion);
    expect(() => kubectl('get', 'deployment', 'surprise-collector')).toThrow();
  });

  it('removes every child when the market is deleted', async () => {
    await custom.deleteNamespacedCustomObject({
      group,
      version,
      namespace: ns.name,
      plural,
      name: 'scottsdale',
    });
    const gone = await waitUntil(
      () =>
        kubectl(
          'get',
          'deploy,svc,cm,pdb,netpol,sa,role,rolebinding',
          '-l',
          'app.kubernetes.io/instance=scottsdale',
          '-o',
          'name',
        ).trim() === '',
      60_000,
    );
    expect(gone).toBe(true);
  });
});
