import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { KubeClient } from '../kube/client.ts';
import { isKubeError } from '../kube/errors.ts';
import type { KubeObject } from '../kube/types.ts';
import { sleep, jitter, systemClock, type Clock } from './clock.ts';
import type { RuntimeMetrics } from './metrics.ts';

const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  /** Lease name; also the `name` label of leader_election_master_status. */
  name: string;
  /** Default: $POD_NAME (or the host name) plus a random suffix, so restarts are new holders. */
  identity?: string;
  /** How long a lease stays valid without renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Pause between attempts. Default 2 s. */
  retryPeriodMs?: number;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  clock?: Clock;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease extends KubeObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** Read through a call: the flag changes across awaits, which narrowing cannot see. */
function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** MicroTime wants six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function defaultIdentity(): string {
  const base = process.env.POD_NAME ?? process.env.HOSTNAME ?? 'phoenix-operator';
  return `${base}_${randomBytes(4).toString('hex')}`;
}

/**
 * Lease-based leader election (coordination.k8s.io/v1), after client-go's leaderelection:
 *
 * - a candidate takes the lease when it is free, released (empty holder) or expired, where
 *   "expired" is judged on the local clock from when this candidate last saw the record
 *   change (no trust in other nodes' clocks);
 * - writes use the lease's resourceVersion, so two candidates cannot both win a round;
 * - the leader renews every retry period; if it cannot renew for `renewDeadlineMs` it has
 *   lost and `run` resolves 'lost' (the caller should exit: controllers may still believe
 *   they lead);
 * - `release()` empties the holder with a 1 s duration, so a successor takes over at once.
 */
export class LeaderElector {
  readonly identity: string;
  private readonly opts: LeaderElectionOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  /** True from a successful acquire until release or loss: release() only touches a lease we took. */
  private held = false;

  constructor(options: LeaderElectionOptions) {
    this.opts = options;
    this.identity = options.identity ?? defaultIdentity();
    this.clock = options.clock ?? systemClock();
    this.log = (options.logger ?? pino({ level: 'silent' })).child({
      lease: options.name,
      identity: this.identity,
    });
    this.setStatus(false);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until elected, calls `onStartedLeading`, then renews until leadership is lost
   * ('lost') or `signal` aborts ('stopped'). Never throws for API errors: it keeps trying.
   */
  async run(signal: AbortSignal, onStartedLeading: () => void): Promise<'lost' | 'stopped'> {
    const retry = this.opts.retryPeriodMs ?? 2000;
    while (!signal.aborted && !(await this.tryAcquireOrRenew(signal))) {
      await sleep(this.clock, jitter(retry, 1.2), signal);
    }
    if (signal.aborted) return 'stopped';
    this.held = true;
    this.log.info('became leader');
    this.setStatus(true);
    onStartedLeading();
    const outcome = await this.renewLoop(signal);
    this.setStatus(false);
    if (outcome === 'lost') {
      this.held = false;
      this.log.error('lost leadership');
    }
    return outcome;
  }

  /** Gives the lease up if we hold it, so a successor need not wait for it to expire. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.setStatus(false);
    try {
      const lease = await this.getLease();
      if (lease?.spec?.holderIdentity !== this.identity) return;
      const now = microTime(this.clock.now());
      await this.opts.client.replace({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: now,
          acquireTime: now,
        },
      });
      this.log.info('released lease');
    } catch (err) {
      this.log.warn({ err }, 'could not release lease; it will expire');
    }
  }

  private async renewLoop(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    const retry = this.opts.retryPeriodMs ?? 2000;
    const deadline = this.opts.renewDeadlineMs ?? 10_000;
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await sleep(this.clock, retry, signal);
      if (aborted(signal)) break;
      if (await this.tryAcquireOrRenew(signal)) {
        lastRenew = this.clock.now();
      } else if (this.clock.now() - lastRenew >= deadline || this.heldByOther()) {
        return 'lost';
      }
    }
    return 'stopped';
  }

  private heldByOther(): boolean {
    if (this.observed === undefined) return false;
    const holder = (JSON.parse(this.observed.record) as LeaseSpec).holderIdentity ?? '';
    return holder !== '' && holder !== this.identity;
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    try {
      const lease = await this.getLease(signal);
      if (lease === undefined) return await this.create(now);
      const spec = lease.spec ?? {};
      this.observe(spec, now);
      if (!this.mayTake(spec, now)) return false;
      const next = this.nextSpec(spec, now);
      const updated = await this.opts.client.replace<Lease>({ ...lease, spec: next }, { signal });
      this.observe(updated.spec ?? next, now);
      return true;
    } catch (err) {
      if (!isKubeError(err, 'KUBE_CONFLICT')) this.log.warn({ err }, 'lease request failed');
      return false;
    }
  }

  /** Free, released, ours, or expired by our own clock since we last saw it change. */
  private mayTake(spec: LeaseSpec, now: number): boolean {
    const holder = spec.holderIdentity ?? '';
    if (holder === '' || holder === this.identity) return true;
    const expiresAt = (this.observed?.at ?? now) + (spec.leaseDurationSeconds ?? 0) * 1000;
    return expiresAt <= now;
  }

  private nextSpec(spec: LeaseSpec, now: number): LeaseSpec {
    const renewing = spec.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseSeconds(),
      renewTime: microTime(now),
      acquireTime: renewing && spec.acquireTime !== undefined ? spec.acquireTime : microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing ? 0 : 1),
    };
  }

  private leaseSeconds(): number {
    return Math.ceil((this.opts.leaseDurationMs ?? 15_000) / 1000);
  }

  private async create(now: number): Promise<boolean> {
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseSeconds(),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    await this.opts.client.create({
      ...LEASE,
      metadata: { name: this.opts.name, namespace: this.opts.namespace },
      spec,
    });
    this.observe(spec, now);
    return true;
  }

  /** Remembers when the record last changed, on our own clock. */
  private observe(spec: LeaseSpec, now: number): void {
    const record = JSON.stringify(spec);
    if (this.observed?.record !== record) this.observed = { record, at: now };
  }

  private getLease(signal?: AbortSignal): Promise<Lease | undefined> {
    const ref = { ...LEASE, namespace: this.opts.namespace, name: this.opts.name };
    return this.opts.client.getOrUndefined<Lease>(ref, signal);
  }

  private setStatus(leading: boolean): void {
    this.leading = leading;
    this.opts.metrics?.leaderStatus.set({ name: this.opts.name }, leading ? 1 : 0);
  }
}
