/**
 * `phoenix demo`: the whole system on this machine. A local control plane with controllers and two
 * kwok nodes, FerretDB, the CRDs, the operator in this process, the sample namespace, Secrets,
 * markets and MonitoringStack, a stand-in Assessor API, and one collector process per market.
 * Everything started goes on a DemoStack that the caller stops.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { KubeClient } from '../../operator/kube/client.ts';
import { loadKubeConfig } from '../../operator/kube/config.ts';
import { parseOperatorConfig } from '../../operator/config.ts';
import { createOperator } from '../../operator/main.ts';
import type { KubeObject } from '../../operator/kube/types.ts';
import { startAssessorStandIn } from '../assessor-standin.ts';
import { startControlPlane } from '../control-plane.ts';
import { startFerretDb } from '../ferretdb.ts';
import { applyAll, installCrds } from './cluster.ts';
import { overrideSummary, startLocalCollector, type LocalCollector } from './collectors.ts';
import {
  DEMO_NAMESPACE,
  demoSecrets,
  exampleSecretsText,
  inNamespace,
  namespaceObject,
  randomSecretValue,
  sampleMarkets,
  sampleStacks,
} from './objects.ts';
import { selectMarkets, type DemoOptions } from './options.ts';
import type { DemoStack } from './stack.ts';

export interface DemoContext {
  dir: string;
  options: DemoOptions;
  stack: DemoStack;
  print: (line: string) => void;
  /** Aborted on a signal or the --once timeout: start-up stops between steps. */
  signal: AbortSignal;
}

export interface RunningDemo {
  namespace: string;
  kubeconfigPath: string;
  client: KubeClient;
  markets: string[];
  operator: { metricsUrl: string; healthUrl: string; logFile: string };
  ferretDbUri: string;
  ferretDbLog: string;
  standInUrl: string;
  collectors: LocalCollector[];
  logsDir: string;
}

function checkpoint(ctx: DemoContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason;
}

async function startInfrastructure(ctx: DemoContext) {
  const [plane, ferret] = await Promise.allSettled([
    startControlPlane({ dir: ctx.dir, withControllers: true, nodes: 2, detached: true }),
    startFerretDb({ dir: join(ctx.dir, 'ferretdb'), detached: true }),
  ]);
  if (plane.status === 'fulfilled') {
    const p = plane.value;
    ctx.stack.add(
      'control plane',
      () => p.stop(),
      () => p.processes.map((x) => x.pid),
    );
  }
  if (ferret.status === 'fulfilled') {
    const f = ferret.value;
    ctx.stack.add(
      'FerretDB',
      () => f.stop(),
      () => [f.process.pid],
    );
  }
  if (plane.status === 'rejected') throw plane.reason;
  if (ferret.status === 'rejected') throw ferret.reason;
  return { plane: plane.value, ferret: ferret.value };
}

async function startOperator(ctx: DemoContext, kubeconfigPath: string, namespace: string) {
  const config = parseOperatorConfig({
    LEADER_ELECT: 'false',
    WATCH_NAMESPACE: namespace,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    HEALTH_PORT: '0',
  });
  const logFile = join(ctx.dir, 'logs', 'operator.log');
  const destination = pino.destination({ dest: logFile, sync: true });
  const logger = pino({ level: config.logLevel, base: { component: 'phoenix-operator' } }, destination);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const manager = createOperator(config, {
    kubeConfig: loadKubeConfig({ path: kubeconfigPath }),
    logger,
    registry,
  });
  ctx.stack.add('operator', () => manager.stop());
  await manager.start();
  const [metricsPort, healthPort] = manager.ports();
  return {
    metricsUrl: `http://127.0.0.1:${metricsPort ?? 0}/metrics`,
    healthUrl: `http://127.0.0.1:${healthPort ?? 0}/readyz`,
    logFile,
  };
}

