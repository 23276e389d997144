/**
 * Progress of a run per zip code and page (`_id = "<market>:<runId>:<zip>"`): the next page to
 * fetch and the counts so far. A page advances only from the page it was at, so a page replayed
 * after a crash is stored again (idempotently) but counted once.
 */
import type { UpdateFilter } from 'mongodb';
import { COLLECTIONS, type Database } from './mongo.ts';
import { leaseId, type LeaseKey } from './leases.ts';

export interface ZipCounts {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  qualitySum: number;
  qualityCount: number;
}

export const ZERO_COUNTS: ZipCounts = {
  fetched: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  qualitySum: 0,
  qualityCount: 0,
};

export type ZipState = 'pending' | 'completed' | 'failed';

export interface CheckpointDoc {
  _id: string;
  market: string;
  runId: string;
  zip: string;
  nextPage: number;
  state: ZipState;
  attempts: number;
  counts: ZipCounts;
  error?: string;
  errorCode?: string;
  updatedAt: Date;
}

function col(db: Database) {
  return db.collection<CheckpointDoc>(COLLECTIONS.checkpoints);
}

/** The checkpoint of a zip code, created at page 1 when missing; counts one more attempt. */
export async function openCheckpoint(
  db: Database,
  key: LeaseKey,
  signal?: AbortSignal,
): Promise<CheckpointDoc> {
  const _id = leaseId(key);
  await db.run(
    'checkpoint_open',
    () =>
      col(db).updateOne(
        { _id },
        {
          $setOnInsert: {
            market: key.market,
            runId: key.runId,
            zip: key.zip,
            nextPage: 1,
            state: 'pending',
            counts: ZERO_COUNTS,
          },
          $inc: { attempts: 1 },
          $set: { updatedAt: new Date() },
        },
        { upsert: true },
      ),
    signal,
  );
  const doc = await db.run('checkpoint_get', () => col(db).findOne({ _id }), signal);
  if (doc === null) throw new Error(`checkpoint ${_id} vanished`);
  return doc;
}

export interface PageDone {
  page: number;
  next: number | undefined;
  delta: ZipCounts;
}

export async function advanceCheckpoint(
  db: Database,
  key: LeaseKey,
  done: PageDone,
  signal?: AbortSignal,
): Promise<void> {
  const { page, next, delta } = done;
  const $inc: Record<string, number> = {};
  for (const [name, value] of Object.entries(delta) as [string, number][]) {
    if (value !== 0) $inc[`counts.${name}`] = value;
  }
  const $set: Partial<CheckpointDoc> =
    next === undefined
      ? { state: 'completed', nextPage: page + 1, updatedAt: new Date() }
      : { nextPage: next, updatedAt: new Date() };
  const update: UpdateFilter<CheckpointDoc> = Object.keys($inc).length > 0 ? { $set, $inc } : { $set };
  await db.run(
    'checkpoint_advance',
    () => col(db).updateOne({ _id: leaseId(key), nextPage: page }, update),
    signal,
  );
}

export async function failCheckpoint(
  db: Database,
  key: LeaseKey,
  error: string | { message: string; code: string },
  signal?: AbortSignal,
): Promise<void> {
  const fields = typeof error === 'string' ? { error } : { error: error.message, errorCode: error.code };
  await db.run(
    'checkpoint_fail',
    () =>
      col(db).updateOne(
        { _id: leaseId(key), state: 'pending' },
        { $set: { state: 'failed', ...fields, updatedAt: new Date() } },
      ),
    signal,
  );
}

/** All checkpoints of a run (a small scan: one document per zip code). */
export async function runCheckpoints(
  db: Database,
  market: string,
  runId: string,
  signal?: AbortSignal,
): Promise<CheckpointDoc[]> {
  return db.run('checkpoint_list', () => col(db).find({ market, runId }).toArray(), signal);
}
