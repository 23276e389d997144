/**
 * What cannot be done in the shared control plane: installing the CRDs through Helm and the
 * operator's ServiceMonitor, which needs the Prometheus Operator's CRDs (the shared plane must not
 * have them), and the operator running under the RBAC of install.yaml alone, MonitoringStack
 * included. This file runs its own control plane, without controllers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../../src/local/control-plane.ts';
import { waitUntil } from '../../../src/local/process.ts';
import { prometheusOperatorCrds } from '../../../src/local/third-party-crds.ts';
import type { KubeClient } from '../../../src/operator/kube/client.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { CHART, helmOk, yamlDocs, type Doc } from '../../support/helm.ts';
import { adminClient, applyAll, requestCodes, serviceAccountToken, tokenKubeconfig } from './support.ts';
import { startTestOperator } from '../../support/operator.ts';

const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const namespace = (name: string): Doc => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const inNamespace = (doc: Doc, ns: string): Doc => ({ ...doc, metadata: { ...doc.metadata, namespace: ns } });

let plane: ControlPlane | undefined;
let dir = '';
let client: KubeClient;

async function established(name: string): Promise<boolean> {
  return waitUntil(async () => {
    const crd = await client.get<Doc>({ ...CRD, name });
    return (crd.status?.conditions ?? []).some(
      (c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True',
    );
  }, 20_000);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-delivery-'));
  plane = await startControlPlane({ dir, withControllers: false });
  client = adminClient(plane.kubeconfigPath);
  const [serviceMonitorCrd] = prometheusOperatorCrds(['ServiceMonitor']);
  await client.apply(serviceMonitorCrd!, { fieldManager: 'test' });
  expect(await established(serviceMonitorCrd!.metadata.name)).toBe(true);
}, 180_000);

afterAll(async () => {
  await client.close();
  await plane?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('a control plane of its own', () => {
  it('helm install creates the CRDs and the ServiceMonitor; uninstall keeps the CRDs, as documented', async () => {
    const kubeconfig = plane!.kubeconfigPath;
    const values = [
      '--set',
      'serviceMonitor.enabled=true,serviceMonitor.labels.release=kube-prometheus-stack',
    ];
    helmOk(
      ['install', 'phoenix', CHART, '-n', 'phoenix-system', '--create-namespace', ...values],
      kubeconfig,
    );
    for (const plural of ['phoenixmarkets', 'monitoringstacks']) {
      expect(await established(`${plural}.realestate.phoenix.io`)).toBe(true);
    }
    const monitor = await client.get<Doc>({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      namespace: 'phoenix-system',
      name: 'phoenix-operator',
    });
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints[0].port).toBe('metrics');
    const service = await client.get<Doc>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'phoenix-system',
      name: 'phoenix-operator-metrics',
    });
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);

    helmOk(['uninstall', 'phoenix', '-n', 'phoenix-system', '--wait'], kubeconfig);
    expect(
      await client.getOrUndefined({ ...CRD, name: 'phoenixmarkets.realestate.phoenix.io' }),
    ).toBeDefined();
    const monitorRef = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      name: 'phoenix-operator',
    };
    expect(await client.getOrUndefined({ ...monitorRef, namespace: 'phoenix-system' })).toBeUndefined();
  });

  it('kubectl apply -f manifests/install.yaml and the optional ServiceMonitor: every object stored as written', async () => {
    const docs = [
      ...yamlDocs(read('manifests/install.yaml')),
      ...yamlDocs(read('manifests/operator/servicemonitor.yaml')),
    ];
    await applyAll(client, docs);
    for (const doc of docs) {
      const ref = { apiVersion: doc.apiVersion, kind: doc.kind, name: doc.metadata.name };
      const stored = await client.get<Doc>({
        ...ref,
        ...(doc.metadata.namespace ? { namespace: doc.metadata.namespace } : {}),
      });
      expect(stored.metadata.labels ?? {}, `${doc.kind} ${doc.metadata.name}`).toMatchObject(
        doc.metadata.labels ?? {},
      );
    }
    const monitor = docs.find((d) => d.kind === 'ServiceMonitor')!;
    const service = docs.find((d) => d.kind === 'Service')!;
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  });

  it('runs the operator with only the ServiceAccount of install.yaml: a market and a cross-namespace stack', async () => {
    const kubeconfig = plane!.kubeconfigPath;
    const crds = prometheusOperatorCrds(['PrometheusRule', 'AlertmanagerConfig', 'Prometheus']);
    await applyAll(client, crds as Doc[]);
    for (const crd of crds) expect(await established(crd.metadata.name)).toBe(true);
    await applyAll(client, [namespace('phoenix'), namespace('grafana')]);
    const token = await serviceAccountToken(client, 'phoenix-system', 'phoenix-operator');
    const operator = await startTestOperator(tokenKubeconfig(kubeconfig, token, dir), {
      watchNamespace: 'phoenix',
      podNamespace: 'phoenix-system',
      podName: 'operator-0',
      leaderElection: true,
    });
    try {
      const market = inNamespace(
        yamlDocs(read('manifests/samples/markets/02-scottsdale.yaml'))[0]!,
        'phoenix',
      );
      const stack = inNamespace(yamlDocs(read('manifests/samples/monitoringstack.yaml'))[0]!, 'phoenix');
      stack.spec.grafana = { ...stack.spec.grafana, namespace: 'grafana', dashboards: ['operator'] };
      await applyAll(client, [market, stack]);
      const stackRef = {
        apiVersion: stack.apiVersion,
        kind: stack.kind,
        namespace: 'phoenix',
        name: stack.metadata.name,
      };
      const ready = await waitUntil(async () => {
        const s = await client.get<Doc>(stackRef);
        return (s.status?.conditions ?? []).some((c: Doc) => c.type === 'Ready' && c.status === 'True');
      }, 30_000);
      expect(ready, JSON.stringify((await client.get<Doc>(stackRef)).status)).toBe(true);
      const marketStatus = (await client.get<Doc>({ ...stackRef, kind: 'PhoenixMarket', name: 'scottsdale' }))
        .status;
      expect(marketStatus?.observedGeneration).toBe(1);
      const dashboards = await client.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'grafana' });
      expect(dashboards.items.map((c) => c.metadata?.name)).toEqual([
        `${stack.metadata.name}-dashboard-operator`,
      ]);
      // Deleting the stack: its finalizer removes the dashboard from the other namespace.
      await client.delete(stackRef);
      expect(await waitUntil(async () => (await client.getOrUndefined(stackRef)) === undefined, 20_000)).toBe(
        true,
      );
      expect(
        (await client.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'grafana' })).items,
      ).toEqual([]);
      const codes = await requestCodes(operator.registry);
      expect([...codes].filter((c) => c === '403' || c === '401')).toEqual([]);
    } finally {
      await operator.stop();
    }
  });
});
