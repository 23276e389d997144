import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../../src/api/index.ts';
import { dashboardExpressions, lintDashboard, lintDashboards } from '../../../src/monitoring/lint.ts';
import { stackDashboards } from '../../../src/monitoring/render.ts';
import { minimalStack, sampleStack } from '../../fixtures/monitoring/stacks.ts';

const dashboards = () => [...stackDashboards(sampleStack()).values()];

describe('generated dashboards', () => {
  it('are the five of the design and pass the lint', () => {
    expect([...stackDashboards(sampleStack()).keys()]).toEqual([...DASHBOARDS]);
    expect(lintDashboards(dashboards())).toEqual([]);
  });

  it('have unique uids, also across stacks', () => {
    const uids = [...dashboards(), ...stackDashboards(minimalStack()).values()].map((d) => d['uid']);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('filter every collector query by $market', () => {
    for (const d of dashboards()) {
      for (const expr of dashboardExpressions(d)) {
        if (/phoenix_|process_|nodejs_|\bup\{/.test(expr) && !expr.includes('phoenix_operator_')) {
          expect(expr, `${String(d['title'])}: ${expr}`).toContain('market=~"$market"');
        }
      }
    }
  });

  it('default the datasource variable to the spec datasource', () => {
    const d = dashboards()[0]!;
    const vars = (d['templating'] as { list: Record<string, unknown>[] }).list;
    expect(vars[0]).toMatchObject({
      name: 'datasource',
      type: 'datasource',
      query: 'prometheus',
      current: { value: 'prometheus' },
    });
    expect(vars[1]).toMatchObject({ name: 'market', includeAll: true, multi: true });
  });
});

describe('lintDashboard catches', () => {
  interface Mutable {
    [key: string]: unknown;
    panels: { id: number; gridPos: { x: number }; datasource: unknown; targets: { expr: string }[] }[];
    templating: { list: unknown[] };
  }
  const base = () => structuredClone(dashboards()[0]!) as unknown as Mutable;
  const lint = (d: Mutable) => lintDashboard(d).join('\n');

  it('overlapping panels', () => {
    const d = base();
    d.panels[1]!.gridPos = { ...d.panels[0]!.gridPos };
    expect(lint(d)).toMatch(/overlaps/);
  });

  it('panels wider than the grid', () => {
    const d = base();
    d.panels[0]!.gridPos.x = 22;
    expect(lint(d)).toMatch(/exceeds 24 columns/);
  });

  it('__inputs, a missing datasource variable, a hard-coded datasource, a wrong time zone', () => {
    const d = base();
    d['__inputs'] = [];
    d.templating.list = [];
    d.panels[0]!.datasource = { uid: 'prom-1' };
    d['timezone'] = 'browser';
    const problems = lint(d);
    expect(problems).toMatch(/__inputs/);
    expect(problems).toMatch(/no datasource variable/);
    expect(problems).toMatch(/no "market" variable/);
    expect(problems).toMatch(/datasource is not \$\{datasource\}/);
    expect(problems).toMatch(/timezone/);
  });

  it('duplicate uids and panel ids, empty queries', () => {
    const d = base();
    d.panels[1]!.id = d.panels[0]!.id;
    d.panels[2]!.targets[0]!.expr = ' ';
    expect(lint(d)).toMatch(/duplicate id/);
    expect(lint(d)).toMatch(/empty query/);
    expect(lintDashboards([base(), base()]).join()).toMatch(/used twice/);
  });
});
