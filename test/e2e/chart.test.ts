/**
 * Black-box end-to-end test of the installed chart, the same on every provider: `helm install`
 * with the sample markets and MonitoringStack, the Secrets they reference, every market Ready
 * (kstatus), each market's children owned by it, the MonitoringStack's verdict, scaling through
 * the scale subresource, a collector's /metrics, and a `helm uninstall` that leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  demoSecrets,
  exampleSecretsText,
  namespaceObject,
  randomSecretValue,
  sampleMarkets,
} from '../../src/local/demo/objects.ts';
import type { KubeClient } from '../../src/operator/kube/client.ts';
import { helm } from '../support/helm.ts';
import { adminClient } from './providers/chart.ts';
import { attachProvider } from './providers/create.ts';
import { E2E_NAMESPACE, type Release } from './providers/types.ts';
import {
  autoscaled,
  CHILD_KINDS,
  HPA,
  childRef,
  condition,
  eventually,
  isCurrentAndReady,
  MARKET,
  remaining,
  STACK,
  type Loose,
} from './support.ts';

const ctx = inject('e2e');
const provider = attachProvider(ctx);
const release: Release = { name: 'phoenix', namespace: E2E_NAMESPACE };
const ns = release.namespace;
const samples = sampleMarkets();
/** A market without autoscaling (its Deployment's replicas follow the market) and one to scrape. */
const SCALED = 'goodyear';
const SCRAPED = 'tempe';
const FIELD_MANAGER = 'phoenix-e2e';
const MINUTE = 60_000;

let client: KubeClient;

const market = (name: string) => client.get<Loose>({ ...MARKET, namespace: ns, name });
const deployment = (name: string) =>
  client.get<Loose>(childRef({ apiVersion: 'apps/v1', kind: 'Deployment' }, ns, name));

async function marketSummary(): Promise<string> {
  const list = await client.list<Loose>(MARKET, { namespace: ns });
  return JSON.stringify(list.items.map((m) => ({ name: m.metadata?.name, status: m.status })));
}

beforeAll(async () => {
  console.log(`[e2e] provider ${ctx.provider} (${ctx.reason}); kubeconfig ${ctx.kubeconfigPath}`);
  client = adminClient(ctx.kubeconfigPath);
  const secrets = demoSecrets(exampleSecretsText(), { ...ctx.secrets, random: randomSecretValue }, ns);
  for (const obj of [namespaceObject(ns), ...secrets]) {
    await client.apply(obj, { fieldManager: FIELD_MANAGER });
  }
  await provider.installChart(release);
});

afterAll(async () => {
  await provider.close();
  await client.close();
});

