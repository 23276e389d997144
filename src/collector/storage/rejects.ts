/**
 * Records that failed decoding or validation, kept with their raw payload. Keyed by market, source
 * and payload hash, so a record seen again is counted once, not stored twice.
 */
import { COLLECTIONS, type Database } from './mongo.ts';

export interface RejectedRecord {
  market: string;
  source: string;
  zip: string;
  runId: string;
  key: string | undefined;
  reason: string;
  detail: string;
  payloadHash: string;
  /** The raw payload as JSON text. */
  raw: string;
}

/** Stores the rejects; returns how many were new. */
export async function storeRejects(
  db: Database,
  rejects: RejectedRecord[],
  signal?: AbortSignal,
): Promise<number> {
  if (rejects.length === 0) return 0;
  const col = db.collection<{ _id: string }>(COLLECTIONS.rejects);
  const now = new Date();
  const ops = rejects.map((r) => ({
    updateOne: {
      filter: { _id: `${r.market}:${r.source}:${r.payloadHash}` },
      update: {
        $setOnInsert: {
          market: r.market,
          source: r.source,
          zip: r.zip,
          key: r.key ?? null,
          reason: r.reason,
          detail: r.detail,
          raw: r.raw,
          firstSeenAt: now,
          firstRunId: r.runId,
        },
        $set: { lastSeenAt: now, lastRunId: r.runId },
      },
      upsert: true,
    },
  }));
  const result = await db.run('reject_upsert', () => col.bulkWrite(ops, { ordered: true }), signal);
  return result.upsertedCount;
}
