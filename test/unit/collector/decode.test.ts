import { describe, expect, it } from 'vitest';
import {
  decodeParcel,
  decodeSearchPage,
  normaliseApn,
  toNumber,
  UNPARSED_KEY,
} from '../../../src/collector/sources/assessor/decode.ts';
import { nextSearchPage } from '../../../src/collector/sources/assessor/source.ts';
import { interpret } from '../../../src/collector/sources/assessor/client.ts';
import { parcelOf } from '../../../src/local/assessor-data.ts';

describe('Assessor decoding', () => {
  it('reads numbers given as numbers or as strings with separators', () => {
    expect(toNumber(1234)).toBe(1234);
    expect(toNumber('1,234')).toBe(1234);
    expect(toNumber('$240,000.50')).toBe(240000.5);
    expect(toNumber('')).toBeUndefined();
    expect(toNumber('N/A')).toBeUndefined();
    expect(toNumber(Number.NaN)).toBeUndefined();
  });

  it('formats APNs from any spelling and refuses non-APNs', () => {
    expect(normaliseApn('12345678')).toBe('123-45-678');
    expect(normaliseApn('123-45-678a')).toBe('123-45-678A');
    expect(normaliseApn('123.45.678')).toBe('123-45-678');
    expect(normaliseApn('1234')).toBeUndefined();
    expect(normaliseApn(undefined)).toBeUndefined();
  });

  it('accepts both search envelopes and counts entries without an APN as invalid', () => {
    for (const list of ['RealPropertyResults', 'Results', 'results']) {
      const page = decodeSearchPage({
        TotalPropertyCount: '2',
        [list]: [{ APN: '10107033', SitusZip: '85004' }, { Ownership: 'X' }],
      });
      expect(page?.hits).toEqual([{ apn: '101-07-033', address: undefined, city: undefined, zip: '85004' }]);
      expect(page?.invalid.map((i) => i.reason)).toEqual(['missing_apn']);
      expect(page?.total).toBe(2);
      expect(page?.size).toBe(2);
    }
  });

  it('reports an unknown envelope instead of throwing', () => {
    expect(decodeSearchPage({ Message: 'Service unavailable' })).toBeUndefined();
    expect(decodeSearchPage('oops')).toBeUndefined();
  });

  it('decodes a realistic parcel with string numbers and keeps valuations newest first', () => {
    const decoded = decodeParcel(parcelOf('85004', 3, { stringNumbers: true }));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.zip).toBe('85004');
    expect(typeof decoded.value.lotSizeSqft).toBe('number');
    expect(decoded.value.valuations.map((v) => v.taxYear)).toEqual([2026, 2025, 2024]);
    expect(decoded.value.description).toMatch(/LOT|UNIT/);
  });

  it('turns garbled and shapeless parcels into reject reasons', () => {
    expect(decodeParcel({ [UNPARSED_KEY]: '{"APN": <' })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(decodeParcel([1, 2])).toMatchObject({ ok: false, reason: 'unknown_shape' });
    expect(decodeParcel({ PropertyAddress: 'X' })).toMatchObject({ ok: false, reason: 'missing_apn' });
    expect(decodeParcel({ APN: '12345678', LotSize: '-5' })).toMatchObject({
      ok: false,
      reason: 'invalid_value',
    });
  });

  it('pages until a short page or the announced total', () => {
    expect(nextSearchPage(1, 25, 60)).toBe(2);
    expect(nextSearchPage(3, 10, 60)).toBeUndefined();
    expect(nextSearchPage(1, 25, 25)).toBeUndefined();
    expect(nextSearchPage(1, 25, undefined)).toBe(2);
  });

  it('classifies responses: the unauthorised 500 is terminal, other 5xx and 429 are retryable', () => {
    const unauthorised = interpret(500, undefined, '"Unauthorized access"', '/search/property/');
    expect(unauthorised).toMatchObject({
      ok: false,
      outcome: { unauthorized: true },
      error: { code: 'PHOENIX_SOURCE_UNAUTHORIZED', kind: 'terminal' },
    });
    expect(interpret(503, undefined, 'busy', '/parcel/1')).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
    expect(interpret(429, '3', '', '/parcel/1')).toMatchObject({
      ok: false,
      outcome: { status: 429, retryAfter: '3' },
    });
    expect(interpret(200, undefined, '{"APN": <', '/parcel/1')).toMatchObject({
      ok: true,
      value: { [UNPARSED_KEY]: '{"APN": <' },
    });
  });
});
