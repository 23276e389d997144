/** Executive: is every market collecting, how much is stored, what it costs. */
import type { Thresholds } from '../../api/index.ts';
import { COLLECTOR_METRICS as M } from '../metrics.ts';
import { increase, maxBy, selector, sumBy } from '../promql.ts';
import { RECORDED } from '../rules.ts';
import {
  dashboard,
  dashboardMatchers,
  recordedDashboardMatchers,
  type DashboardContext,
  type PanelSpec,
} from './common.ts';

function headline(ctx: DashboardContext, t: Thresholds): PanelSpec[] {
  const m = dashboardMatchers(ctx);
  const r = recordedDashboardMatchers(ctx);
  return [
    {
      title: 'Collectors up',
      type: 'stat',
      w: 4,
      h: 4,
      queries: [{ expr: `count(${selector('up', m)} == 1) or vector(0)`, instant: true }],
    },
    {
      title: 'Properties stored (24 h)',
      type: 'stat',
      w: 5,
      h: 4,
      queries: [{ expr: `sum(${increase(selector(M.propertiesStored, m), '1d')})`, instant: true }],
    },
    {
      title: 'Collection success rate (6 h)',
      type: 'stat',
      w: 5,
      h: 4,
      unit: 'percentunit',
      thresholds: [
        [0, 'red'],
        [t.collectionSuccessRate, 'green'],
      ],
      queries: [{ expr: `avg(${selector(RECORDED.collectionSuccessRate, r)})`, instant: true }],
    },
    {
      title: 'Monthly cost',
      type: 'stat',
      w: 5,
      h: 4,
      unit: 'currencyUSD',
      queries: [{ expr: `sum(${maxBy(['market'], selector(M.monthlyCost, m))})`, instant: true }],
    },
    {
      title: 'Firing alerts',
      type: 'stat',
      w: 5,
      h: 4,
      thresholds: [[1, 'orange']],
      queries: [
        {
          expr: `count(${selector('ALERTS', { alertstate: 'firing', namespace: ctx.namespace })}) or vector(0)`,
          instant: true,
        },
      ],
    },
  ];
}

function detail(ctx: DashboardContext, t: Thresholds): PanelSpec[] {
  const m = dashboardMatchers(ctx);
  const r = recordedDashboardMatchers(ctx);
  return [
    {
      title: 'Budget utilisation by market',
      type: 'bargauge',
      w: 12,
      h: 8,
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: [
        [t.budgetWarning, 'orange'],
        [t.budgetCritical, 'red'],
      ],
      queries: [
        { expr: maxBy(['market'], selector(M.budgetUtilization, m)), legend: '{{market}}', instant: true },
      ],
    },
    {
      title: 'System health score by market',
      type: 'bargauge',
      w: 12,
      h: 8,
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [
        { expr: maxBy(['market'], selector(M.systemHealthScore, m)), legend: '{{market}}', instant: true },
      ],
    },
    {
      title: 'Properties processed per minute',
      type: 'timeseries',
      w: 12,
      h: 8,
      queries: [
        {
          expr: `${sumBy(['market'], selector(RECORDED.propertiesProcessed, r))} * 60`,
          legend: '{{market}}',
        },
      ],
    },
    {
      title: 'Hours since last successful collection',
      type: 'timeseries',
      w: 12,
      h: 8,
      unit: 'h',
      queries: [
        {
          expr: `(time() - ${maxBy(['market'], `${selector(M.lastSuccessfulCollection, m)} > 0`)}) / 3600`,
          legend: '{{market}}',
        },
      ],
    },
    {
      title: 'Cost per property by market',
      type: 'table',
      w: 24,
      h: 8,
      unit: 'currencyUSD',
      queries: [{ expr: selector(RECORDED.costPerProperty, r), legend: '{{market}}', instant: true }],
    },
  ];
}

export function executiveDashboard(ctx: DashboardContext, thresholds: Thresholds): Record<string, unknown> {
  return dashboard(ctx, {
    name: 'executive',
    title: 'Executive',
    description: 'Collection health, volume and cost of every market at a glance.',
    panels: [...headline(ctx, thresholds), ...detail(ctx, thresholds)],
  });
}
