import { describe, expect, it } from 'vitest';
import {
  computeMarketStatus,
  type MarketObservation,
} from '../../../src/operator/reconcilers/market-status.ts';

const now = '2026-11-22T10:00:00Z';
const market: MarketObservation['market'] = {
  metadata: { generation: 3 },
  spec: { zipCodes: ['85001', '85002'] },
};

function deployment(ready: number, desired = 2, extra: Record<string, unknown> = {}) {
  return {
    metadata: { generation: 5 },
    spec: { replicas: desired },
    status: {
      observedGeneration: 5,
      replicas: desired,
      updatedReplicas: desired,
      readyReplicas: ready,
      availableReplicas: ready,
      ...extra,
    },
  };
}

const cond = (s: ReturnType<typeof computeMarketStatus>, type: string) =>
  s.conditions?.find((c) => c.type === type);

describe('market status', () => {
  it('is Ready when every desired replica is updated, ready and available', () => {
    const s = computeMarketStatus({ market, deployment: deployment(2), now, selector: 'a=b' });
    expect(s).toMatchObject({
      observedGeneration: 3,
      phase: 'Ready',
      replicas: 2,
      readyReplicas: 2,
      zipCodeCount: 2,
      selector: 'a=b',
    });
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'CollectorsReady',
      observedGeneration: 3,
    });
    expect(cond(s, 'Progressing')?.status).toBe('False');
    expect(cond(s, 'Degraded')?.status).toBe('False');
  });

  it('is Progressing while a rollout is under way', () => {
    const s = computeMarketStatus({ market, deployment: deployment(1), now });
    expect(s.phase).toBe('Progressing');
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'CollectorsNotReady',
      message: '1/2 collector replicas ready',
    });
    expect(cond(s, 'Progressing')?.status).toBe('True');
  });

  it('is not Ready while the Deployment controller has not seen the latest spec', () => {
    const stale = { ...deployment(2), metadata: { generation: 6 } };
    expect(computeMarketStatus({ market, deployment: stale, now }).phase).toBe('Progressing');
  });

  it('is Degraded when the rollout stalls', () => {
    const stalled = deployment(0, 2, {
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'deadline exceeded',
        },
      ],
    });
    const s = computeMarketStatus({ market, deployment: stalled, now });
    expect(s.phase).toBe('Degraded');
    expect(cond(s, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'RolloutFailed',
      message: 'deadline exceeded',
    });
  });

  it('reports an invalid spec with the field path', () => {
    const s = computeMarketStatus({
      market,
      parseErrors: [{ path: 'spec.schedule', message: 'is not a valid cron expression', code: 'custom' }],
      now,
    });
    expect(s.phase).toBe('Invalid');
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cond(s, 'Ready')?.message).toContain('spec.schedule');
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = computeMarketStatus({ market, deployment: deployment(2), now });
    const later = computeMarketStatus({
      market: { ...market, status: first },
      deployment: deployment(2),
      now: '2026-11-22T11:00:00Z',
    });
    expect(cond(later, 'Ready')?.lastTransitionTime).toBe(now);
    const changed = computeMarketStatus({
      market: { ...market, status: first },
      deployment: deployment(1),
      now: '2026-11-22T11:00:00Z',
    });
    expect(cond(changed, 'Ready')?.lastTransitionTime).toBe('2026-11-22T11:00:00Z');
  });

  it('says Paused and leaves the rest alone', () => {
    const s = computeMarketStatus({ market, paused: true, now });
    expect(s.phase).toBe('Paused');
    expect(cond(s, 'Ready')?.reason).toBe('Paused');
  });

  it('is not Ready below the autoscaler minimum, and Ready once the autoscaler has raised it', () => {
    const before = computeMarketStatus({ market, deployment: deployment(1, 1), minReplicas: 3, now });
    expect(cond(before, 'Ready')).toMatchObject({ status: 'False', reason: 'CollectorsNotReady' });
    expect(cond(before, 'Ready')?.message).toBe('1/3 collector replicas ready');
    const after = computeMarketStatus({ market, deployment: deployment(3, 3), minReplicas: 3, now });
    expect(cond(after, 'Ready')?.status).toBe('True');
    const above = computeMarketStatus({ market, deployment: deployment(5, 5), minReplicas: 3, now });
    expect(cond(above, 'Ready')?.status).toBe('True');
  });
});
