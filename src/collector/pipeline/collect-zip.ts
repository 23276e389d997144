/**
 * Collection of one zip code from one source under a lease: page by page from the checkpoint,
 * each page fetched, built, stored and then checkpointed, with the lease renewed meanwhile. A page
 * replayed after a crash is stored idempotently.
 */
import type { Logger } from 'pino';
import { PhoenixError } from '../../shared/errors.ts';
import type { CollectorConfig } from '../config.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { SourceError, type PropertySource, type SourceRef } from '../sources/source.ts';
import type { Clock } from '../sources/assessor/token-bucket.ts';
import { advanceCheckpoint, failCheckpoint, openCheckpoint, type ZipCounts } from '../storage/checkpoints.ts';
import { completeLease, releaseLease, renewLease, type LeaseKey } from '../storage/leases.ts';
import type { Database } from '../storage/mongo.ts';
import { storeProperties } from '../storage/properties.ts';
import { storeRejects } from '../storage/rejects.ts';
import type { Enricher } from './enrich.ts';
import { buildPage, jsonText, payloadHash as hashOf, type Fetched, type RecordContext } from './records.ts';

export interface PipelineDeps {
  config: CollectorConfig;
  db: Database;
  sources: PropertySource[];
  enricher: Enricher;
  metrics: CollectorMetrics;
  logger: Logger;
  clock: Clock;
}

export class LeaseLostError extends PhoenixError {
  override readonly name = 'LeaseLostError';
  constructor(id: string) {
    super('PHOENIX_LEASE_LOST', `lease ${id} was taken over`, { kind: 'conflict' });
  }
}

