/**
 * Collectors as processes: a MongoDB outage mid-run, SIGTERM mid-run and resumption from the
 * checkpoint, and three replicas sharing one market's zip codes (one of them killed).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../../../src/local/process.ts';
import { COLLECTIONS } from '../../../src/collector/storage/mongo.ts';
import { collectorSetup, readyz, spawnCollector, type CollectorProcess } from '../../support/collector.ts';
import { useFerretDb } from '../../support/ferretdb.ts';
import { startFakeAssessor, type FakeAssessor } from '../../support/fakes/assessor.ts';

const TOKEN = 'process-token';

function zips(count: number, first = 85001): string[] {
  return Array.from({ length: count }, (_, i) => String(first + i));
}

describe('collector processes against FerretDB', () => {
  const ferret = useFerretDb();
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-collector-procs-'));
  let client: MongoClient;
  let assessor: FakeAssessor;
  const children: CollectorProcess[] = [];

  beforeAll(async () => {
    client = new MongoClient(ferret.db.uri, { serverSelectionTimeoutMS: 20_000 });
    assessor = await startFakeAssessor({
      token: TOKEN,
      parcelsPerZip: {},
      latencyMs: 15,
      log: () => undefined,
    });
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.proc.stop(5_000)));
  });
  afterAll(async () => {
    await client.close();
    await assessor.close();
  });

  function setupFor(database: string, zipCodes: string[], perZip: number, leaseSeconds = 30) {
    assessor.options.parcelsPerZip = Object.fromEntries(zipCodes.map((z) => [z, perZip]));
    assessor.counts.parcel = 0;
    assessor.counts.search = 0;
    return collectorSetup(
      {
        market: { name: 'mesa', zipCodes, schedule: '0 0 1 1 *', timeZone: 'America/Phoenix' },
        sources: {
          assessor: { baseUrl: assessor.url, requestsPerSecond: 1000, concurrency: 2, retryBaseSeconds: 0.1 },
        },
        mongodb: { database },
        llm: { enabled: false },
        collection: { catchUp: true, leaseSeconds, pollSeconds: 0.5 },
      },
      { PHOENIX_ASSESSOR_TOKEN: TOKEN, PHOENIX_MONGODB_URI: ferret.db.uri },
    );
  }

  async function spawn(setup: ReturnType<typeof setupFor>, name: string): Promise<CollectorProcess> {
    const child = await spawnCollector(setup, name, dir);
    children.push(child);
    return child;
  }

  const runDone = (db: Db) => async () =>
    (await db.collection(COLLECTIONS.runs).countDocuments({ status: 'completed' })) === 1;

  it('waits out a MongoDB outage: readiness goes false, then the run completes with nothing lost or duplicated', async () => {
    const db = client.db('outage');
    const setup = setupFor('outage', zips(4), 60);
    const child = await spawn(setup, 'mesa-outage-0');
    expect(
      await waitUntil(
        async () => (await db.collection(COLLECTIONS.properties).countDocuments()) >= 40,
        60_000,
      ),
    ).toBe(true);
    await ferret.db.stop();
    expect(await waitUntil(async () => (await readyz(child.port)) === 503, 15_000)).toBe(true);
    await sleep(3_000);
    await ferret.db.start();
    expect(await waitUntil(async () => (await readyz(child.port)) === 200, 30_000)).toBe(true);
    expect(await waitUntil(runDone(db), 90_000)).toBe(true);
    const props = db.collection(COLLECTIONS.properties);
    expect(await props.countDocuments()).toBe(240);
    const run = await db.collection(COLLECTIONS.runs).findOne({});
    expect(run).toMatchObject({
      outcome: 'Succeeded',
      summary: { zipCodesCompleted: 4, propertiesStored: 240 },
    });
    const metrics = await (await fetch(`http://127.0.0.1:${child.port}/metrics`)).text();
    expect(metrics).toMatch(
      /phoenix_db_operations_total\{operation="[a-z_]+",outcome="error",market="mesa"\} [1-9]/,
    );
  });

  it('stops within the grace period on SIGTERM and the next start resumes from the checkpoint', async () => {
    const db = client.db('sigterm');
    const setup = setupFor('sigterm', zips(3, 85101), 100);
    const first = await spawn(setup, 'mesa-sigterm-0');
    expect(
      await waitUntil(
        async () => (await db.collection(COLLECTIONS.properties).countDocuments()) >= 80,
        60_000,
      ),
    ).toBe(true);
    const stoppedAt = Date.now();
    process.kill(first.proc.pid, 'SIGTERM');
    const code = await first.proc.exited;
    const stopSeconds = (Date.now() - stoppedAt) / 1000;
    expect(code).toBe(0);
    expect(stopSeconds).toBeLessThan(10);
    const before = await db.collection(COLLECTIONS.properties).countDocuments();
    const checkpoints = await db.collection(COLLECTIONS.checkpoints).find({}).toArray();
    const pagesDone = checkpoints.reduce((n, c) => n + (c['nextPage'] as number) - 1, 0);
    expect(pagesDone).toBeGreaterThan(0);
    // Leases were handed back, so the next replica need not wait for them to expire.
    const held = await db
      .collection(COLLECTIONS.leases)
      .countDocuments({ done: false, expiresAt: { $gt: new Date() } });
    expect(held).toBe(0);
    const searchesBefore = assessor.counts.search;

    await spawn(setup, 'mesa-sigterm-1');
    expect(await waitUntil(runDone(db), 90_000)).toBe(true);
    expect(await db.collection(COLLECTIONS.properties).countDocuments()).toBe(300);
    expect(before).toBeLessThan(300);
    // 3 zip codes of 100 parcels are 12 search pages of 25; pages checkpointed before SIGTERM
    // were not asked for again (at most the page in flight per zip code is repeated).
    const totalPages = 3 * 4;
    expect(assessor.counts.search).toBeLessThanOrEqual(totalPages + 3);
    expect(assessor.counts.search - searchesBefore).toBeLessThanOrEqual(totalPages - pagesDone + 3);
    expect(await db.collection(COLLECTIONS.runs).countDocuments()).toBe(1);
  });

  it('splits the zip codes among three replicas without overlap', async () => {
    const db = client.db('replicas');
    const setup = setupFor('replicas', zips(9, 85201), 20);
    await Promise.all(['a', 'b', 'c'].map((n) => spawn(setup, `mesa-replica-${n}`)));
    expect(await waitUntil(runDone(db), 90_000)).toBe(true);
    expect(await db.collection(COLLECTIONS.properties).countDocuments()).toBe(180);
    // Each parcel was fetched exactly once and each zip code claimed exactly once.
    expect(assessor.counts.parcel).toBe(180);
    const leases = await db.collection(COLLECTIONS.leases).find({}).toArray();
    expect(leases).toHaveLength(9);
    expect(leases.every((l) => l['claims'] === 1 && l['done'] === true)).toBe(true);
    expect(new Set(leases.map((l) => String(l['owner']))).size).toBeGreaterThan(1);
  });

  it('finishes the work of a killed replica with the others', async () => {
    const db = client.db('takeover');
    const setup = setupFor('takeover', zips(6, 85301), 75, 3);
    const replicas = await Promise.all(['a', 'b', 'c'].map((n) => spawn(setup, `mesa-takeover-${n}`)));
    const victim = replicas[0]!;
    // Kill a replica while it holds a lease, as a crash would (no graceful release).
    expect(
      await waitUntil(
        async () =>
          (await db.collection(COLLECTIONS.leases).countDocuments({ owner: victim.name, done: false })) > 0,
        30_000,
      ),
    ).toBe(true);
    process.kill(victim.proc.pid, 'SIGKILL');
    expect(await waitUntil(runDone(db), 120_000)).toBe(true);
    expect(await db.collection(COLLECTIONS.properties).countDocuments()).toBe(450);
    const run = await db.collection(COLLECTIONS.runs).findOne({});
    expect(run).toMatchObject({ outcome: 'Succeeded', summary: { zipCodesCompleted: 6 } });
    const taken = await db
      .collection(COLLECTIONS.leases)
      .find({ claims: { $gt: 1 } })
      .toArray();
    expect(taken.length).toBeGreaterThan(0);
    expect(taken.every((l) => l['owner'] !== victim.name)).toBe(true);
  });
});
