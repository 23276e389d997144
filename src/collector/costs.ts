/**
 * Periodically moves this replica's usage (requests, CPU time) into the persisted cost ledger and
 * refreshes the cost and budget gauges from it.
 */
import type { Logger } from 'pino';
import type { CollectorConfig } from './config.ts';
import type { CollectorMetrics, Usage } from './metrics.ts';
import { costTotals, recordCost } from './storage/ledger.ts';
import type { Database } from './storage/mongo.ts';

/** The calendar date of `at` in a time zone, as YYYY-MM-DD. */
export function dateInZone(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

export class CostTracker {
  readonly #config: CollectorConfig;
  readonly #db: Database;
  readonly #metrics: CollectorMetrics;
  readonly #logger: Logger;
  #flushed: Usage = { assessorRequests: 0, listingRequests: 0, llmRequests: 0 };
  #cpu = process.cpuUsage();

  constructor(config: CollectorConfig, db: Database, metrics: CollectorMetrics, logger: Logger) {
    this.#config = config;
    this.#db = db;
    this.#metrics = metrics;
    this.#logger = logger;
    metrics.m.monthlyBudget.set(config.file.budget.monthlyUSD);
  }

  async flush(): Promise<void> {
    const usage = { ...this.#metrics.usage };
    const cpu = process.cpuUsage(this.#cpu);
    const delta = {
      assessorRequests: usage.assessorRequests - this.#flushed.assessorRequests,
      listingRequests: usage.listingRequests - this.#flushed.listingRequests,
      llmRequests: usage.llmRequests - this.#flushed.llmRequests,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
    const market = this.#config.file.market;
    const date = dateInZone(new Date(), market.timeZone);
    try {
      await recordCost(this.#db, { market: market.name, date, usage: delta, rates: this.#config.file.costs });
      this.#flushed = usage;
      this.#cpu = process.cpuUsage();
      const totals = await costTotals(this.#db, market.name, date);
      this.#metrics.m.dailyCost.set(totals.dailyUSD);
      this.#metrics.m.monthlyCost.set(totals.monthlyUSD);
      const budget = this.#config.file.budget.monthlyUSD;
      this.#metrics.m.budgetUtilization.set(budget > 0 ? totals.monthlyUSD / budget : 0);
    } catch (err) {
      this.#logger.warn({ err }, 'cost ledger not updated; will retry');
    }
  }
}
