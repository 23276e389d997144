/**
 * The local provider: the project's control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, two kwok nodes) and FerretDB, set up once per run. Pods on the kwok nodes become
 * Running and Ready but nothing executes in them, so the test files run the chart's operator as a
 * local process under the chart's ServiceAccount, and a market's collector as a local process
 * (against the stand-in Assessor API and FerretDB) when its /metrics is asked for.
 */
import { join } from 'node:path';
import { startAssessorStandIn, type AssessorStandIn } from '../../../src/local/assessor-standin.ts';
import { startControlPlane, type ControlPlane } from '../../../src/local/control-plane.ts';
import { startLocalCollector, type LocalCollector } from '../../../src/local/demo/collectors.ts';
import { randomSecretValue } from '../../../src/local/demo/objects.ts';
import { startFerretDb, type FerretDb } from '../../../src/local/ferretdb.ts';
import type { ManagedProcess } from '../../../src/local/process.ts';
import type { KubeClient } from '../../../src/operator/kube/client.ts';
import { adminClient, helmInstall, helmUninstall } from './chart.ts';
import { startLocalOperator } from './local-operator.ts';
import type { ClusterContext, ClusterProvider, Release } from './types.ts';

/** Parcels per zip code the stand-in serves: enough for series to appear, quick to collect. */
const STAND_IN_PARCELS = 2;

export class LocalProvider implements ClusterProvider {
  readonly name = 'local';
  readonly #workDir: string;
  #ctx: ClusterContext | undefined;
  #plane: ControlPlane | undefined;
  #ferret: FerretDb | undefined;
  #client: KubeClient | undefined;
  #operator: ManagedProcess | undefined;
  #standIn: AssessorStandIn | undefined;
  readonly #collectors = new Map<string, LocalCollector>();

  constructor(workDir: string, ctx?: ClusterContext) {
    this.#workDir = workDir;
    this.#ctx = ctx;
  }

  async setup(): Promise<ClusterContext> {
    const [plane, ferret] = await Promise.allSettled([
      startControlPlane({ dir: join(this.#workDir, 'plane'), withControllers: true, nodes: 2 }),
      startFerretDb({ dir: join(this.#workDir, 'ferretdb') }),
    ]);
    if (plane.status === 'fulfilled') this.#plane = plane.value;
    if (ferret.status === 'fulfilled') this.#ferret = ferret.value;
    if (plane.status === 'rejected') throw plane.reason;
    if (ferret.status === 'rejected') throw ferret.reason;
    this.#ctx = {
      provider: 'local',
      reason: '',
      kubeconfigPath: plane.value.kubeconfigPath,
      workDir: this.#workDir,
      secrets: { assessorToken: randomSecretValue(), mongodbUri: ferret.value.uri },
    };
    return this.#ctx;
  }

  async teardown(): Promise<void> {
    await this.#ferret?.stop();
    await this.#plane?.stop();
  }

  async installChart(release: Release): Promise<void> {
    const ctx = this.#context();
    helmInstall(ctx, release);
    this.#operator = await startLocalOperator({
      client: this.#admin(),
      release,
      adminKubeconfigPath: ctx.kubeconfigPath,
      dir: ctx.workDir,
    });
  }

  /** As on a cluster, the collectors go first; the operator stays until close (its pod's grace period). */
  async uninstallChart(release: Release): Promise<void> {
    await this.#stopCollectors();
    helmUninstall(this.#context(), release);
  }

  async collectorMetrics(release: Release, market: string): Promise<string> {
    const collector = await this.#collector(release, market);
    const res = await fetch(`http://127.0.0.1:${collector.port}/metrics`);
    if (!res.ok) throw new Error(`collector ${market} /metrics answered ${res.status}`);
    return res.text();
  }

  async close(): Promise<void> {
    await this.#stopCollectors();
    await this.#operator?.stop(15_000);
    this.#operator = undefined;
    await this.#client?.close();
    this.#client = undefined;
  }

  async #collector(release: Release, market: string): Promise<LocalCollector> {
    const running = this.#collectors.get(market);
    if (running !== undefined) return running;
    const ctx = this.#context();
    this.#standIn ??= await startAssessorStandIn({
      token: ctx.secrets.assessorToken,
      defaultParcels: STAND_IN_PARCELS,
    });
    const collector = await startLocalCollector({
      client: this.#admin(),
      namespace: release.namespace,
      market,
      dir: ctx.workDir,
      adminKubeconfigPath: ctx.kubeconfigPath,
      overrides: { assessorBaseUrl: this.#standIn.url, requestsPerSecond: 20 },
    });
    this.#collectors.set(market, collector);
    return collector;
  }

  async #stopCollectors(): Promise<void> {
    for (const c of this.#collectors.values()) await c.process.stop(15_000);
    this.#collectors.clear();
    await this.#standIn?.close();
    this.#standIn = undefined;
  }

  #admin(): KubeClient {
    this.#client ??= adminClient(this.#context().kubeconfigPath);
    return this.#client;
  }

  #context(): ClusterContext {
    if (this.#ctx === undefined) throw new Error('the local provider is not set up');
    return this.#ctx;
  }
}
