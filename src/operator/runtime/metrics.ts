import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The operator's runtime metrics, under controller-runtime's and client-go's names so that
 * dashboards and alerts written for Go operators work unchanged. Created once per Registry
 * (prom-client refuses duplicate names) and shared by every queue and controller, which tell
 * them apart by the `name` / `controller` label.
 */
export interface RuntimeMetrics {
  registry: Registry;
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  terminalReconcileErrors: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
  activeWorkers: Gauge<'controller'>;
  queueDepth: Gauge<'name'>;
  queueAdds: Counter<'name'>;
  queueLatency: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  retries: Counter<'name'>;
  leaderStatus: Gauge<'name'>;
  restRequests: Counter<'code' | 'method'>;
  restLatency: Histogram<'verb'>;
  informerEvents: Counter<'kind' | 'type'>;
  informerRestarts: Counter<'kind' | 'reason'>;
  /** Queues register here so the two "in flight" gauges can be computed at scrape time. */
  registerQueueProbe(name: string, probe: QueueProbe): void;
  unregisterQueueProbe(name: string): void;
}

/** Reads a queue's in-flight work at scrape time. */
export interface QueueProbe {
  /** Sum, in seconds, of how long every in-flight item has been processed so far. */
  unfinishedWorkSeconds(): number;
  /** Seconds the longest-running in-flight item has been processed. */
  longestRunningProcessorSeconds(): number;
}

/** workqueue duration buckets of client-go: 10 ns .. 10 s, powers of ten. */
const QUEUE_BUCKETS = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

/** controller-runtime's reconcile_time_seconds buckets. */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** client-go's rest_client_request_duration_seconds buckets. */
const REST_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

export function createRuntimeMetrics(registry: Registry): RuntimeMetrics {
  const registers = [registry];
  const probes = new Map<string, QueueProbe>();
  const inFlight = (help: string, name: string, read: (p: QueueProbe) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['name'],
      registers,
      collect() {
        this.reset();
        for (const [queue, probe] of probes) this.set({ name: queue }, read(probe));
      },
    });
  inFlight(
    'How many seconds of work has been done that is in progress and has not been observed by work_duration.',
    'workqueue_unfinished_work_seconds',
    (p) => p.unfinishedWorkSeconds(),
  );
  inFlight(
    'How many seconds has the longest running processor for workqueue been running.',
    'workqueue_longest_running_processor_seconds',
    (p) => p.longestRunningProcessorSeconds(),
  );
  return {
    registry,
    ...controllerMetrics(registers),
    ...queueMetrics(registers),
    ...clientMetrics(registers),
    registerQueueProbe: (name, probe) => probes.set(name, probe),
    unregisterQueueProbe: (name) => probes.delete(name),
  };
}

function controllerMetrics(registers: Registry[]) {
  return {
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'] as const,
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'] as const,
      registers,
    }),
    terminalReconcileErrors: new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'] as const,
      registers,
    }),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'] as const,
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'] as const,
      registers,
    }),
    activeWorkers: new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'] as const,
      registers,
    }),
    leaderStatus: new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. name is the string used to identify the lease.',
      labelNames: ['name'] as const,
      registers,
    }),
  };
}

function queueMetrics(registers: Registry[]) {
  return {
    queueDepth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'] as const,
      registers,
    }),
    queueAdds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'] as const,
      registers,
    }),
    queueLatency: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'] as const,
      buckets: QUEUE_BUCKETS,
      registers,
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'] as const,
      buckets: QUEUE_BUCKETS,
      registers,
    }),
    retries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'] as const,
      registers,
    }),
  };
}

function clientMetrics(registers: Registry[]) {
  return {
    restRequests: new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code and method.',
      labelNames: ['code', 'method'] as const,
      registers,
    }),
    restLatency: new Histogram({
      name: 'rest_client_request_duration_seconds',
      help: 'Request latency in seconds. Broken down by verb.',
      labelNames: ['verb'] as const,
      buckets: REST_BUCKETS,
      registers,
    }),
    informerEvents: new Counter({
      name: 'phoenix_operator_informer_events_total',
      help: 'Watch events applied to the informer caches, by kind and event type.',
      labelNames: ['kind', 'type'] as const,
      registers,
    }),
    informerRestarts: new Counter({
      name: 'phoenix_operator_informer_restarts_total',
      help: 'Informer list/watch restarts, by kind and reason (gone, error, stalled, closed).',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
  };
}
