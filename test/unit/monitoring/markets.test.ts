import { describe, expect, it } from 'vitest';
import { monitoredMarkets } from '../../../src/monitoring/markets.ts';
import { sampleStack } from '../../fixtures/monitoring/stacks.ts';

const m = (name: string, opts: { ns?: string; metro?: string; paused?: boolean } = {}) => ({
  metadata: {
    name,
    namespace: opts.ns ?? 'phoenix',
    labels: { 'realestate.phoenix.io/metro': opts.metro ?? 'phoenix' },
  },
  spec: { paused: opts.paused ?? false },
});

describe('monitoredMarkets', () => {
  it('keeps selected, unpaused markets of the stack namespace, sorted and unique', () => {
    const markets = [
      m('tempe'),
      m('mesa'),
      m('mesa'),
      m('tucson', { metro: 'tucson' }),
      m('gilbert', { ns: 'other' }),
      m('peoria', { paused: true }),
    ];
    expect(monitoredMarkets(sampleStack(), markets)).toEqual(['mesa', 'tempe']);
  });

  it('is empty when nothing is selected', () => {
    expect(monitoredMarkets(sampleStack(), [m('tucson', { metro: 'tucson' })])).toEqual([]);
  });
});
