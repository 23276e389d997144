import type { FieldError, MarketPhase, PhoenixMarketStatus } from '../../api/index.ts';
import { formatFieldErrors } from '../../api/index.ts';
import { conditionsFrom, no, yes, type Verdict } from './conditions.ts';

/** What the reconciler observed, for the pure status computation. */
export interface MarketObservation {
  /** The raw object from the cache (may be invalid). */
  market: { metadata?: { generation?: number }; spec?: { zipCodes?: unknown }; status?: PhoenixMarketStatus };
  parseErrors?: readonly FieldError[];
  paused?: boolean;
  deployment?: DeploymentLike;
  /** Replicas the operator asked for (undefined when an autoscaler decides). */
  desiredReplicas?: number | undefined;
  /**
   * The autoscaler's minReplicas: a Deployment created below it (the autoscaler raises it on its
   * first sync) is not yet rolled out.
   */
  minReplicas?: number | undefined;
  selector?: string;
  /** A child could not be applied (message), e.g. a webhook or quota refused it. */
  applyError?: string;
  now: string;
}

export interface DeploymentLike {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

interface Rollout {
  ready: boolean;
  failed: string | undefined;
  desired: number;
  readyReplicas: number;
}

type DeploymentStatus = NonNullable<DeploymentLike['status']>;

function rolloutFailure(s: DeploymentStatus): string | undefined {
  const failure = s.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) return failure.message ?? 'replica failure';
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  return progressing?.status === 'False' ? (progressing.message ?? 'rollout stalled') : undefined;
}

function rolledOut(d: DeploymentLike, desired: number): boolean {
  const s = d.status ?? {};
  const counts = [s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.replicas].map((n) => n ?? 0);
  const current = (s.observedGeneration ?? -1) >= (d.metadata?.generation ?? 0);
  return current && counts.every((n) => n === desired);
}

function rolloutOf(d: DeploymentLike | undefined, minReplicas = 0): Rollout {
  const desired = Math.max(d?.spec?.replicas ?? 0, minReplicas);
  const status = d?.status ?? {};
  return {
    ready: d !== undefined && rolledOut(d, desired),
    failed: rolloutFailure(status),
    desired,
    readyReplicas: status.readyReplicas ?? 0,
  };
}

function verdicts(o: MarketObservation): {
  ready: Verdict;
  progressing: Verdict;
  degraded: Verdict;
  phase: MarketPhase;
} {
  if (o.parseErrors && o.parseErrors.length > 0) {
    const msg = formatFieldErrors(o.parseErrors);
    return {
      ready: no('InvalidSpec', msg),
      progressing: no('InvalidSpec', msg),
      degraded: yes('InvalidSpec', msg),
      phase: 'Invalid',
    };
  }
  if (o.paused === true) {
    const msg = 'spec.paused is true: the operator leaves the collector as it is';
    return {
      ready: no('Paused', msg),
      progressing: no('Paused', msg),
      degraded: no('Paused', msg),
      phase: 'Paused',
    };
  }
  if (o.applyError !== undefined) {
    return {
      ready: no('ApplyFailed', o.applyError),
      progressing: no('ApplyFailed', o.applyError),
      degraded: yes('ApplyFailed', o.applyError),
      phase: 'Degraded',
    };
  }
  const r = rolloutOf(o.deployment, o.minReplicas);
  const counts = `${r.readyReplicas}/${r.desired} collector replicas ready`;
  if (r.failed !== undefined) {
    return {
      ready: no('RolloutFailed', r.failed),
      progressing: no('RolloutFailed', r.failed),
      degraded: yes('RolloutFailed', r.failed),
      phase: 'Degraded',
    };
  }
  if (r.ready) {
    return {
      ready: yes('CollectorsReady', counts),
      progressing: no('RolloutComplete', counts),
      degraded: no('CollectorsReady', counts),
      phase: 'Ready',
    };
  }
  return {
    ready: no('CollectorsNotReady', counts),
    progressing: yes('RollingOut', counts),
    degraded: no('RollingOut', counts),
    phase: 'Progressing',
  };
}

function zipCount(zips: unknown): number | undefined {
  return Array.isArray(zips) ? zips.length : undefined;
}

/**
 * The status the operator writes (everything but `lastCollection`, which the collector owns).
 * Pure: the clock comes in as `now`; unchanged conditions keep their lastTransitionTime.
 */
export function computeMarketStatus(o: MarketObservation): PhoenixMarketStatus {
  const generation = o.market.metadata?.generation;
  const v = verdicts(o);
  const conditions = conditionsFrom(
    [
      ['Ready', v.ready],
      ['Progressing', v.progressing],
      ['Degraded', v.degraded],
    ],
    o.market.status?.conditions ?? [],
    generation,
    o.now,
  );
  const zips = zipCount(o.market.spec?.zipCodes);
  const replicas = o.deployment?.status?.replicas ?? o.desiredReplicas;
  return {
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    phase: v.phase,
    conditions,
    ...(replicas === undefined ? {} : { replicas }),
    readyReplicas: o.deployment?.status?.readyReplicas ?? 0,
    ...(o.selector === undefined ? {} : { selector: o.selector }),
    ...(zips === undefined ? {} : { zipCodeCount: zips }),
  };
}

/** The operator-owned part of a status, for comparing before writing. */
export function operatorOwnedStatus(status: PhoenixMarketStatus | undefined): PhoenixMarketStatus {
  const { lastCollection: _ignored, ...rest } = status ?? {};
  return rest;
}
