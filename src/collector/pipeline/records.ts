/**
 * From a page of fetched payloads to what is stored: decode, normalise, enrich the free text,
 * score, and build the property writes and the rejects. Pure apart from the enricher call.
 */
import { createHash } from 'node:crypto';
import type { Document } from 'mongodb';
import type { SourceObservation, PropertySource, SourceRef } from '../sources/source.ts';
import type { PropertyWrite } from '../storage/properties.ts';
import type { RejectedRecord } from '../storage/rejects.ts';
import type { Enricher, Enrichment } from './enrich.ts';
import { normalise, type NormalisedProperty } from './normalise.ts';
import { listingQualityScore, qualityScore } from './quality.ts';

/** JSON text of a payload (`null` for nothing at all). */
export function jsonText(raw: unknown): string {
  // JSON.stringify(undefined) is undefined despite its declared type.
  const text = JSON.stringify(raw) as unknown;
  return typeof text === 'string' ? text : 'null';
}

export function payloadHash(raw: unknown): string {
  return createHash('sha256').update(jsonText(raw)).digest('hex');
}

export interface Fetched {
  ref: SourceRef;
  raw: unknown;
}

export interface RecordContext {
  market: string;
  runId: string;
  zip: string;
  source: PropertySource;
  now: Date;
}

export interface BuiltPage {
  writes: PropertyWrite[];
  rejects: RejectedRecord[];
  qualities: number[];
}

interface Accepted {
  raw: unknown;
  observation: SourceObservation;
  property: NormalisedProperty;
}

const nullify = (value: unknown): unknown => value ?? null;

function assessorFields(p: NormalisedProperty): Document {
  const latest = p.valuations[0];
  return {
    zip: p.zip,
    address: nullify(p.address),
    city: nullify(p.city),
    propertyType: nullify(p.propertyType),
    residential: nullify(p.residential),
    lotSizeSqft: nullify(p.lotSizeSqft),
    yearBuilt: nullify(p.yearBuilt),
    livingAreaSqft: nullify(p.livingAreaSqft),
    bathFixtures: nullify(p.bathFixtures),
    garages: nullify(p.garages),
    pool: nullify(p.pool),
    subdivision: nullify(p.subdivision),
    owner: nullify(p.owner),
    legalDescription: nullify(p.text),
    lastSale: nullify(p.lastSale),
    // An assessor valuation, never a listing price.
    assessedFullCashValue: nullify(latest?.fullCashValue),
    assessedTaxYear: nullify(latest?.taxYear),
  };
}

function buildWrite(
  ctx: RecordContext,
  a: Accepted,
  enrichment: Enrichment | undefined,
  quality: number,
): PropertyWrite {
  const p = a.property;
  const base = {
    id: `${ctx.market}:${p.apn}`,
    market: ctx.market,
    apn: p.apn,
    source: ctx.source.name,
    payloadHash: payloadHash(a.raw),
    // The raw payload is kept verbatim as JSON text: the county's keys are not ours to restrict.
    provenance: {
      payloadHash: payloadHash(a.raw),
      fetchedAt: ctx.now,
      runId: ctx.runId,
      raw: JSON.stringify(a.raw),
    },
  };
  const enriched = enrichment === undefined ? null : { ...enrichment };
  if (a.observation.kind === 'listing') {
    const entry = { source: ctx.source.name, price: p.listPrice ?? null, status: p.listingStatus ?? null };
    return {
      ...base,
      set: {
        zip: p.zip,
        [`listings.${ctx.source.name}`]: {
          listPrice: nullify(p.listPrice),
          status: nullify(p.listingStatus),
          bedrooms: nullify(p.bedrooms),
          bathrooms: nullify(p.bathrooms),
          livingAreaSqft: nullify(p.livingAreaSqft),
          remarks: nullify(p.text),
          enrichment: enriched,
          quality,
        },
      },
      price:
        p.listPrice === undefined ? undefined : { hash: payloadHash(entry), initial: [entry], latest: entry },
    };
  }
  const latest = p.valuations[0];
  return {
    ...base,
    set: { ...assessorFields(p), enrichment: enriched, quality },
    valuation:
      latest === undefined ? undefined : { hash: payloadHash(latest), initial: p.valuations, latest },
  };
}

function reject(
  ctx: RecordContext,
  raw: unknown,
  key: string | undefined,
  why: { reason: string; detail: string },
): RejectedRecord {
  const { reason, detail } = why;
  return {
    market: ctx.market,
    source: ctx.source.name,
    zip: ctx.zip,
    runId: ctx.runId,
    key,
    reason,
    detail,
    payloadHash: payloadHash(raw),
    raw: jsonText(raw),
  };
}

export async function buildPage(
  ctx: RecordContext,
  fetched: Fetched[],
  enricher: Enricher,
  options: { batchSize: number; signal: AbortSignal },
): Promise<BuiltPage> {
  const accepted: Accepted[] = [];
  const rejects: RejectedRecord[] = [];
  const year = ctx.now.getUTCFullYear();
  for (const f of fetched) {
    if (typeof f.raw === 'object' && f.raw !== null && 'phoenixFetchFailed' in f.raw) {
      rejects.push(
        reject(ctx, f.raw, f.ref.key, { reason: 'fetch_failed', detail: 'the source refused the record' }),
      );
      continue;
    }
    const decoded = ctx.source.decode(f.raw, f.ref);
    if (!decoded.ok) {
      rejects.push(reject(ctx, f.raw, f.ref.key, { reason: decoded.reason, detail: decoded.detail }));
      continue;
    }
    const property = normalise(decoded.value, ctx.zip, year);
    if (!property.ok)
      rejects.push(reject(ctx, f.raw, f.ref.key, { reason: property.reason, detail: property.detail }));
    else accepted.push({ raw: f.raw, observation: decoded.value, property: property.value });
  }
  const enrichments = await enrichAll(accepted, enricher, options);
  const writes: PropertyWrite[] = [];
  const qualities: number[] = [];
  accepted.forEach((a) => {
    const quality =
      a.observation.kind === 'listing' ? listingQualityScore(a.property) : qualityScore(a.property);
    qualities.push(quality);
    writes.push(buildWrite(ctx, a, enrichments.get(a.property.apn), quality));
  });
  return { writes: dedupe(writes), rejects, qualities };
}

/** A page can list an APN twice (the county's search does); the last one wins. */
function dedupe(writes: PropertyWrite[]): PropertyWrite[] {
  return [...new Map(writes.map((w) => [w.id, w])).values()];
}

async function enrichAll(
  accepted: Accepted[],
  enricher: Enricher,
  options: { batchSize: number; signal: AbortSignal },
): Promise<Map<string, Enrichment>> {
  const unique = new Map(
    accepted.flatMap((a) =>
      a.property.text === undefined ? [] : [[a.property.apn, a.property.text] as const],
    ),
  );
  const inputs = [...unique].map(([apn, text]) => ({ apn, text }));
  const out = new Map<string, Enrichment>();
  for (let i = 0; i < inputs.length; i += options.batchSize) {
    const batch = inputs.slice(i, i + options.batchSize);
    const results = await enricher.enrich(batch, options.signal);
    results.forEach((r) => out.set(r.apn, r));
  }
  return out;
}
