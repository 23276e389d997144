/**
 * Alert rules of the monitoring design plus DataStale for the 6 h freshness target. Thresholds
 * come from the MonitoringStack spec; each alert carries a severity label (routing) and a
 * runbook_url pointing at docs/runbooks/<alert-kebab-case>.md.
 */
import type { Severity, Thresholds } from '../api/index.ts';
import { COLLECTOR_METRICS as M } from './metrics.ts';
import { durationSeconds, maxBy, quote, rate, selector, sumBy } from './promql.ts';
import { RECORDED, recordingRules, type AlertRule, type RuleGroup } from './rules.ts';
import { COLLECTOR_JOB, GROUPING, recordedMatchers, targetMatchers, type Scope } from './scope.ts';

/** Not in the spec: fixed design values for the two informational alerts. */
export const OPTIMIZATION_EFFICIENCY_BELOW = 0.6;
export const VOLUME_CHANGE_ABOVE = 0.5;

export const DEFAULT_RUNBOOK_BASE_URL =
  'https://github.com/phoenix-real-estate/phoenix-operator/blob/main/docs/runbooks';

export interface AlertContext {
  scope: Scope;
  thresholds: Thresholds;
}

interface AlertDef {
  alert: string;
  severity: Severity;
  for: string;
  summary: string;
  description: string;
  expr: (ctx: AlertContext) => string;
}

const BY = GROUPING;

/** `Foo` and `FooBar` as `foo`, `foo-bar`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Keeps only markets that completed a collection since start: gauges read 0 before the first run. */
function afterFirstRun(ctx: AlertContext, expr: string): string {
  const last = maxBy(BY, selector(M.lastSuccessfulCollection, targetMatchers(ctx.scope)));
  return `(${expr})\nand on (namespace, market)\n${last} > 0`;
}

/**
 * A target that is down, or a selected market without any target. When the market list is not
 * known (every market of the namespace), only a namespace without any collector target is caught.
 */
function systemDown({ scope }: AlertContext): string {
  const down = `${selector('up', targetMatchers(scope))} == 0`;
  const base = `job=${quote(COLLECTOR_JOB)},namespace=${quote(scope.namespace)}`;
  const absent =
    scope.markets === undefined
      ? [`absent(up{${base}})`]
      : [...new Set(scope.markets)].sort().map((m) => `absent(up{${base},market=${quote(m)}})`);
  return [down, ...absent].join('\nor\n');
}

function highResourceUsage(ctx: AlertContext): string {
  const m = targetMatchers(ctx.scope);
  const inst = [...BY, 'instance'];
  const cpu =
    `${sumBy(inst, rate(selector(M.processCpu, m), '5m'))}\n/\n` +
    `${maxBy(inst, `${selector(M.cpuLimit, m)} > 0`)}\n> ${ctx.thresholds.cpuUtilization}`;
  const memory =
    `${maxBy(inst, selector(M.processResidentMemory, m))}\n/\n` +
    `${maxBy(inst, `${selector(M.memoryLimit, m)} > 0`)}\n> ${ctx.thresholds.memoryUtilization}`;
  const tag = (expr: string, resource: string) =>
    `label_replace(\n${expr},\n"resource", ${quote(resource)}, "", ""\n)`;
  return `${tag(cpu, 'cpu')}\nor\n${tag(memory, 'memory')}`;
}

function dataStale(ctx: AlertContext): string {
  const m = targetMatchers(ctx.scope);
  const seconds = durationSeconds(ctx.thresholds.dataFreshness);
  const last = maxBy(BY, selector(M.lastSuccessfulCollection, m));
  const started = `min by (namespace, market) (${selector(M.processStartTime, m)})`;
  const stale = `(time() - ${maxBy(BY, `${selector(M.lastSuccessfulCollection, m)} > 0`)}) > ${seconds}`;
  const never = `(${last} == 0)\nand on (namespace, market)\n(time() - ${started}) > ${seconds}`;
  return `${stale}\nor\n${never}`;
}

/**
 * Day over day. The guard (a recorded value two days ago) keeps it silent until the day before is
 * a complete day: a market that started collecting yesterday afternoon has no fair comparison.
 */
function volumeChange(ctx: AlertContext): string {
  const now = selector(RECORDED.propertiesCollectedDaily, recordedMatchers(ctx.scope));
  const before = `(${now} offset 1d > 0)`;
  return `abs(${now} / ${before} - 1) > ${VOLUME_CHANGE_ABOVE}\nand on (namespace, market)\n${now} offset 2d`;
}

const gauge = (ctx: AlertContext, metric: (typeof M)[keyof typeof M]) =>
  maxBy(BY, selector(metric, targetMatchers(ctx.scope)));
const recorded = (ctx: AlertContext, name: string) => selector(name, recordedMatchers(ctx.scope));

