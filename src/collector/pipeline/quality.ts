/**
 * Data quality from the fields actually present: a weighted share of the fields a complete record
 * has. Nothing is assumed: a record with only an APN and a zip code scores low.
 */
import type { NormalisedProperty } from './normalise.ts';

const WEIGHTS: readonly [keyof NormalisedProperty, number][] = [
  ['address', 3],
  ['city', 1],
  ['propertyType', 2],
  ['lotSizeSqft', 1],
  ['yearBuilt', 2],
  ['livingAreaSqft', 2],
  ['owner', 1],
  ['lastSale', 1],
  ['valuations', 2],
  ['subdivision', 1],
];

const TOTAL = WEIGHTS.reduce((sum, [, w]) => sum + w, 0);

function present(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

/** Score in [0, 1]; each implausible value dropped at normalisation costs a little more. */
export function qualityScore(p: NormalisedProperty): number {
  const earned = WEIGHTS.reduce((sum, [key, w]) => sum + (present(p[key]) ? w : 0), 0);
  const penalty = Math.min(earned, p.dropped.length);
  return Math.round(((earned - penalty) / TOTAL) * 1000) / 1000;
}

/** Listing observations carry other fields; they are scored on what a listing has. */
export function listingQualityScore(p: NormalisedProperty): number {
  const fields: (keyof NormalisedProperty)[] = [
    'address',
    'listPrice',
    'bedrooms',
    'bathrooms',
    'livingAreaSqft',
    'text',
  ];
  const have = fields.filter((f) => present(p[f])).length;
  return Math.round((have / fields.length) * 1000) / 1000;
}
