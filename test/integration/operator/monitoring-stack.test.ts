/**
 * The MonitoringStack reconciler against a real kube-apiserver: first without the Prometheus
 * Operator's CRDs (a PrerequisitesMissing condition, dashboards applied anyway), then with them
 * installed while the operator runs (recovery without a restart), the Prometheus selection
 * report, drift repair, pruning, a no-change resync that writes nothing, and the finalizer's
 * cleanup across namespaces. This file runs its own control plane: the shared one must keep
 * serving no monitoring.coreos.com kinds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../../src/local/control-plane.ts';
import { waitUntil } from '../../../src/local/process.ts';
import { prometheusOperatorCrds } from '../../../src/local/third-party-crds.ts';
import { KubeClient } from '../../../src/operator/kube/client.ts';
import { loadKubeConfig } from '../../../src/operator/kube/config.ts';
import type { KubeObject } from '../../../src/operator/kube/types.ts';
import { STACK_FINALIZER } from '../../../src/operator/reconcilers/stack-objects.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';
import { startTestOperator, type RunningOperator } from '../../support/operator.ts';

const NS = 'phoenix';
const GRAFANA_NS = 'grafana';
const STACK = 'phoenix-metro';
const FM = 'test';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface Stack extends KubeObject {
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    selectedMarkets?: number;
    createdObjects?: { kind: string; namespace?: string; name: string }[];
    missingPrerequisites?: string[];
    prometheusSelection?: {
      prometheus: string;
      serviceMonitorSelected: boolean;
      ruleSelected: boolean;
      message?: string;
    }[];
  };
}

const STACK_REF = { apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'MonitoringStack', namespace: NS };
const SM = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', namespace: NS };
const RULE = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', namespace: NS };
const AMC = { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig', namespace: NS };
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

let plane: ControlPlane | undefined;
let dir = '';
let client: KubeClient;
let operator: RunningOperator | undefined;

function sample(path: string): Record<string, unknown> & { metadata: Record<string, unknown> } {
  return load(readFileSync(join(repoRoot, 'manifests', 'samples', path), 'utf8')) as Record<
    string,
    unknown
  > & { metadata: Record<string, unknown> };
}

/** The shipped sample stack, with its dashboards delivered into another namespace. */
function stackObject(): Record<string, unknown> {
  const s = sample('monitoringstack.yaml') as { metadata: object; spec: { grafana: object } };
  return {
    ...s,
    metadata: { ...s.metadata, namespace: NS },
    spec: {
      ...s.spec,
      grafana: { ...s.spec.grafana, namespace: GRAFANA_NS, dashboards: ['executive', 'operations'] },
    },
  };
}

const getStack = (): Promise<Stack> => client.get<Stack>({ ...STACK_REF, name: STACK });
const condition = (s: Stack, type: string): Condition | undefined =>
  s.status?.conditions?.find((c) => c.type === type);

async function until(what: string, check: (s: Stack) => boolean, timeoutMs = 30_000): Promise<Stack> {
  let last: Stack | undefined;
  const ok = await waitUntil(async () => {
    last = await getStack();
    return check(last);
  }, timeoutMs);
  if (!ok) throw new Error(`timed out waiting for ${what}; status: ${JSON.stringify(last?.status)}`);
  return last as Stack;
}

async function established(names: string[]): Promise<void> {
  const ok = await waitUntil(async () => {
    const crds = await Promise.all(
      names.map((name) =>
        client.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          name,
        }),
      ),
    );
    return crds.every((c) =>
      c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'),
    );
  }, 30_000);
  if (!ok) throw new Error(`CRDs not established: ${names.join(', ')}`);
}

/** Touches the stack's annotations: a metadata change the controller reacts to at once. */
async function nudge(value: string): Promise<void> {
  await client.mergePatch(
    { ...STACK_REF, name: STACK },
    { metadata: { annotations: { 'test/nudge': value } } },
  );
}

async function stackReconciles(registry: RunningOperator['registry']): Promise<number> {
  const m = await registry.getSingleMetric('controller_runtime_reconcile_total')!.get();
  return m.values
    .filter((v) => v.labels['controller'] === 'monitoringstack')
    .reduce((n, v) => n + v.value, 0);
}

