/**
 * `npm run bench:collector`: properties per second through the whole collector pipeline (search,
 * fetch, decode, normalise, enrich, score, store) against the stand-in Assessor API with no rate
 * limit and a fake Ollama, beside the floor: a raw bulk upsert of the same documents into the same
 * FerretDB. Also the heap during the run and the `/metrics` render time with 20 markets.
 *
 * Options: --zips N (default 8), --parcels N per zip code (default 250).
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { MongoClient, type AnyBulkWriteOperation } from 'mongodb';
import { dump } from 'js-yaml';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCollectorConfig } from '../src/collector/config.ts';
import { startCollector } from '../src/collector/main.ts';
import { CollectorMetrics } from '../src/collector/metrics.ts';
import { COLLECTIONS } from '../src/collector/storage/mongo.ts';
import { startAssessorStandIn } from '../src/local/assessor-standin.ts';
import { startFerretDb } from '../src/local/ferretdb.ts';
import { startFakeOllama } from '../test/support/fakes/ollama.ts';

const { values } = parseArgs({
  options: { zips: { type: 'string', default: '8' }, parcels: { type: 'string', default: '250' } },
});
const ZIPS = Array.from({ length: Number(values.zips) }, (_, i) => String(85001 + i));
const PER_ZIP = Number(values.parcels);
const TOTAL = ZIPS.length * PER_ZIP;

interface Row {
  measure: string;
  value: string;
}

async function pipelineRun(uri: string, assessorUrl: string, ollamaUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-bench-'));
  const configPath = join(dir, 'collector.yaml');
  writeFileSync(
    configPath,
    dump({
      market: { name: 'bench', zipCodes: ZIPS, schedule: '0 0 1 1 *' },
      sources: { assessor: { baseUrl: assessorUrl, requestsPerSecond: 10_000, concurrency: 8 } },
      mongodb: { database: 'bench' },
      llm: { endpoint: ollamaUrl, batchSize: 25 },
      collection: { catchUp: false },
    }),
  );
  const config = loadCollectorConfig({
    env: {
      PHOENIX_CONFIG_FILE: configPath,
      PHOENIX_ASSESSOR_TOKEN: 'bench',
      PHOENIX_MONGODB_URI: uri,
      PHOENIX_PORT: '0',
    },
    readFile: (p) => readFileSync(p, 'utf8'),
    hostname: 'bench',
    pid: process.pid,
  });
  const collector = await startCollector(config, { logger: pino({ level: 'silent' }), host: '127.0.0.1' });
  const heap: number[] = [];
  const sampler = setInterval(() => heap.push(process.memoryUsage().heapUsed), 250);
  const started = performance.now();
  const result = await collector.runNow(new Date('2026-01-01T07:00:00Z'));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const renderStart = performance.now();
  await collector.metrics.registry.metrics();
  const ownRenderMs = performance.now() - renderStart;
  await collector.stop();
  return { seconds, stored: result.summary.propertiesStored, heap, ownRenderMs };
}

async function floor(uri: string, batchSize: number): Promise<number> {
  const client = new MongoClient(uri);
  const docs = await client.db('bench').collection(COLLECTIONS.properties).find({}).toArray();
  const target = client.db('bench_floor').collection(`floor_${batchSize}`);
  const started = performance.now();
  for (let i = 0; i < docs.length; i += batchSize) {
    const ops: AnyBulkWriteOperation[] = docs.slice(i, i + batchSize).map(({ _id, ...rest }) => ({
      updateOne: { filter: { _id }, update: { $set: rest }, upsert: true },
    }));
    await target.bulkWrite(ops, { ordered: true });
  }
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return docs.length / seconds;
}

/** A registry with the series a busy market has, for render timing. */
async function populated(market: string): Promise<CollectorMetrics> {
  const m = new CollectorMetrics(new Registry(), {
    market,
    version: '0.1.0',
    cpuLimitCores: 1,
    memoryLimitBytes: 2 ** 31,
  });
  for (const endpoint of ['search', 'parcel', 'propertyinfo', 'valuations']) {
    for (const code of ['2xx', '4xx', '5xx', 'error']) m.request('assessor', endpoint, code, 0.05);
  }
  for (const op of [
    'find',
    'bulk_upsert',
    'lease_claim',
    'lease_renew',
    'checkpoint_advance',
    'reject_upsert',
    'run_get',
  ]) {
    m.operation(op, 'success', 0.002);
    m.operation(op, 'error', 0.002);
  }
  for (const outcome of ['success', 'repaired', 'fallback', 'error'] as const)
    m.llm('llama3.2:3b', outcome, 1.2, 10);
  for (const reason of ['malformed', 'missing_apn', 'unknown_shape', 'invalid_value'])
    m.m.recordsRejected.inc({ source: 'assessor', reason });
  await m.registry.metrics();
  return m;
}

