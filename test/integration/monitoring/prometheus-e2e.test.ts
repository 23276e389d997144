/**
 * End to end with a real Prometheus (the Debian binary): it loads the rendered rule file, scrapes
 * a running collector that performs a real run (FerretDB, the fake Assessor and Ollama), and the
 * recording rules produce series with the namespace and market labels the alerts group by.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../../src/collector/main.ts';
import { freePort, startProcess, type ManagedProcess } from '../../../src/local/process.ts';
import { RECORDED } from '../../../src/monitoring/rules.ts';
import { RULES_FILE, renderMonitoringFiles, toYaml } from '../../../src/monitoring/render.ts';
import { COLLECTOR_JOB } from '../../../src/monitoring/scope.ts';
import { toolPath } from '../../../src/shared/tools.ts';
import { collectorSetup, loadTestConfig } from '../../support/collector.ts';
import { useFerretDb } from '../../support/ferretdb.ts';
import { startFakeAssessor, type FakeAssessor } from '../../support/fakes/assessor.ts';
import { startFakeOllama, type FakeOllama } from '../../support/fakes/ollama.ts';
import { NAMESPACE, sampleStack } from '../../fixtures/monitoring/stacks.ts';

const MARKET = 'mesa';
const TOKEN = 'e2e-token';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('Prometheus end to end', () => {
  const ferret = useFerretDb();
  let assessor: FakeAssessor;
  let ollama: FakeOllama;
  let collector: RunningCollector | undefined;
  let prometheus: ManagedProcess | undefined;
  let promUrl = '';
  let dir = '';

  async function query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; data: { result: Sample[] } };
    expect(body.status).toBe('success');
    return body.data.result;
  }

  async function eventually(expr: string, timeoutMs = 30_000): Promise<Sample[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await query(expr);
      if (result.length > 0 || Date.now() > deadline) return result;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  beforeAll(async () => {
    assessor = await startFakeAssessor({
      token: TOKEN,
      parcelsPerZip: { '85201': 12, '85202': 8 },
      log: () => undefined,
    });
    ollama = await startFakeOllama();
    const setup = collectorSetup(
      {
        market: {
          name: MARKET,
          zipCodes: ['85201', '85202'],
          schedule: '0 0 1 1 *',
          timeZone: 'America/Phoenix',
        },
        sources: { assessor: { baseUrl: assessor.url, requestsPerSecond: 200 } },
        mongodb: { database: 'monitoring_e2e' },
        llm: { endpoint: ollama.url },
        collection: { catchUp: false, leaseSeconds: 30, pollSeconds: 0.5 },
      },
      { PHOENIX_ASSESSOR_TOKEN: TOKEN, PHOENIX_MONGODB_URI: ferret.db.uri, PHOENIX_CPU_LIMIT_CORES: '0.5' },
    );
    collector = await startCollector(loadTestConfig(setup, 'collector-0'), {
      logger: pino({ level: 'silent' }),
    });

    dir = mkdtempSync(join(tmpdir(), 'phoenix-prometheus-e2e-'));
    const rules = renderMonitoringFiles(sampleStack(), [MARKET]).get(RULES_FILE)!;
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, RULES_FILE), rules);
    // Static target standing in for the ServiceMonitor: the same job, namespace and market labels.
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES_FILE],
      scrape_configs: [
        {
          job_name: COLLECTOR_JOB,
          honor_labels: true,
          static_configs: [
            { targets: [`127.0.0.1:${collector.port}`], labels: { namespace: NAMESPACE, market: MARKET } },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), toYaml(config));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = startProcess({
      name: 'prometheus',
      command: toolPath('prometheus'),
      args: [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      logFile: join(dir, 'prometheus.log'),
    });
    for (let i = 0; i < 100; i++) {
      const ready = await fetch(`${promUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await eventually(`up{job="${COLLECTOR_JOB}"}`);
    // Two runs: labelled counters are born during the first one, so only the second is seen as
    // an increase (as in production, where the next scheduled run follows hours later).
    await collector.runNow(new Date('2026-01-01T07:00:00Z'));
    await eventually('phoenix_collections_total > 0');
    await collector.runNow(new Date('2026-01-01T13:00:00Z'));
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await collector?.stop();
    await assessor.close();
    await ollama.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('loads every rule of the rendered file', async () => {
    const res = await fetch(`${promUrl}/api/v1/rules`);
    const body = (await res.json()) as { data: { groups: { name: string; rules: { health: string }[] }[] } };
    const groups = body.data.groups;
    expect(groups.map((g) => g.name).sort()).toEqual(['phoenix.alerts', 'phoenix.recording']);
    expect(groups.flatMap((g) => g.rules).every((r) => r.health !== 'err')).toBe(true);
  });

  it('scrapes the collector with the job, namespace and market labels', async () => {
    const up = await query(`up{job="${COLLECTOR_JOB}",namespace="${NAMESPACE}",market="${MARKET}"}`);
    expect(up.map((s) => s.value[1])).toEqual(['1']);
  });

  it.each([
    RECORDED.collectionSuccessRate,
    RECORDED.errorRate,
    RECORDED.propertiesProcessed,
    RECORDED.costPerProperty,
    RECORDED.apiLatencyP95,
    RECORDED.propertiesCollectedDaily,
  ])('records %s for the market', async (record) => {
    const result = await eventually(record);
    expect(result.map((s) => s.metric)).toEqual([{ __name__: record, namespace: NAMESPACE, market: MARKET }]);
    expect(Number.isFinite(Number(result[0]!.value[1]))).toBe(true);
  });

  it('measures a fully successful run as a success rate of 1', async () => {
    const [sample] = await eventually(RECORDED.collectionSuccessRate);
    expect(Number(sample!.value[1])).toBe(1);
  });

  it('keeps SystemDown silent while the collector is up', async () => {
    expect(await query('ALERTS{alertname="SystemDown"}')).toEqual([]);
  });
});
