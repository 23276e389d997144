import { describe, expect, it } from 'vitest';
import { normalise, propertyTypeOf } from '../../../src/collector/pipeline/normalise.ts';
import { qualityScore } from '../../../src/collector/pipeline/quality.ts';
import { ruleEnrichment, validateAnswer } from '../../../src/collector/pipeline/enrich.ts';
import { outcomeOf, runIdOf, summarise, unitOrder } from '../../../src/collector/pipeline/run.ts';
import { decodeParcel, type AssessorParcel } from '../../../src/collector/sources/assessor/decode.ts';
import { ZERO_COUNTS, type CheckpointDoc } from '../../../src/collector/storage/checkpoints.ts';
import { parcelOf } from '../../../src/local/assessor-data.ts';

function parcel(index: number): AssessorParcel {
  const decoded = decodeParcel(parcelOf('85004', index));
  if (!decoded.ok) throw new Error('fixture did not decode');
  return decoded.value;
}

describe('normalisation', () => {
  it('is deterministic', () => {
    const a = normalise({ kind: 'assessor', parcel: parcel(1) }, '85004', 2026);
    const b = normalise({ kind: 'assessor', parcel: parcel(1) }, '85004', 2026);
    expect(a).toEqual(b);
  });

  it('upper-cases addresses, title-cases cities and maps property types', () => {
    const p = {
      ...parcel(2),
      address: ' 12  n main st ',
      city: 'PHOENIX',
      propertyType: 'Single Family Residence',
    };
    const r = normalise({ kind: 'assessor', parcel: p }, '85004', 2026);
    expect(r).toMatchObject({
      ok: true,
      value: { address: '12 N MAIN ST', city: 'Phoenix', propertyType: 'single_family' },
    });
    expect(propertyTypeOf('Condominium')).toBe('condo');
    expect(propertyTypeOf(undefined)).toBeUndefined();
  });

  it('drops implausible values and names them', () => {
    const p = { ...parcel(3), yearBuilt: 3020, livingAreaSqft: 5 };
    const r = normalise({ kind: 'assessor', parcel: p }, '85004', 2026);
    expect(r.ok && r.value.yearBuilt).toBe(undefined);
    expect(r.ok && r.value.dropped).toEqual(['yearBuilt', 'livingAreaSqft']);
  });

  it('rejects a record whose zip code is not 5 digits', () => {
    const r = normalise({ kind: 'assessor', parcel: { ...parcel(4), zip: '850' } }, '85004', 2026);
    expect(r).toMatchObject({ ok: false, reason: 'invalid_value' });
  });
});

describe('data quality', () => {
  it('scores from the fields present', () => {
    const full = normalise({ kind: 'assessor', parcel: parcel(5) }, '85004', 2026);
    if (!full.ok) throw new Error('fixture');
    const bare = {
      ...full.value,
      address: undefined,
      city: undefined,
      propertyType: undefined,
      lotSizeSqft: undefined,
      yearBuilt: undefined,
      livingAreaSqft: undefined,
      owner: undefined,
      lastSale: undefined,
      valuations: [],
      subdivision: undefined,
    };
    expect(qualityScore(full.value)).toBeGreaterThan(0.8);
    expect(qualityScore(bare)).toBe(0);
    expect(qualityScore({ ...full.value, dropped: ['yearBuilt'] })).toBeLessThan(qualityScore(full.value));
  });
});

describe('enrichment validation', () => {
  const batch = [{ apn: '101-07-033', text: 'ENCANTO MANOR LOT 12 BLK 3' }];

  it('accepts an answer that covers exactly the batch', () => {
    const answer = JSON.stringify({
      items: [
        { apn: '101-07-033', subdivision: 'ENCANTO MANOR', lot: '12', unit: null, isCondo: false, tags: [] },
      ],
    });
    expect(validateAnswer(answer, batch)).toMatchObject({ ok: true, items: [{ method: 'llm', lot: '12' }] });
  });

  it('refuses invalid JSON, wrong shapes and missing items', () => {
    expect(validateAnswer('{"items": [', batch)).toMatchObject({
      ok: false,
      problem: 'the answer is not valid JSON',
    });
    expect(validateAnswer('{"result": "house"}', batch).ok).toBe(false);
    expect(validateAnswer('{"items": []}', batch)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('101-07-033') as unknown,
    });
  });

  it('falls back to deterministic rules', () => {
    expect(
      ruleEnrichment({
        apn: 'x',
        text: 'CAMELBACK HOUSE UNIT 371 TOG W UNDIV .2758% INT IN COMMON ELEMENTS',
      }),
    ).toEqual({
      apn: 'x',
      subdivision: 'CAMELBACK HOUSE',
      lot: null,
      unit: '371',
      isCondo: true,
      tags: ['condo'],
      method: 'rules',
    });
  });
});

describe('runs', () => {
  const cp = (zip: string, state: CheckpointDoc['state'], inserted = 0): CheckpointDoc => ({
    _id: zip,
    market: 'm',
    runId: 'r',
    zip,
    nextPage: 1,
    state,
    attempts: 1,
    counts: {
      ...ZERO_COUNTS,
      fetched: inserted,
      inserted,
      qualitySum: inserted * 0.5,
      qualityCount: inserted,
    },
    updatedAt: new Date(0),
  });

  it('derives the same run id on every replica', () => {
    expect(runIdOf(new Date('2026-03-01T06:00:00Z'))).toBe('20260301T060000Z');
  });

  it('orders units differently per replica but covers all of them', () => {
    const a = unitOrder(['1', '2', '3', '4'], 1, 'pod-a');
    const b = unitOrder(['1', '2', '3', '4'], 1, 'pod-b');
    expect(new Set(a.map((u) => u.zip))).toEqual(new Set(['1', '2', '3', '4']));
    expect(a.length).toBe(4);
    expect(a.map((u) => u.zip).join() === b.map((u) => u.zip).join() || a[0]?.zip !== b[0]?.zip).toBe(true);
  });

  it('summarises checkpoints and names the outcome', () => {
    const s = summarise([cp('1', 'completed', 4), cp('2', 'failed')], 2);
    expect(s).toMatchObject({
      zipCodesCompleted: 1,
      zipCodesFailed: 1,
      inserted: 4,
      propertiesStored: 4,
      qualityMean: 0.5,
    });
    expect(outcomeOf(s)).toBe('PartiallySucceeded');
    expect(outcomeOf(summarise([cp('1', 'completed')], 1))).toBe('Succeeded');
    expect(outcomeOf(summarise([cp('1', 'failed')], 1))).toBe('Failed');
  });
});