describe(`the chart on ${ctx.provider}`, () => {
  it('installs the operator and the ten sample markets', async () => {
    const status = helm(['status', release.name, '-n', ns], ctx.kubeconfigPath);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain('STATUS: deployed');
    const listed = await client.list(MARKET, { namespace: ns });
    expect(listed.items.map((m) => m.metadata?.name).sort()).toEqual(samples.map((s) => s.name).sort());
  });

  it('brings every sample market to Ready with a current observedGeneration', async () => {
    await eventually(
      'every market Ready (kstatus)',
      async () => (await Promise.all(samples.map((s) => market(s.name)))).every(isCurrentAndReady),
      4 * MINUTE,
      marketSummary,
    );
    // The operator that did it holds the chart's leader-election Lease.
    const lease = await client.get<Loose>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: ns,
      name: 'phoenix-operator',
    });
    expect(lease.spec.holderIdentity).toMatch(/^phoenix-operator-/);
    for (const s of samples) {
      const m = await market(s.name);
      expect(m.status.phase, s.name).toBe('Ready');
      expect(m.status.readyReplicas, s.name).toBe(m.status.replicas);
    }
  });

  it("creates each market's children, owned by the market", async () => {
    for (const s of samples) {
      const owner = await market(s.name);
      const kinds = CHILD_KINDS.filter((k) => k.kind !== 'HorizontalPodAutoscaler' || autoscaled(s.object));
      for (const kind of kinds) {
        const child = await client.get(childRef(kind, ns, s.name));
        const ref = child.metadata?.ownerReferences?.find((r) => r.controller === true);
        expect(ref, `${kind.kind} of ${s.name}`).toMatchObject({
          kind: 'PhoenixMarket',
          uid: owner.metadata?.uid,
        });
      }
      const hpa = await client.getOrUndefined(childRef(HPA, ns, s.name));
      expect(hpa !== undefined, `HPA of ${s.name}`).toBe(autoscaled(s.object));
    }
  });

  it('reports the MonitoringStack PrerequisitesMissing without the Prometheus Operator, Ready with it', async () => {
    const crds = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
    const served = await client.getOrUndefined({ ...crds, name: 'servicemonitors.monitoring.coreos.com' });
    const [stack] = (await client.list<Loose>(STACK, { namespace: ns })).items;
    expect(stack?.metadata?.name).toBe('phoenix-metro');
    const get = () => client.get<Loose>({ ...STACK, namespace: ns, name: 'phoenix-metro' });
    let last: Loose | undefined;
    await eventually(
      'MonitoringStack verdict',
      async () => {
        last = await get();
        return last.status?.observedGeneration === last.metadata?.generation;
      },
      2 * MINUTE,
      () => Promise.resolve(JSON.stringify(last?.status)),
    );
    if (served === undefined) {
      expect(condition(last, 'Ready')).toMatchObject({ status: 'False', reason: 'PrerequisitesMissing' });
      expect(condition(last, 'PrerequisitesMissing')?.status).toBe('True');
    } else {
      expect(condition(last, 'Ready')?.status).toBe('True');
    }
  });

  it('scales a market through the scale subresource', async () => {
    const before = await market(SCALED);
    const replicas = (before.spec.collector.replicas as number) + 1;
    const scale = await client.mergePatch<Loose>(
      { ...MARKET, namespace: ns, name: SCALED },
      { spec: { replicas } },
      { subresource: 'scale', fieldManager: FIELD_MANAGER },
    );
    expect(scale.kind).toBe('Scale');
    expect(scale.spec.replicas).toBe(replicas);
    await eventually(
      `${SCALED} scaled to ${replicas}`,
      async () => {
        const [m, d] = [await market(SCALED), await deployment(SCALED)];
        return (
          d.spec.replicas === replicas &&
          d.status?.readyReplicas === replicas &&
          m.status?.replicas === replicas &&
          m.status?.readyReplicas === replicas &&
          isCurrentAndReady(m)
        );
      },
      3 * MINUTE,
      async () =>
        JSON.stringify({
          market: (await market(SCALED)).status,
          deployment: (await deployment(SCALED)).status,
        }),
    );
    const read = await client.get<Loose>({ ...MARKET, namespace: ns, name: SCALED });
    expect(read.spec.collector.replicas).toBe(replicas);
  });

  it("serves a collector's phoenix_ metrics labelled with its market", async () => {
    let text = '';
    await eventually(
      `${SCRAPED} collector /metrics`,
      async () => {
        text = await provider.collectorMetrics(release, SCRAPED);
        return text.includes(`market="${SCRAPED}"`);
      },
      2 * MINUTE,
      () => Promise.resolve(text.slice(0, 2000)),
    );
    const series = text
      .split('\n')
      .filter((l) => l.startsWith('phoenix_') && l.includes(`market="${SCRAPED}"`));
    expect(series.length).toBeGreaterThan(5);
    expect(text).toMatch(/^# TYPE phoenix_\w+ (counter|gauge|histogram)/m);
  });

  it('helm uninstall removes the markets, their children and every operator object', async () => {
    await provider.uninstallChart(release);
    const left = async (): Promise<string[]> => {
      const crs = [
        ...(await remaining(client, MARKET, { namespace: ns })),
        ...(await remaining(client, STACK, { namespace: ns })),
      ];
      const children = await Promise.all(
        samples.flatMap((s) =>
          CHILD_KINDS.map(async (k) =>
            (await client.getOrUndefined(childRef(k, ns, s.name))) ? [`${k.kind}/${s.name}`] : [],
          ),
        ),
      );
      const selector = { labelSelector: `app.kubernetes.io/instance=${release.name}` };
      const rbac = 'rbac.authorization.k8s.io/v1';
      const operator = await Promise.all([
        remaining(client, { apiVersion: rbac, kind: 'ClusterRole' }, selector),
        remaining(client, { apiVersion: rbac, kind: 'ClusterRoleBinding' }, selector),
        ...[
          { apiVersion: rbac, kind: 'Role' },
          { apiVersion: rbac, kind: 'RoleBinding' },
          { apiVersion: 'v1', kind: 'ServiceAccount' },
          { apiVersion: 'v1', kind: 'Service' },
          { apiVersion: 'apps/v1', kind: 'Deployment' },
          { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
        ].map((k) => remaining(client, k, { ...selector, namespace: ns })),
      ]);
      return [...crs, ...children.flat(), ...operator.flat()];
    };
    let last: string[] = [];
    await eventually(
      'nothing of the release left',
      async () => {
        last = await left();
        return last.length === 0;
      },
      3 * MINUTE,
      () => Promise.resolve(last.join(', ')),
    );
    const clusterRoles = await client.list({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
    });
    expect(
      clusterRoles.items.map((r) => r.metadata?.name).filter((n) => n?.startsWith('phoenix-operator')),
    ).toEqual([]);
    expect(helm(['status', release.name, '-n', ns], ctx.kubeconfigPath).status).not.toBe(0);
  });
});
