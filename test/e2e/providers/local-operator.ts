/**
 * The operator of an installed chart, run as a local process: the kwok pods of the chart's
 * Deployment are placeholders, so this process stands in for them with exactly their container
 * environment (the Deployment's env, downward API filled in) and a token of the chart's
 * ServiceAccount, so the chart's RBAC is all it may use. Leader election runs against the real
 * Lease API (nothing in the placeholder pods competes for it).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceAccountToken } from '../../../src/local/demo/cluster.ts';
import { containerEnv, resolveEnv, tokenKubeconfig } from '../../../src/local/demo/collectors.ts';
import { freePort, startProcess, waitUntil, type ManagedProcess } from '../../../src/local/process.ts';
import type { KubeClient } from '../../../src/operator/kube/client.ts';
import type { KubeObject } from '../../../src/operator/kube/types.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import type { Release } from './types.ts';

export const LOCAL_OPERATOR_POD = 'phoenix-operator-e2e-local';

/** The chart's operator Deployment of a release (found by Helm's labels). */
export async function operatorDeployment(client: KubeClient, release: Release): Promise<KubeObject> {
  const list = await client.list(
    { apiVersion: 'apps/v1', kind: 'Deployment' },
    {
      namespace: release.namespace,
      labelSelector: `app.kubernetes.io/instance=${release.name},app.kubernetes.io/component=operator`,
    },
  );
  const [deployment] = list.items;
  if (deployment === undefined) throw new Error(`release ${release.name} has no operator Deployment`);
  return deployment;
}

function serviceAccountOf(deployment: KubeObject): string {
  const spec = deployment['spec'] as { template: { spec: { serviceAccountName?: string } } };
  const name = spec.template.spec.serviceAccountName;
  if (name === undefined) throw new Error('the operator Deployment names no ServiceAccount');
  return name;
}

export interface LocalOperatorInput {
  client: KubeClient;
  release: Release;
  adminKubeconfigPath: string;
  dir: string;
}

export async function startLocalOperator(input: LocalOperatorInput): Promise<ManagedProcess> {
  const { client, release } = input;
  const deployment = await operatorDeployment(client, release);
  const sa = serviceAccountOf(deployment);
  const token = await serviceAccountToken(client, { namespace: release.namespace, name: sa });
  mkdirSync(join(input.dir, 'logs'), { recursive: true });
  const kubeconfigPath = join(input.dir, 'operator.kubeconfig');
  const admin = readFileSync(input.adminKubeconfigPath, 'utf8');
  writeFileSync(kubeconfigPath, tokenKubeconfig(admin, token), { mode: 0o600 });
  const podEnv = await resolveEnv(containerEnv(deployment), {
    secret: () => Promise.resolve(undefined),
    fields: { 'metadata.name': LOCAL_OPERATOR_POD, 'metadata.namespace': release.namespace },
  });
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const proc = startProcess({
    name: 'operator',
    command: process.execPath,
    args: [join(repoRoot, 'src', 'cli', 'main.ts'), 'operator'],
    logFile: join(input.dir, 'logs', 'operator.log'),
    env: {
      PATH: process.env['PATH'] ?? '',
      ...podEnv,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      HEALTH_PORT: String(healthPort),
      KUBECONFIG: kubeconfigPath,
    },
  });
  const up = await waitUntil(async () => (await fetch(`http://127.0.0.1:${healthPort}/healthz`)).ok, 30_000);
  if (!up) {
    await proc.stop();
    throw new Error(`the operator did not start; see ${proc.logFile}`);
  }
  return proc;
}
