/**
 * The MongoDB connection (FerretDB v1 compatible: no transactions, change streams, $lookup,
 * arrayFilters or collation), the collections, the unique indexes created at start-up, and `run`,
 * which times every operation and waits out an unreachable server instead of losing work.
 */
import {
  MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoServerError,
  type Collection,
  type Db,
  type Document,
} from 'mongodb';
import type { Clock } from '../sources/assessor/token-bucket.ts';

export const COLLECTIONS = {
  properties: 'properties',
  rejects: 'rejected_records',
  leases: 'collection_leases',
  checkpoints: 'collection_checkpoints',
  runs: 'collection_runs',
  ledger: 'cost_ledger',
  reports: 'daily_reports',
} as const;

export interface DbObserver {
  operation(operation: string, outcome: 'success' | 'error', seconds: number): void;
  reachable(up: boolean): void;
  /** Connections to the server opened (+1) or closed (-1). */
  connection(delta: 1 | -1): void;
}

/** Errors that mean "the server is not reachable right now": the operation is retried. */
export function isTransientDbError(err: unknown): boolean {
  if (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    (err instanceof Error && err.name === 'MongoPoolClearedError')
  ) {
    return true;
  }
  return err instanceof MongoServerError && (err.hasErrorLabel('RetryableWriteError') || err.code === 91);
}

export interface DatabaseOptions {
  uri: string;
  database: string;
  observer: DbObserver;
  clock: Clock;
  /** Longest wait between retries of an operation while the server is unreachable. */
  maxBackoffMs?: number;
}

export class Database {
  readonly client: MongoClient;
  readonly db: Db;
  readonly #options: DatabaseOptions;

  constructor(options: DatabaseOptions) {
    this.#options = options;
    this.client = new MongoClient(options.uri, {
      serverSelectionTimeoutMS: 3_000,
      connectTimeoutMS: 3_000,
      socketTimeoutMS: 60_000,
      // Every write is idempotent by design; retries are ours, not the driver's (FerretDB v1 has no sessions).
      retryWrites: false,
      retryReads: false,
      maxPoolSize: 20,
      appName: 'phoenix-collector',
    });
    this.db = this.client.db(options.database);
    this.client.on('connectionCreated', () => {
      options.observer.connection(1);
    });
    this.client.on('connectionClosed', () => {
      options.observer.connection(-1);
    });
  }

  collection<T extends Document>(name: string): Collection<T> {
    return this.db.collection<T>(name);
  }

  /** Runs `fn`, retrying transient failures with backoff until it succeeds or `signal` aborts. */
  async run<T>(operation: string, fn: (db: Db) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const maxBackoff = this.#options.maxBackoffMs ?? 5_000;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const value = await fn(this.db);
        this.#options.observer.operation(operation, 'success', (performance.now() - started) / 1000);
        this.#options.observer.reachable(true);
        return value;
      } catch (err) {
        this.#options.observer.operation(operation, 'error', (performance.now() - started) / 1000);
        if (!isTransientDbError(err) || signal === undefined) throw err;
        this.#options.observer.reachable(false);
        await this.#options.clock.sleep(Math.min(maxBackoff, 250 * 2 ** Math.min(attempt, 6)), signal);
      }
    }
  }

  /** Round-trip time of a ping in milliseconds; throws when unreachable. */
  async ping(): Promise<number> {
    const started = performance.now();
    await this.db.command({ ping: 1 });
    return performance.now() - started;
  }

  async ensureIndexes(): Promise<void> {
    const specs: [string, Document, string, boolean][] = [
      [COLLECTIONS.properties, { market: 1, apn: 1 }, 'market_apn', true],
      [COLLECTIONS.properties, { market: 1, zip: 1 }, 'market_zip', false],
      [COLLECTIONS.rejects, { market: 1, reason: 1 }, 'market_reason', false],
      [COLLECTIONS.leases, { market: 1, runId: 1, zip: 1 }, 'market_run_zip', true],
      [COLLECTIONS.checkpoints, { market: 1, runId: 1, zip: 1 }, 'market_run_zip', true],
      [COLLECTIONS.runs, { market: 1, runId: 1 }, 'market_run', true],
      [COLLECTIONS.ledger, { market: 1, date: 1 }, 'market_date', true],
      [COLLECTIONS.reports, { market: 1, date: 1 }, 'market_date', true],
    ];
    for (const [collection, key, name, unique] of specs) {
      await this.run('create_index', (db) =>
        db.collection(collection).createIndexes([{ key, name, unique }]),
      );
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** True for a duplicate-key error (the loser of an upsert race or a guarded insert). */
export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}
