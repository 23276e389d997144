/**
 * The collector's Prometheus metrics (the `phoenix_*` families the alerts and dashboards query),
 * created on an injected registry whose default label is the market. Label values are bounded:
 * sources, endpoints, operations, outcomes and reasons come from fixed lists in the code.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { LlmObserver, LlmOutcome } from './pipeline/enrich.ts';
import type { ApiObserver } from './sources/source.ts';
import type { DbObserver } from './storage/mongo.ts';

export interface MetricsOptions {
  market: string;
  version: string;
  cpuLimitCores: number;
  memoryLimitBytes: number;
  /** prom-client's process_* and nodejs_* metrics (off in benchmarks with many registries). */
  defaultMetrics?: boolean;
  /** Sources this collector uses: their counters start at 0, so the first run's increase shows. */
  sources?: readonly string[];
}

const STORE_RESULTS = ['inserted', 'updated', 'unchanged'] as const;

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const COLLECTION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

/** What the health checks need to know about an upstream API. */
export interface UpstreamState {
  lastSuccessAt: number | undefined;
  lastFailureAt: number | undefined;
  lastCode: string | undefined;
  unauthorized: boolean;
}

export interface Usage {
  assessorRequests: number;
  listingRequests: number;
  llmRequests: number;
}

function counter<L extends string>(registers: Registry[], name: string, help: string, labelNames: L[] = []) {
  return new Counter<L>({ name, help, labelNames, registers });
}

function gauge<L extends string>(registers: Registry[], name: string, help: string, labelNames: L[] = []) {
  return new Gauge<L>({ name, help, labelNames, registers });
}

function histogram<L extends string>(
  registers: Registry[],
  name: string,
  help: string,
  spec: { labels: L[]; buckets: number[] },
) {
  return new Histogram<L>({ name, help, labelNames: spec.labels, buckets: spec.buckets, registers });
}

function pipelineFamilies(r: Registry[]) {
  const d = DURATION_BUCKETS;
  return {
    buildInfo: gauge(r, 'phoenix_build_info', 'Build of the collector (always 1).', ['version']),
    collections: counter(r, 'phoenix_collections_total', 'Zip-code collections attempted.', ['source']),
    collectionsSuccessful: counter(
      r,
      'phoenix_collections_successful_total',
      'Zip-code collections that completed.',
      ['source'],
    ),
    propertiesCollected: counter(
      r,
      'phoenix_properties_collected_total',
      'Property records fetched from a source.',
      ['source'],
    ),
    propertiesStored: counter(r, 'phoenix_properties_stored_total', 'Property records written, by result.', [
      'result',
    ]),
    recordsRejected: counter(r, 'phoenix_records_rejected_total', 'Records set aside as invalid.', [
      'source',
      'reason',
    ]),
    collectionDuration: histogram(
      r,
      'phoenix_collection_duration_seconds',
      'Duration of one zip-code collection.',
      { labels: ['source'], buckets: COLLECTION_BUCKETS },
    ),
    llmRequests: counter(r, 'phoenix_llm_requests_total', 'LLM enrichment requests by outcome.', [
      'model',
      'outcome',
    ]),
    llmDuration: histogram(
      r,
      'phoenix_llm_request_duration_seconds',
      'Duration of an LLM enrichment (with its repair attempt).',
      { labels: ['model'], buckets: d },
    ),
    llmBatchSize: histogram(r, 'phoenix_llm_batch_size', 'Records per LLM request.', {
      labels: [],
      buckets: [1, 2, 5, 10, 20, 50, 100],
    }),
    apiRequests: counter(r, 'phoenix_api_requests_total', 'Upstream API requests.', [
      'source',
      'endpoint',
      'code',
    ]),
    apiDuration: histogram(r, 'phoenix_api_request_duration_seconds', 'Upstream API request duration.', {
      labels: ['source', 'endpoint'],
      buckets: d,
    }),
    dbOperations: counter(r, 'phoenix_db_operations_total', 'Database operations.', ['operation', 'outcome']),
    dbDuration: histogram(r, 'phoenix_db_operation_duration_seconds', 'Database operation duration.', {
      labels: ['operation'],
      buckets: d,
    }),
  };
}

