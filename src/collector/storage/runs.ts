/**
 * One document per collection run (`_id = "<market>:<runId>"`). The run id is the scheduled time,
 * so every replica of a market derives the same id and joins the same run. The replica that flips
 * a run from `running` to `completed` is the one that writes the day's report and the status.
 */
import { COLLECTIONS, type Database } from './mongo.ts';

export type RunOutcome = 'Succeeded' | 'PartiallySucceeded' | 'Failed';

export interface RunSummary {
  zipCodesTotal: number;
  zipCodesCompleted: number;
  zipCodesFailed: number;
  propertiesFetched: number;
  propertiesStored: number;
  inserted: number;
  updated: number;
  unchanged: number;
  recordsRejected: number;
  qualityMean: number | undefined;
}

export interface RunDoc {
  _id: string;
  market: string;
  runId: string;
  scheduledAt: Date;
  zipCodes: string[];
  status: 'running' | 'completed';
  startedAt: Date;
  completedAt?: Date;
  outcome?: RunOutcome;
  message?: string;
  summary?: RunSummary;
}

function col(db: Database) {
  return db.collection<RunDoc>(COLLECTIONS.runs);
}

export async function openRun(
  db: Database,
  run: Pick<RunDoc, 'market' | 'runId' | 'scheduledAt' | 'zipCodes'>,
  signal?: AbortSignal,
): Promise<RunDoc> {
  const { market, runId, scheduledAt, zipCodes } = run;
  const _id = `${market}:${runId}`;
  await db.run(
    'run_open',
    () =>
      col(db).updateOne(
        { _id },
        { $setOnInsert: { market, runId, scheduledAt, zipCodes, status: 'running', startedAt: new Date() } },
        { upsert: true },
      ),
    signal,
  );
  const doc = await db.run('run_get', () => col(db).findOne({ _id }), signal);
  if (doc === null) throw new Error(`run ${_id} vanished`);
  return doc;
}

export async function getRun(
  db: Database,
  market: string,
  runId: string,
  signal?: AbortSignal,
): Promise<RunDoc | null> {
  return db.run('run_get', () => col(db).findOne({ _id: `${market}:${runId}` }), signal);
}

/** Runs of the market still marked running (to resume after a restart). */
export async function unfinishedRuns(db: Database, market: string, signal?: AbortSignal): Promise<RunDoc[]> {
  return db.run('run_list', () => col(db).find({ market, status: 'running' }).toArray(), signal);
}

/** Marks the run completed; true only for the caller that made the change. */
export async function finishRun(
  db: Database,
  run: Pick<RunDoc, 'market' | 'runId'>,
  result: { outcome: RunOutcome; message: string; summary: RunSummary },
  signal?: AbortSignal,
): Promise<boolean> {
  const updated = await db.run(
    'run_finish',
    () =>
      col(db).updateOne(
        { _id: `${run.market}:${run.runId}`, status: 'running' },
        { $set: { status: 'completed', completedAt: new Date(), ...result } },
      ),
    signal,
  );
  return updated.modifiedCount > 0;
}
