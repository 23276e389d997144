import { pino, type Logger } from 'pino';
import { isKubeError, KubeError } from '../kube/errors.ts';
import type { KubeClient } from '../kube/client.ts';
import { objectKey, type GroupVersionKind, type KubeObject, type WatchEvent } from '../kube/types.ts';
import { sleep, systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { RuntimeMetrics } from './metrics.ts';

export interface InformerHandlers<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  client: KubeClient;
  gvk: GroupVersionKind;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size. Default 500. */
  pageSize?: number;
  /** Restart a watch that delivered no event or bookmark for this long. Default 5 min. */
  watchdogMs?: number;
  /** Full relist (diffed against the cache) this often; 0 disables. Default 15 min. */
  relistIntervalMs?: number;
  /** Server-side watch timeout; the stream ends cleanly and is re-opened. Default 240..290 s. */
  watchTimeoutSeconds?: number;
  /** Reconnect backoff: doubles from initialMs (800 ms) up to maxMs (30 s), jittered. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Applied to every object before it is cached. Default: drop metadata.managedFields. */
  transform?: (obj: KubeObject) => KubeObject;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  clock?: Clock;
  random?: () => number;
}

/** Drops managedFields: often half an object's size and never needed by a reconciler. */
export function stripManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

class RelistRequested extends Error {}

/**
 * A list+watch cache of one kind (per namespace and selector) that does not go silent:
 *
 * - lists in pages, then watches from the list's resourceVersion with bookmarks;
 * - 410 Gone (or an expired continue token) means relist; any other error or an early end of
 *   the stream means re-watch from the last resourceVersion after a jittered exponential
 *   backoff (800 ms .. 30 s);
 * - a watchdog aborts a watch that delivered nothing for `watchdogMs`;
 * - a periodic relist diffs the server's state against the cache and emits the adds, updates
 *   and deletes that were missed;
 * - `hasSynced()` turns true after the first complete list has been delivered to handlers.
 *
 * Handlers run synchronously in event order and should only enqueue keys. Cached objects are
 * shared: never mutate them.
 */
export class Informer<T extends KubeObject = KubeObject> {
  readonly gvk: GroupVersionKind;
  private readonly opts: InformerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly store = new Map<string, T>();
  private readonly handlers = new Set<InformerHandlers<T>>();
  private readonly stopController = new AbortController();
  private watchController: AbortController | undefined;
  private watchdog: TimerHandle | undefined;
  private relistTimer: TimerHandle | undefined;
  private resourceVersion = '';
  private consecutiveGone = 0;
  private relistPending = false;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;

