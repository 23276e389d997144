/**
 * Recording rules: the ratios and rates the alerts and dashboards share, computed once per
 * evaluation, grouped by namespace and market.
 */
import { COLLECTOR_METRICS as M } from './metrics.ts';
import { histogramQuantile, increase, maxBy, selector, sumBy, sumRate } from './promql.ts';
import { GROUPING, targetMatchers, type Scope } from './scope.ts';

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/** Names of the recorded series (level:metric:operations). */
export const RECORDED = {
  collectionSuccessRate: 'phoenix:collection_success_rate:ratio_rate6h',
  errorRate: 'phoenix:error_rate:ratio_rate5m',
  propertiesProcessed: 'phoenix:properties_processed:rate5m',
  costPerProperty: 'phoenix:cost_per_property_usd',
  apiLatencyP95: 'phoenix:api_request_duration_seconds:p95_rate5m',
  propertiesCollectedDaily: 'phoenix:properties_collected:increase1d',
} as const;

/** API requests that count as errors: server errors and transport failures. */
export const API_ERROR_CODES = '5xx|error';

/**
 * part / whole, where a part with no series yet (no error ever counted, no collection ever
 * succeeded) counts as 0 rather than making the whole ratio vanish; no activity gives no value.
 */
function ratio(part: string, whole: string): string {
  return `(${part}\nor\n${whole} * 0)\n/\n(${whole} > 0)`;
}

/**
 * Collections run every few hours (every 6 h by default), so the success ratio looks back 6 h:
 * a 1 h window would be 0/0 most of the time.
 */
function collectionSuccessRate(scope: Scope): RecordingRule {
  const opts = { by: GROUPING, window: '6h', matchers: targetMatchers(scope) };
  const ok = sumBy(GROUPING, increase(selector(M.collectionsSuccessful, opts.matchers), '6h'));
  const all = sumBy(GROUPING, increase(selector(M.collections, opts.matchers), '6h'));
  return { record: RECORDED.collectionSuccessRate, expr: ratio(ok, all) };
}

function errorRate(scope: Scope): RecordingRule {
  const matchers = targetMatchers(scope);
  const errors = sumRate(M.apiRequests, {
    by: GROUPING,
    window: '5m',
    matchers: { ...matchers, code: `~${API_ERROR_CODES}` },
  });
  const all = sumRate(M.apiRequests, { by: GROUPING, window: '5m', matchers });
  return { record: RECORDED.errorRate, expr: ratio(errors, all) };
}

function propertiesProcessed(scope: Scope): RecordingRule {
  const expr = sumRate(M.propertiesStored, { by: GROUPING, window: '5m', matchers: targetMatchers(scope) });
  return { record: RECORDED.propertiesProcessed, expr };
}

/**
 * Today's spend over the properties stored in the last day. Cost gauges are per market, so
 * replicas report the same value: `max`, not `sum`.
 */
function costPerProperty(scope: Scope): RecordingRule {
  const matchers = targetMatchers(scope);
  const cost = maxBy(GROUPING, selector(M.dailyCost, matchers));
  const stored = sumBy(GROUPING, increase(selector(M.propertiesStored, matchers), '1d'));
  return { record: RECORDED.costPerProperty, expr: `${cost}\n/\n(${stored} > 0)` };
}

function apiLatencyP95(scope: Scope): RecordingRule {
  const expr = histogramQuantile(0.95, M.apiRequestDuration, {
    by: GROUPING,
    window: '5m',
    matchers: targetMatchers(scope),
  });
  return { record: RECORDED.apiLatencyP95, expr };
}

function propertiesCollectedDaily(scope: Scope): RecordingRule {
  const expr = sumBy(GROUPING, increase(selector(M.propertiesCollected, targetMatchers(scope)), '1d'));
  return { record: RECORDED.propertiesCollectedDaily, expr };
}

export function recordingRules(scope: Scope): RecordingRule[] {
  return [
    collectionSuccessRate(scope),
    errorRate(scope),
    propertiesProcessed(scope),
    costPerProperty(scope),
    apiLatencyP95(scope),
    propertiesCollectedDaily(scope),
  ];
}
