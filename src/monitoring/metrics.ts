/**
 * The catalogue of metric names the rules and dashboards query. Each entry names its exporter;
 * a test checks every name against the real `/metrics` output of the collector and the operator,
 * so a rename on either side breaks the build instead of silently emptying a panel.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Exporter = 'collector' | 'operator';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly exporter: Exporter;
  /** Labels besides the target labels (namespace, market, instance, job, pod, ...). */
  readonly labels: readonly string[];
}

const collector = (name: string, type: MetricType, labels: readonly string[] = []): MetricSpec => ({
  name,
  type,
  exporter: 'collector',
  labels,
});
const operator = (name: string, type: MetricType, labels: readonly string[] = []): MetricSpec => ({
  name,
  type,
  exporter: 'operator',
  labels,
});

/** Metrics of the collector (every series carries `market`). */
export const COLLECTOR_METRICS = {
  buildInfo: collector('phoenix_build_info', 'gauge', ['version']),
  collections: collector('phoenix_collections_total', 'counter', ['source']),
  collectionsSuccessful: collector('phoenix_collections_successful_total', 'counter', ['source']),
  propertiesCollected: collector('phoenix_properties_collected_total', 'counter', ['source']),
  propertiesStored: collector('phoenix_properties_stored_total', 'counter', ['result']),
  recordsRejected: collector('phoenix_records_rejected_total', 'counter', ['source', 'reason']),
  collectionDuration: collector('phoenix_collection_duration_seconds', 'histogram', ['source']),
  llmRequests: collector('phoenix_llm_requests_total', 'counter', ['model', 'outcome']),
  llmRequestDuration: collector('phoenix_llm_request_duration_seconds', 'histogram', ['model']),
  llmBatchSize: collector('phoenix_llm_batch_size', 'histogram'),
  apiRequests: collector('phoenix_api_requests_total', 'counter', ['source', 'endpoint', 'code']),
  apiRequestDuration: collector('phoenix_api_request_duration_seconds', 'histogram', ['source', 'endpoint']),
  dbOperations: collector('phoenix_db_operations_total', 'counter', ['operation', 'outcome']),
  dbOperationDuration: collector('phoenix_db_operation_duration_seconds', 'histogram', ['operation']),
  dataQualityScore: collector('phoenix_data_quality_score', 'gauge'),
  processingEfficiency: collector('phoenix_processing_efficiency_ratio', 'gauge'),
  dailyCost: collector('phoenix_daily_cost_usd', 'gauge'),
  monthlyCost: collector('phoenix_monthly_cost_usd', 'gauge'),
  monthlyBudget: collector('phoenix_monthly_budget_usd', 'gauge'),
  budgetUtilization: collector('phoenix_budget_utilization_ratio', 'gauge'),
  systemHealthScore: collector('phoenix_system_health_score', 'gauge'),
  activeConnections: collector('phoenix_active_connections', 'gauge', ['target']),
  errors: collector('phoenix_errors_total', 'counter', ['component', 'code']),
  lastSuccessfulCollection: collector('phoenix_last_successful_collection_timestamp_seconds', 'gauge'),
  collectionInProgress: collector('phoenix_collection_in_progress', 'gauge'),
  cpuLimit: collector('phoenix_resource_limit_cpu_cores', 'gauge'),
  memoryLimit: collector('phoenix_resource_limit_memory_bytes', 'gauge'),
  // prom-client default metrics
  processCpu: collector('process_cpu_seconds_total', 'counter'),
  processResidentMemory: collector('process_resident_memory_bytes', 'gauge'),
  processStartTime: collector('process_start_time_seconds', 'gauge'),
  nodejsEventLoopLagP99: collector('nodejs_eventloop_lag_p99_seconds', 'gauge'),
  nodejsHeapUsed: collector('nodejs_heap_size_used_bytes', 'gauge'),
} as const satisfies Record<string, MetricSpec>;

/** Metrics of the operator (controller-runtime names). */
export const OPERATOR_METRICS = {
  reconciles: operator('controller_runtime_reconcile_total', 'counter', ['controller', 'result']),
  reconcileErrors: operator('controller_runtime_reconcile_errors_total', 'counter', ['controller']),
  reconcileTime: operator('controller_runtime_reconcile_time_seconds', 'histogram', ['controller']),
  activeWorkers: operator('controller_runtime_active_workers', 'gauge', ['controller']),
  maxConcurrentReconciles: operator('controller_runtime_max_concurrent_reconciles', 'gauge', ['controller']),
  workqueueDepth: operator('workqueue_depth', 'gauge', ['name']),
  workqueueAdds: operator('workqueue_adds_total', 'counter', ['name']),
  workqueueQueueDuration: operator('workqueue_queue_duration_seconds', 'histogram', ['name']),
  workqueueWorkDuration: operator('workqueue_work_duration_seconds', 'histogram', ['name']),
  workqueueRetries: operator('workqueue_retries_total', 'counter', ['name']),
  workqueueUnfinishedWork: operator('workqueue_unfinished_work_seconds', 'gauge', ['name']),
  workqueueLongestRunning: operator('workqueue_longest_running_processor_seconds', 'gauge', ['name']),
  leaderElection: operator('leader_election_master_status', 'gauge', ['name']),
  markets: operator('phoenix_operator_markets', 'gauge', ['phase']),
} as const satisfies Record<string, MetricSpec>;

/**
 * Series Prometheus produces itself rather than scraping: the only names a rule or panel may use
 * that no exporter lists.
 */
export const PROMETHEUS_SYNTHETIC_SERIES: readonly string[] = [
  'up',
  'ALERTS',
  'ALERTS_FOR_STATE',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
];

export const ALL_METRICS: readonly MetricSpec[] = [
  ...Object.values(COLLECTOR_METRICS),
  ...Object.values(OPERATOR_METRICS),
];

/** The series names a metric exposes (`_bucket`, `_sum`, `_count` for histograms). */
export function seriesNames(metric: MetricSpec): string[] {
  if (metric.type !== 'histogram') return [metric.name];
  return ['_bucket', '_sum', '_count'].map((suffix) => `${metric.name}${suffix}`);
}
