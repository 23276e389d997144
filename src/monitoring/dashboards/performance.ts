/** Performance: latency of sources, LLM and database, and resource use against limits. */
import type { Thresholds } from '../../api/index.ts';
import { COLLECTOR_METRICS as M, type MetricSpec } from '../metrics.ts';
import { histogramQuantile, maxBy, rate, selector, sumBy } from '../promql.ts';
import { RECORDED } from '../rules.ts';
import {
  dashboard,
  dashboardMatchers,
  recordedDashboardMatchers,
  type DashboardContext,
  type PanelSpec,
} from './common.ts';

const W = '$__rate_interval';

function p95(ctx: DashboardContext, title: string, metric: MetricSpec, label: string): PanelSpec {
  const matchers = dashboardMatchers(ctx);
  return {
    title,
    type: 'timeseries',
    w: 12,
    h: 8,
    unit: 's',
    queries: [
      {
        expr: histogramQuantile(0.95, metric, { by: ['market', label], window: W, matchers }),
        legend: `{{market}} {{${label}}}`,
      },
    ],
  };
}

function usage(ctx: DashboardContext, t: Thresholds): PanelSpec[] {
  const m = dashboardMatchers(ctx);
  const inst = ['market', 'instance'];
  return [
    {
      title: 'CPU use / limit',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 'percentunit',
      thresholds: [[t.cpuUtilization, 'red']],
      queries: [
        {
          expr: `${sumBy(inst, rate(selector(M.processCpu, m), W))} / ${maxBy(inst, `${selector(M.cpuLimit, m)} > 0`)}`,
          legend: '{{market}} {{instance}}',
        },
      ],
    },
    {
      title: 'Memory use / limit',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 'percentunit',
      thresholds: [[t.memoryUtilization, 'red']],
      queries: [
        {
          expr: `${maxBy(inst, selector(M.processResidentMemory, m))} / ${maxBy(inst, `${selector(M.memoryLimit, m)} > 0`)}`,
          legend: '{{market}} {{instance}}',
        },
      ],
    },
    {
      title: 'Event loop lag (p99)',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 's',
      queries: [
        { expr: maxBy(inst, selector(M.nodejsEventLoopLagP99, m)), legend: '{{market}} {{instance}}' },
      ],
    },
    {
      title: 'Heap used',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 'bytes',
      queries: [{ expr: maxBy(inst, selector(M.nodejsHeapUsed, m)), legend: '{{market}} {{instance}}' }],
    },
  ];
}

function panels(ctx: DashboardContext, t: Thresholds): PanelSpec[] {
  return [
    {
      title: 'API latency p95 by market',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 's',
      thresholds: [[t.apiLatencyP95Seconds, 'red']],
      queries: [
        { expr: selector(RECORDED.apiLatencyP95, recordedDashboardMatchers(ctx)), legend: '{{market}}' },
      ],
    },
    p95(ctx, 'API latency p95 by endpoint', M.apiRequestDuration, 'endpoint'),
    p95(ctx, 'Zip-code collection duration p95', M.collectionDuration, 'source'),
    p95(ctx, 'LLM request duration p95', M.llmRequestDuration, 'model'),
    p95(ctx, 'Database operation duration p95', M.dbOperationDuration, 'operation'),
    {
      title: 'LLM batch size (median)',
      type: 'timeseries',
      w: 12,
      h: 8,
      queries: [
        {
          expr: histogramQuantile(0.5, M.llmBatchSize, {
            by: ['market'],
            window: W,
            matchers: dashboardMatchers(ctx),
          }),
          legend: '{{market}}',
        },
      ],
    },
    ...usage(ctx, t),
  ];
}

export function performanceDashboard(ctx: DashboardContext, thresholds: Thresholds): Record<string, unknown> {
  return dashboard(ctx, {
    name: 'performance',
    title: 'Performance',
    description: 'Latency percentiles of sources, LLM and database, and collector resource use.',
    panels: panels(ctx, thresholds),
  });
}
