import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { KubeClient } from '../kube/client.ts';
import { isKubeError } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { systemClock, type Clock } from './clock.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: KubeClient;
  /** `source.component` / `reportingComponent`, e.g. phoenix-operator. */
  component: string;
  /** `reportingInstance`, e.g. the pod name. */
  instance?: string;
  /** Repeats of the same event within this window update one Event's count. Default 10 min. */
  aggregateWindowMs?: number;
  /** Per involved object: events allowed in a burst. Default 25 (client-go). */
  burst?: number;
  /** Per involved object: one more event allowed every this many ms. Default 5 min (client-go). */
  refillMs?: number;
  /** Bound on the aggregation and rate-limit caches. Default 4096 entries each. */
  cacheSize?: number;
  logger?: Logger;
  clock?: Clock;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Records core/v1 Events about objects, as client-go's EventRecorder does: an event equal to
 * a recent one (same object, type, reason and message) increments that Event's `count`
 * instead of creating another; each involved object has a token bucket (25, then one per
 * 5 min) so a hot reconcile loop cannot flood the API server. Recording never blocks and
 * never throws: failures are logged. `flush()` waits for the writes in flight.
 */
export class EventRecorder {
  private readonly opts: EventRecorderOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly pending = new Set<Promise<void>>();
  /** Events dropped by the rate limit (for tests and logs). */
  dropped = 0;

  constructor(options: EventRecorderOptions) {
    this.opts = options;
    this.clock = options.clock ?? systemClock();
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'event-recorder' });
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const uid = obj.metadata?.uid ?? `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (!this.allow(uid)) {
      this.dropped += 1;
      return;
    }
    const p = this.write(obj, { uid, type, reason, message: message.slice(0, 1024) }).catch(
      (err: unknown) => {
        this.log.warn({ err, reason }, 'could not record event');
      },
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private allow(uid: string): boolean {
    const burst = this.opts.burst ?? 25;
    const refill = this.opts.refillMs ?? 300_000;
    const now = this.clock.now();
    const b = this.buckets.get(uid) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) / refill);
    b.at = now;
    this.remember(this.buckets, uid, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private async write(
    obj: KubeObject,
    e: { uid: string; type: EventType; reason: string; message: string },
  ): Promise<void> {
    const now = this.clock.now();
    const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const aggKey = `${e.uid}\u0000${e.type}\u0000${e.reason}\u0000${e.message}`;
    const prior = this.seen.get(aggKey);
    const window = this.opts.aggregateWindowMs ?? 600_000;
    if (prior !== undefined && now - prior.lastMs < window) {
      prior.count += 1;
      prior.lastMs = now;
      const ref = { apiVersion: 'v1', kind: 'Event', namespace: prior.namespace, name: prior.name };
      try {
        await this.opts.client.mergePatch(ref, { count: prior.count, lastTimestamp: stamp });
        return;
      } catch (err) {
        if (!isKubeError(err, 'KUBE_NOT_FOUND')) throw err;
      }
    }
    const namespace = obj.metadata?.namespace ?? 'default';
    // Object names may be 253 characters; leave room for the suffix.
    const base = (obj.metadata?.name ?? 'object').slice(0, 200);
    const name = `${base}.${now.toString(16)}${randomBytes(2).toString('hex')}`;
    this.remember(this.seen, aggKey, { name, namespace, count: 1, firstTimestamp: stamp, lastMs: now });
    await this.opts.client.create(this.eventBody(obj, { ...e, name, namespace, stamp }));
  }

  private eventBody(
    obj: KubeObject,
    e: { type: EventType; reason: string; message: string; name: string; namespace: string; stamp: string },
  ): KubeObject {
    const instance = this.opts.instance ?? process.env.POD_NAME ?? 'phoenix-operator';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: e.name, namespace: e.namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata?.name,
        namespace: obj.metadata?.namespace,
        uid: obj.metadata?.uid,
        resourceVersion: obj.metadata?.resourceVersion,
      },
      type: e.type,
      reason: e.reason,
      message: e.message,
      source: { component: this.opts.component },
      reportingComponent: this.opts.component,
      reportingInstance: instance,
      firstTimestamp: e.stamp,
      lastTimestamp: e.stamp,
      count: 1,
    };
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    const max = this.opts.cacheSize ?? 4096;
    if (map.size > max) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }
}
