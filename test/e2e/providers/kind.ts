/**
 * The kind provider: a throwaway kind cluster (node image pinned in args.ts), the image built
 * from the Dockerfile and loaded into its nodes, a MongoDB for the collectors and the stand-in of
 * the Assessor API (`phoenix assessor-standin` from the same image: the suite never contacts the
 * county's service); the chart's operator and the collectors then run in the cluster, and
 * /metrics is read through the API server's service proxy. Needs a Docker daemon, `docker` and
 * `kind` on PATH.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { namespaceObject, randomSecretValue } from '../../../src/local/demo/objects.ts';
import { waitUntil } from '../../../src/local/process.ts';
import type { KubeClient } from '../../../src/operator/kube/client.ts';
import { childName } from '../../../src/resources/names.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import {
  dockerBuildArgs,
  E2E_IMAGE_REF,
  kindClusterName,
  kindConfig,
  kindCreateArgs,
  kindDeleteArgs,
  kindLoadArgs,
  MONGO_NAME,
  mongoObjects,
  mongoUri,
  serviceProxyPath,
  STAND_IN_NAME,
  standInObjects,
} from './args.ts';
import { adminClient, helmInstall, helmUninstall } from './chart.ts';
import { run } from './shell.ts';
import { E2E_NAMESPACE, type ClusterContext, type ClusterProvider, type Release } from './types.ts';

const MINUTE = 60_000;
const FIELD_MANAGER = 'phoenix-e2e';

async function waitReady(client: KubeClient, name: string): Promise<void> {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: E2E_NAMESPACE, name };
  const ready = await waitUntil(async () => {
    const status = (await client.get(ref))['status'] as { readyReplicas?: number } | undefined;
    return (status?.readyReplicas ?? 0) >= 1;
  }, 5 * MINUTE);
  if (!ready)
    throw new Error(`${name} not ready within 5 min (image pull? kubectl describe deployment ${name})`);
}

/**
 * The collectors' MongoDB and the Assessor API stand-in (accepting `assessorToken`, the value the
 * markets' Secret gets), both ready before the chart is installed: the chart points the samples
 * at the stand-in, so no collector ever calls the county's service.
 */
async function deployDependencies(kubeconfigPath: string, assessorToken: string): Promise<void> {
  const client = adminClient(kubeconfigPath);
  try {
    const objects = [
      namespaceObject(E2E_NAMESPACE),
      ...mongoObjects(E2E_NAMESPACE),
      ...standInObjects(E2E_NAMESPACE, assessorToken),
    ];
    for (const obj of objects) await client.apply(obj, { fieldManager: FIELD_MANAGER });
    await waitReady(client, MONGO_NAME);
    await waitReady(client, STAND_IN_NAME);
  } finally {
    await client.close();
  }
}

export class KindProvider implements ClusterProvider {
  readonly name = 'kind';
  readonly #workDir: string;
  #ctx: ClusterContext | undefined;
  #clusterName: string | undefined;
  #client: KubeClient | undefined;

  constructor(workDir: string, ctx?: ClusterContext) {
    this.#workDir = workDir;
    this.#ctx = ctx;
    this.#clusterName = ctx?.clusterName;
  }

  async setup(): Promise<ClusterContext> {
    mkdirSync(this.#workDir, { recursive: true });
    const name = kindClusterName(randomBytes(3).toString('hex'));
    const configPath = join(this.#workDir, 'kind.yaml');
    const kubeconfigPath = join(this.#workDir, 'kubeconfig');
    writeFileSync(configPath, kindConfig());
    // The image first: a failed build leaves no cluster behind.
    await run('docker', dockerBuildArgs(E2E_IMAGE_REF, repoRoot), {
      timeoutMs: 20 * MINUTE,
      echo: '[docker]',
    });
    // kind removes a cluster it failed to create; from here on teardown deletes it.
    await run('kind', kindCreateArgs({ name, configPath, kubeconfigPath }), {
      timeoutMs: 10 * MINUTE,
      echo: '[kind]',
    });
    this.#clusterName = name;
    await run('kind', kindLoadArgs(E2E_IMAGE_REF, name), { timeoutMs: 10 * MINUTE, echo: '[kind]' });
    const assessorToken = randomSecretValue();
    await deployDependencies(kubeconfigPath, assessorToken);
    this.#ctx = {
      provider: 'kind',
      reason: '',
      kubeconfigPath,
      workDir: this.#workDir,
      clusterName: name,
      secrets: { assessorToken, mongodbUri: mongoUri(E2E_NAMESPACE) },
    };
    return this.#ctx;
  }

  async teardown(): Promise<void> {
    if (this.#clusterName === undefined) return;
    await run('kind', kindDeleteArgs(this.#clusterName), { timeoutMs: 5 * MINUTE, echo: '[kind]' });
    this.#clusterName = undefined;
  }

  installChart(release: Release): Promise<void> {
    helmInstall(this.#context(), release);
    return Promise.resolve();
  }

  uninstallChart(release: Release): Promise<void> {
    helmUninstall(this.#context(), release);
    return Promise.resolve();
  }

  async collectorMetrics(release: Release, market: string): Promise<string> {
    this.#client ??= adminClient(this.#context().kubeconfigPath);
    const path = serviceProxyPath({
      namespace: release.namespace,
      service: childName(market, 'collector'),
      port: 'metrics',
      path: '/metrics',
    });
    const res = await this.#client.transport.send({ method: 'GET', path });
    return res.text();
  }

  async close(): Promise<void> {
    await this.#client?.close();
    this.#client = undefined;
  }

  #context(): ClusterContext {
    if (this.#ctx === undefined) throw new Error('the kind provider is not set up');
    return this.#ctx;
  }
}
