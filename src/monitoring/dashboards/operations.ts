/** Operations: what the on-call engineer looks at when an alert fires. */
import type { Thresholds } from '../../api/index.ts';
import { COLLECTOR_METRICS as M } from '../metrics.ts';
import { API_ERROR_CODES } from '../rules.ts';
import { increase, maxBy, selector, sumBy, sumRate } from '../promql.ts';
import { RECORDED } from '../rules.ts';
import {
  dashboard,
  dashboardMatchers,
  recordedDashboardMatchers,
  type DashboardContext,
  type PanelSpec,
} from './common.ts';

const W = '$__rate_interval';

function collection(ctx: DashboardContext, t: Thresholds): PanelSpec[] {
  const m = dashboardMatchers(ctx);
  const r = recordedDashboardMatchers(ctx);
  return [
    {
      title: 'Collector targets up',
      type: 'timeseries',
      w: 12,
      h: 8,
      min: 0,
      max: 1,
      queries: [{ expr: selector('up', m), legend: '{{market}} {{instance}}' }],
    },
    {
      title: 'Collection in progress',
      type: 'timeseries',
      w: 12,
      h: 8,
      min: 0,
      max: 1,
      queries: [{ expr: maxBy(['market'], selector(M.collectionInProgress, m)), legend: '{{market}}' }],
    },
    {
      title: 'Zip-code collections per hour',
      type: 'timeseries',
      w: 12,
      h: 8,
      queries: [
        {
          expr: sumBy(['market'], increase(selector(M.collections, m), '1h')),
          legend: '{{market}} attempted',
        },
        {
          expr: sumBy(['market'], increase(selector(M.collectionsSuccessful, m), '1h')),
          legend: '{{market}} succeeded',
        },
      ],
    },
    {
      title: 'Collection success rate (6 h)',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: [[t.collectionSuccessRate, 'red']],
      queries: [{ expr: selector(RECORDED.collectionSuccessRate, r), legend: '{{market}}' }],
    },
    {
      title: 'API error rate',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 'percentunit',
      thresholds: [[t.errorRate, 'red']],
      queries: [{ expr: selector(RECORDED.errorRate, r), legend: '{{market}}' }],
    },
  ];
}

function ts(title: string, expr: string, legend: string, unit = 'short'): PanelSpec {
  return { title, type: 'timeseries', w: 12, h: 8, unit, queries: [{ expr, legend }] };
}

function dependencies(ctx: DashboardContext): PanelSpec[] {
  const m = dashboardMatchers(ctx);
  const failed = { ...m, code: `~${API_ERROR_CODES}` };
  return [
    ts(
      'API requests by status',
      sumRate(M.apiRequests, { by: ['source', 'code'], window: W, matchers: m }),
      '{{source}} {{code}}',
      'reqps',
    ),
    ts(
      'Failed API requests by endpoint',
      sumRate(M.apiRequests, { by: ['market', 'endpoint'], window: W, matchers: failed }),
      '{{market}} {{endpoint}}',
      'reqps',
    ),
    ts(
      'Errors per hour by component',
      sumBy(['component', 'code'], increase(selector(M.errors, m), '1h')),
      '{{component}} {{code}}',
    ),
    ts(
      'Records rejected per hour',
      sumBy(['source', 'reason'], increase(selector(M.recordsRejected, m), '1h')),
      '{{source}} {{reason}}',
    ),
    ts(
      'Database operations',
      sumRate(M.dbOperations, { by: ['operation', 'outcome'], window: W, matchers: m }),
      '{{operation}} {{outcome}}',
      'ops',
    ),
    ts(
      'Active connections',
      sumBy(['market', 'target'], selector(M.activeConnections, m)),
      '{{market}} {{target}}',
    ),
    {
      title: 'Firing alerts',
      type: 'table',
      w: 12,
      h: 8,
      queries: [
        { expr: selector('ALERTS', { alertstate: 'firing', namespace: ctx.namespace }), instant: true },
      ],
    },
  ];
}

export function operationsDashboard(ctx: DashboardContext, thresholds: Thresholds): Record<string, unknown> {
  return dashboard(ctx, {
    name: 'operations',
    title: 'Operations',
    description: 'Scrape health, collection outcomes, errors and dependencies of the collectors.',
    panels: [...collection(ctx, thresholds), ...dependencies(ctx)],
  });
}
