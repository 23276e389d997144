/**
 * A lint for generated Grafana dashboards: a uid unique among the set, America/Phoenix time, a
 * datasource variable used by every panel and no `__inputs`, a `market` variable, and panels on
 * the 24-column grid without overlaps. PromQL syntax is checked separately with promtool.
 */
import {
  DASHBOARD_TIMEZONE,
  DATASOURCE_VARIABLE,
  GRID_COLUMNS,
  MARKET_VARIABLE,
  type GridPos,
} from './dashboards/common.ts';

type Json = Record<string, unknown>;

interface PanelLike {
  id?: number;
  title?: string;
  gridPos?: GridPos;
  datasource?: { uid?: unknown };
  targets?: { expr?: unknown; datasource?: { uid?: unknown } }[];
}

function panelsOf(dashboard: Json): PanelLike[] {
  return Array.isArray(dashboard['panels']) ? (dashboard['panels'] as PanelLike[]) : [];
}

function variablesOf(dashboard: Json): { name?: unknown; type?: unknown }[] {
  const templating = dashboard['templating'] as { list?: unknown } | undefined;
  return Array.isArray(templating?.list) ? (templating.list as { name?: unknown; type?: unknown }[]) : [];
}

function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function gridProblems(panels: PanelLike[]): string[] {
  const problems: string[] = [];
  panels.forEach((p, i) => {
    const g = p.gridPos;
    const name = `panel ${p.title ?? String(i)}`;
    if (!g) return problems.push(`${name}: no gridPos`);
    if (g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1)
      problems.push(`${name}: gridPos ${JSON.stringify(g)} invalid`);
    if (g.x + g.w > GRID_COLUMNS)
      problems.push(`${name}: x + w = ${g.x + g.w} exceeds ${GRID_COLUMNS} columns`);
    panels.slice(0, i).forEach((q) => {
      if (q.gridPos && overlaps(q.gridPos, g)) problems.push(`${name} overlaps panel ${String(q.title)}`);
    });
    return undefined;
  });
  return problems;
}

const DS_REF = `\${${DATASOURCE_VARIABLE}}`;

function panelProblems(panels: PanelLike[]): string[] {
  const problems: string[] = [];
  const ids = new Set<unknown>();
  for (const p of panels) {
    const name = `panel ${String(p.title)}`;
    if (ids.has(p.id)) problems.push(`${name}: duplicate id ${String(p.id)}`);
    ids.add(p.id);
    if (p.datasource?.uid !== DS_REF) problems.push(`${name}: datasource is not ${DS_REF}`);
    const targets = p.targets ?? [];
    if (targets.length === 0) problems.push(`${name}: no queries`);
    for (const t of targets) {
      if (typeof t.expr !== 'string' || t.expr.trim() === '') problems.push(`${name}: empty query`);
      if (t.datasource?.uid !== DS_REF) problems.push(`${name}: query datasource is not ${DS_REF}`);
    }
  }
  return problems;
}

function headerProblems(dashboard: Json): string[] {
  const problems: string[] = [];
  const uid = dashboard['uid'];
  if (typeof uid !== 'string' || uid === '' || uid.length > 40)
    problems.push('uid missing or longer than 40');
  if (dashboard['timezone'] !== DASHBOARD_TIMEZONE) problems.push(`timezone is not ${DASHBOARD_TIMEZONE}`);
  if ('__inputs' in dashboard) problems.push('has __inputs (use the datasource variable)');
  const vars = variablesOf(dashboard);
  if (!vars.some((v) => v.name === DATASOURCE_VARIABLE && v.type === 'datasource'))
    problems.push(`no datasource variable "${DATASOURCE_VARIABLE}"`);
  if (!vars.some((v) => v.name === MARKET_VARIABLE)) problems.push(`no "${MARKET_VARIABLE}" variable`);
  return problems;
}

/** Problems of one dashboard; empty when it passes. */
export function lintDashboard(dashboard: Json): string[] {
  const panels = panelsOf(dashboard);
  return [...headerProblems(dashboard), ...gridProblems(panels), ...panelProblems(panels)];
}

/** Problems of a set of dashboards, each prefixed by its title, plus uids used twice. */
export function lintDashboards(dashboards: readonly Json[]): string[] {
  const seen = new Set<unknown>();
  return dashboards.flatMap((d) => {
    const title = String(d['title']);
    const own = lintDashboard(d).map((p) => `${title}: ${p}`);
    if (seen.has(d['uid'])) own.push(`${title}: uid ${String(d['uid'])} used twice`);
    seen.add(d['uid']);
    return own;
  });
}

/** Every PromQL expression of a dashboard (panel queries and query variables). */
export function dashboardExpressions(dashboard: Json): string[] {
  const panelExprs = panelsOf(dashboard).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  return panelExprs.filter((e): e is string => typeof e === 'string');
}
