import { pino, type Logger } from 'pino';
import { PhoenixError } from '../../shared/errors.ts';
import { splitKey, type GroupVersionKind, type KubeObject } from '../kube/types.ts';
import { jitter, systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { Informer } from './informer.ts';
import type { RuntimeMetrics } from './metrics.ts';
import {
  mapToControllerOwner,
  mapToSelf,
  resourceVersionChanged,
  specOrMetadataChanged,
  type UpdatePredicate,
} from './predicates.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { WorkQueue } from './workqueue.ts';

/** What to reconcile: the key `namespace/name` and its parts. */
export interface Request {
  key: string;
  namespace: string | undefined;
  name: string;
}

export interface ReconcileContext {
  /** Child logger with `controller`, `namespace` and `name`. */
  logger: Logger;
  /** Aborted when the controller stops and the drain timeout has passed. */
  signal: AbortSignal;
  /** How many times this key failed in a row before this attempt. */
  retries: number;
}

/**
 * `requeueAfter` (ms): reconcile again after that long (a success; backoff is reset).
 * `requeue: true`: reconcile again with rate-limited backoff. Nothing: done until the next event.
 */
// `void` so that an async reconcile may simply return nothing.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type ReconcileResult = { requeueAfter?: number; requeue?: boolean } | undefined | void;

export type ReconcileFn = (req: Request, ctx: ReconcileContext) => Promise<ReconcileResult>;

export interface ControllerOptions {
  /** Controller name: the `controller` / `name` label of every metric, and the log field. */
  name: string;
  reconcile: ReconcileFn;
  /** Workers. Default 1. A key is never reconciled by two workers at once. */
  maxConcurrentReconciles?: number;
  /** Default: controller-runtime's (5 ms .. 1000 s per key, 10 qps / burst 100 overall). */
  rateLimiter?: RateLimiter;
  /** Requeue every primary object this often (jittered by up to 10%); 0 disables. Default 10 h. */
  resyncPeriodMs?: number;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  clock?: Clock;
}

/**
 * A controller in controller-runtime's sense: event sources map objects to keys, a
 * rate-limited queue de-duplicates them, N workers reconcile, and the outcome decides the
 * requeue:
 *
 * | outcome                                    | queue                         | result label  |
 * | ------------------------------------------ | ----------------------------- | ------------- |
 * | resolves, no requeue                       | forget                        | success       |
 * | resolves `{ requeueAfter: ms }`            | forget, addAfter(ms)          | requeue_after |
 * | resolves `{ requeue: true }`               | addRateLimited                | requeue       |
 * | throws PhoenixError kind `conflict`        | addRateLimited (debug log)    | error         |
 * | throws kind `terminal`                     | forget, no requeue (error log)| error         |
 * | throws anything else (transient, unknown)  | addRateLimited (error log)    | error         |
 *
 * Terminal errors also count in controller_runtime_terminal_reconcile_errors_total.
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly opts: ControllerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly sources: Informer[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private primary: Informer | undefined;
  private readonly stopController = new AbortController();
  private workers: Promise<void>[] = [];
  private resyncTimer: TimerHandle | undefined;
  private started = false;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.opts = options;
    this.clock = options.clock ?? systemClock();
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ controller: options.name });
    this.queue = new WorkQueue({
      name: options.name,
      clock: this.clock,
      ...(options.rateLimiter === undefined ? {} : { rateLimiter: options.rateLimiter }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    });
  }

  /** The primary kind ("For"): its own key; updates filtered by `predicate` (default: spec or metadata changed). */
  watchPrimary<T extends KubeObject>(informer: Informer<T>, predicate?: UpdatePredicate<T>): this {
    this.primary = informer;
    return this.watch(informer, mapToSelf, predicate ?? specOrMetadataChanged);
  }

  /** An owned kind ("Owns"): events map to the controlling owner of kind `owner`; status changes pass. */
  watchOwned<T extends KubeObject>(informer: Informer<T>, owner: GroupVersionKind): this {
    return this.watch(informer, mapToControllerOwner(owner), resourceVersionChanged);
  }

  /** Any kind ("Watches"): `map` turns an object into the keys to reconcile. */
  watch<T extends KubeObject>(
    informer: Informer<T>,
    map: (obj: T) => string[],
    predicate: UpdatePredicate<T> = resourceVersionChanged,
  ): this {
    const enqueue = (obj: T): void => {
      for (const key of map(obj)) this.queue.add(key);
    };
    this.sources.push(informer);
    const off = informer.addHandlers({
      onAdd: enqueue,
      onDelete: enqueue,
      onUpdate: (oldObj, newObj) => {
        if (!predicate(oldObj, newObj)) return;
        // A change can move an object from one owner to another: both must hear of it.
        enqueue(oldObj);
        enqueue(newObj);
      },
    });
    this.unsubscribe.push(off);
    return this;
  }

  /** The informers this controller reads; the manager syncs them before `start`. */
  informers(): readonly Informer[] {
    return this.sources;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Queues every object of the primary kind (what the periodic resync does). */
  enqueueAll(): void {
    for (const key of this.primary?.keys() ?? []) this.queue.add(key);
  }

  /** Starts the workers. Call after the informers have synced. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const n = Math.max(1, this.opts.maxConcurrentReconciles ?? 1);
    this.opts.metrics?.maxConcurrentReconciles.set({ controller: this.name }, n);
    this.opts.metrics?.activeWorkers.set({ controller: this.name }, 0);
    this.initMetrics();
    this.workers = Array.from({ length: n }, () => this.worker());
    this.scheduleResync();
    this.log.info({ workers: n }, 'controller started');
  }

  /** Stops taking keys, waits up to `timeoutMs` for in-flight reconciles, then aborts them. */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.resyncTimer !== undefined) this.clock.clearTimeout(this.resyncTimer);
    const drained = await this.queue.shutdownWithDrain(timeoutMs);
    this.stopController.abort();
    await Promise.all(this.workers);
    this.log.info({ drained }, 'controller stopped');
    return drained;
  }

  /** Series exist from the start (as in controller-runtime), so rate() and alerts see zeros, not gaps. */
  private initMetrics(): void {
    const m = this.opts.metrics;
    if (m === undefined) return;
    const controller = this.name;
    for (const result of ['success', 'error', 'requeue', 'requeue_after'])
      m.reconcileTotal.inc({ controller, result }, 0);
    m.reconcileErrors.inc({ controller }, 0);
    m.terminalReconcileErrors.inc({ controller }, 0);
    m.reconcileTime.zero({ controller });
  }

  private scheduleResync(): void {
    const period = this.opts.resyncPeriodMs ?? 10 * 3600_000;
    if (period <= 0) return;
    this.resyncTimer = this.clock.setTimeout(
      () => {
        this.enqueueAll();
        this.scheduleResync();
      },
      jitter(period, 0.1),
    );
    this.resyncTimer.unref?.();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.opts.metrics?.activeWorkers.inc({ controller: this.name });
      try {
        await this.reconcileKey(key);
      } finally {
        this.opts.metrics?.activeWorkers.dec({ controller: this.name });
        this.queue.done(key);
      }
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const logger = this.log.child({ namespace, name });
    const retries = this.queue.numRequeues(key);
    const started = this.clock.now();
    let result: ReconcileResult;
    try {
      result = await this.opts.reconcile(
        { key, namespace, name },
        { logger, signal: this.stopController.signal, retries },
      );
    } catch (err) {
      this.onError(key, err, logger);
      return;
    } finally {
      this.opts.metrics?.reconcileTime.observe(
        { controller: this.name },
        (this.clock.now() - started) / 1000,
      );
    }
    this.onResult(key, result);
  }

  private onResult(key: string, result: ReconcileResult): void {
    const after = result?.requeueAfter ?? 0;
    if (after > 0) {
      this.queue.forget(key);
      this.queue.addAfter(key, after);
      this.count('requeue_after');
    } else if (result?.requeue === true) {
      this.queue.addRateLimited(key);
      this.count('requeue');
    } else {
      this.queue.forget(key);
      this.count('success');
    }
  }

  private onError(key: string, err: unknown, logger: Logger): void {
    this.count('error');
    this.opts.metrics?.reconcileErrors.inc({ controller: this.name });
    const kind = err instanceof PhoenixError ? err.kind : 'transient';
    if (kind === 'terminal') {
      this.opts.metrics?.terminalReconcileErrors.inc({ controller: this.name });
      this.queue.forget(key);
      logger.error({ err }, 'reconcile failed (terminal, not retried)');
      return;
    }
    this.queue.addRateLimited(key);
    if (kind === 'conflict') logger.debug({ err }, 'reconcile conflict, retrying');
    else logger.error({ err, retries: this.queue.numRequeues(key) }, 'reconcile failed, retrying');
  }

  private count(result: string): void {
    this.opts.metrics?.reconcileTotal.inc({ controller: this.name, result });
  }
}
