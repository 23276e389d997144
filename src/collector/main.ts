/**
 * The collector process: `startCollector(config, deps)` wires configuration, sources, pipeline,
 * storage, metrics, health and the schedule; the bottom of the file is the process entry (parse
 * the configuration, handle SIGTERM within the grace period).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { errorMessage, PhoenixError } from '../shared/errors.ts';
import { loadCollectorConfig, type CollectorConfig } from './config.ts';
import { CostTracker, dateInZone } from './costs.ts';
import {
  databaseCheck,
  emailRelayCheck,
  externalApisCheck,
  HealthChecker,
  llmCheck,
  systemCheck,
} from './health.ts';
import { CollectorMetrics } from './metrics.ts';
import type { PipelineDeps } from './pipeline/collect-zip.ts';
import { Enricher } from './pipeline/enrich.ts';
import { executeRun, type RunResult } from './pipeline/run.ts';
import { Scheduler } from './scheduler.ts';
import { startServer } from './server.ts';
import { AssessorClient } from './sources/assessor/client.ts';
import { createAssessorSource } from './sources/assessor/source.ts';
import { systemClock, type Clock } from './sources/assessor/token-bucket.ts';
import { createListingSource } from './sources/listings.ts';
import type { PropertySource } from './sources/source.ts';
import { Database } from './storage/mongo.ts';
import { addRunToReport } from './storage/reports.ts';
import { emailDailyReport, type DailyEmailOutcome } from './report-email.ts';
import { Cron } from 'croner';
import type { KubeConfig } from '@kubernetes/client-node';
import { createStatusReporter, finishedStatus, runningStatus } from './status-reporter.ts';

export interface CollectorDeps {
  clock?: Clock;
  registry?: Registry;
  logger?: Logger;
  /** Called after each run this replica took part in (status reporting, tests). */
  onRunFinished?: (result: RunResult) => Promise<void> | void;
  host?: string;
  /** Kubernetes credentials for status reporting (in-cluster or $KUBECONFIG when omitted). */
  kubeConfig?: KubeConfig;
}

export interface RunningCollector {
  port: number;
  metrics: CollectorMetrics;
  db: Database;
  /** Resolves when the schedule loop has ended (after `stop`). */
  done: Promise<void>;
  /** Emails the daily report of a date (YYYY-MM-DD in the market's zone) if not yet sent. */
  sendDailyReport(date: string): Promise<DailyEmailOutcome>;
  /** Joins or starts the run of a given schedule occurrence now (tests, `phoenix collector run`). */
  runNow(scheduledAt: Date): Promise<RunResult>;
  stop(): Promise<void>;
}

export function createLogger(config: CollectorConfig): Logger {
  return pino({
    level: config.file.logLevel,
    base: { market: config.file.market.name, instance: config.instance },
    redact: {
      paths: ['token', 'uri', 'password', '*.token', '*.uri', '*.password', 'headers.AUTHORIZATION'],
      censor: '[redacted]',
    },
  });
}

function createSources(config: CollectorConfig, metrics: CollectorMetrics): PropertySource[] {
  const sources: PropertySource[] = [];
  const a = config.file.sources.assessor;
  if (a.enabled) {
    const client = new AssessorClient({
      baseUrl: a.baseUrl,
      token: config.secrets.assessorToken ?? '',
      requestsPerSecond: a.requestsPerSecond,
      timeoutMs: a.timeoutSeconds * 1000,
      retry: { maxRetries: a.maxRetries, baseMs: a.retryBaseSeconds * 1000, maxMs: a.retryMaxSeconds * 1000 },
      observer: metrics,
      connections: a.concurrency * 2,
    });
    sources.push(createAssessorSource(client));
  }
  for (const l of config.file.sources.listings.filter((s) => s.enabled)) {
    sources.push(
      createListingSource({
        name: l.name,
        baseUrl: l.baseUrl,
        requestsPerSecond: l.requestsPerSecond,
        timeoutMs: l.timeoutSeconds * 1000,
        proxyUrl: l.useProxy ? config.secrets.listingsProxyUrl : undefined,
        observer: metrics,
      }),
    );
  }
  return sources;
}