async function renderTimes(): Promise<{ meanMs: number; p99Ms: number; bytes: number }> {
  const registries = await Promise.all(Array.from({ length: 20 }, (_, i) => populated(`market-${i}`)));
  const times: number[] = [];
  let bytes = 0;
  for (let round = 0; round < 20; round++) {
    for (const r of registries) {
      const started = performance.now();
      const text = await r.registry.metrics();
      times.push(performance.now() - started);
      bytes = text.length;
    }
  }
  times.sort((a, b) => a - b);
  return {
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    p99Ms: times[Math.floor(times.length * 0.99)] ?? 0,
    bytes,
  };
}

function quartiles(samples: number[]): string {
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * (samples.length - 1)))] ?? 0;
  return [0.25, 0.5, 0.75, 1].map((q) => (at(q) / 2 ** 20).toFixed(0)).join(' / ');
}

async function main(): Promise<void> {
  const ferret = await startFerretDb();
  const assessor = await startAssessorStandIn({
    token: 'bench',
    parcelsPerZip: Object.fromEntries(ZIPS.map((z) => [z, PER_ZIP])),
    log: () => undefined,
  });
  const ollama = await startFakeOllama();
  try {
    const run = await pipelineRun(ferret.uri, assessor.url, ollama.url);
    const pipelineRate = run.stored / run.seconds;
    const floor25 = await floor(ferret.uri, 25);
    const floor500 = await floor(ferret.uri, 500);
    const render = await renderTimes();
    const rows: Row[] = [
      { measure: 'properties (zip codes x parcels)', value: `${TOTAL} (${ZIPS.length} x ${PER_ZIP})` },
      {
        measure: 'pipeline: properties/s',
        value: `${pipelineRate.toFixed(0)} (${run.stored} stored in ${run.seconds.toFixed(1)} s)`,
      },
      { measure: 'floor: raw bulk upsert, batches of 25: docs/s', value: floor25.toFixed(0) },
      { measure: 'floor: raw bulk upsert, batches of 500: docs/s', value: floor500.toFixed(0) },
      { measure: 'pipeline / floor (25)', value: `${((pipelineRate / floor25) * 100).toFixed(0)} %` },
      { measure: 'heap used during the run, MiB at 25/50/75/100 %', value: quartiles(run.heap) },
      {
        measure: '/metrics render, 20 markets: mean / p99 ms',
        value: `${render.meanMs.toFixed(2)} / ${render.p99Ms.toFixed(2)} (${render.bytes} bytes each)`,
      },
      { measure: '/metrics render after the run (own market) ms', value: run.ownRenderMs.toFixed(2) },
    ];
    const width = Math.max(...rows.map((r) => r.measure.length));
    console.log(rows.map((r) => `${r.measure.padEnd(width)}  ${r.value}`).join('\n'));
  } finally {
    await ollama.close();
    await assessor.close();
    await ferret.destroy();
  }
}

await main();
