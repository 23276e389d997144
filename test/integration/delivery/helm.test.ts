/**
 * The Helm chart with the real Helm binary: lint, schema errors that name the value, the same
 * pod and RBAC as the plain manifests, a server-side dry run of everything it renders, and a
 * real install and uninstall in the shared control plane (CRDs skipped there: they are shared).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOperatorDeployment } from '../../../src/delivery/deployment.ts';
import { DEFAULT_DELIVERY } from '../../../src/delivery/options.ts';
import {
  KIND_ROLES,
  OPERATOR_CLUSTER_RULES,
  OPERATOR_NAMESPACE_RULES,
  policyRules,
} from '../../../src/delivery/rbac.ts';
import type { KubeClient } from '../../../src/operator/kube/client.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';
import { kubeConfig, kubeconfigPath, useNamespace } from '../../support/kube.ts';
import { CHART, helm, helmOk, yamlDocs, type Doc } from '../../support/helm.ts';
import { adminClient, dryRunAll } from './support.ts';

const byKind = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);
const ALL_FEATURES = [
  '--set',
  'samples.markets.enabled=true,samples.monitoringStack.enabled=true,dashboards.enabled=true',
];

describe('Helm chart: lint and values schema', () => {
  it('passes helm lint --strict', () => {
    const res = helm(['lint', '--strict', CHART]);
    expect(res.stdout + res.stderr).toContain('0 chart(s) failed');
    expect(res.status).toBe(0);
    const withAll = helm(['lint', '--strict', CHART, ...ALL_FEATURES]);
    expect(withAll.status, withAll.stdout).toBe(0);
  });

  it.each([
    ['replicaCount=0', '/replicaCount', 'minimum'],
    ['logLevel=verbose', '/logLevel', 'must be one of'],
    ['image.pullPolicy=Sometimes', '/image/pullPolicy', 'must be one of'],
    ['unknownKey=1', "additional properties 'unknownKey' not allowed", ''],
    ['serviceMonitor.interval=soon', '/serviceMonitor/interval', 'does not match pattern'],
    ['resources.limits.memory=lots', '/resources/limits/memory', 'does not match pattern'],
    ['metrics.port=70000', '/metrics/port', 'maximum'],
    ['watchNamespace=Not_A_Namespace', '/watchNamespace', 'does not match pattern'],
    ['rbac.create=maybe', '/rbac/create', 'boolean'],
  ])('rejects %s, naming the value', (value, path, rule) => {
    const res = helm(['template', 'bad', CHART, '--set', value]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(path);
    expect(res.stderr).toContain(rule);
  });

  it('refuses a ServiceMonitor on a cluster without the Prometheus Operator, saying why', () => {
    const res = helm(['template', 'sm', CHART, '--set', 'serviceMonitor.enabled=true']);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(
      'serviceMonitor.enabled: the cluster does not serve monitoring.coreos.com/v1',
    );
  });
});

describe('Helm chart: the same operator as the plain manifests', () => {
  const docs = yamlDocs(helmOk(['template', 'phoenix', CHART, '-n', 'phoenix-system']));

  it('renders the rule lists of src/delivery/rbac.ts', () => {
    expect(byKind(docs, 'ClusterRole').find((r) => r.metadata.name === 'phoenix-operator')!.rules).toEqual(
      policyRules(OPERATOR_CLUSTER_RULES),
    );
    expect(byKind(docs, 'Role')[0]!.rules).toEqual(policyRules(OPERATOR_NAMESPACE_RULES));
    for (const role of KIND_ROLES) {
      const rendered = byKind(docs, 'ClusterRole').find(
        (r) => r.metadata.name === `phoenix-operator-${role.suffix}`,
      )!;
      expect(rendered.rules).toEqual(role.rules);
    }
    const binding = byKind(docs, 'ClusterRoleBinding')[0]!;
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'phoenix-operator', namespace: 'phoenix-system' },
    ]);
  });

  it('renders the pod of manifests/operator/deployment.yaml', () => {
    const chart = byKind(docs, 'Deployment')[0]!;
    const plain = buildOperatorDeployment(DEFAULT_DELIVERY) as Doc;
    const pod = (d: Doc) => d.spec.template.spec;
    const strip = (d: Doc) => {
      const { containers, affinity: _a, topologySpreadConstraints: _t, ...rest } = pod(d);
      return { ...rest, containers };
    };
    // Labels differ by design (Helm's release labels); everything else is the same pod.
    expect(chart.spec.replicas).toBe(plain.spec.replicas);
    expect(strip(chart)).toEqual(strip(plain));
    expect(pod(chart).topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(pod(chart).affinity.podAntiAffinity).toBeDefined();
  });

  it('renders the operator dashboard for the collectors namespace', () => {
    const all = yamlDocs(helmOk(['template', 'phoenix', CHART, '-n', 'markets', ...ALL_FEATURES]));
    const configMap = byKind(all, 'ConfigMap')[0]!;
    const board = JSON.parse(configMap.data['phoenix-operator.json']);
    expect(JSON.stringify(board)).toContain('namespace=\\"markets\\"');
    expect(JSON.stringify(board)).not.toContain('__PHOENIX');
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    const samples = readFileSync(join(repoRoot, 'manifests/samples/markets/01-phoenix.yaml'), 'utf8');
    expect(byKind(all, 'PhoenixMarket')).toHaveLength(10);
    expect(byKind(all, 'PhoenixMarket')[0]).toEqual(yamlDocs(samples)[0]);
    expect(byKind(all, 'MonitoringStack')).toHaveLength(1);
  });
});

describe('Helm chart against the real kube-apiserver', () => {
  const ns = useNamespace('delivery-helm');
  let client: KubeClient;
  const release = `phx-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    await installCrds(kubeConfig());
    client = adminClient(kubeconfigPath());
  });

  it('accepts everything helm template renders (server-side dry run)', async () => {
    const docs = yamlDocs(helmOk(['template', release, CHART, '-n', ns.name, ...ALL_FEATURES]));
    const namespaced = docs.map((d) =>
      ['PhoenixMarket', 'MonitoringStack'].includes(d.kind)
        ? { ...d, metadata: { ...d.metadata, namespace: ns.name } }
        : d,
    );
    expect(await dryRunAll(client, namespaced)).toEqual([]);
    expect(docs.length).toBeGreaterThan(20);
  });

  it('installs into a namespace and uninstalls leaving nothing behind', async () => {
    helmOk(['install', release, CHART, '-n', ns.name, '--skip-crds', ...ALL_FEATURES], kubeconfigPath());
    const selector = `app.kubernetes.io/instance=${release}`;
    const count = async (apiVersion: string, kind: string, namespace?: string) =>
      (
        await client.list(
          { apiVersion, kind },
          { labelSelector: selector, ...(namespace ? { namespace } : {}) },
        )
      ).items.length;
    const markets = async () =>
      (
        await client.list(
          { apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'PhoenixMarket' },
          { namespace: ns.name },
        )
      ).items.length;
    expect(await count('apps/v1', 'Deployment', ns.name)).toBe(1);
    expect(await count('rbac.authorization.k8s.io/v1', 'ClusterRole')).toBe(5);
    expect(await count('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding')).toBe(1);
    expect(await markets()).toBe(10);
    expect(helmOk(['status', release, '-n', ns.name], kubeconfigPath())).toContain('STATUS: deployed');

    helmOk(['uninstall', release, '-n', ns.name, '--wait', '--timeout', '60s'], kubeconfigPath());
    const kinds: [string, string, boolean][] = [
      ['apps/v1', 'Deployment', true],
      ['v1', 'Service', true],
      ['v1', 'ServiceAccount', true],
      ['v1', 'ConfigMap', true],
      ['policy/v1', 'PodDisruptionBudget', true],
      ['rbac.authorization.k8s.io/v1', 'Role', true],
      ['rbac.authorization.k8s.io/v1', 'RoleBinding', true],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', false],
      ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', false],
    ];
    for (const [apiVersion, kind, namespaced] of kinds) {
      expect(await count(apiVersion, kind, namespaced ? ns.name : undefined), kind).toBe(0);
    }
    expect(await markets()).toBe(0);
    const releases = await client.list(
      { apiVersion: 'v1', kind: 'Secret' },
      { namespace: ns.name, labelSelector: 'owner=helm' },
    );
    expect(releases.items).toEqual([]);
  });
});
