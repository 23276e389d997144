/**
 * Property documents, keyed `_id = "<market>:<apn>"` (FerretDB v1 only pushes `_id` equality down
 * to its SQLite backend, so every hot-path filter is by `_id`; a unique {market, apn} index guards
 * the pair). The hashes of a page's documents are read first (by `_id`); a write is skipped when
 * the source's payload hash is unchanged, otherwise it is an update or an upsert with
 * `$setOnInsert`, so that re-running a page neither duplicates documents nor appends history twice. Valuation and price history grow
 * only when their own hash changes.
 */
import type { Collection, Document } from 'mongodb';
import { COLLECTIONS, type Database } from './mongo.ts';

export interface HistoryChange {
  hash: string;
  /** Entries stored when the document is first inserted. */
  initial: Document[];
  /** Entry appended when the hash changes. */
  latest: Document | undefined;
}

export interface PropertyWrite {
  id: string;
  market: string;
  apn: string;
  source: string;
  payloadHash: string;
  /** Dotted field paths this source owns (e.g. `zip`, `assessor`, `listings.acme`). */
  set: Document;
  provenance: Document;
  valuation?: HistoryChange | undefined;
  price?: HistoryChange | undefined;
}

export type StoreResult = 'inserted' | 'updated' | 'unchanged';

interface Existing {
  _id: string;
  hashes?: Record<string, string>;
}

const HISTORY = { valuation: 'valuationHistory', price: 'priceHistory' } as const;

function insertOp(w: PropertyWrite, now: Date): Document {
  const doc: Document = {
    market: w.market,
    apn: w.apn,
    ...w.set,
    [`sources.${w.source}`]: w.provenance,
    [`hashes.${w.source}`]: w.payloadHash,
    firstSeenAt: now,
    updatedAt: now,
  };
  for (const kind of ['valuation', 'price'] as const) {
    const change = w[kind];
    if (change === undefined) continue;
    doc[`hashes.${kind}`] = change.hash;
    doc[HISTORY[kind]] = change.initial.map((e) => ({ ...e, observedAt: now }));
  }
  return { updateOne: { filter: { _id: w.id }, update: { $setOnInsert: doc }, upsert: true } };
}

function updateOp(w: PropertyWrite, existing: Existing, now: Date): Document {
  const $set: Document = {
    ...w.set,
    [`sources.${w.source}`]: w.provenance,
    [`hashes.${w.source}`]: w.payloadHash,
    updatedAt: now,
  };
  const $push: Document = {};
  for (const kind of ['valuation', 'price'] as const) {
    const change = w[kind];
    if (change?.latest === undefined || existing.hashes?.[kind] === change.hash) continue;
    $set[`hashes.${kind}`] = change.hash;
    $push[HISTORY[kind]] = { ...change.latest, observedAt: now };
  }
  // Filter by `_id` alone: FerretDB v1 scans the whole collection for any other condition. The
  // hashes were read just before; only a lease takeover overlapping this very page could race.
  const filter = { _id: w.id };
  const update = Object.keys($push).length > 0 ? { $set, $push } : { $set };
  return { updateOne: { filter, update } };
}

/** Stores a batch; returns what happened to each write, in order. */
export async function storeProperties(
  db: Database,
  writes: PropertyWrite[],
  signal?: AbortSignal,
  attempt = 0,
): Promise<StoreResult[]> {
  if (writes.length === 0) return [];
  const col: Collection<Existing> = db.collection(COLLECTIONS.properties);
  const now = new Date();
  const existing = await db.run(
    'find',
    () => Promise.all(writes.map((w) => col.findOne({ _id: w.id }, { projection: { hashes: 1 } }))),
    signal,
  );
  const results: StoreResult[] = writes.map(() => 'unchanged');
  const ops: { index: number; kind: 'insert' | 'update'; op: Document }[] = [];
  writes.forEach((w, index) => {
    const found = existing[index];
    if (found === null || found === undefined) ops.push({ index, kind: 'insert', op: insertOp(w, now) });
    else if (found.hashes?.[w.source] !== w.payloadHash)
      ops.push({ index, kind: 'update', op: updateOp(w, found, now) });
  });
  if (ops.length === 0) return results;
  const outcome = await db.run(
    'bulk_upsert',
    () => col.bulkWrite(ops.map((o) => o.op) as never, { ordered: true }),
    signal,
  );
  const upserted = new Set(Object.keys(outcome.upsertedIds).map(Number));
  const updates = ops.filter((o) => o.kind === 'update');
  const raced: number[] = [];
  ops.forEach((o, position) => {
    if (o.kind === 'insert' && upserted.has(position)) results[o.index] = 'inserted';
    else if (o.kind === 'insert') raced.push(o.index);
    else results[o.index] = 'updated';
  });
  if (outcome.matchedCount - (ops.length - updates.length - upserted.size) < updates.length) {
    raced.push(...updates.map((o) => o.index));
  }
  if (raced.length > 0 && attempt < 3) {
    // Another writer got there between our read and our write: read again and redo just those.
    const again = await storeProperties(
      db,
      raced.map((i) => writes[i] as PropertyWrite),
      signal,
      attempt + 1,
    );
    raced.forEach((i, k) => {
      results[i] = again[k] ?? 'unchanged';
    });
  }
  return results;
}
