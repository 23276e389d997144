/**
 * One collector process per market, run with exactly what the operator gave the market's pods:
 * `collector.yaml` from the ConfigMap and the container environment of the Deployment (secrets
 * resolved from their Secrets, the downward API filled in), plus a few local overrides that are
 * printed: the stand-in Assessor API, its request rate, rule-based enrichment (no Ollama here)
 * and a free loopback port. Status reports use a token of the market's own ServiceAccount, so
 * the per-market Role is what authorises them, as in a cluster.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { COLLECTOR_ENV } from '../../api/collector-config.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import type { KubeObject } from '../../operator/kube/types.ts';
import { childName } from '../../resources/names.ts';
import { repoRoot } from '../../shared/tools.ts';
import { freePort, startProcess, waitUntil, type ManagedProcess } from '../process.ts';
import { secretValue, serviceAccountToken, waitForChildren } from './cluster.ts';

export interface CollectorOverrides {
  assessorBaseUrl: string;
  requestsPerSecond: number;
}

export interface LocalCollector {
  market: string;
  port: number;
  process: ManagedProcess;
  configPath: string;
}

type Json = Record<string, unknown>;

function section(obj: Json, key: string): Json {
  const value = obj[key];
  if (value !== null && typeof value === 'object') return value as Json;
  const created: Json = {};
  obj[key] = created;
  return created;
}

/** The operator's collector.yaml with the local overrides (pure). */
export function localCollectorConfig(configYaml: string, o: CollectorOverrides): Json {
  const file = { ...(load(configYaml) as Json) };
  const sources = section(file, 'sources');
  const assessor = section(sources, 'assessor');
  assessor['baseUrl'] = o.assessorBaseUrl;
  assessor['requestsPerSecond'] = o.requestsPerSecond;
  section(file, 'llm')['enabled'] = false;
  // The default already, made explicit: the first run starts at once, not at the next cron time.
  section(file, 'collection')['catchUp'] = true;
  return file;
}

/** The overrides as printed to the user (pure). */
export function overrideSummary(o: CollectorOverrides): string {
  return [
    `sources.assessor.baseUrl=${o.assessorBaseUrl} (stand-in)`,
    `sources.assessor.requestsPerSecond=${o.requestsPerSecond}`,
    'llm.enabled=false (rule-based enrichment)',
    'collection.catchUp=true (first run at once)',
    'a free loopback port',
  ].join(', ');
}

export interface EnvVarLike {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

export interface EnvContext {
  secret: (name: string, key: string) => Promise<string | undefined>;
  fields: Record<string, string>;
}

/** The container environment as the kubelet would set it (secrets and fields resolved). */
export async function resolveEnv(
  vars: readonly EnvVarLike[],
  ctx: EnvContext,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const v of vars) {
    const ref = v.valueFrom;
    // The API server drops `value: ''`: a variable with neither value nor valueFrom is empty.
    let value = v.value ?? (ref === undefined ? '' : undefined);
    if (ref?.secretKeyRef !== undefined)
      value = await ctx.secret(ref.secretKeyRef.name, ref.secretKeyRef.key);
    if (ref?.fieldRef !== undefined) value = ctx.fields[ref.fieldRef.fieldPath];
    if (value === undefined) throw new Error(`env ${v.name}: cannot resolve ${JSON.stringify(ref ?? {})}`);
    env[v.name] = value;
  }
  return env;
}

export function containerEnv(deployment: KubeObject): EnvVarLike[] {
  const spec = deployment['spec'] as
    { template?: { spec?: { containers?: { name: string; env?: EnvVarLike[] }[] } } } | undefined;
  const containers = spec?.template?.spec?.containers ?? [];
  return (containers.find((c) => c.name === 'collector') ?? containers[0])?.env ?? [];
}

/** A kubeconfig with the admin kubeconfig's cluster and a ServiceAccount token (pure). */
export function tokenKubeconfig(adminKubeconfig: string, token: string): string {
  const admin = load(adminKubeconfig) as { clusters: { name: string; cluster: Json }[] };
  const cluster = admin.clusters[0];
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'phoenix-local', cluster: cluster?.cluster ?? {} }],
    users: [{ name: 'collector', user: { token } }],
    contexts: [{ name: 'collector', context: { cluster: 'phoenix-local', user: 'collector' } }],
    'current-context': 'collector',
  });
}

export interface StartCollectorInput {
  client: KubeClient;
  namespace: string;
  market: string;
  dir: string;
  adminKubeconfigPath: string;
  overrides: CollectorOverrides;
}

async function writeCollectorFiles(
  input: StartCollectorInput,
  configYaml: string,
): Promise<{ configPath: string; kubeconfigPath: string }> {
  const dir = join(input.dir, 'collectors', input.market);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'collector.yaml');
  writeFileSync(configPath, dump(localCollectorConfig(configYaml, input.overrides)));
  const sa = childName(input.market, 'collector');
  const token = await serviceAccountToken(input.client, { namespace: input.namespace, name: sa });
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, tokenKubeconfig(readFileSync(input.adminKubeconfigPath, 'utf8'), token), {
    mode: 0o600,
  });
  return { configPath, kubeconfigPath };
}

/** Starts the market's collector once the operator has created its ConfigMap and Deployment. */
export async function startLocalCollector(input: StartCollectorInput): Promise<LocalCollector> {
  const { client, namespace, market } = input;
  const children = await waitForChildren(client, { namespace, market });
  const { configPath, kubeconfigPath } = await writeCollectorFiles(input, children.configYaml);
  const podEnv = await resolveEnv(containerEnv(children.deployment), {
    secret: (name, key) => secretValue(client, { namespace, name, key }),
    fields: { 'metadata.name': `${market}-local-0`, 'metadata.namespace': namespace },
  });
  const port = await freePort();
  const proc = startProcess({
    name: `collector-${market}`,
    command: process.execPath,
    args: [join(repoRoot, 'src', 'cli', 'main.ts'), 'collector'],
    logFile: join(input.dir, 'logs', `collector-${market}.log`),
    env: {
      PATH: process.env['PATH'] ?? '',
      ...podEnv,
      [COLLECTOR_ENV.configFile]: configPath,
      PHOENIX_PORT: String(port),
      KUBECONFIG: kubeconfigPath,
    },
    detached: true,
  });
  const up = await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 30_000);
  if (!up) {
    await proc.stop();
    throw new Error(`collector of ${market} did not start; see ${proc.logFile}`);
  }
  return { market, port, process: proc, configPath };
}
