/**
 * Runs collections on the market's cron schedule in its time zone, one at a time. At start-up it
 * first resumes runs left unfinished (a restart continues from the checkpoints) and, with
 * `catchUp`, joins the latest due occurrence if that run is not complete, so that replicas started
 * together agree on the run.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Clock } from './sources/assessor/token-bucket.ts';
import type { Database } from './storage/mongo.ts';
import { getRun, unfinishedRuns } from './storage/runs.ts';
import { runIdOf, type RunResult } from './pipeline/run.ts';

export interface SchedulerOptions {
  market: string;
  schedule: string;
  timeZone: string;
  catchUp: boolean;
  db: Database;
  clock: Clock;
  logger: Logger;
  execute: (scheduledAt: Date, signal: AbortSignal) => Promise<RunResult>;
}

/** The latest occurrence of the schedule at or before `now` (pure apart from croner). */
export function previousOccurrence(schedule: string, timeZone: string, now: Date): Date | undefined {
  const cron = new Cron(schedule, { timezone: timeZone, paused: true, mode: '5-part' });
  const previous = cron.previousRuns(1, now)[0];
  cron.stop();
  return previous;
}

export function nextOccurrence(schedule: string, timeZone: string, now: Date): Date | undefined {
  const cron = new Cron(schedule, { timezone: timeZone, paused: true, mode: '5-part' });
  const next = cron.nextRun(now) ?? undefined;
  cron.stop();
  return next;
}

export class Scheduler {
  readonly #o: SchedulerOptions;
  #running = false;

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Loops until `signal` aborts. */
  async loop(signal: AbortSignal): Promise<void> {
    this.#running = true;
    try {
      await this.#startUp(signal);
      while (!signal.aborted) {
        const next = nextOccurrence(this.#o.schedule, this.#o.timeZone, new Date());
        if (next === undefined) return;
        // Timers hold at most 2^31 ms; wake up hourly and look again.
        const wait = next.getTime() - Date.now();
        await this.#o.clock.sleep(Math.min(Math.max(0, wait), 3_600_000), signal);
        if (Date.now() >= next.getTime()) await this.#safeExecute(next, signal);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      this.#running = false;
    }
  }

  async #startUp(signal: AbortSignal): Promise<void> {
    for (const run of await unfinishedRuns(this.#o.db, this.#o.market, signal)) {
      this.#o.logger.info({ runId: run.runId }, 'resuming unfinished collection run');
      await this.#safeExecute(run.scheduledAt, signal);
    }
    if (!this.#o.catchUp) return;
    const due = previousOccurrence(this.#o.schedule, this.#o.timeZone, new Date());
    if (due === undefined) return;
    const existing = await getRun(this.#o.db, this.#o.market, runIdOf(due), signal);
    if (existing?.status !== 'completed') await this.#safeExecute(due, signal);
  }

  async #safeExecute(scheduledAt: Date, signal: AbortSignal): Promise<void> {
    try {
      const result = await this.#o.execute(scheduledAt, signal);
      this.#o.logger.info(
        { runId: result.runId, outcome: result.outcome, summary: result.summary },
        'collection run finished',
      );
    } catch (err) {
      if (signal.aborted) throw err;
      this.#o.logger.error({ err, runId: runIdOf(scheduledAt) }, 'collection run failed');
    }
  }
}
