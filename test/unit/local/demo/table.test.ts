import { describe, expect, it } from 'vitest';
import {
  allDone,
  formatColumns,
  marketRow,
  progressLine,
  renderTable,
  stackLines,
  zipSummary,
  type MarketLike,
} from '../../../../src/local/demo/table.ts';

const zips = ['85250', '85251', '85254', '85255'];

function market(name: string, status: MarketLike['status'] = {}): MarketLike {
  return { metadata: { name }, spec: { zipCodes: zips, collector: { replicas: 2 } }, status };
}

const ready = { type: 'Ready', status: 'True', reason: 'Available' };
const done = {
  outcome: 'Succeeded',
  startTime: '2026-01-01T00:00:00Z',
  completionTime: '2026-01-01T00:00:30Z',
  propertiesStored: 40,
  zipCodesTotal: 4,
  zipCodesCompleted: 4,
};

describe('phoenix demo table', () => {
  it('reads a market without status as not ready, with the spec replicas as desired', () => {
    const row = marketRow(market('scottsdale'));
    expect(row).toMatchObject({
      ready: '-',
      readyReplicas: 0,
      desiredReplicas: 2,
      collection: '-',
      collectionDone: false,
    });
    expect(progressLine(row)).toBe('scottsdale: Ready=-, replicas 0/2, collection not started');
  });

  it('reads readiness, replicas and the last collection from the status', () => {
    const row = marketRow(
      market('scottsdale', { replicas: 2, readyReplicas: 2, conditions: [ready], lastCollection: done }),
    );
    expect(row).toMatchObject({
      ready: 'True',
      collection: 'Succeeded',
      collectionDone: true,
      propertiesStored: 40,
    });
    expect(progressLine(row)).toBe(
      'scottsdale: Ready=True (Available), replicas 2/2, collection Succeeded (zip codes 4/4), 40 properties stored',
    );
  });

  it('a running collection is not done', () => {
    const running = { outcome: 'Running', startTime: '2026-01-01T00:00:00Z', zipCodesTotal: 4 };
    const row = marketRow(market('tempe', { conditions: [ready], lastCollection: running }));
    expect(row.collectionDone).toBe(false);
    expect(row.zipProgress).toBe('0/4');
  });

  it('is all done only when every expected market is Ready with a finished collection', () => {
    const a = marketRow(market('a', { conditions: [ready], lastCollection: done }));
    const notReady = marketRow(
      market('b', { conditions: [{ ...ready, status: 'False' }], lastCollection: done }),
    );
    const notCollected = marketRow(market('c', { conditions: [ready] }));
    expect(allDone([a], 1)).toBe(true);
    expect(allDone([a], 2)).toBe(false);
    expect(allDone([a, notReady], 2)).toBe(false);
    expect(allDone([a, notCollected], 2)).toBe(false);
  });

  it('shortens long zip code lists', () => {
    expect(zipSummary(['85001', '85002'])).toBe('85001,85002');
    expect(zipSummary(zips)).toBe('85250,85251,85254 +1');
  });

  it('aligns columns and does not pad the last one', () => {
    expect(
      formatColumns([
        ['a', 'bb', 'c'],
        ['ccc', 'd', 'e'],
      ]),
    ).toEqual(['a    bb  c', 'ccc  d   e']);
  });

  it('renders the table with a header, a row per market and the MonitoringStack conditions', () => {
    const rows = [
      marketRow(
        market('scottsdale', { replicas: 2, readyReplicas: 1, conditions: [ready], lastCollection: done }),
      ),
    ];
    const stack = {
      metadata: { name: 'phoenix-metro' },
      status: { conditions: [{ type: 'PrerequisitesMissing', status: 'True', reason: 'CRDsMissing' }] },
    };
    expect(renderTable(rows, [stack]).split('\n')).toEqual([
      'MARKET      ZIP CODES                REPLICAS  READY             LAST COLLECTION            STORED',
      'scottsdale  4: 85250,85251,85254 +1  1/2       True (Available)  Succeeded (zip codes 4/4)  40',
      '',
      'MonitoringStack phoenix-metro: PrerequisitesMissing=True (CRDsMissing)',
    ]);
  });

  it('says when there is no MonitoringStack or no status yet', () => {
    expect(stackLines([])).toEqual(['MonitoringStack: none']);
    expect(stackLines([{ metadata: { name: 'm' } }])).toEqual(['MonitoringStack m: no status yet']);
  });
});
