import { describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import { Registry } from 'prom-client';
import { loadCollectorConfig } from '../../../src/collector/config.ts';
import { CollectorMetrics } from '../../../src/collector/metrics.ts';
import { overall, upstreamStatus } from '../../../src/collector/health.ts';
import { costOf } from '../../../src/collector/storage/ledger.ts';

const base = { market: { name: 'phoenix', zipCodes: ['85001'] }, sources: {}, mongodb: {} };

function load(file: unknown, env: Record<string, string | undefined> = {}) {
  return loadCollectorConfig({
    env: {
      PHOENIX_ASSESSOR_TOKEN: 't',
      PHOENIX_MONGODB_URI: 'mongodb://db:27017',
      PHOENIX_CONFIG_FILE: '/c.yaml',
      ...env,
    },
    readFile: () => (typeof file === 'string' ? file : dump(file)),
    hostname: 'h',
    pid: 1,
  });
}

describe('collector configuration', () => {
  it('applies defaults and freezes the result', () => {
    const config = load(base);
    expect(config.file.sources.assessor).toMatchObject({
      baseUrl: 'https://mcassessor.maricopa.gov',
      requestsPerSecond: 1,
    });
    expect(config.file.market).toMatchObject({ timeZone: 'America/Phoenix', schedule: '0 */6 * * *' });
    expect(config.instance).toBe('h-1');
    expect(Object.isFrozen(config.file.market)).toBe(true);
  });

  it.each([
    [{ ...base, market: { name: 'phoenix', zipCodes: ['850'] } }, /market\.zipCodes\.0: must be 5 digits/],
    [{ ...base, sources: { assessor: { requestsPerSecond: 0 } } }, /sources\.assessor\.requestsPerSecond/],
    [{ ...base, market: { ...base.market, schedule: 'every day' } }, /market\.schedule/],
    [{ ...base, market: { ...base.market, timeZone: 'Mars/Olympus' } }, /market\.timeZone/],
    [{ ...base, llm: { endpoint: 'ftp://x' } }, /llm\.endpoint/],
    [{ ...base, surprise: true }, /Unrecognized key.*surprise/],
  ])('names the setting of a bad file value (%#)', (file, message) => {
    expect(() => load(file)).toThrow(message);
  });

  it('names the environment variable of a bad or missing secret', () => {
    expect(() => load(base, { PHOENIX_MONGODB_URI: 'postgres://x' })).toThrow(
      /env PHOENIX_MONGODB_URI: must be a mongodb/,
    );
    expect(() => load(base, { PHOENIX_ASSESSOR_TOKEN: undefined })).toThrow(
      /PHOENIX_ASSESSOR_TOKEN: must be set/,
    );
    expect(() => load(base, { PHOENIX_MARKET: 'tempe' })).toThrow(/PHOENIX_MARKET.*does not match/);
  });

  it('reports unreadable files and invalid YAML with the setting', () => {
    expect(() => load('a: [')).toThrow(/\/c\.yaml: not valid YAML/);
  });
});

describe('collector metrics', () => {
  const CONTRACT = [
    'phoenix_build_info',
    'phoenix_collections_total',
    'phoenix_collections_successful_total',
    'phoenix_properties_collected_total',
    'phoenix_properties_stored_total',
    'phoenix_records_rejected_total',
    'phoenix_collection_duration_seconds',
    'phoenix_llm_requests_total',
    'phoenix_llm_request_duration_seconds',
    'phoenix_llm_batch_size',
    'phoenix_api_requests_total',
    'phoenix_api_request_duration_seconds',
    'phoenix_db_operations_total',
    'phoenix_db_operation_duration_seconds',
    'phoenix_data_quality_score',
    'phoenix_processing_efficiency_ratio',
    'phoenix_daily_cost_usd',
    'phoenix_monthly_cost_usd',
    'phoenix_monthly_budget_usd',
    'phoenix_budget_utilization_ratio',
    'phoenix_system_health_score',
    'phoenix_active_connections',
    'phoenix_errors_total',
    'phoenix_last_successful_collection_timestamp_seconds',
    'phoenix_collection_in_progress',
    'phoenix_resource_limit_cpu_cores',
    'phoenix_resource_limit_memory_bytes',
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_p99_seconds',
  ];

  it('exports every family of the contract, each series labelled with the market', async () => {
    const metrics = new CollectorMetrics(new Registry(), {
      market: 'phoenix',
      version: '1.2.3',
      cpuLimitCores: 0.5,
      memoryLimitBytes: 2 ** 30,
    });
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    for (const name of CONTRACT) expect(names, name).toContain(name);
    const text = await metrics.registry.metrics();
    expect(text).toContain('phoenix_build_info{version="1.2.3",market="phoenix"} 1');
    expect(text).toContain('phoenix_resource_limit_memory_bytes{market="phoenix"} 1073741824');
  });
});

describe('health and cost arithmetic', () => {
  it('scores checks: degraded counts half, any unhealthy makes the whole unhealthy', () => {
    const c = (status: 'healthy' | 'degraded' | 'unhealthy') => ({
      name: status,
      status,
      responseTimeMs: 1,
      message: '',
    });
    expect(overall([c('healthy'), c('degraded')])).toEqual({ status: 'degraded', score: 0.75 });
    expect(overall([c('healthy'), c('unhealthy')])).toEqual({ status: 'unhealthy', score: 0.5 });
    expect(
      upstreamStatus('assessor', { lastSuccessAt: 1, lastFailureAt: 2, lastCode: '5xx', unauthorized: false })
        .status,
    ).toBe('degraded');
    expect(
      upstreamStatus('assessor', { lastSuccessAt: 1, lastFailureAt: 2, lastCode: '5xx', unauthorized: true })
        .status,
    ).toBe('unhealthy');
  });

  it('prices usage at the configured rates', () => {
    const rates = {
      perAssessorRequestUSD: 0.001,
      perListingRequestUSD: 0,
      perLlmRequestUSD: 0.01,
      perCpuHourUSD: 0.036,
    };
    expect(
      costOf({ assessorRequests: 1000, listingRequests: 5, llmRequests: 10, cpuSeconds: 3600 }, rates),
    ).toBeCloseTo(1.136, 6);
  });
});
