/**
 * The operator runs with nothing but the generated RBAC: the ServiceAccount, ClusterRole, Role
 * and bindings of manifests/rbac are applied (under names unique to this run), a token is
 * requested for the ServiceAccount, and the operator, with leader election on, reconciles a
 * sample market with that token alone. Any permission missing from src/delivery/rbac.ts shows
 * up as a 403 here.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRbacObjects } from '../../../src/delivery/manifests.ts';
import { DEFAULT_DELIVERY, type DeliveryOptions } from '../../../src/delivery/options.ts';
import { waitUntil } from '../../../src/local/process.ts';
import type { KubeClient } from '../../../src/operator/kube/client.ts';
import { isKubeError } from '../../../src/operator/kube/errors.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';
import { yamlDocs, type Doc } from '../../support/helm.ts';
import { kubeConfig, kubeconfigPath, useNamespace } from '../../support/kube.ts';
import { startTestOperator, type RunningOperator } from '../../support/operator.ts';
import { adminClient, applyAll, requestCodes, serviceAccountToken, tokenKubeconfig } from './support.ts';

const MARKET = { apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'PhoenixMarket' };
const CHILDREN: [string, string][] = [
  ['v1', 'ConfigMap'],
  ['v1', 'ServiceAccount'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['v1', 'Service'],
  ['apps/v1', 'Deployment'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
];

describe('the operator under its generated RBAC', () => {
  const ns = useNamespace('delivery-rbac');
  const suffix = randomBytes(3).toString('hex');
  let admin: KubeClient;
  let operatorClient: KubeClient;
  let operator: RunningOperator | undefined;
  let options: DeliveryOptions;
  let dir = '';

  beforeAll(async () => {
    await installCrds(kubeConfig());
    admin = adminClient(kubeconfigPath());
    options = { ...DEFAULT_DELIVERY, namespace: ns.name, name: `phoenix-operator-${suffix}` };
    await applyAll(admin, buildRbacObjects(options) as Doc[]);
    dir = mkdtempSync(join(tmpdir(), 'phoenix-rbac-'));
    const token = await serviceAccountToken(admin, ns.name, options.name);
    const path = tokenKubeconfig(kubeconfigPath(), token, dir);
    operatorClient = adminClient(path);
    operator = await startTestOperator(path, {
      watchNamespace: ns.name,
      podNamespace: ns.name,
      podName: `operator-${suffix}`,
      leaderElection: true,
      leaderElectionId: options.name,
    });
  });

  afterAll(async () => {
    await operator?.stop();
    await operatorClient.close();
    for (const obj of buildRbacObjects(options).filter((o) => o.metadata.namespace === undefined)) {
      await admin.delete({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name });
    }
    await admin.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('authenticates as the ServiceAccount, which cannot read Secrets', async () => {
    const err = await operatorClient
      .list({ apiVersion: 'v1', kind: 'Secret' }, { namespace: ns.name })
      .catch((e: unknown) => e);
    expect(isKubeError(err, 'KUBE_FORBIDDEN')).toBe(true);
    expect(String(err)).toContain(`system:serviceaccount:${ns.name}:${options.name}`);
  });

  it('reconciles a sample market: children created, status written, events recorded, no 403', async () => {
    const [sample] = yamlDocs(
      readFileSync(join(repoRoot, 'manifests/samples/markets/01-phoenix.yaml'), 'utf8'),
    );
    await admin.create({ ...sample!, metadata: { ...sample!.metadata, namespace: ns.name } });
    const market = () => admin.get<Doc>({ ...MARKET, namespace: ns.name, name: 'phoenix' });
    const ready = await waitUntil(async () => {
      const m = await market();
      return m.status?.observedGeneration === m.metadata.generation && m.status?.phase === 'Ready';
    }, 50_000);
    expect(ready, JSON.stringify((await market()).status)).toBe(true);
    for (const [apiVersion, kind] of CHILDREN) {
      const child = await admin.get({ apiVersion, kind, namespace: ns.name, name: 'phoenix-collector' });
      expect(child.metadata?.ownerReferences?.[0]?.name, kind).toBe('phoenix');
    }
    const events = await admin.list<Doc>({ apiVersion: 'v1', kind: 'Event' }, { namespace: ns.name });
    expect(
      events.items.some(
        (e) => e.involvedObject?.name === 'phoenix' && e.involvedObject?.kind === 'PhoenixMarket',
      ),
    ).toBe(true);
    const lease = await admin.get<Doc>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: ns.name,
      name: options.name,
    });
    expect(lease.spec.holderIdentity).toBe(`operator-${suffix}`);
    const codes = await requestCodes(operator!.registry);
    expect(codes.has('403')).toBe(false);
    expect(codes.has('201') || codes.has('200')).toBe(true);
  });

  it('lets the collector write its market status with the Role the operator granted', async () => {
    const token = await serviceAccountToken(admin, ns.name, 'phoenix-collector');
    const collector = adminClient(tokenKubeconfig(kubeconfigPath(), token, dir));
    try {
      const patched = await collector.apply<Doc>(
        {
          ...MARKET,
          metadata: { name: 'phoenix', namespace: ns.name },
          status: { lastCollection: { outcome: 'Succeeded' } },
        },
        { fieldManager: 'phoenix-collector', subresource: 'status', dryRun: true },
      );
      expect(patched.metadata.name).toBe('phoenix');
    } finally {
      await collector.close();
    }
  });
});
