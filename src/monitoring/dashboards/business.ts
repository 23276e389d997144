/** Business Intelligence: volume, quality, efficiency and unit cost per market. */
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

function ts(title: string, expr: string, legend: string, unit = 'short'): PanelSpec {
  return { title, type: 'timeseries', w: 12, h: 8, unit, queries: [{ expr, legend }] };
}

function panels(ctx: DashboardContext, t: Thresholds): PanelSpec[] {
  const m = dashboardMatchers(ctx);
  const r = recordedDashboardMatchers(ctx);
  const daily = selector(RECORDED.propertiesCollectedDaily, r);
  return [
    ts(
      'Properties collected per day',
      sumBy(['market'], increase(selector(M.propertiesCollected, m), '1d')),
      '{{market}}',
    ),
    ts(
      'Properties stored per day by result',
      sumBy(['result'], increase(selector(M.propertiesStored, m), '1d')),
      '{{result}}',
    ),
    {
      ...ts(
        'Data quality score',
        maxBy(['market'], selector(M.dataQualityScore, m)),
        '{{market}}',
        'percentunit',
      ),
      thresholds: [
        [0, 'red'],
        [t.dataQuality, 'green'],
      ],
    },
    ts(
      'Processing efficiency (stored / fetched)',
      maxBy(['market'], selector(M.processingEfficiency, m)),
      '{{market}}',
      'percentunit',
    ),
    ts('Cost per property', selector(RECORDED.costPerProperty, r), '{{market}}', 'currencyUSD'),
    ts('Daily cost', maxBy(['market'], selector(M.dailyCost, m)), '{{market}}', 'currencyUSD'),
    {
      title: 'Monthly cost and budget',
      type: 'table',
      w: 12,
      h: 8,
      unit: 'currencyUSD',
      queries: [
        { expr: maxBy(['market'], selector(M.monthlyCost, m)), legend: '{{market}} cost', instant: true },
        { expr: maxBy(['market'], selector(M.monthlyBudget, m)), legend: '{{market}} budget', instant: true },
      ],
    },
    ts(
      'Collection volume change vs previous day',
      `${daily} / (${daily} offset 1d > 0) - 1`,
      '{{market}}',
      'percentunit',
    ),
    ts(
      'LLM extraction outcomes per day',
      sumBy(['outcome'], increase(selector(M.llmRequests, m), '1d')),
      '{{outcome}}',
    ),
    ts(
      'Records rejected per day by reason',
      sumBy(['reason'], increase(selector(M.recordsRejected, m), '1d')),
      '{{reason}}',
    ),
  ];
}

export function businessDashboard(ctx: DashboardContext, thresholds: Thresholds): Record<string, unknown> {
  return dashboard(ctx, {
    name: 'business',
    title: 'Business Intelligence',
    description: 'Collected volume, data quality, processing efficiency and unit cost by market.',
    panels: panels(ctx, thresholds),
  });
}