/** Lease and checkpoint key of a (zip code, source) unit of work. */
export function unitKey(market: string, runId: string, zip: string, source: string): LeaseKey {
  return { market, runId, zip: source === 'assessor' ? zip : `${zip}~${source}` };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function fetchOne(source: PropertySource, ref: SourceRef, signal: AbortSignal): Promise<Fetched> {
  try {
    return { ref, raw: await source.fetch(ref, signal) };
  } catch (err) {
    // A record the server refuses for good (404, 400) is set aside; anything else fails the page.
    if (err instanceof SourceError && err.code === 'PHOENIX_SOURCE_HTTP' && err.kind === 'terminal') {
      return { ref, raw: { phoenixFetchFailed: err.status ?? null, key: ref.key } };
    }
    throw err;
  }
}

async function processPage(deps: PipelineDeps, ctx: RecordContext, page: number, signal: AbortSignal) {
  const { source } = ctx;
  const discovered = await source.discover(ctx.zip, page, signal);
  const fetched = await mapLimit(discovered.refs, deps.config.file.sources.assessor.concurrency, (ref) =>
    fetchOne(source, ref, signal),
  );
  const built = await buildPage({ ...ctx, now: new Date() }, fetched, deps.enricher, {
    batchSize: deps.config.file.llm.batchSize,
    signal,
  });
  for (const inv of discovered.invalid) {
    built.rejects.push({
      market: ctx.market,
      source: source.name,
      zip: ctx.zip,
      runId: ctx.runId,
      key: undefined,
      reason: inv.reason,
      detail: inv.detail,
      payloadHash: hashOf(inv.raw),
      raw: jsonText(inv.raw),
    });
  }
  const results = await storeProperties(deps.db, built.writes, signal);
  await storeRejects(deps.db, built.rejects, signal);
  const delta: ZipCounts = {
    fetched: fetched.length + discovered.invalid.length,
    inserted: results.filter((r) => r === 'inserted').length,
    updated: results.filter((r) => r === 'updated').length,
    unchanged: results.filter((r) => r === 'unchanged').length,
    rejected: built.rejects.length,
    qualitySum: built.qualities.reduce((a, b) => a + b, 0),
    qualityCount: built.qualities.length,
  };
  recordPageMetrics(
    deps.metrics,
    source.name,
    delta,
    built.rejects.map((r) => r.reason),
  );
  return { next: discovered.nextPage, delta };
}

function recordPageMetrics(
  metrics: CollectorMetrics,
  source: string,
  delta: ZipCounts,
  reasons: string[],
): void {
  metrics.m.propertiesCollected.inc({ source }, delta.fetched);
  for (const result of ['inserted', 'updated', 'unchanged'] as const)
    metrics.m.propertiesStored.inc({ result }, delta[result]);
  for (const reason of reasons) metrics.m.recordsRejected.inc({ source, reason });
}

function startHeartbeat(deps: PipelineDeps, key: LeaseKey, lost: AbortController): () => void {
  const ttl = deps.config.file.collection.leaseSeconds * 1000;
  const timer = setInterval(() => {
    renewLease(deps.db, key, { owner: deps.config.instance, ttlMs: ttl }).then(
      (ours) => {
        if (!ours) lost.abort(new LeaseLostError(`${key.market}:${key.runId}:${key.zip}`));
      },
      () => undefined, // database unreachable: the lease may lapse; work is idempotent
    );
  }, ttl / 3);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

export type ZipOutcome = 'completed' | 'failed' | 'retry' | 'blocked';

/**
 * A listing source answered with a bot challenge: it is not evaded. The unit fails with the code,
 * so that the run skips the source's other zip codes, and the stop is logged and counted.
 */
async function stopForBotProtection(
  deps: PipelineDeps,
  key: LeaseKey,
  err: SourceError,
): Promise<ZipOutcome> {
  deps.metrics.error('source_listing', err.code);
  deps.logger.error(
    { err, source: err.source, zip: key.zip },
    'bot protection met; source stopped for this run',
  );
  await failCheckpoint(deps.db, key, { message: err.message, code: err.code });
  await completeLease(deps.db, key, deps.config.instance);
  return 'blocked';
}

/** Collects one unit under an already claimed lease. Throws terminal source errors and aborts. */
export async function collectZip(
  deps: PipelineDeps,
  ctx: Omit<RecordContext, 'now'>,
  signal: AbortSignal,
): Promise<ZipOutcome> {
  const key = unitKey(ctx.market, ctx.runId, ctx.zip, ctx.source.name);
  const owner = deps.config.instance;
  const lost = new AbortController();
  const scoped = AbortSignal.any([signal, lost.signal]);
  const stop = startHeartbeat(deps, key, lost);
  const endTimer = deps.metrics.m.collectionDuration.startTimer({ source: ctx.source.name });
  deps.metrics.m.collections.inc({ source: ctx.source.name });
  try {
    const checkpoint = await openCheckpoint(deps.db, key, scoped);
    if (checkpoint.state !== 'pending') return checkpoint.state;
    if (checkpoint.attempts > deps.config.file.collection.maxZipAttempts) {
      await failCheckpoint(deps.db, key, checkpoint.error ?? 'too many attempts', scoped);
      await completeLease(deps.db, key, owner, scoped);
      return 'failed';
    }
    let page: number | undefined = checkpoint.nextPage;
    while (page !== undefined) {
      const { next, delta } = await processPage(deps, { ...ctx, now: new Date() }, page, scoped);
      await advanceCheckpoint(deps.db, key, { page, next, delta }, scoped);
      page = next;
    }
    await completeLease(deps.db, key, owner, scoped);
    deps.metrics.m.collectionsSuccessful.inc({ source: ctx.source.name });
    endTimer();
    return 'completed';
  } catch (err) {
    if (lost.signal.aborted && !signal.aborted) return 'retry'; // another replica has it now
    if (err instanceof SourceError && err.code === 'PHOENIX_SOURCE_BOT_PROTECTION' && !signal.aborted) {
      return await stopForBotProtection(deps, key, err);
    }
    await releaseLease(deps.db, key, owner).catch(() => undefined);
    if (signal.aborted || (err instanceof SourceError && err.kind === 'terminal')) throw err;
    deps.metrics.error('pipeline', err instanceof PhoenixError ? err.code : 'unexpected');
    deps.logger.warn(
      { err, zip: ctx.zip, source: ctx.source.name },
      'zip code collection failed; it will be retried',
    );
    return 'retry';
  } finally {
    stop();
  }
}
