import type { KubeConfigSource } from '../kube/config.ts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { PhoenixError } from '../../shared/errors.ts';
import { KubeClient } from '../kube/client.ts';
import { gvkString, type GroupVersionKind, type KubeObject } from '../kube/types.ts';
import { Controller, type ControllerOptions } from './controller.ts';
import { EventRecorder } from './events.ts';
import { Informer, type InformerOptions } from './informer.ts';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.ts';
import { createRuntimeMetrics, type RuntimeMetrics } from './metrics.ts';
import { startProbeServer, type CheckResult, type ProbeServer } from './server.ts';

/**
 * The operator runtime's entry point, in the manner of controller-runtime's Manager.
 *
 * ```ts
 * const manager = new Manager({ kubeConfig, logger, registry, metricsPort: 8080, healthPort: 8081,
 *   leaderElection: { namespace: 'phoenix-system', name: 'phoenix-operator' },
 *   onLeadershipLost: () => process.exit(1) });          // only the entry point exits
 * const markets = manager.informer<PhoenixMarket>({ apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'PhoenixMarket' });
 * manager
 *   .addController({ name: 'phoenixmarket', maxConcurrentReconciles: 4, resyncPeriodMs: 600_000,
 *     reconcile: async (req, ctx) => { const m = markets.get(req.key); ...; return { requeueAfter: 60_000 }; } })
 *   .watchPrimary(markets)
 *   .watchOwned(manager.informer({ apiVersion: 'apps/v1', kind: 'Deployment' },
 *     { labelSelector: 'app.kubernetes.io/managed-by=phoenix-operator' }), markets.gvk);
 * const recorder = manager.eventRecorder('phoenix-operator');
 * await manager.start();                // caches synced (or PHOENIX_CACHE_SYNC_TIMEOUT); controllers run once elected
 * stopOnSignals(manager, logger);       // SIGTERM/SIGINT: graceful stop, lease released
 * await manager.done();                 // then let the process end (exit code 0)
 * ```
 *
 * Caches start on every replica (a standby is warm); controllers start only on the leader.
 * /readyz is 200 once every cache has synced; /healthz is 200 while the manager runs.
 */
export interface ManagerOptions {
  /** A client-node KubeConfig, or loadKubeConfig() (same credentials, ~50 MiB less memory). */
  kubeConfig: KubeConfigSource;
  logger: Logger;
  registry: Registry;
  /** Leader election; off when omitted (a single replica, or tests). */
  leaderElection?: Omit<LeaderElectionOptions, 'client' | 'logger' | 'metrics' | 'clock'>;
  /** Called when leadership is lost after the controllers were stopped: the entry point should exit non-zero. */
  onLeadershipLost?: () => void;
  /** Port of /metrics (0 = any free port); no server when omitted. */
  metricsPort?: number;
  /** Port of /healthz and /readyz; may equal metricsPort. No server when omitted. */
  healthPort?: number;
  host?: string;
  /** How long stop() lets in-flight reconciles finish. Default 30 s. */
  gracefulShutdownMs?: number;
  /** start() fails if the caches have not synced by then. Default 2 min (controller-runtime's). */
  cacheSyncTimeoutMs?: number;
  /** Defaults for every informer (watchdog, relist interval, page size, backoff). */
  informerDefaults?: Pick<InformerOptions, 'watchdogMs' | 'relistIntervalMs' | 'pageSize' | 'backoff'>;
}

export interface InformerScope {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class Manager {
  readonly client: KubeClient;
  readonly metrics: RuntimeMetrics;
  readonly logger: Logger;
  private readonly opts: ManagerOptions;
  private readonly informers = new Map<string, Informer>();
  private readonly controllers: Controller[] = [];
  private readonly recorders: EventRecorder[] = [];
  private readonly servers: ProbeServer[] = [];
  private readonly stopController = new AbortController();
  private elector: LeaderElector | undefined;
  private election: Promise<void> | undefined;
  private phase: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private controllersStarted = false;
  private readonly stoppedPromise: Promise<void>;
  private resolveStopped: () => void = () => undefined;

  constructor(options: ManagerOptions) {
    this.opts = options;
    this.logger = options.logger;
    this.metrics = createRuntimeMetrics(options.registry);
    this.client = new KubeClient({ kubeConfig: options.kubeConfig, metrics: this.metrics });
    this.stoppedPromise = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
  }

  /** Resolves when stop() has finished (after a signal, for instance): the entry point awaits it. */
  done(): Promise<void> {
    return this.stoppedPromise;
  }

