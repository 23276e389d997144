/**
 * Leases on the zip codes of a run, so that replicas of a market never collect the same zip code
 * at once and a crashed replica's zip code is taken over once its lease expires. A claim is one
 * guarded upsert on `_id = "<market>:<runId>:<zip>"`: it matches when the lease is free, expired or
 * already ours; otherwise the upsert's insert hits the existing `_id` and fails with a duplicate key.
 */
import { COLLECTIONS, isDuplicateKey, type Database } from './mongo.ts';

export interface LeaseKey {
  market: string;
  runId: string;
  zip: string;
}

export interface LeaseDoc {
  _id: string;
  market: string;
  runId: string;
  zip: string;
  owner: string | null;
  expiresAt: Date;
  done: boolean;
  claims: number;
}

export const leaseId = (k: LeaseKey): string => `${k.market}:${k.runId}:${k.zip}`;

function col(db: Database) {
  return db.collection<LeaseDoc>(COLLECTIONS.leases);
}

/** Who asks for a lease and for how long. */
export interface Holder {
  owner: string;
  ttlMs: number;
}

export async function claimLease(
  db: Database,
  key: LeaseKey,
  holder: Holder,
  signal?: AbortSignal,
): Promise<boolean> {
  const { owner, ttlMs } = holder;
  const now = new Date();
  try {
    const result = await db.run(
      'lease_claim',
      () =>
        col(db).updateOne(
          { _id: leaseId(key), done: { $ne: true }, $or: [{ expiresAt: { $lt: now } }, { owner }] },
          {
            $set: { owner, expiresAt: new Date(now.getTime() + ttlMs) },
            $setOnInsert: { market: key.market, runId: key.runId, zip: key.zip, done: false },
            $inc: { claims: 1 },
          },
          { upsert: true },
        ),
      signal,
    );
    return result.upsertedCount + result.matchedCount > 0;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Extends our lease; false when it is no longer ours (taken over after expiring). */
export async function renewLease(
  db: Database,
  key: LeaseKey,
  holder: Holder,
  signal?: AbortSignal,
): Promise<boolean> {
  const { owner, ttlMs } = holder;
  const result = await db.run(
    'lease_renew',
    () =>
      col(db).updateOne(
        { _id: leaseId(key), owner, done: { $ne: true } },
        { $set: { expiresAt: new Date(Date.now() + ttlMs) } },
      ),
    signal,
  );
  return result.matchedCount > 0;
}

export async function completeLease(
  db: Database,
  key: LeaseKey,
  owner: string,
  signal?: AbortSignal,
): Promise<void> {
  await db.run(
    'lease_complete',
    () => col(db).updateOne({ _id: leaseId(key), owner }, { $set: { done: true, expiresAt: new Date() } }),
    signal,
  );
}

/** Gives the zip code back (graceful stop, failure) so that another replica can take it now. */
export async function releaseLease(
  db: Database,
  key: LeaseKey,
  owner: string,
  signal?: AbortSignal,
): Promise<void> {
  await db.run(
    'lease_release',
    () =>
      col(db).updateOne(
        { _id: leaseId(key), owner, done: { $ne: true } },
        { $set: { expiresAt: new Date(0) } },
      ),
    signal,
  );
}
