/**
 * The objects a MonitoringStack produces are accepted, with strict field validation, by a real
 * kube-apiserver that serves the Prometheus Operator's and the grafana-operator's CRDs at the
 * pinned versions. This file runs its own control plane: installing these CRDs in the shared one
 * would change what other tests (the "CRDs missing" paths) see.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../../src/local/control-plane.ts';
import { grafanaOperatorCrds, prometheusOperatorCrds } from '../../../src/local/third-party-crds.ts';
import { buildMonitoringObjects, type KubeObject } from '../../../src/monitoring/render.ts';
import { selectionTargets } from '../../../src/monitoring/prerequisites.ts';
import { prometheusSelectionStatus, type PrometheusObject } from '../../../src/monitoring/selection.ts';
import { KubeClient } from '../../../src/operator/kube/client.ts';
import { loadKubeConfig } from '../../../src/operator/kube/config.ts';
import {
  MARKETS,
  grafanaOperatorStack,
  minimalStack,
  sampleStack,
} from '../../fixtures/monitoring/stacks.ts';

const FIELD_MANAGER = 'phoenix-operator';
let plane: ControlPlane | undefined;
let dir = '';
let client: KubeClient;

async function established(name: string): Promise<void> {
  const ref = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name };
  for (let i = 0; i < 100; i++) {
    const crd = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(ref);
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CRD ${name} not established`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-monitoring-crds-'));
  plane = await startControlPlane({ dir, withControllers: false });
  client = new KubeClient({ kubeConfig: loadKubeConfig({ path: plane.kubeconfigPath }) });
  const crds = [
    ...prometheusOperatorCrds(['ServiceMonitor', 'PrometheusRule', 'AlertmanagerConfig', 'Prometheus']),
    ...grafanaOperatorCrds(['GrafanaDashboard']),
  ];
  for (const crd of crds) await client.apply(crd, { fieldManager: 'test' });
  for (const crd of crds) await established(crd.metadata.name);
  for (const name of ['phoenix', 'grafana']) {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'test' });
  }
}, 180_000);

afterAll(async () => {
  await client.close();
  await plane?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Server-side apply, as the reconciler does: fields the schema does not declare are errors. */
async function apply(obj: KubeObject): Promise<Record<string, unknown>> {
  return client.apply(obj, { fieldManager: FIELD_MANAGER });
}

function strip(obj: KubeObject, suffix: string): KubeObject {
  const { ownerReferences: _owners, ...metadata } = obj.metadata;
  return { ...obj, metadata: { ...metadata, name: `${obj.metadata.name}-${suffix}` } };
}

describe('generated objects against the real CRD schemas', () => {
  const scenarios = {
    sample: () => buildMonitoringObjects(sampleStack(), MARKETS),
    minimal: () => buildMonitoringObjects(minimalStack()),
    'grafana-operator': () => buildMonitoringObjects(grafanaOperatorStack(), []),
  };
  for (const [name, build] of Object.entries(scenarios)) {
    it(`accepts every object of the ${name} stack with strict field validation`, async () => {
      const objects = build();
      expect(objects.length).toBeGreaterThan(2);
      for (const obj of objects) {
        // Owners do not exist in this cluster; the rest of the object is what is checked.
        const stored = await apply(strip(obj, name));
        // Nothing dropped or changed; the CRD may add defaults (GrafanaDashboard's resyncPeriod).
        const body = obj.kind === 'ConfigMap' ? { data: obj['data'] } : { spec: obj['spec'] };
        expect(stored, `${obj.kind} ${obj.metadata.name}`).toMatchObject(body);
      }
    });
  }

  it('rejects an unknown field (the check can fail)', async () => {
    const [, rule] = buildMonitoringObjects(sampleStack(), MARKETS);
    const bad = strip(rule!, 'bad');
    const spec = bad['spec'] as { groups: Record<string, unknown>[] };
    bad['spec'] = { groups: [{ ...spec.groups[0], evaluationInterval: '1m' }] };
    await expect(apply(bad)).rejects.toThrow(/evaluationInterval/);
  });
});

describe('Prometheus selection on objects read back from the API server', () => {
  // An empty selector must survive the round trip as `{}` (select all), distinct from an absent one.
  async function prometheus(name: string, spec: Record<string, unknown>): Promise<PrometheusObject> {
    const body = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name, namespace: 'monitoring' },
      spec,
    };
    await client.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
      { fieldManager: 'test' },
    );
    await client.apply(body, { fieldManager: 'test' });
    return client.get<PrometheusObject>({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      namespace: 'monitoring',
      name,
    });
  }

  async function namespaceLabels(name: string): Promise<Record<string, string>> {
    const ns = await client.get<{ metadata: { labels?: Record<string, string> } }>({
      apiVersion: 'v1',
      kind: 'Namespace',
      name,
    });
    return ns.metadata.labels ?? {};
  }

  it('kube-prometheus-stack defaults select the sample stack', async () => {
    const p = await prometheus('kps', {
      serviceMonitorSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
      serviceMonitorNamespaceSelector: {},
      ruleSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
      ruleNamespaceSelector: {},
    });
    expect(p.spec?.serviceMonitorNamespaceSelector).toEqual({});
    const targets = selectionTargets(buildMonitoringObjects(sampleStack(), MARKETS));
    expect(prometheusSelectionStatus(p, targets, await namespaceLabels('phoenix'))).toEqual({
      prometheus: 'monitoring/kps',
      serviceMonitorSelected: true,
      ruleSelected: true,
    });
  });

  it('an empty object selector with absent namespace selectors sees only its own namespace', async () => {
    const p = await prometheus('own-namespace', { serviceMonitorSelector: {} });
    const targets = selectionTargets(buildMonitoringObjects(sampleStack(), MARKETS));
    const status = prometheusSelectionStatus(p, targets, await namespaceLabels('phoenix'));
    expect(status).toMatchObject({ serviceMonitorSelected: false, ruleSelected: false });
    expect(status.message).toContain('serviceMonitorNamespaceSelector is unset');
    expect(status.message).toContain('spec.ruleSelector is unset');
  });

  it('a namespace selector on the automatic kubernetes.io/metadata.name label', async () => {
    const p = await prometheus('by-name', {
      serviceMonitorSelector: {},
      serviceMonitorNamespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'phoenix' } },
    });
    const targets = selectionTargets(buildMonitoringObjects(sampleStack(), MARKETS));
    expect(
      prometheusSelectionStatus(p, targets, await namespaceLabels('phoenix')).serviceMonitorSelected,
    ).toBe(true);
  });
});