  /**
   * The shared informer of a kind and scope (one list+watch however many controllers use it).
   * `options.transform` applies when this call creates the informer.
   */
  informer<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    scope: InformerScope = {},
    options: Pick<InformerOptions, 'transform'> = {},
  ): Informer<T> {
    const key = [
      gvkString(gvk),
      scope.namespace ?? '',
      scope.labelSelector ?? '',
      scope.fieldSelector ?? '',
    ].join('|');
    let informer = this.informers.get(key);
    if (informer === undefined) {
      informer = new Informer({
        ...this.opts.informerDefaults,
        ...scope,
        ...options,
        client: this.client,
        gvk,
        logger: this.logger,
        metrics: this.metrics,
      });
      this.informers.set(key, informer);
      if (this.phase === 'starting' || this.phase === 'running') informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  addController(options: Omit<ControllerOptions, 'logger' | 'metrics'>): Controller {
    const controller = new Controller({ ...options, logger: this.logger, metrics: this.metrics });
    this.controllers.push(controller);
    if (this.controllersStarted) controller.start();
    return controller;
  }

  eventRecorder(component: string, instance?: string): EventRecorder {
    const recorder = new EventRecorder({
      client: this.client,
      component,
      logger: this.logger,
      ...(instance === undefined ? {} : { instance }),
    });
    this.recorders.push(recorder);
    return recorder;
  }

  isLeader(): boolean {
    return this.opts.leaderElection === undefined
      ? this.controllersStarted
      : (this.elector?.isLeader() ?? false);
  }

  /** Starts servers and caches, waits for the caches to sync, then starts (or campaigns for) the controllers. */
  async start(): Promise<void> {
    if (this.phase !== 'new') throw new Error('manager already started');
    this.phase = 'starting';
    await this.startServers();
    for (const informer of this.informers.values()) informer.start();
    await this.waitForCaches();
    if (this.stopController.signal.aborted) return;
    this.phase = 'running';
    this.logger.info({ informers: this.informers.size }, 'caches synced');
    if (this.opts.leaderElection === undefined) this.startControllers();
    else this.election = this.campaign(this.opts.leaderElection);
  }

  /** Graceful stop: no new work, in-flight reconciles finish (bounded), lease released, caches closed. */
  async stop(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return this.stoppedPromise;
    this.phase = 'stopping';
    this.stopController.abort();
    const timeout = this.opts.gracefulShutdownMs ?? 30_000;
    await Promise.all(this.controllers.map((c) => c.stop(timeout)));
    await this.election;
    await this.elector?.release();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await Promise.all(this.recorders.map((r) => r.flush()));
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
    await this.client.close();
    this.phase = 'stopped';
    this.logger.info('manager stopped');
    this.resolveStopped();
  }

  healthz(): CheckResult {
    return this.phase === 'stopped' ? { ok: false, reasons: ['stopped'] } : { ok: true };
  }

  readyz(): CheckResult {
    const reasons = [...this.informers.values()]
      .filter((i) => !i.hasSynced())
      .map((i) => `${gvkString(i.gvk)} cache not synced`);
    if (this.phase === 'stopping' || this.phase === 'stopped') reasons.push('shutting down');
    return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
  }

  /** Ports the probe servers listen on (metrics first), for tests. */
  ports(): number[] {
    return this.servers.map((s) => s.port);
  }

  /** As controller-runtime's CacheSyncTimeout: a cache that never syncs (a missing CRD, no RBAC) fails start. */
  private async waitForCaches(): Promise<void> {
    const timeoutMs = this.opts.cacheSyncTimeoutMs ?? 120_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, timeoutMs);
    });
    const synced = Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    const outcome = await Promise.race([synced, timeout]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return;
    const pending = this.readyz().reasons ?? [];
    throw new PhoenixError(
      'PHOENIX_CACHE_SYNC_TIMEOUT',
      `caches did not sync within ${timeoutMs} ms: ${pending.join('; ')}`,
      {
        kind: 'transient',
      },
    );
  }

  private startControllers(): void {
    if (this.controllersStarted || this.stopController.signal.aborted) return;
    this.controllersStarted = true;
    for (const c of this.controllers) c.start();
  }

  private async campaign(options: NonNullable<ManagerOptions['leaderElection']>): Promise<void> {
    this.elector = new LeaderElector({
      ...options,
      client: this.client,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.logger.info({ identity: this.elector.identity, lease: options.name }, 'waiting for leadership');
    const outcome = await this.elector.run(this.stopController.signal, () => {
      this.startControllers();
    });
    if (outcome !== 'lost') return;
    await Promise.all(this.controllers.map((c) => c.stop(0)));
    this.opts.onLeadershipLost?.();
  }

  private async startServers(): Promise<void> {
    const { metricsPort, healthPort, host } = this.opts;
    const probes = { healthz: () => this.healthz(), readyz: () => this.readyz() };
    const base = host === undefined ? {} : { host };
    if (metricsPort !== undefined) {
      const same = healthPort === metricsPort && metricsPort !== 0;
      this.servers.push(
        await startProbeServer({
          ...base,
          port: metricsPort,
          registry: this.opts.registry,
          ...(same ? probes : {}),
        }),
      );
      if (same) return;
    }
    if (healthPort !== undefined)
      this.servers.push(await startProbeServer({ ...base, port: healthPort, ...probes }));
  }
}

/** Stops the manager gracefully on SIGTERM or SIGINT; returns a function that removes the handlers. */
export function stopOnSignals(
  manager: Manager,
  logger: Logger,
  signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    void manager.stop();
  };
  for (const s of signals) process.once(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
