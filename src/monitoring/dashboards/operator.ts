/** The operator itself: reconcile rates, errors, latency, work queues and leadership. */
import { OPERATOR_METRICS as O } from '../metrics.ts';
import { histogramQuantile, selector, sumBy, sumRate } from '../promql.ts';
import { dashboard, dashboardMatchers, type DashboardContext, type PanelSpec } from './common.ts';

const W = '$__rate_interval';

function ts(title: string, expr: string, legend: string, unit = 'short'): PanelSpec {
  return { title, type: 'timeseries', w: 12, h: 8, unit, queries: [{ expr, legend }] };
}

function panels(ctx: DashboardContext): PanelSpec[] {
  return [
    {
      title: 'Leader',
      type: 'stat',
      w: 6,
      h: 4,
      queries: [{ expr: `max(${selector(O.leaderElection)}) or vector(0)`, instant: true }],
    },
    {
      title: 'Markets by phase',
      type: 'stat',
      w: 12,
      h: 4,
      queries: [{ expr: sumBy(['phase'], selector(O.markets)), legend: '{{phase}}', instant: true }],
    },
    {
      title: 'Collectors up',
      type: 'stat',
      w: 6,
      h: 4,
      queries: [
        { expr: `count(${selector('up', dashboardMatchers(ctx))} == 1) or vector(0)`, instant: true },
      ],
    },
    ts(
      'Reconciles by result',
      sumRate(O.reconciles, { by: ['controller', 'result'], window: W }),
      '{{controller}} {{result}}',
      'ops',
    ),
    ts(
      'Reconcile errors',
      sumRate(O.reconcileErrors, { by: ['controller'], window: W }),
      '{{controller}}',
      'ops',
    ),
    ts(
      'Reconcile time p95',
      histogramQuantile(0.95, O.reconcileTime, { by: ['controller'], window: W }),
      '{{controller}}',
      's',
    ),
    ts('Active workers', sumBy(['controller'], selector(O.activeWorkers)), '{{controller}}'),
    ts('Work queue depth', sumBy(['name'], selector(O.workqueueDepth)), '{{name}}'),
    ts('Work queue adds', sumRate(O.workqueueAdds, { by: ['name'], window: W }), '{{name}}', 'ops'),
    ts(
      'Queue wait p95',
      histogramQuantile(0.95, O.workqueueQueueDuration, { by: ['name'], window: W }),
      '{{name}}',
      's',
    ),
    ts(
      'Work duration p95',
      histogramQuantile(0.95, O.workqueueWorkDuration, { by: ['name'], window: W }),
      '{{name}}',
      's',
    ),
    ts('Retries', sumRate(O.workqueueRetries, { by: ['name'], window: W }), '{{name}}', 'ops'),
    ts('Longest running reconcile', sumBy(['name'], selector(O.workqueueLongestRunning)), '{{name}}', 's'),
    ts('Unfinished work', sumBy(['name'], selector(O.workqueueUnfinishedWork)), '{{name}}', 's'),
    ts(
      'Max concurrent reconciles',
      sumBy(['controller'], selector(O.maxConcurrentReconciles)),
      '{{controller}}',
    ),
  ];
}

export function operatorDashboard(ctx: DashboardContext): Record<string, unknown> {
  return dashboard(ctx, {
    name: 'operator',
    title: 'Operator',
    description: 'Health of the phoenix-operator: reconciles, work queues and leader election.',
    panels: panels(ctx),
  });
}
