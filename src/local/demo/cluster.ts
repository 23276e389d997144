/** What `phoenix demo` does on the API server: CRDs, its objects, and reading what the operator made. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION } from '../../api/common.ts';
import { isKubeError } from '../../operator/kube/errors.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import type { KubeObject } from '../../operator/kube/types.ts';
import { childName } from '../../resources/names.ts';
import { repoRoot } from '../../shared/tools.ts';
import { waitUntil } from '../process.ts';
import { DEMO_FIELD_MANAGER, yamlObjects } from './objects.ts';

export const MARKET_REF = { apiVersion: API_VERSION, kind: 'PhoenixMarket' };
export const STACK_REF = { apiVersion: API_VERSION, kind: 'MonitoringStack' };
const CRD_REF = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };

export function crdObjects(dir = join(repoRoot, 'crds')): KubeObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => yamlObjects(readFileSync(join(dir, f), 'utf8')));
}

function established(crd: KubeObject | undefined): boolean {
  const conditions = (crd?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

/** Applies crds/*.yaml (as `kubectl apply -f crds/` would) and waits until they are Established. */
export async function installCrds(client: KubeClient, timeoutMs = 30_000): Promise<string[]> {
  const crds = crdObjects();
  for (const crd of crds) await client.apply(crd, { fieldManager: DEMO_FIELD_MANAGER });
  const names = crds.map((c) => c.metadata?.name ?? '');
  const ok = await waitUntil(async () => {
    const got = await Promise.all(names.map((name) => client.getOrUndefined({ ...CRD_REF, name })));
    return got.every(established);
  }, timeoutMs);
  if (!ok) throw new Error(`CRDs not Established within ${timeoutMs / 1000} s: ${names.join(', ')}`);
  return names;
}

export async function applyAll(client: KubeClient, objects: readonly KubeObject[]): Promise<void> {
  for (const obj of objects) await client.apply(obj, { fieldManager: DEMO_FIELD_MANAGER });
}

/** What the operator made for a market and the collector process needs. */
export interface MarketChildren {
  configYaml: string;
  deployment: KubeObject;
}

/** Waits for the market's ConfigMap and Deployment (`<market>-collector`) that the operator applies. */
export async function waitForChildren(
  client: KubeClient,
  ref: { namespace: string; market: string },
  timeoutMs = 60_000,
): Promise<MarketChildren> {
  const name = childName(ref.market, 'collector');
  let found: MarketChildren | undefined;
  await waitUntil(async () => {
    const base = { namespace: ref.namespace, name };
    const cm = await client.getOrUndefined({ apiVersion: 'v1', kind: 'ConfigMap', ...base });
    const deployment = await client.getOrUndefined({ apiVersion: 'apps/v1', kind: 'Deployment', ...base });
    const configYaml = (cm?.['data'] as Record<string, string> | undefined)?.['collector.yaml'];
    if (configYaml !== undefined && deployment !== undefined) found = { configYaml, deployment };
    return found !== undefined;
  }, timeoutMs);
  if (found === undefined) {
    throw new Error(
      `the operator did not create ConfigMap and Deployment ${ref.namespace}/${name} within ${timeoutMs / 1000} s`,
    );
  }
  return found;
}

export async function secretValue(
  client: KubeClient,
  ref: { namespace: string; name: string; key: string },
): Promise<string | undefined> {
  try {
    const secret = await client.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: ref.namespace,
      name: ref.name,
    });
    const encoded = (secret['data'] as Record<string, string> | undefined)?.[ref.key];
    return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
  } catch (err) {
    if (isKubeError(err, 'KUBE_NOT_FOUND')) return undefined;
    throw err;
  }
}

/** A short-lived token of a ServiceAccount (TokenRequest), as the kubelet mounts into a pod. */
export async function serviceAccountToken(
  client: KubeClient,
  ref: { namespace: string; name: string },
  expirationSeconds = 86_400,
): Promise<string> {
  const body = (await client.transport.json({
    method: 'POST',
    path: `/api/v1/namespaces/${ref.namespace}/serviceaccounts/${ref.name}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } },
  })) as { status?: { token?: string } };
  const token = body.status?.token;
  if (token === undefined) throw new Error(`no token issued for ServiceAccount ${ref.namespace}/${ref.name}`);
  return token;
}

export async function listMarketsAndStacks(
  client: KubeClient,
  namespace: string,
): Promise<{ markets: KubeObject[]; stacks: KubeObject[] }> {
  const [markets, stacks] = await Promise.all([
    client.list(MARKET_REF, { namespace }),
    client.list(STACK_REF, { namespace }),
  ]);
  return { markets: markets.items, stacks: stacks.items };
}
