/**
 * manifests/install.yaml, exactly as generated, is accepted by the real kube-apiserver (a
 * server-side dry run: validated, defaulted and admitted, nothing stored). Its namespace is
 * swapped for this file's own, since namespaced objects cannot be dry-run into a namespace that
 * does not exist; the aggregated roles are then applied for real to see them aggregate.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKindRoles } from '../../../src/delivery/manifests.ts';
import { DEFAULT_DELIVERY } from '../../../src/delivery/options.ts';
import { waitUntil } from '../../../src/local/process.ts';
import type { KubeClient } from '../../../src/operator/kube/client.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';
import { yamlDocs, type Doc } from '../../support/helm.ts';
import { kubeConfig, kubeconfigPath, useNamespace } from '../../support/kube.ts';
import { adminClient, applyAll, dryRunAll } from './support.ts';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

describe('manifests/install.yaml against the real kube-apiserver', () => {
  const ns = useNamespace('delivery-install');
  let client: KubeClient;
  const prefix = `phoenix-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    await installCrds(kubeConfig());
    client = adminClient(kubeconfigPath());
  });
  afterAll(async () => {
    for (const role of buildKindRoles({ ...DEFAULT_DELIVERY, rolePrefix: prefix })) {
      await client.delete({ apiVersion: role.apiVersion, kind: role.kind, name: role.metadata.name });
    }
    await client.close();
  });

  it('is accepted whole by a server-side dry run', async () => {
    const docs = yamlDocs(read('manifests/install.yaml').replaceAll('phoenix-system', ns.name));
    expect(docs.map((d) => d.kind)).toEqual([
      'Namespace',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
    expect(await dryRunAll(client, docs)).toEqual([]);
  });

  it('has a Deployment the restricted Pod Security Standard admits', async () => {
    await client.apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns.name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
      { fieldManager: 'phoenix-delivery-test' },
    );
    const [deployment] = yamlDocs(
      read('manifests/operator/deployment.yaml').replaceAll('phoenix-system', ns.name),
    );
    // Pod Security admission checks pods, so dry-run a pod with the Deployment's template.
    const pod: Doc = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'operator-pss', namespace: ns.name },
      spec: { ...deployment!.spec.template.spec, serviceAccountName: 'default' },
    };
    expect(await dryRunAll(client, [pod])).toEqual([]);
    const unsafe = structuredClone(pod);
    unsafe.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const [rejection] = await dryRunAll(client, [unsafe]);
    expect(rejection).toContain('allowPrivilegeEscalation');
  });

  it('aggregates the editor and viewer roles into admin, edit and view', async () => {
    const roles = buildKindRoles({ ...DEFAULT_DELIVERY, rolePrefix: prefix });
    await applyAll(client, roles as Doc[]);
    const grants = async (role: string, resource: string, verb: string) => {
      const got = await client.get<Doc>({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        name: role,
      });
      return (got.rules as { resources?: string[]; verbs: string[] }[]).some(
        (r) => r.resources?.includes(resource) === true && r.verbs.includes(verb),
      );
    };
    for (const [role, verb] of [
      ['admin', 'delete'],
      ['edit', 'create'],
      ['view', 'list'],
    ] as const) {
      for (const resource of ['phoenixmarkets', 'monitoringstacks']) {
        expect(
          await waitUntil(() => grants(role, resource, verb), 20_000),
          `${role} ${resource} ${verb}`,
        ).toBe(true);
      }
    }
    expect(await grants('view', 'phoenixmarkets', 'delete')).toBe(false);
  });
});
