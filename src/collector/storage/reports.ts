/**
 * The daily report of a market (`_id = "<market>:<YYYY-MM-DD>"`, the date in the market's time
 * zone): the day's runs and counts, accumulated as runs complete, and whether its email went out.
 */
import { COLLECTIONS, type Database } from './mongo.ts';
import type { RunOutcome, RunSummary } from './runs.ts';

export interface DailyReportDoc {
  _id: string;
  market: string;
  date: string;
  runs: number;
  runsFailed: number;
  zipCodesCompleted: number;
  zipCodesFailed: number;
  propertiesFetched: number;
  propertiesStored: number;
  inserted: number;
  updated: number;
  unchanged: number;
  recordsRejected: number;
  qualitySum: number;
  qualityCount: number;
  lastRunId: string;
  lastOutcome: RunOutcome;
  emailSentAt?: Date;
}

function col(db: Database) {
  return db.collection<DailyReportDoc>(COLLECTIONS.reports);
}

export interface ReportEntry {
  market: string;
  date: string;
  runId: string;
  outcome: RunOutcome;
  summary: RunSummary;
}

export async function addRunToReport(db: Database, entry: ReportEntry, signal?: AbortSignal): Promise<void> {
  const key = entry;
  const { outcome, summary: s } = entry;
  const qualityCount = s.qualityMean === undefined ? 0 : s.propertiesFetched - s.recordsRejected;
  await db.run(
    'report_add',
    () =>
      col(db).updateOne(
        { _id: `${key.market}:${key.date}` },
        {
          $setOnInsert: { market: key.market, date: key.date },
          $set: { lastRunId: key.runId, lastOutcome: outcome },
          $inc: {
            runs: 1,
            runsFailed: outcome === 'Failed' ? 1 : 0,
            zipCodesCompleted: s.zipCodesCompleted,
            zipCodesFailed: s.zipCodesFailed,
            propertiesFetched: s.propertiesFetched,
            propertiesStored: s.propertiesStored,
            inserted: s.inserted,
            updated: s.updated,
            unchanged: s.unchanged,
            recordsRejected: s.recordsRejected,
            qualitySum: (s.qualityMean ?? 0) * qualityCount,
            qualityCount,
          },
        },
        { upsert: true },
      ),
    signal,
  );
}

export async function getReport(
  db: Database,
  market: string,
  date: string,
  signal?: AbortSignal,
): Promise<DailyReportDoc | null> {
  return db.run('report_get', () => col(db).findOne({ _id: `${market}:${date}` }), signal);
}

/** Claims the right to email the day's report; true for exactly one replica. */
export async function claimReportEmail(
  db: Database,
  market: string,
  date: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const result = await db.run(
    'report_email_claim',
    () =>
      col(db).updateOne(
        { _id: `${market}:${date}`, emailSentAt: { $exists: false } },
        { $set: { emailSentAt: new Date() } },
      ),
    signal,
  );
  return result.modifiedCount > 0;
}

/** Gives the claim back after a failed send, so that a later attempt may send. */
export async function releaseReportEmail(db: Database, market: string, date: string): Promise<void> {
  await db.run('report_email_release', () =>
    col(db).updateOne({ _id: `${market}:${date}` }, { $unset: { emailSentAt: '' } }),
  );
}
