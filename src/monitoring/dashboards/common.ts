/**
 * Grafana dashboard building blocks: a datasource variable (no `__inputs`, so the JSON loads the
 * same through the sidecar, the grafana-operator or an import), a `market` variable, America/Phoenix
 * time, and a layout that packs panels left to right on the 24-column grid.
 */
import { createHash } from 'node:crypto';
import type { Matchers } from '../promql.ts';
import { COLLECTOR_JOB } from '../scope.ts';

export const GRID_COLUMNS = 24;
export const DASHBOARD_TIMEZONE = 'America/Phoenix';
export const DATASOURCE_VARIABLE = 'datasource';
export const MARKET_VARIABLE = 'market';
const DS = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` } as const;

export interface DashboardContext {
  namespace: string;
  stackName: string;
  /** Name (uid) of the default Prometheus datasource. */
  datasource: string;
}

export type PanelType = 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'table';

export interface Query {
  expr: string;
  legend?: string;
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  type: PanelType;
  w: number;
  h: number;
  queries: Query[];
  unit?: string;
  description?: string;
  min?: number;
  max?: number;
  /** Threshold steps above the base (green): [value, color]. */
  thresholds?: readonly (readonly [number, string])[];
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Panel = Record<string, unknown> & { id: number; gridPos: GridPos; title: string; type: string };

/** Collector series of this stack's namespace and the selected `$market`s. */
export function dashboardMatchers(ctx: DashboardContext): Matchers {
  return { job: COLLECTOR_JOB, namespace: ctx.namespace, market: `~$${MARKET_VARIABLE}` };
}

/** Recorded series of this namespace and the selected `$market`s. */
export function recordedDashboardMatchers(ctx: DashboardContext): Matchers {
  return { namespace: ctx.namespace, market: `~$${MARKET_VARIABLE}` };
}

function fieldConfig(spec: PanelSpec): Record<string, unknown> {
  const steps = [
    { color: 'green', value: null },
    ...(spec.thresholds ?? []).map(([value, color]) => ({ color, value })),
  ];
  return {
    defaults: {
      unit: spec.unit ?? 'short',
      ...(spec.min === undefined ? {} : { min: spec.min }),
      ...(spec.max === undefined ? {} : { max: spec.max }),
      thresholds: { mode: 'absolute', steps },
    },
    overrides: [],
  };
}

function targets(queries: readonly Query[]): Record<string, unknown>[] {
  return queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DS,
    expr: q.expr,
    legendFormat: q.legend ?? '__auto',
    range: q.instant !== true,
    instant: q.instant === true,
  }));
}

function panel(spec: PanelSpec, id: number, gridPos: GridPos): Panel {
  return {
    id,
    type: spec.type,
    title: spec.title,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    gridPos,
    datasource: DS,
    targets: targets(spec.queries),
    fieldConfig: fieldConfig(spec),
    options: spec.type === 'timeseries' ? { legend: { displayMode: 'list', placement: 'bottom' } } : {},
  };
}

/** Places panels left to right, starting a new row when the next one does not fit. */
export function layout(specs: readonly PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, index) => {
    if (spec.w > GRID_COLUMNS || spec.w < 1) throw new RangeError(`panel "${spec.title}" width ${spec.w}`);
    if (x + spec.w > GRID_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const placed = panel(spec, index + 1, { x, y, w: spec.w, h: spec.h });
    x += spec.w;
    rowHeight = Math.max(rowHeight, spec.h);
    return placed;
  });
}

function datasourceVariable(ctx: DashboardContext): Record<string, unknown> {
  return {
    name: DATASOURCE_VARIABLE,
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: { text: ctx.datasource, value: ctx.datasource },
    hide: 0,
  };
}

function marketVariable(ctx: DashboardContext): Record<string, unknown> {
  const query = `label_values(up{job="${COLLECTOR_JOB}",namespace="${ctx.namespace}"}, market)`;
  return {
    name: MARKET_VARIABLE,
    label: 'Market',
    type: 'query',
    datasource: DS,
    query: { query, refId: 'market' },
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    sort: 1,
    hide: 0,
  };
}

/** A short stable suffix so two stacks' dashboards never share a uid in one Grafana. */
export function dashboardUid(ctx: DashboardContext, name: string): string {
  const hash = createHash('sha256').update(`${ctx.namespace}/${ctx.stackName}`).digest('hex').slice(0, 8);
  return `phoenix-${name}-${hash}`;
}

export interface DashboardSpec {
  name: string;
  title: string;
  description: string;
  panels: readonly PanelSpec[];
}

export function dashboard(ctx: DashboardContext, spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: dashboardUid(ctx, spec.name),
    title: `Phoenix ${spec.title}`,
    description: spec.description,
    tags: ['phoenix', 'real-estate', spec.name],
    timezone: DASHBOARD_TIMEZONE,
    editable: true,
    graphTooltip: 1,
    refresh: '1m',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-24h', to: 'now' },
    annotations: { list: [] },
    links: [],
    templating: { list: [datasourceVariable(ctx), marketVariable(ctx)] },
    panels: layout(spec.panels),
  };
}