export const ALERTS: readonly AlertDef[] = [
  {
    alert: 'SystemDown',
    severity: 'critical',
    for: '5m',
    summary: 'Collector of {{ $labels.market }} is down or not scraped',
    description:
      'Prometheus has no successful scrape of the {{ $labels.market }} collector in namespace {{ $labels.namespace }} for 5 minutes.',
    expr: systemDown,
  },
  {
    alert: 'HighErrorRate',
    severity: 'critical',
    for: '5m',
    summary: 'High API error rate for {{ $labels.market }}',
    description:
      '{{ $value | humanizePercentage }} of API requests of {{ $labels.market }} failed over 5 minutes.',
    expr: (ctx) => `${recorded(ctx, RECORDED.errorRate)} > ${ctx.thresholds.errorRate}`,
  },
  {
    alert: 'BudgetExceeded',
    severity: 'critical',
    for: '5m',
    summary: 'Monthly budget of {{ $labels.market }} nearly exhausted',
    description: '{{ $labels.market }} has used {{ $value | humanizePercentage }} of its monthly budget.',
    expr: (ctx) => `${gauge(ctx, M.budgetUtilization)} >= ${ctx.thresholds.budgetCritical}`,
  },
  {
    alert: 'CollectionFailure',
    severity: 'critical',
    for: '5m',
    summary: 'Collections of {{ $labels.market }} are failing',
    description:
      'Only {{ $value | humanizePercentage }} of the zip-code collections of {{ $labels.market }} succeeded in the last 6 hours.',
    expr: (ctx) =>
      `${recorded(ctx, RECORDED.collectionSuccessRate)} < ${ctx.thresholds.collectionSuccessRate}`,
  },
  {
    alert: 'HighResourceUsage',
    severity: 'warning',
    for: '10m',
    summary: 'Collector {{ $labels.instance }} of {{ $labels.market }} uses much {{ $labels.resource }}',
    description: 'The collector uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} limit.',
    expr: highResourceUsage,
  },
  {
    alert: 'SlowResponseTime',
    severity: 'warning',
    for: '10m',
    summary: 'Slow source API responses for {{ $labels.market }}',
    description:
      'The 95th percentile API request latency of {{ $labels.market }} is {{ $value | humanizeDuration }}.',
    expr: (ctx) => `${recorded(ctx, RECORDED.apiLatencyP95)} > ${ctx.thresholds.apiLatencyP95Seconds}`,
  },
  {
    alert: 'BudgetWarning',
    severity: 'warning',
    for: '15m',
    summary: 'Monthly budget of {{ $labels.market }} is running low',
    description: '{{ $labels.market }} has used {{ $value | humanizePercentage }} of its monthly budget.',
    expr: (ctx) =>
      `(${gauge(ctx, M.budgetUtilization)} >= ${ctx.thresholds.budgetWarning}) < ${ctx.thresholds.budgetCritical}`,
  },
  {
    alert: 'DataQualityDegradation',
    severity: 'warning',
    for: '15m',
    summary: 'Data quality of {{ $labels.market }} degraded',
    description:
      'The mean data quality score of the last run of {{ $labels.market }} is {{ $value | printf "%.2f" }}.',
    expr: (ctx) => afterFirstRun(ctx, `${gauge(ctx, M.dataQualityScore)} < ${ctx.thresholds.dataQuality}`),
  },
  {
    alert: 'DataStale',
    severity: 'warning',
    for: '10m',
    summary: 'Data of {{ $labels.market }} is stale',
    description: 'No collection of {{ $labels.market }} has succeeded for longer than the freshness target.',
    expr: dataStale,
  },
  {
    alert: 'OptimizationOpportunity',
    severity: 'info',
    for: '1h',
    summary: 'Processing efficiency of {{ $labels.market }} is low',
    description:
      'Only {{ $value | humanizePercentage }} of the records fetched for {{ $labels.market }} were stored in the last run.',
    expr: (ctx) =>
      afterFirstRun(ctx, `${gauge(ctx, M.processingEfficiency)} < ${OPTIMIZATION_EFFICIENCY_BELOW}`),
  },
  {
    alert: 'CollectionVolumeChange',
    severity: 'info',
    for: '30m',
    summary: 'Collection volume of {{ $labels.market }} changed sharply',
    description: `Properties collected for {{ $labels.market }} in the last day differ by more than ${VOLUME_CHANGE_ABOVE * 100}% from the day before.`,
    expr: volumeChange,
  },
];

export function alertRules(ctx: AlertContext, runbookBaseUrl?: string): AlertRule[] {
  const base = (runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL).replace(/\/+$/, '');
  return ALERTS.map((def) => ({
    alert: def.alert,
    expr: def.expr(ctx),
    for: def.for,
    labels: { severity: def.severity },
    annotations: {
      summary: def.summary,
      description: def.description,
      runbook_url: `${base}/${kebabCase(def.alert)}.md`,
    },
  }));
}

/** The two rule groups of a stack: recording rules first, then alerts (when alerting is on). */
export function ruleGroups(
  ctx: AlertContext,
  alerting: { enabled: boolean; runbookBaseUrl?: string | undefined },
): RuleGroup[] {
  const groups: RuleGroup[] = [{ name: 'phoenix.recording', rules: recordingRules(ctx.scope) }];
  if (alerting.enabled)
    groups.push({ name: 'phoenix.alerts', rules: alertRules(ctx, alerting.runbookBaseUrl) });
  return groups;
}