function zipCodesOf(markets: readonly KubeObject[]): string[] {
  return markets.flatMap((m) => (m['spec'] as { zipCodes?: string[] } | undefined)?.zipCodes ?? []);
}

async function startStandIn(ctx: DemoContext, token: string, zipCodes: readonly string[]) {
  const standIn = await startAssessorStandIn({
    token,
    parcelsPerZip: Object.fromEntries(zipCodes.map((z) => [z, ctx.options.parcelsPerZip])),
    log: ctx.print,
  });
  ctx.stack.add('stand-in Assessor API', () => standIn.close());
  return standIn;
}

function demoObjects(namespace: string, markets: readonly KubeObject[], secrets: KubeObject[]): KubeObject[] {
  return [
    namespaceObject(namespace),
    ...secrets,
    ...markets.map((m) => inNamespace(m, namespace)),
    ...sampleStacks().map((s) => inNamespace(s, namespace)),
  ];
}

async function startCollectors(
  ctx: DemoContext,
  input: Omit<Parameters<typeof startLocalCollector>[0], 'market'>,
  markets: readonly string[],
): Promise<LocalCollector[]> {
  const results = await Promise.allSettled(
    markets.map((market) => startLocalCollector({ ...input, market })),
  );
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  for (const c of started) {
    ctx.stack.add(
      `collector ${c.market}`,
      () => c.process.stop(15_000),
      () => [c.process.pid],
    );
  }
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return started;
}

/** Starts everything; on failure what did start is on `ctx.stack` for the caller to stop. */
export async function startDemo(ctx: DemoContext): Promise<RunningDemo> {
  const namespace = DEMO_NAMESPACE;
  const selected = selectMarkets(sampleMarkets(), ctx.options.markets);
  rmSync(ctx.dir, { recursive: true, force: true });
  mkdirSync(join(ctx.dir, 'logs'), { recursive: true });
  ctx.print(
    `starting a local control plane (etcd, kube-apiserver, controllers, 2 kwok nodes) and FerretDB in ${ctx.dir}`,
  );
  const { plane, ferret } = await startInfrastructure(ctx);
  checkpoint(ctx);
  const client = new KubeClient({ kubeConfig: loadKubeConfig({ path: plane.kubeconfigPath }) });
  ctx.stack.add('API client', () => client.close());
  ctx.print(`installing CRDs: ${(await installCrds(client)).join(', ')}`);
  const operator = await startOperator(ctx, plane.kubeconfigPath, namespace);
  checkpoint(ctx);
  const token = randomSecretValue();
  const marketObjects = selected.map((m) => m.object);
  const standIn = await startStandIn(ctx, token, zipCodesOf(marketObjects));
  const secrets = demoSecrets(
    exampleSecretsText(),
    { assessorToken: token, mongodbUri: ferret.uri, random: randomSecretValue },
    namespace,
  );
  await applyAll(client, demoObjects(namespace, marketObjects, secrets));
  ctx.print(
    `applied namespace ${namespace}, ${secrets.length} Secrets (generated values), ${selected.length} markets, the MonitoringStack`,
  );
  checkpoint(ctx);
  const markets = selected.map((m) => m.name);
  const overrides = { assessorBaseUrl: standIn.url, requestsPerSecond: ctx.options.requestsPerSecond };
  ctx.print(
    `collectors: collector.yaml of ConfigMap <market>-collector and the env of Deployment <market>-collector; local overrides: ${overrideSummary(overrides)}`,
  );
  const collectors = await startCollectors(
    ctx,
    { client, namespace, dir: ctx.dir, adminKubeconfigPath: plane.kubeconfigPath, overrides },
    markets,
  );
  checkpoint(ctx);
  return {
    namespace,
    kubeconfigPath: plane.kubeconfigPath,
    client,
    markets,
    operator,
    ferretDbUri: ferret.uri,
    ferretDbLog: ferret.process.logFile,
    standInUrl: standIn.url,
    collectors,
    logsDir: join(ctx.dir, 'logs'),
  };
}
