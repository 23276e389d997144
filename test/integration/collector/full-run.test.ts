import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sleep } from '../../../src/local/process.ts';
import { startCollector, type RunningCollector } from '../../../src/collector/main.ts';
import { COLLECTIONS } from '../../../src/collector/storage/mongo.ts';
import { collectorSetup, loadTestConfig, metricSum } from '../../support/collector.ts';
import { useFerretDb } from '../../support/ferretdb.ts';
import { apnOf, startFakeAssessor, type FakeAssessor } from '../../support/fakes/assessor.ts';
import { startFakeOllama, type FakeOllama } from '../../support/fakes/ollama.ts';

const TOKEN = 'test-token-1';
const ZIPS = { '85001': 60, '85002': 25, '85003': 7 };

describe('collector: a full run against FerretDB and the fake Assessor and Ollama', () => {
  const ferret = useFerretDb();
  let assessor: FakeAssessor;
  let ollama: FakeOllama;
  let client: MongoClient;
  let collector: RunningCollector | undefined;

  beforeAll(async () => {
    assessor = await startFakeAssessor({
      token: TOKEN,
      parcelsPerZip: ZIPS,
      malformedApns: [apnOf('85001', 5)],
      searchEntryWithoutApn: ['85003'],
      envelope: 'Results',
      faults: [
        { pathPrefix: '/search/property', times: 1, status: 429, headers: { 'retry-after': '1' } },
        { pathPrefix: '/parcel/', times: 2, status: 503 },
      ],
      log: () => undefined,
    });
    ollama = await startFakeOllama();
    // First batch: invalid twice (fallback); second: invalid then valid (repaired).
    ollama.script.push('invalid-json', 'wrong-schema', 'invalid-json', 'valid');
    client = new MongoClient(ferret.db.uri);
  });
  afterAll(async () => {
    await collector?.stop();
    await client.close();
    await assessor.close();
    await ollama.close();
  });

  function config(token: string, database: string) {
    const setup = collectorSetup(
      {
        market: {
          name: 'phoenix',
          zipCodes: Object.keys(ZIPS),
          schedule: '0 0 1 1 *',
          timeZone: 'America/Phoenix',
        },
        sources: {
          assessor: {
            baseUrl: assessor.url,
            requestsPerSecond: 200,
            retryBaseSeconds: 0.05,
            retryMaxSeconds: 5,
          },
        },
        mongodb: { database },
        llm: { endpoint: ollama.url, batchSize: 10 },
        collection: { catchUp: false, leaseSeconds: 30, pollSeconds: 0.5 },
      },
      { PHOENIX_ASSESSOR_TOKEN: token, PHOENIX_MONGODB_URI: ferret.db.uri },
    );
    return loadTestConfig(setup, 'collector-0');
  }

  it('stores every good record once, sets bad ones aside and counts them', async () => {
    collector = await startCollector(config(TOKEN, 'full_run'), { logger: pino({ level: 'silent' }) });
    const started = Date.now();
    const result = await collector.runNow(new Date('2026-01-01T07:00:00Z'));
    expect(result.outcome).toBe('Succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    const db = client.db('full_run');
    const props = db.collection(COLLECTIONS.properties);
    // 92 parcels; one garbled parcel document and one search entry without an APN are set aside.
    expect(await props.countDocuments({ market: 'phoenix' })).toBe(90);
    const ids = (await props.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    expect(new Set(ids).size).toBe(ids.length);
    const rejects = await db.collection(COLLECTIONS.rejects).find({}).toArray();
    expect(rejects.map((r) => String(r['reason'])).sort()).toEqual(['malformed', 'missing_apn']);
    expect(result.summary).toMatchObject({
      zipCodesTotal: 3,
      zipCodesCompleted: 3,
      inserted: 90,
      recordsRejected: 2,
    });
    // 3 pages for 60 parcels, 1 for exactly 25 (TotalPropertyCount says there is no more), 1 for 7.
    expect(assessor.counts.search).toBe(5);
    expect(assessor.counts.faults).toBe(3);
    const sample = await props.findOne({ _id: 'phoenix:' + `${(85001 % 900) + 100}-00-001` } as never);
    expect(sample).toMatchObject({
      zip: '85001',
      city: 'Phoenix',
      sources: { assessor: { raw: expect.any(String) as unknown } },
    });
    expect(typeof sample?.['lotSizeSqft']).toBe('number');
    expect((sample?.['valuationHistory'] as unknown[]).length).toBe(3);

    const text = await collector.metrics.registry.metrics();
    expect(metricSum(text, 'phoenix_records_rejected_total')).toBe(2);
    expect(metricSum(text, 'phoenix_active_connections', { target: 'mongodb' })).toBeGreaterThan(0);
    expect(metricSum(text, 'phoenix_properties_stored_total', { result: 'inserted' })).toBe(90);
    expect(metricSum(text, 'phoenix_llm_requests_total', { outcome: 'fallback' })).toBe(1);
    expect(metricSum(text, 'phoenix_llm_requests_total', { outcome: 'repaired' })).toBe(1);
    expect(metricSum(text, 'phoenix_api_requests_total', { endpoint: 'search', code: '4xx' })).toBe(1);
    expect(metricSum(text, 'phoenix_api_requests_total', { endpoint: 'parcel', code: '5xx' })).toBe(2);
    expect(metricSum(text, 'phoenix_collections_successful_total', { source: 'assessor' })).toBe(3);
    expect(metricSum(text, 'phoenix_data_quality_score')).toBeGreaterThan(0.5);
    expect(metricSum(text, 'phoenix_last_successful_collection_timestamp_seconds')).toBeGreaterThan(
      started / 1000,
    );
    expect(ollama.requests.every((r) => r.temperature === 0 && r.hasFormat)).toBe(true);
    // The batch whose answers stayed invalid fell back to rules; the others came from the model.
    expect(await props.countDocuments({ 'enrichment.method': 'rules' })).toBeGreaterThan(0);
    expect(await props.countDocuments({ 'enrichment.method': 'llm' })).toBeGreaterThan(0);
    expect(await props.countDocuments({ enrichment: null })).toBe(0);
  });

  it('re-running stores nothing twice and appends history only on change', async () => {
    const props = client.db('full_run').collection(COLLECTIONS.properties);
    const again = await collector!.runNow(new Date('2026-01-02T07:00:00Z'));
    expect(again.summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 90 });
    expect(await props.countDocuments({})).toBe(90);
    assessor.options.revision = 1; // a new assessment: valuations change
    const third = await collector!.runNow(new Date('2026-01-03T07:00:00Z'));
    expect(third.summary).toMatchObject({ inserted: 0, updated: 90 });
    const doc = await props.findOne({ market: 'phoenix', zip: '85002' });
    expect((doc?.['valuationHistory'] as unknown[]).length).toBe(4);
    const report = await client.db('full_run').collection(COLLECTIONS.reports).find({}).toArray();
    expect(report.reduce((n, r) => n + (r['runs'] as number), 0)).toBe(3);
  });

  it('stops with a clear terminal error on a rejected token, without a retry storm', async () => {
    const before = assessor.counts.unauthorized;
    const bad = await startCollector(config('wrong-token', 'unauthorised'), {
      logger: pino({ level: 'silent' }),
    });
    try {
      const result = await bad.runNow(new Date('2026-01-01T07:00:00Z'));
      expect(result.outcome).toBe('Failed');
      expect(result.message).toMatch(/rejected the token.*PHOENIX_ASSESSOR_TOKEN/);
      // One request per zip-code worker (collection.zipConcurrency, 2 by default), then nothing.
      expect(assessor.counts.unauthorized - before).toBeGreaterThanOrEqual(1);
      expect(assessor.counts.unauthorized - before).toBeLessThanOrEqual(2);
      const text = await bad.metrics.registry.metrics();
      expect(metricSum(text, 'phoenix_errors_total', { code: 'PHOENIX_SOURCE_UNAUTHORIZED' })).toBe(1);
      await sleep(1_500);
      expect(assessor.counts.unauthorized - before).toBeLessThanOrEqual(2);
      const health = await fetch(`http://127.0.0.1:${bad.port}/health`);
      const body = (await health.json()) as { checks: { name: string; status: string }[] };
      expect(body.checks.find((c) => c.name === 'external_apis')?.status).toBe('unhealthy');
    } finally {
      await bad.stop();
    }
  });
});