function recordRunMetrics(metrics: CollectorMetrics, result: RunResult): void {
  const s = result.summary;
  if (s.qualityMean !== undefined) metrics.m.dataQuality.set(s.qualityMean);
  if (s.propertiesFetched > 0)
    metrics.m.efficiency.set((s.propertiesStored + s.unchanged) / s.propertiesFetched);
  if (result.outcome !== 'Failed') metrics.m.lastSuccess.set(result.completedAt.getTime() / 1000);
}

function cachedPing(db: Database): () => Promise<{ ok: boolean; ms: number }> {
  let last: { at: number; ok: boolean; ms: number } | undefined;
  return async () => {
    if (last !== undefined && Date.now() - last.at < 2_000) return last;
    try {
      last = { at: Date.now(), ok: true, ms: await db.ping() };
    } catch {
      last = { at: Date.now(), ok: false, ms: 0 };
    }
    return last;
  };
}

interface Parts {
  logger: Logger;
  metrics: CollectorMetrics;
  db: Database;
  sources: PropertySource[];
  pipeline: PipelineDeps;
  costs: CostTracker;
  ping: () => Promise<{ ok: boolean; ms: number }>;
  system: ReturnType<typeof systemCheck>;
  health: HealthChecker;
}

function buildParts(config: CollectorConfig, deps: CollectorDeps): Parts {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config);
  const metrics = new CollectorMetrics(deps.registry ?? new Registry(), {
    market: config.file.market.name,
    version: config.version,
    cpuLimitCores: config.limits.cpuCores,
    memoryLimitBytes: config.limits.memoryBytes,
    sources: [
      ...(config.file.sources.assessor.enabled ? ['assessor'] : []),
      ...config.file.sources.listings.filter((l) => l.enabled).map((l) => l.name),
    ],
  });
  const db = new Database({
    uri: config.secrets.mongodbUri,
    database: config.file.mongodb.database,
    observer: metrics,
    clock,
  });
  const sources = createSources(config, metrics);
  const llm = config.file.llm;
  const enricher = new Enricher({
    enabled: llm.enabled,
    endpoint: llm.endpoint,
    model: llm.model,
    timeoutMs: llm.timeoutSeconds * 1000,
    observer: metrics,
  });
  const ping = cachedPing(db);
  const system = systemCheck(config.limits.memoryBytes);
  const email = config.file.reportEmail;
  const health = new HealthChecker(
    [
      databaseCheck(async () => {
        const r = await ping();
        if (!r.ok) throw new Error('MongoDB unreachable');
        return r.ms;
      }),
      llmCheck(llm),
      externalApisCheck(
        metrics,
        sources.map((s) => s.name),
      ),
      emailRelayCheck(email?.enabled === true ? email.smarthost : undefined),
      system,
    ],
    metrics,
  );
  const pipeline: PipelineDeps = { config, db, sources, enricher, metrics, logger, clock };
  const costs = new CostTracker(config, db, metrics, logger);
  return { logger, metrics, db, sources, pipeline, costs, ping, system, health };
}

/** The daily report email on its own schedule, in the market's time zone. */
function scheduleEmail(
  config: CollectorConfig,
  parts: Parts,
  send: (date: string) => Promise<DailyEmailOutcome>,
): Cron | undefined {
  const email = config.file.reportEmail;
  if (email?.enabled !== true) return undefined;
  const zone = config.file.market.timeZone;
  return new Cron(email.schedule, { timezone: zone, mode: '5-part', protect: true }, async () => {
    try {
      await send(dateInZone(new Date(), zone));
    } catch (err) {
      parts.metrics.error('report_email', err instanceof PhoenixError ? err.code : 'unexpected');
      parts.logger.warn({ err }, 'daily report email not sent');
    }
  });
}

type Execute = (scheduledAt: Date, signal: AbortSignal) => Promise<RunResult>;

