import { describe, expect, it } from 'vitest';
import { milestoneLines, updateMilestones, type Milestones } from '../../../../src/local/demo/progress.ts';
import { onceVerdict } from '../../../../src/local/demo/session.ts';
import type { MarketRow } from '../../../../src/local/demo/table.ts';

function row(name: string, over: Partial<MarketRow> = {}): MarketRow {
  return {
    name,
    zipCodes: ['85281'],
    readyReplicas: 2,
    desiredReplicas: 2,
    ready: 'True',
    readyReason: 'Available',
    collection: 'Succeeded',
    collectionDone: true,
    propertiesStored: 10,
    zipProgress: '1/1',
    ...over,
  };
}

describe('phoenix demo --once', () => {
  it('succeeds when every market is Ready with a finished collection', () => {
    expect(onceVerdict({ rows: [row('a'), row('b')], stacks: [] }, 2)).toEqual({
      code: 0,
      message: 'all 2 markets Ready with a finished collection',
    });
  });

  it('fails when a collection failed, naming the market', () => {
    const rows = [row('a'), row('b', { collection: 'Failed' })];
    expect(onceVerdict({ rows, stacks: [] }, 2)).toEqual({ code: 1, message: 'collection failed for b' });
  });

  it('fails when it stopped short (a market missing, not ready, or nothing read)', () => {
    expect(onceVerdict({ rows: [row('a')], stacks: [] }, 2).code).toBe(1);
    expect(onceVerdict({ rows: [row('a', { ready: 'False' })], stacks: [] }, 1).code).toBe(1);
    expect(onceVerdict(undefined, 1).code).toBe(1);
  });

  it('records when each milestone is first reached and keeps it', () => {
    const m: Milestones = {};
    updateMilestones(m, [row('a', { ready: 'False', collectionDone: false })], 1, 1000);
    expect(m).toEqual({});
    updateMilestones(m, [row('a', { collectionDone: false })], 1, 2000);
    updateMilestones(m, [row('a')], 2, 3000);
    updateMilestones(m, [row('a'), row('b')], 2, 4000);
    updateMilestones(m, [row('a'), row('b')], 2, 5000);
    expect(m).toEqual({ allReady: 2000, firstCollection: 3000, allCollected: 4000 });
    expect(milestoneLines(m)).toEqual([
      'all markets Ready: 2.0 s after start',
      'first collection finished: 3.0 s after start',
      'every market collected: 4.0 s after start',
    ]);
    expect(milestoneLines({})[0]).toBe('all markets Ready: not reached');
  });
});
