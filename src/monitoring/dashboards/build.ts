/** The five dashboards by name. */
import type { Dashboard, Thresholds } from '../../api/index.ts';
import { businessDashboard } from './business.ts';
import type { DashboardContext } from './common.ts';
import { executiveDashboard } from './executive.ts';
import { operationsDashboard } from './operations.ts';
import { operatorDashboard } from './operator.ts';
import { performanceDashboard } from './performance.ts';

export type { DashboardContext } from './common.ts';

export function buildDashboard(
  name: Dashboard,
  ctx: DashboardContext,
  thresholds: Thresholds,
): Record<string, unknown> {
  switch (name) {
    case 'executive':
      return executiveDashboard(ctx, thresholds);
    case 'operations':
      return operationsDashboard(ctx, thresholds);
    case 'performance':
      return performanceDashboard(ctx, thresholds);
    case 'business':
      return businessDashboard(ctx, thresholds);
    case 'operator':
      return operatorDashboard(ctx);
  }
}
