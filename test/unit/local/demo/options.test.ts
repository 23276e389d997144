import { describe, expect, it } from 'vitest';
import {
  DEMO_DEFAULTS,
  DemoOptionError,
  parseDemoArgs,
  selectMarkets,
} from '../../../../src/local/demo/options.ts';

describe('phoenix demo options', () => {
  it('defaults to three markets, running until stopped', () => {
    expect(parseDemoArgs([])).toEqual(DEMO_DEFAULTS);
    expect(DEMO_DEFAULTS).toMatchObject({ markets: 3, once: false });
  });

  it('reads numbers, all, and names, with a space or =', () => {
    expect(parseDemoArgs(['--markets', 'all']).markets).toBe('all');
    expect(parseDemoArgs(['--markets=2']).markets).toBe(2);
    expect(parseDemoArgs(['--markets', 'tempe,mesa']).markets).toEqual(['tempe', 'mesa']);
    expect(parseDemoArgs(['--parcels', '4', '--rps=7.5'])).toMatchObject({
      parcelsPerZip: 4,
      requestsPerSecond: 7.5,
    });
  });

  it('--timeout implies --once', () => {
    expect(parseDemoArgs(['--timeout', '90'])).toMatchObject({ once: true, timeoutSeconds: 90 });
    expect(parseDemoArgs(['--once'])).toMatchObject({ once: true, timeoutSeconds: 300 });
  });

  it.each([
    [['--markets', '0'], /--markets: must be a positive integer/],
    [['--markets', '1.5'], /--markets: a number, 'all' or market names/],
    [['--markets'], /--markets: a number, 'all' or market names/],
    [['--markets', 'Phoenix'], /--markets: a number, 'all' or market names/],
    [['--timeout', 'soon'], /--timeout: must be a positive number \(got 'soon'\)/],
    [['--parcels', '2.5'], /--parcels: must be a positive integer/],
    [['--rps', '-1'], /--rps: must be a positive number/],
    [['--fast'], /unknown option '--fast'/],
  ])('rejects %j naming the option', (args, message) => {
    expect(() => parseDemoArgs(args)).toThrow(DemoOptionError);
    expect(() => parseDemoArgs(args)).toThrow(message);
  });

  const samples = ['phoenix', 'scottsdale', 'tempe', 'mesa'].map((name) => ({ name }));

  it('selects the first N samples, all of them, or the named ones in sample order', () => {
    expect(selectMarkets(samples, 2).map((s) => s.name)).toEqual(['phoenix', 'scottsdale']);
    expect(selectMarkets(samples, 10)).toHaveLength(4);
    expect(selectMarkets(samples, 'all')).toHaveLength(4);
    expect(selectMarkets(samples, ['mesa', 'phoenix']).map((s) => s.name)).toEqual(['phoenix', 'mesa']);
  });

  it('names an unknown market and lists the samples', () => {
    expect(() => selectMarkets(samples, ['flagstaff'])).toThrow(
      '--markets: no sample market named flagstaff (samples: phoenix, scottsdale, tempe, mesa)',
    );
  });
});
