/**
 * The cost ledger: one document per market and day (`_id = "<market>:<YYYY-MM-DD>"`) accumulating
 * requests, CPU time and their cost at the configured rates. Monthly cost is the sum of the month's
 * days.
 */
import { COLLECTIONS, type Database } from './mongo.ts';

export interface CostUsage {
  assessorRequests: number;
  listingRequests: number;
  llmRequests: number;
  cpuSeconds: number;
}

export interface CostRates {
  perAssessorRequestUSD: number;
  perListingRequestUSD: number;
  perLlmRequestUSD: number;
  perCpuHourUSD: number;
}

export interface LedgerDoc {
  _id: string;
  market: string;
  date: string;
  month: string;
  assessorRequests: number;
  listingRequests: number;
  llmRequests: number;
  cpuSeconds: number;
  costUSD: number;
}

/** Cost of a usage at the rates (pure). */
export function costOf(usage: CostUsage, rates: CostRates): number {
  return (
    usage.assessorRequests * rates.perAssessorRequestUSD +
    usage.listingRequests * rates.perListingRequestUSD +
    usage.llmRequests * rates.perLlmRequestUSD +
    (usage.cpuSeconds / 3600) * rates.perCpuHourUSD
  );
}

function col(db: Database) {
  return db.collection<LedgerDoc>(COLLECTIONS.ledger);
}

export interface CostEntry {
  market: string;
  date: string;
  usage: CostUsage;
  rates: CostRates;
}

export async function recordCost(db: Database, entry: CostEntry, signal?: AbortSignal): Promise<void> {
  const { market, date, usage, rates } = entry;
  await db.run(
    'ledger_add',
    () =>
      col(db).updateOne(
        { _id: `${market}:${date}` },
        {
          $setOnInsert: { market, date, month: date.slice(0, 7) },
          $inc: { ...usage, costUSD: costOf(usage, rates) },
        },
        { upsert: true },
      ),
    signal,
  );
}

export interface CostTotals {
  dailyUSD: number;
  monthlyUSD: number;
}

export async function costTotals(
  db: Database,
  market: string,
  date: string,
  signal?: AbortSignal,
): Promise<CostTotals> {
  const days = await db.run(
    'ledger_month',
    () =>
      col(db)
        .find({ market, month: date.slice(0, 7) })
        .toArray(),
    signal,
  );
  return {
    dailyUSD: days.find((d) => d.date === date)?.costUSD ?? 0,
    monthlyUSD: days.reduce((sum, d) => sum + d.costUSD, 0),
  };
}
