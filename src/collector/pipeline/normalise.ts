/**
 * Deterministic normalisation of a decoded observation into the fields the store keeps. Same input,
 * same output: no clock, no randomness, no network. Implausible values are dropped (and named),
 * never guessed.
 */
import type { Valuation } from '../sources/assessor/decode.ts';
import type { SourceObservation } from '../sources/source.ts';

export interface NormalisedProperty {
  apn: string;
  zip: string;
  address: string | undefined;
  city: string | undefined;
  propertyType: string | undefined;
  residential: boolean | undefined;
  lotSizeSqft: number | undefined;
  yearBuilt: number | undefined;
  livingAreaSqft: number | undefined;
  bathFixtures: number | undefined;
  bedrooms: number | undefined;
  bathrooms: number | undefined;
  garages: number | undefined;
  pool: boolean | undefined;
  subdivision: string | undefined;
  owner: string | undefined;
  /** Free text for enrichment (the legal description or the listing remarks). */
  text: string | undefined;
  lastSale: { price: number; date: string | undefined } | undefined;
  /** Assessor valuations, newest first: never a listing price. */
  valuations: Valuation[];
  /** An asking price from a listing source. */
  listPrice: number | undefined;
  listingStatus: string | undefined;
  /** Fields present in the payload but dropped as implausible. */
  dropped: string[];
}

export type NormaliseResult =
  { ok: true; value: NormalisedProperty } | { ok: false; reason: 'invalid_value'; detail: string };

const MIN_YEAR = 1850;

function upper(text: string | undefined): string | undefined {
  return text?.replace(/\s+/g, ' ').trim().toUpperCase();
}

function titleCase(text: string | undefined): string | undefined {
  return text
    ?.toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

function within(
  value: number | undefined,
  [min, max]: [number, number],
  name: string,
  dropped: string[],
): number | undefined {
  if (value === undefined) return undefined;
  if (value < min || value > max) {
    dropped.push(name);
    return undefined;
  }
  return value;
}

/** Mapping of the county's property types to a small fixed vocabulary. */
export function propertyTypeOf(text: string | undefined): string | undefined {
  const t = text?.toLowerCase();
  if (t === undefined) return undefined;
  if (/condo|townho/.test(t)) return 'condo';
  if (/single|sfr|residen/.test(t)) return 'single_family';
  if (/mobile|manufactured/.test(t)) return 'manufactured';
  if (/multi|duplex|triplex|apartment/.test(t)) return 'multi_family';
  if (/vacant|land|lot/.test(t)) return 'land';
  if (/commercial|office|retail|industrial/.test(t)) return 'commercial';
  return 'other';
}

const EMPTY: Omit<NormalisedProperty, 'apn' | 'zip' | 'dropped' | 'valuations'> = {
  address: undefined,
  city: undefined,
  propertyType: undefined,
  residential: undefined,
  lotSizeSqft: undefined,
  yearBuilt: undefined,
  livingAreaSqft: undefined,
  bathFixtures: undefined,
  bedrooms: undefined,
  bathrooms: undefined,
  garages: undefined,
  pool: undefined,
  subdivision: undefined,
  owner: undefined,
  text: undefined,
  lastSale: undefined,
  listPrice: undefined,
  listingStatus: undefined,
};

export function normalise(
  observation: SourceObservation,
  zipHint: string,
  currentYear: number,
): NormaliseResult {
  const dropped: string[] = [];
  if (observation.kind === 'listing') {
    const l = observation.listing;
    return {
      ok: true,
      value: {
        ...EMPTY,
        apn: l.apn,
        zip: l.zip ?? zipHint,
        address: upper(l.address),
        bedrooms: within(l.bedrooms, [0, 50], 'bedrooms', dropped),
        bathrooms: within(l.bathrooms, [0, 50], 'bathrooms', dropped),
        livingAreaSqft: within(l.livingAreaSqft, [100, 100_000], 'livingAreaSqft', dropped),
        text: l.remarks,
        listPrice: within(l.listPrice, [1, 1e9], 'listPrice', dropped),
        listingStatus: l.status?.toLowerCase(),
        valuations: [],
        dropped,
      },
    };
  }
  const p = observation.parcel;
  const zip = p.zip ?? zipHint;
  if (!/^[0-9]{5}$/.test(zip))
    return { ok: false, reason: 'invalid_value', detail: `zip "${zip}" is not 5 digits` };
  return {
    ok: true,
    value: {
      ...EMPTY,
      apn: p.apn,
      zip,
      address: upper(p.address),
      city: titleCase(p.city),
      propertyType: propertyTypeOf(p.propertyType),
      residential: p.isResidential,
      lotSizeSqft: within(p.lotSizeSqft, [1, 1e9], 'lotSizeSqft', dropped),
      yearBuilt: within(p.yearBuilt, [MIN_YEAR, currentYear + 1], 'yearBuilt', dropped),
      livingAreaSqft: within(p.livingAreaSqft, [100, 100_000], 'livingAreaSqft', dropped),
      bathFixtures: within(p.bathFixtures, [0, 200], 'bathFixtures', dropped),
      garages: within(p.garages, [0, 50], 'garages', dropped),
      pool: p.pool,
      subdivision: upper(p.subdivision),
      owner: upper(p.owner),
      text: p.description,
      lastSale: p.lastSale,
      valuations: p.valuations.filter((v) => v.taxYear >= 1900 && v.taxYear <= currentYear + 2),
      dropped,
    },
  };
}
