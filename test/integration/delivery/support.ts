/** Shared helpers of the delivery integration tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { KubeClient } from '../../../src/operator/kube/client.ts';
import { loadKubeConfig } from '../../../src/operator/kube/config.ts';
import type { Registry } from 'prom-client';
import type { Doc } from '../../support/helm.ts';

export const FIELD_MANAGER = 'phoenix-delivery-test';

export function adminClient(kubeconfig: string): KubeClient {
  return new KubeClient({ kubeConfig: loadKubeConfig({ path: kubeconfig }) });
}

/**
 * Server-side dry run of every document (apply with dryRun=All): the real API server validates,
 * defaults and admits each object without storing it. Returns `kind name: error` per rejection.
 */
export async function dryRunAll(client: KubeClient, docs: readonly Doc[]): Promise<string[]> {
  const rejected: string[] = [];
  for (const doc of docs) {
    try {
      await client.apply(doc, { fieldManager: FIELD_MANAGER, dryRun: true });
    } catch (err) {
      rejected.push(`${doc.kind} ${doc.metadata.name}: ${String(err)}`);
    }
  }
  return rejected;
}

/** Applies for real, in order. */
export async function applyAll(client: KubeClient, docs: readonly Doc[]): Promise<void> {
  for (const doc of docs) await client.apply(doc, { fieldManager: FIELD_MANAGER });
}

/** A short-lived token of a ServiceAccount (TokenRequest API), as a pod would get it. */
export async function serviceAccountToken(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<string> {
  const request = (await client.transport.json({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  })) as { status: { token: string } };
  return request.status.token;
}

/** A kubeconfig for the same server and CA as the admin one, authenticating with `token` only. */
export function tokenKubeconfig(adminPath: string, token: string, dir: string): string {
  const admin = load(readFileSync(adminPath, 'utf8')) as {
    clusters: { name: string; cluster: Record<string, unknown> }[];
  };
  const cluster = admin.clusters[0]!;
  const path = join(dir, `sa-${Math.random().toString(16).slice(2, 8)}.kubeconfig`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: cluster.cluster }],
    users: [{ name: 'service-account', user: { token } }],
    contexts: [{ name: 'service-account', context: { cluster: cluster.name, user: 'service-account' } }],
    'current-context': 'service-account',
  };
  writeFileSync(path, dump(config), { mode: 0o600 });
  return path;
}

/** Requests the operator made, by HTTP status code (from rest_client_requests_total). */
export async function requestCodes(registry: Registry): Promise<Set<string>> {
  const requests = await registry.getSingleMetric('rest_client_requests_total')!.get();
  return new Set(requests.values.map((v) => String(v.labels['code'])));
}