function writes(registry: RunningOperator['registry']): Promise<number> {
  return registry
    .getSingleMetric('rest_client_requests_total')!
    .get()
    .then((m) => m.values.filter((v) => v.labels['method'] !== 'GET').reduce((n, v) => n + v.value, 0));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-mstack-'));
  plane = await startControlPlane({ dir, withControllers: false });
  client = new KubeClient({ kubeConfig: loadKubeConfig({ path: plane.kubeconfigPath }) });
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  await installCrds(kc);
  for (const name of [NS, GRAFANA_NS]) {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: FM });
  }
  for (const file of ['markets/01-phoenix.yaml', 'markets/04-mesa.yaml', 'markets/03-tempe.yaml']) {
    const m = sample(file);
    await client.apply({ ...m, metadata: { ...m.metadata, namespace: NS } }, { fieldManager: FM });
  }
  // Tempe leaves the metro selection: the stack covers Phoenix and Mesa only.
  await client.mergePatch(
    { apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'PhoenixMarket', namespace: NS, name: 'tempe' },
    { metadata: { labels: { 'realestate.phoenix.io/metro': null } } },
  );
  operator = await startTestOperator(plane.kubeconfigPath, { watchNamespace: NS, resyncPeriodMs: 1500 });
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await client.close();
  await plane?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('MonitoringStack reconciler', () => {
  it('reports the missing Prometheus Operator CRDs and still delivers the dashboards', async () => {
    await client.apply(stackObject(), { fieldManager: FM });
    const s = await until(
      'PrerequisitesMissing',
      (x) => condition(x, 'PrerequisitesMissing')?.status === 'True',
    );
    expect(condition(s, 'Ready')).toMatchObject({ status: 'False', reason: 'PrerequisitesMissing' });
    expect(s.status?.missingPrerequisites).toEqual([
      'monitoring.coreos.com/v1 ServiceMonitor',
      'monitoring.coreos.com/v1 PrometheusRule',
      'monitoring.coreos.com/v1alpha1 AlertmanagerConfig',
    ]);
    expect(condition(s, 'PrerequisitesMissing')?.message).toContain('ServiceMonitor');
    expect(s.status?.selectedMarkets).toBe(2);
    // ConfigMaps need no CRD: the two dashboards are there, in the Grafana namespace.
    const cms = await client.list(CM, {
      namespace: GRAFANA_NS,
      labelSelector: `realestate.phoenix.io/monitoring-stack=${STACK}`,
    });
    expect(cms.items.map((c) => c.metadata?.name).sort()).toEqual([
      `${STACK}-dashboard-executive`,
      `${STACK}-dashboard-operations`,
    ]);
    // Objects in another namespace cannot be owned: the finalizer will clean them up.
    expect(s.metadata?.finalizers).toContain(STACK_FINALIZER);
  });

  it('applies the ServiceMonitor, rules and routing once the CRDs are installed, without a restart', async () => {
    const crds = prometheusOperatorCrds([
      'ServiceMonitor',
      'PrometheusRule',
      'AlertmanagerConfig',
      'Prometheus',
    ]);
    for (const crd of crds) await client.apply(crd, { fieldManager: FM });
    await established(crds.map((c) => c.metadata.name));
    const s = await until('Ready', (x) => condition(x, 'Ready')?.status === 'True');
    expect(condition(s, 'PrerequisitesMissing')?.status).toBe('False');
    expect(s.status?.missingPrerequisites).toBeUndefined();
    expect(s.status?.prometheusSelection).toEqual([]);
    const sm = await client.get({ ...SM, name: `${STACK}-collectors` });
    expect(sm.metadata?.labels?.['release']).toBe('kube-prometheus-stack');
    expect(sm.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'MonitoringStack',
      name: STACK,
      controller: true,
    });
    const rule = await client.get({ ...RULE, name: `${STACK}-rules` });
    expect(JSON.stringify(rule)).toContain(String.raw`market=~\"mesa|phoenix\"`);
    await client.get({ ...AMC, name: `${STACK}-alerts` });
    expect(s.status?.createdObjects?.map((o) => o.kind).sort()).toEqual([
      'AlertmanagerConfig',
      'ConfigMap',
      'ConfigMap',
      'PrometheusRule',
      'ServiceMonitor',
    ]);
  });

  it('reports whether each Prometheus selects the ServiceMonitor and the rules', async () => {
    await client.apply(
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'Prometheus',
        metadata: { name: 'k8s', namespace: NS },
        spec: {
          serviceMonitorSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
          ruleSelector: { matchLabels: { release: 'other' } },
        },
      },
      { fieldManager: FM },
    );
    await nudge('1');
    const s = await until('selection report', (x) => (x.status?.prometheusSelection?.length ?? 0) === 1);
    expect(s.status?.prometheusSelection?.[0]).toMatchObject({
      prometheus: `${NS}/k8s`,
      serviceMonitorSelected: true,
      ruleSelected: false,
    });
    expect(s.status?.prometheusSelection?.[0]?.message).toContain('spec.ruleSelector');
    expect(condition(s, 'Degraded')).toMatchObject({ status: 'True', reason: 'NotSelectedByPrometheus' });
    expect(condition(s, 'Ready')?.status).toBe('True');
  });

  it('writes nothing on resyncs while nothing changes', async () => {
    const before = await getStack();
    const sm = await client.list(SM, { labelSelector: `realestate.phoenix.io/monitoring-stack=${STACK}` });
    const registry = operator!.registry;
    const writesBefore = await writes(registry);
    const reconcilesBefore = await stackReconciles(registry);
    await new Promise((r) => setTimeout(r, 4000)); // more than two resync periods
    expect(await stackReconciles(registry)).toBeGreaterThanOrEqual(reconcilesBefore + 2);
    expect(await writes(registry)).toBe(writesBefore);
    expect((await getStack()).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    const smAfter = await client.list(SM, {
      labelSelector: `realestate.phoenix.io/monitoring-stack=${STACK}`,
    });
    expect(smAfter.items[0]?.metadata?.resourceVersion).toBe(sm.items[0]?.metadata?.resourceVersion);
  });

  it('follows market selection, restores deleted objects and prunes unwanted ones', async () => {
    await client.mergePatch(
      { apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'PhoenixMarket', namespace: NS, name: 'tempe' },
      { metadata: { labels: { 'realestate.phoenix.io/metro': 'phoenix' } } },
    );
    await until('three markets', (x) => x.status?.selectedMarkets === 3);
    expect(JSON.stringify(await client.get({ ...RULE, name: `${STACK}-rules` }))).toContain(
      'mesa|phoenix|tempe',
    );

    await client.delete({ ...RULE, name: `${STACK}-rules` });
    const restored = await waitUntil(
      async () => (await client.getOrUndefined({ ...RULE, name: `${STACK}-rules` })) !== undefined,
      15_000,
    );
    expect(restored).toBe(true);

    await client.mergePatch({ ...STACK_REF, name: STACK }, { spec: { alerting: { enabled: false } } });
    const pruned = await waitUntil(
      async () => (await client.getOrUndefined({ ...AMC, name: `${STACK}-alerts` })) === undefined,
      15_000,
    );
    expect(pruned).toBe(true);
    const s = await until(
      'no AlertmanagerConfig listed',
      (x) => !(x.status?.createdObjects ?? []).some((o) => o.kind === 'AlertmanagerConfig'),
    );
    expect(s.status?.observedGeneration).toBe(s.metadata?.generation);
  });

  it('deletes its objects in every namespace when the stack is deleted', async () => {
    await client.delete({ ...STACK_REF, name: STACK });
    const gone = await waitUntil(
      async () => (await client.getOrUndefined({ ...STACK_REF, name: STACK })) === undefined,
      30_000,
    );
    expect(gone).toBe(true);
    const cms = await client.list(CM, {
      namespace: GRAFANA_NS,
      labelSelector: `realestate.phoenix.io/monitoring-stack=${STACK}`,
    });
    expect(cms.items).toEqual([]);
  });
});