/** Runs one at a time in a process: leases tell replicas apart, not two runs of one replica. */
function serialRunner(config: CollectorConfig, parts: Parts, deps: CollectorDeps): Execute {
  const market = config.file.market;
  const status = createStatusReporter({
    config,
    logger: parts.logger,
    metrics: parts.metrics,
    kubeConfig: deps.kubeConfig,
  });
  const runOnce: Execute = async (scheduledAt, signal) => {
    await status?.report(runningStatus(new Date(), market.zipCodes.length * parts.sources.length));
    const result = await executeRun(parts.pipeline, scheduledAt, signal);
    if (result.closedHere) await status?.report(finishedStatus(result));
    recordRunMetrics(parts.metrics, result);
    if (result.closedHere) {
      const date = dateInZone(result.completedAt, market.timeZone);
      await addRunToReport(parts.db, { market: market.name, date, ...result }, signal);
    }
    await parts.costs.flush();
    await deps.onRunFinished?.(result);
    return result;
  };
  let queue: Promise<unknown> = Promise.resolve();
  return (scheduledAt, signal) => {
    const next = queue.then(() => runOnce(scheduledAt, signal));
    queue = next.catch(() => undefined);
    return next;
  };
}

export async function startCollector(
  config: CollectorConfig,
  deps: CollectorDeps = {},
): Promise<RunningCollector> {
  const market = config.file.market;
  const parts = buildParts(config, deps);
  const { logger, db } = parts;
  const controller = new AbortController();
  const execute = serialRunner(config, parts, deps);
  const scheduler = new Scheduler({
    market: market.name,
    schedule: market.schedule,
    timeZone: market.timeZone,
    catchUp: config.file.collection.catchUp,
    db,
    clock: parts.pipeline.clock,
    logger,
    execute,
  });
  const ready = async (): Promise<{ ready: boolean; reasons: string[] }> => {
    const reasons: string[] = [];
    if (!(await parts.ping()).ok) reasons.push('MongoDB unreachable');
    if (!scheduler.running && !market.paused) reasons.push('schedule not running');
    return { ready: reasons.length === 0, reasons };
  };
  const server = await startServer(
    { registry: parts.metrics.registry, health: parts.health, ready },
    config.port,
    deps.host,
  );
  logger.info({ port: server.port, zipCodes: market.zipCodes.length }, 'collector started');
  const costTimer = setInterval(() => void parts.costs.flush(), 60_000);
  costTimer.unref();
  const sendDailyReport = (date: string): Promise<DailyEmailOutcome> =>
    emailDailyReport({ db, config, logger }, date);
  const emailCron = scheduleEmail(config, parts, sendDailyReport);
  const done = (async () => {
    await db.run('create_index', () => db.ensureIndexes(), controller.signal);
    if (!market.paused) await scheduler.loop(controller.signal);
  })().catch((err: unknown) => {
    if (!controller.signal.aborted) {
      logger.error({ err }, 'collector loop failed');
      throw err;
    }
  });
  const stop = async (): Promise<void> => {
    controller.abort(new Error('collector stopping'));
    clearInterval(costTimer);
    emailCron?.stop();
    parts.system.histogram.disable();
    await done.catch(() => undefined);
    await parts.costs.flush();
    server.server.closeAllConnections();
    await new Promise((resolve) => server.server.close(resolve));
    await Promise.all(parts.sources.map((s) => s.close()));
    await db.close();
    logger.info('collector stopped');
  };
  return {
    port: server.port,
    metrics: parts.metrics,
    db,
    done,
    runNow: (scheduledAt) => execute(scheduledAt, controller.signal),
    sendDailyReport,
    stop,
  };
}

/**
 * Process entry: parses the configuration, starts, and stops on SIGTERM/SIGINT. Resolves with the
 * exit code once stopped; only the caller (an entry point) exits the process.
 */
export async function runCollectorProcess(): Promise<number> {
  let config: CollectorConfig;
  try {
    config = loadCollectorConfig({
      env: process.env,
      readFile: (p) => readFileSync(p, 'utf8'),
      hostname: hostname(),
      pid: process.pid,
    });
  } catch (err) {
    console.error(`phoenix-collector: ${errorMessage(err)}`);
    return 1;
  }
  const collector = await startCollector(config);
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      console.error(JSON.stringify({ level: 30, msg: `received ${signal}; stopping` }));
      collector.stop().then(
        () => {
          resolve(0);
        },
        () => {
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => {
      stop('SIGTERM');
    });
    process.once('SIGINT', () => {
      stop('SIGINT');
    });
    collector.done.catch(() => {
      resolve(1);
    });
  });
}

if (import.meta.main) {
  // Exit explicitly: a stopped collector must not linger past the pod's grace period.
  process.exit(await runCollectorProcess());
}