function stateFamilies(r: Registry[]) {
  return {
    dataQuality: gauge(
      r,
      'phoenix_data_quality_score',
      'Mean data-quality score of the records of the last run (0..1).',
    ),
    efficiency: gauge(
      r,
      'phoenix_processing_efficiency_ratio',
      'Records stored or confirmed unchanged over records fetched in the last run.',
    ),
    dailyCost: gauge(r, 'phoenix_daily_cost_usd', "Today's cost from the ledger, in USD."),
    monthlyCost: gauge(r, 'phoenix_monthly_cost_usd', "This month's cost from the ledger, in USD."),
    monthlyBudget: gauge(r, 'phoenix_monthly_budget_usd', 'Monthly budget of the market, in USD.'),
    budgetUtilization: gauge(r, 'phoenix_budget_utilization_ratio', 'Monthly cost over the monthly budget.'),
    healthScore: gauge(
      r,
      'phoenix_system_health_score',
      'Share of healthy checks of /health (degraded counts half).',
    ),
    activeConnections: gauge(r, 'phoenix_active_connections', 'Open connections by target.', ['target']),
    errors: counter(r, 'phoenix_errors_total', 'Errors by component and code.', ['component', 'code']),
    lastSuccess: gauge(
      r,
      'phoenix_last_successful_collection_timestamp_seconds',
      'When the last successful collection run ended (Unix seconds).',
    ),
    inProgress: gauge(r, 'phoenix_collection_in_progress', '1 while this replica is collecting.'),
    cpuLimit: gauge(r, 'phoenix_resource_limit_cpu_cores', 'CPU limit of the container (0 if unset).'),
    memoryLimit: gauge(
      r,
      'phoenix_resource_limit_memory_bytes',
      'Memory limit of the container (0 if unset).',
    ),
  };
}

function families(registry: Registry) {
  return { ...pipelineFamilies([registry]), ...stateFamilies([registry]) };
}

export type CollectorMetricFamilies = ReturnType<typeof families>;

export class CollectorMetrics implements ApiObserver, LlmObserver, DbObserver {
  readonly registry: Registry;
  readonly m: CollectorMetricFamilies;
  readonly usage: Usage = { assessorRequests: 0, listingRequests: 0, llmRequests: 0 };
  readonly upstreams = new Map<string, UpstreamState>();
  databaseReachable: boolean | undefined;

  constructor(registry: Registry, options: MetricsOptions) {
    this.registry = registry;
    registry.setDefaultLabels({ market: options.market });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
    this.m = families(registry);
    this.m.buildInfo.set({ version: options.version }, 1);
    this.m.cpuLimit.set(options.cpuLimitCores);
    this.m.memoryLimit.set(options.memoryLimitBytes);
    this.m.inProgress.set(0);
    this.m.activeConnections.set({ target: 'mongodb' }, 0);
    // A counter series that first appears at 1 has no increase Prometheus can see; start the
    // known ones at 0 so that rate() and increase() count the first collection.
    for (const source of options.sources ?? ['assessor']) {
      this.m.collections.inc({ source }, 0);
      this.m.collectionsSuccessful.inc({ source }, 0);
      this.m.propertiesCollected.inc({ source }, 0);
    }
    for (const result of STORE_RESULTS) this.m.propertiesStored.inc({ result }, 0);
  }

  request(source: string, endpoint: string, code: string, seconds: number): void {
    this.m.apiRequests.inc({ source, endpoint, code });
    this.m.apiDuration.observe({ source, endpoint }, seconds);
    if (source === 'assessor') this.usage.assessorRequests++;
    else this.usage.listingRequests++;
    const state = this.upstreams.get(source) ?? {
      lastSuccessAt: undefined,
      lastFailureAt: undefined,
      lastCode: undefined,
      unauthorized: false,
    };
    const ok = code === '2xx';
    this.upstreams.set(source, {
      lastSuccessAt: ok ? Date.now() : state.lastSuccessAt,
      lastFailureAt: ok ? state.lastFailureAt : Date.now(),
      lastCode: code,
      unauthorized: ok ? false : state.unauthorized,
    });
  }

  markUnauthorized(source: string): void {
    const state = this.upstreams.get(source);
    if (state !== undefined) this.upstreams.set(source, { ...state, unauthorized: true });
  }

  llm(model: string, outcome: LlmOutcome, seconds: number, batchSize: number): void {
    this.m.llmRequests.inc({ model, outcome });
    this.m.llmDuration.observe({ model }, seconds);
    this.m.llmBatchSize.observe(batchSize);
    // A repair is a second request.
    this.usage.llmRequests += outcome === 'success' ? 1 : 2;
  }

  operation(operation: string, outcome: 'success' | 'error', seconds: number): void {
    this.m.dbOperations.inc({ operation, outcome });
    this.m.dbDuration.observe({ operation }, seconds);
  }

  reachable(up: boolean): void {
    this.databaseReachable = up;
  }

  connection(delta: 1 | -1): void {
    this.m.activeConnections.inc({ target: 'mongodb' }, delta);
  }

  error(component: string, code: string): void {
    this.m.errors.inc({ component, code });
  }
}