  constructor(options: InformerOptions) {
    this.opts = options;
    this.gvk = options.gvk;
    this.clock = options.clock ?? systemClock();
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ informer: options.gvk.kind });
  }

  /** Adds handlers; if the cache has already synced, they first see an add for every cached object. */
  addHandlers(handlers: InformerHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (this.synced) for (const obj of this.store.values()) this.call(() => handlers.onAdd?.(obj));
    return () => this.handlers.delete(handlers);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.watchController?.abort();
    this.clearTimers();
    for (const resolve of this.syncWaiters.splice(0)) resolve();
    await this.running;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once synced (or when the informer stops). */
  waitForSync(): Promise<void> {
    if (this.synced || this.stopController.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  size(): number {
    return this.store.size;
  }

  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Ends the current watch and relists now (what the periodic relist does). */
  requestRelist(): void {
    // The flag survives a request that arrives while no watch is open (listing, backing off).
    this.relistPending = true;
    this.watchController?.abort(new RelistRequested('relist requested'));
  }

  private async run(): Promise<void> {
    const stop = this.stopController.signal;
    let needList = true;
    let failures = 0;
    while (!stop.aborted) {
      try {
        if (needList || this.relistPending) {
          this.relistPending = false;
          await this.listAll();
        }
        needList = false;
        const started = this.clock.now();
        await this.watchOnce();
        // A clean end after a useful stretch is the server-side timeout: re-watch at once.
        failures = this.clock.now() - started > 1000 ? 0 : failures + 1;
        this.restarted(failures > 0 ? 'closed-early' : 'closed');
      } catch (err) {
        if (this.stopped()) break;
        const outcome = this.classify(err);
        needList ||= outcome.relist;
        failures = outcome.backoff ? failures + 1 : 0;
      }
      if (failures > 0) await sleep(this.clock, this.backoffMs(failures), stop);
    }
  }

  /** A method, not `signal.aborted` inline: the flag changes across awaits. */
  private stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private classify(err: unknown): { relist: boolean; backoff: boolean } {
    if (err instanceof RelistRequested) {
      this.restarted('relist');
      return { relist: true, backoff: false };
    }
    if (isKubeError(err, 'KUBE_GONE')) {
      this.log.info({ resourceVersion: this.resourceVersion }, 'resourceVersion expired (410): relisting');
      this.restarted('gone');
      // A fresh list that is "gone" again at once must not spin: back off from the second in a row.
      this.consecutiveGone += 1;
      return { relist: true, backoff: this.consecutiveGone > 1 };
    }
    this.consecutiveGone = 0;
    const stalled = isKubeError(err, 'KUBE_WATCH_STALLED');
    this.restarted(stalled ? 'stalled' : 'error');
    this.log.warn({ err }, stalled ? 'watch went silent: restarting' : 'list/watch failed: retrying');
    return { relist: false, backoff: true };
  }

  private restarted(reason: string): void {
    this.opts.metrics?.informerRestarts.inc({ kind: this.gvk.kind, reason });
  }

  private backoffMs(failures: number): number {
    const initial = this.opts.backoff?.initialMs ?? 800;
    const max = this.opts.backoff?.maxMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** (failures - 1));
    const random = this.opts.random ?? Math.random;
    return base / 2 + (random() * base) / 2;
  }

  /** Lists every page, then swaps the cache and emits the differences. */
  private async listAll(): Promise<void> {
    const fresh = new Map<string, T>();
    let resourceVersion = '';
    const pages = this.opts.client.listPages<T>(this.gvk, {
      ...this.selectors(),
      limit: this.opts.pageSize ?? 500,
      signal: this.stopController.signal,
    });
    for await (const page of pages) {
      for (const item of page.items) {
        // List items carry no apiVersion/kind; cached objects always do.
        const obj = this.transform({ ...item, apiVersion: this.gvk.apiVersion, kind: this.gvk.kind });
        fresh.set(objectKey(obj), obj);
      }
      resourceVersion = page.resourceVersion;
    }
    this.replace(fresh);
    this.resourceVersion = resourceVersion;
    this.scheduleRelist();
    if (!this.synced) {
      this.synced = true;
      this.log.debug({ objects: fresh.size }, 'cache synced');
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private replace(fresh: Map<string, T>): void {
    const old = new Map(this.store);
    this.store.clear();
    for (const [key, obj] of fresh) this.store.set(key, obj);
    for (const [key, obj] of fresh) {
      const before = old.get(key);
      if (before === undefined) this.emit('ADDED', undefined, obj);
      else if (before.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        this.emit('MODIFIED', before, obj);
    }
    for (const [key, obj] of old) if (!fresh.has(key)) this.emit('DELETED', obj, obj);
  }

  private async watchOnce(): Promise<void> {
    const controller = new AbortController();
    this.watchController = controller;
    const signal = AbortSignal.any([controller.signal, this.stopController.signal]);
    this.armWatchdog(controller);
    try {
      await this.opts.client.watch(
        this.gvk,
        {
          ...this.selectors(),
          resourceVersion: this.resourceVersion,
          timeoutSeconds: this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 50),
          signal,
        },
        (event) => {
          this.armWatchdog(controller);
          this.onWatchEvent(event);
        },
      );
    } finally {
      if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
      this.watchdog = undefined;
    }
  }

  private onWatchEvent(event: WatchEvent): void {
    this.consecutiveGone = 0;
    const rv = event.object.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (rv !== undefined) this.resourceVersion = rv;
      return;
    }
    const obj = this.transform(event.object as T);
    const key = objectKey(obj);
    const before = this.store.get(key);
    if (event.type === 'DELETED') {
      this.store.delete(key);
      this.emit('DELETED', before ?? obj, obj);
    } else {
      this.store.set(key, obj);
      if (before === undefined) this.emit('ADDED', undefined, obj);
      // A re-delivered event (same resourceVersion) changes nothing: no handler call.
      else if (before.metadata?.resourceVersion !== rv) this.emit('MODIFIED', before, obj);
    }
    if (rv !== undefined) this.resourceVersion = rv;
  }

  private emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', before: T | undefined, obj: T): void {
    this.opts.metrics?.informerEvents.inc({ kind: this.gvk.kind, type });
    for (const h of this.handlers) {
      if (type === 'ADDED') this.call(() => h.onAdd?.(obj));
      else if (type === 'DELETED') this.call(() => h.onDelete?.(obj));
      else if (before !== undefined) this.call(() => h.onUpdate?.(before, obj));
    }
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'informer handler threw');
    }
  }

  private armWatchdog(controller: AbortController): void {
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    const ms = this.opts.watchdogMs ?? 300_000;
    this.watchdog = this.clock.setTimeout(() => {
      controller.abort(new KubeError('KUBE_WATCH_STALLED', `no watch event or bookmark for ${ms} ms`));
    }, ms);
  }

  private scheduleRelist(): void {
    const ms = this.opts.relistIntervalMs ?? 15 * 60_000;
    if (this.relistTimer !== undefined) this.clock.clearTimeout(this.relistTimer);
    this.relistTimer = undefined;
    if (ms <= 0) return;
    this.relistTimer = this.clock.setTimeout(() => {
      this.requestRelist();
    }, ms);
    this.relistTimer.unref?.();
  }

  private clearTimers(): void {
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    if (this.relistTimer !== undefined) this.clock.clearTimeout(this.relistTimer);
  }

  private selectors(): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    return {
      ...(namespace === undefined ? {} : { namespace }),
      ...(labelSelector === undefined ? {} : { labelSelector }),
      ...(fieldSelector === undefined ? {} : { fieldSelector }),
    };
  }

  private transform(obj: T): T {
    return (this.opts.transform ?? stripManagedFields)(obj) as T;
  }
}
