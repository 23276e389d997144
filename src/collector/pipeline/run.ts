/**
 * One collection run of a market: every replica that joins the run claims (zip code, source)
 * units through leases until all are completed or failed, waiting for units leased by others so
 * that a crashed replica's work is taken over when its lease expires. The replica that closes the
 * run summarises it from the checkpoints.
 */
import { createHash } from 'node:crypto';
import { SourceError } from '../sources/source.ts';
import {
  failCheckpoint,
  openCheckpoint,
  runCheckpoints,
  type CheckpointDoc,
} from '../storage/checkpoints.ts';
import { claimLease } from '../storage/leases.ts';
import {
  finishRun,
  getRun,
  openRun,
  type RunDoc,
  type RunOutcome,
  type RunSummary,
} from '../storage/runs.ts';
import { collectZip, unitKey, type PipelineDeps } from './collect-zip.ts';

export interface RunResult {
  runId: string;
  scheduledAt: Date;
  outcome: RunOutcome;
  message: string;
  summary: RunSummary;
  /** True for the replica that closed the run (it writes the report and the status). */
  closedHere: boolean;
  startedAt: Date;
  completedAt: Date;
}

/** The run id of a schedule occurrence: the same on every replica. */
export function runIdOf(scheduledAt: Date): string {
  return scheduledAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

interface Unit {
  zip: string;
  sourceIndex: number;
}

/** Units in an order that differs per replica, so replicas start on different zip codes. */
export function unitOrder(zips: readonly string[], sources: number, instance: string): Unit[] {
  const units = zips.flatMap((zip) =>
    Array.from({ length: sources }, (_, sourceIndex) => ({ zip, sourceIndex })),
  );
  if (units.length === 0) return units;
  const offset = createHash('sha256').update(instance).digest().readUInt32BE(0) % units.length;
  return [...units.slice(offset), ...units.slice(0, offset)];
}

/** Summary of a run from its checkpoints (pure). */
export function summarise(checkpoints: CheckpointDoc[], unitsTotal: number): RunSummary {
  const sum = (pick: (c: CheckpointDoc) => number): number =>
    checkpoints.reduce((acc, c) => acc + pick(c), 0);
  const qualityCount = sum((c) => c.counts.qualityCount);
  const inserted = sum((c) => c.counts.inserted);
  const updated = sum((c) => c.counts.updated);
  return {
    zipCodesTotal: unitsTotal,
    zipCodesCompleted: checkpoints.filter((c) => c.state === 'completed').length,
    zipCodesFailed: checkpoints.filter((c) => c.state === 'failed').length,
    propertiesFetched: sum((c) => c.counts.fetched),
    propertiesStored: inserted + updated,
    inserted,
    updated,
    unchanged: sum((c) => c.counts.unchanged),
    recordsRejected: sum((c) => c.counts.rejected),
    qualityMean: qualityCount === 0 ? undefined : sum((c) => c.counts.qualitySum) / qualityCount,
  };
}

export function outcomeOf(s: RunSummary): RunOutcome {
  if (s.zipCodesCompleted === s.zipCodesTotal) return 'Succeeded';
  return s.zipCodesCompleted > 0 ? 'PartiallySucceeded' : 'Failed';
}

function settled(checkpoints: CheckpointDoc[], total: number): boolean {
  return checkpoints.filter((c) => c.state !== 'pending').length >= total;
}

/** Marks the pending units of blocked sources failed, without a request. */
async function failBlocked(
  deps: PipelineDeps,
  run: RunDoc,
  blocked: Set<string>,
  signal: AbortSignal,
): Promise<void> {
  for (const source of blocked) {
    for (const zip of run.zipCodes) {
      const key = unitKey(run.market, run.runId, zip, source);
      await openCheckpoint(deps.db, key, signal);
      await failCheckpoint(
        deps.db,
        key,
        {
          message: `${source} stopped by bot protection earlier in this run`,
          code: 'PHOENIX_SOURCE_BOT_PROTECTION',
        },
        signal,
      );
    }
  }
}

/** Claims a unit and collects it; false when another replica holds it. */
async function tryUnit(
  deps: PipelineDeps,
  run: RunDoc,
  unit: Unit & { blocked: Set<string> },
  signal: AbortSignal,
): Promise<boolean> {
  const market = deps.config.file.market.name;
  const source = deps.sources[unit.sourceIndex];
  if (source === undefined || unit.blocked.has(source.name)) return false;
  const key = unitKey(market, run.runId, unit.zip, source.name);
  const ttl = deps.config.file.collection.leaseSeconds * 1000;
  if (!(await claimLease(deps.db, key, { owner: deps.config.instance, ttlMs: ttl }, signal))) return false;
  const log = { zip: unit.zip, source: source.name, runId: run.runId };
  deps.logger.info(log, 'collecting zip code');
  const outcome = await collectZip(deps, { market, runId: run.runId, zip: unit.zip, source }, signal);
  deps.logger.info({ ...log, outcome }, 'zip code finished');
  if (outcome === 'blocked') unit.blocked.add(source.name);
  return true;
}

/**
 * One pass over the units not yet settled, `zipConcurrency` at a time. Returns true when it did
 * work; the first terminal error stops the other workers and is rethrown.
 */
async function pass(deps: PipelineDeps, run: RunDoc, signal: AbortSignal): Promise<boolean> {
  const market = deps.config.file.market.name;
  const checkpoints = await runCheckpoints(deps.db, market, run.runId, signal);
  const settledIds = new Set(checkpoints.filter((c) => c.state !== 'pending').map((c) => c._id));
  // Sources stopped by bot protection are not asked again in this run.
  const blocked = new Set(
    checkpoints
      .filter((c) => c.errorCode === 'PHOENIX_SOURCE_BOT_PROTECTION')
      .map((c) => c.zip.split('~')[1] ?? 'assessor'),
  );
  await failBlocked(deps, run, blocked, signal);
  const units = unitOrder(run.zipCodes, deps.sources.length, deps.config.instance).filter((u) => {
    if (blocked.has(deps.sources[u.sourceIndex]?.name ?? '')) return false;
    const key = unitKey(market, run.runId, u.zip, deps.sources[u.sourceIndex]?.name ?? '');
    return !settledIds.has(`${key.market}:${key.runId}:${key.zip}`);
  });
  const local = new AbortController();
  const scoped = AbortSignal.any([signal, local.signal]);
  let next = 0;
  let worked = false;
  const worker = async (): Promise<void> => {
    while (next < units.length && !scoped.aborted) {
      const unit = units[next++] as Unit;
      if (await tryUnit(deps, run, { ...unit, blocked }, scoped)) worked = true;
    }
  };
  const workers = Array.from({ length: deps.config.file.collection.zipConcurrency }, worker);
  try {
    await Promise.all(workers);
  } catch (err) {
    local.abort(err);
    await Promise.allSettled(workers);
    throw err;
  }
  return worked;
}

interface Closing {
  run: RunDoc;
  failure: string | undefined;
  startedAt: Date;
}

async function close(deps: PipelineDeps, closing: Closing, signal: AbortSignal): Promise<RunResult> {
  const { run, failure, startedAt } = closing;
  const total = run.zipCodes.length * deps.sources.length;
  const summary = summarise(await runCheckpoints(deps.db, run.market, run.runId, signal), total);
  const outcome = failure === undefined ? outcomeOf(summary) : 'Failed';
  const message =
    failure ??
    `${summary.zipCodesCompleted}/${total} zip codes, ${summary.propertiesStored} properties stored, ${summary.recordsRejected} records rejected`;
  const closedHere = await finishRun(deps.db, run, { outcome, message, summary }, signal);
  const final = closedHere
    ? { outcome, message }
    : await storedOutcome(deps, run, { outcome, message }, signal);
  return {
    runId: run.runId,
    scheduledAt: run.scheduledAt,
    ...final,
    summary,
    closedHere,
    startedAt,
    completedAt: new Date(),
  };
}

async function storedOutcome(
  deps: PipelineDeps,
  run: RunDoc,
  fallback: { outcome: RunOutcome; message: string },
  signal: AbortSignal,
) {
  const stored = await getRun(deps.db, run.market, run.runId, signal);
  return { outcome: stored?.outcome ?? fallback.outcome, message: stored?.message ?? fallback.message };
}

/** Joins (or starts) the run of `scheduledAt` and works until it is settled. */
export async function executeRun(
  deps: PipelineDeps,
  scheduledAt: Date,
  signal: AbortSignal,
): Promise<RunResult> {
  const market = deps.config.file.market;
  const startedAt = new Date();
  const run = await openRun(
    deps.db,
    { market: market.name, runId: runIdOf(scheduledAt), scheduledAt, zipCodes: [...market.zipCodes] },
    signal,
  );
  deps.metrics.m.inProgress.set(1);
  try {
    for (;;) {
      const current = await getRun(deps.db, market.name, run.runId, signal);
      if (current?.status === 'completed')
        return await close(deps, { run, failure: undefined, startedAt }, signal);
      const worked = await pass(deps, run, signal);
      const checkpoints = await runCheckpoints(deps.db, market.name, run.runId, signal);
      if (settled(checkpoints, run.zipCodes.length * deps.sources.length))
        return await close(deps, { run, failure: undefined, startedAt }, signal);
      if (!worked) await deps.clock.sleep(deps.config.file.collection.pollSeconds * 1000, signal);
    }
  } catch (err) {
    if (!(err instanceof SourceError) || signal.aborted) throw err;
    // A terminal source error (rejected token, bot protection) ends the run: no retry storm.
    deps.metrics.error(`source_${err.source === 'assessor' ? 'assessor' : 'listing'}`, err.code);
    if (err.code === 'PHOENIX_SOURCE_UNAUTHORIZED') deps.metrics.markUnauthorized(err.source);
    deps.logger.error({ err, runId: run.runId }, 'collection run stopped by a terminal source error');
    return await close(deps, { run, failure: err.message, startedAt }, signal);
  } finally {
    deps.metrics.m.inProgress.set(0);
  }
}
