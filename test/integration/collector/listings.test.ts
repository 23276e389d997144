import { createServer, type Server } from 'node:http';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../../src/collector/main.ts';
import { unitOrder } from '../../../src/collector/pipeline/run.ts';
import { COLLECTIONS } from '../../../src/collector/storage/mongo.ts';
import { collectorSetup, loadTestConfig, metricSum } from '../../support/collector.ts';
import { useFerretDb } from '../../support/ferretdb.ts';
import { apnOf, formatApn, startFakeAssessor, type FakeAssessor } from '../../support/fakes/assessor.ts';

/** A listing site: JSON listings for 85281, a captcha page for anything else. */
async function startListingSite(): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('zip') === '85281') {
      const listings = [0, 1, 2].map((i) => ({
        apn: formatApn(apnOf('85281', i)),
        address: `${100 + i} S MILL AVE`,
        zip: '85281',
        price: 450_000 + i,
        status: 'Active',
        beds: 3,
        baths: 2,
        sqft: 1600,
        remarks: 'Updated kitchen, pool',
      }));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ listings, nextPage: null }));
      return;
    }
    res
      .writeHead(403, { 'content-type': 'text/html' })
      .end('<html><title>Attention Required</title><div class="g-recaptcha">captcha</div></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    server,
    requests,
  };
}

describe('collector: optional listing sources', () => {
  const ferret = useFerretDb();
  let assessor: FakeAssessor;
  let site: Awaited<ReturnType<typeof startListingSite>>;

  beforeAll(async () => {
    assessor = await startFakeAssessor({
      token: 't',
      parcelsPerZip: { '85281': 5, '85282': 5, '85283': 5 },
      log: () => undefined,
    });
    site = await startListingSite();
  });
  afterAll(async () => {
    await assessor.close();
    site.server.close();
  });

  it('stores asking prices apart from valuations, and stops a source at a bot challenge instead of evading it', async () => {
    const setup = collectorSetup(
      {
        market: { name: 'tempe', zipCodes: ['85281', '85282', '85283'], schedule: '0 0 1 1 *' },
        sources: {
          assessor: { baseUrl: assessor.url, requestsPerSecond: 100 },
          listings: [{ name: 'acme', enabled: true, baseUrl: site.url, requestsPerSecond: 100 }],
        },
        mongodb: { database: 'listings' },
        llm: { enabled: false },
        collection: { catchUp: false, zipConcurrency: 1 },
      },
      { PHOENIX_ASSESSOR_TOKEN: 't', PHOENIX_MONGODB_URI: ferret.db.uri },
    );
    // A replica whose unit order starts at 85281, so its listings come before the challenge.
    const pod = ['tempe-0', 'tempe-1', 'tempe-2', 'tempe-3', 'tempe-4', 'tempe-5', 'tempe-6', 'tempe-7'].find(
      (name) => unitOrder(['85281', '85282', '85283'], 2, name)[0]?.zip === '85281',
    );
    expect(pod).toBeDefined();
    const collector = await startCollector(loadTestConfig(setup, pod!), {
      logger: pino({ level: 'silent' }),
    });
    try {
      const result = await collector.runNow(new Date('2026-01-01T07:00:00Z'));
      expect(result.outcome).toBe('PartiallySucceeded');
      expect(result.summary).toMatchObject({ zipCodesTotal: 6, zipCodesCompleted: 4, zipCodesFailed: 2 });
      // One challenge seen, then the source is not asked again in this run.
      expect(site.requests.filter((r) => !r.includes('zip=85281'))).toHaveLength(1);
      const client = new MongoClient(ferret.db.uri);
      const doc = await client
        .db('listings')
        .collection(COLLECTIONS.properties)
        .findOne({ _id: `tempe:${formatApn(apnOf('85281', 1))}` } as never);
      await client.close();
      expect(doc).toMatchObject({
        listings: { acme: { listPrice: 450_001, status: 'active' } },
        priceHistory: [{ source: 'acme', price: 450_001 }],
      });
      expect(typeof doc?.['assessedFullCashValue']).toBe('number');
      const text = await collector.metrics.registry.metrics();
      expect(metricSum(text, 'phoenix_errors_total', { code: 'PHOENIX_SOURCE_BOT_PROTECTION' })).toBe(1);
    } finally {
      await collector.stop();
    }
  });
});
