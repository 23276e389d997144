/**
 * The generated rules, scrape configuration and dashboard queries, checked by the real promtool:
 * syntax (`check rules`, `check config`), and behaviour (`test rules`: each alert fires just past
 * its threshold and stays silent short of it).
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { dashboardExpressions } from '../../../src/monitoring/lint.ts';
import { substituteGrafanaVariables } from '../../../src/monitoring/promql-names.ts';
import {
  renderMonitoringFiles,
  stackDashboards,
  toYaml,
  RULES_FILE,
} from '../../../src/monitoring/render.ts';
import { ALERTS } from '../../../src/monitoring/alerts.ts';
import { RULE_CASES, VOLUME_CASES, promtoolTests } from '../../fixtures/monitoring/rule-cases.ts';
import {
  MARKETS,
  grafanaOperatorStack,
  minimalStack,
  sampleStack,
} from '../../fixtures/monitoring/stacks.ts';
import { run, writeTree } from './tools.ts';

const dirs: string[] = [];
function tree(files: Iterable<[string, string]>): string {
  const dir = writeTree(files);
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('promtool check rules', () => {
  const stacks = { sample: sampleStack(), minimal: minimalStack(), 'alerting off': grafanaOperatorStack() };
  for (const [name, stack] of Object.entries(stacks)) {
    it(`accepts every rule group of the ${name} stack`, () => {
      const files = renderMonitoringFiles(stack, name === 'minimal' ? undefined : MARKETS);
      const dir = tree(files);
      const result = run('promtool', ['check', 'rules', RULES_FILE], dir);
      expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
      expect(result.status, result.output).toBe(0);
    });
  }

  it('rejects a broken expression (the check can fail)', () => {
    const dir = tree([
      [
        'bad.yml',
        toYaml({
          groups: [
            { name: 'x', rules: [{ record: 'a:b', expr: 'phoenix_collection_status by (zip_code)' }] },
          ],
        }),
      ],
    ]);
    const result = run('promtool', ['check', 'rules', 'bad.yml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/parse error/);
  });
});

describe('promtool test rules', () => {
  it('covers every alert with a firing and a silent case', () => {
    const cases = [...RULE_CASES, ...VOLUME_CASES];
    for (const def of ALERTS) {
      const own = cases.filter((c) => c.alert === def.alert);
      expect(
        own.some((c) => c.checks.some((k) => k.firing.length > 0)),
        `${def.alert} fires somewhere`,
      ).toBe(true);
      expect(
        own.some((c) => c.checks.some((k) => k.firing.length === 0)),
        `${def.alert} silent somewhere`,
      ).toBe(true);
    }
  });

  it('fires and stays silent at the default thresholds', () => {
    const rules = renderMonitoringFiles(sampleStack(), MARKETS).get(RULES_FILE)!;
    const dir = tree([
      ['rules.yml', rules],
      ['alerts.test.yml', toYaml(promtoolTests('rules.yml', RULE_CASES))],
    ]);
    const result = run('promtool', ['test', 'rules', 'alerts.test.yml'], dir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });

  it('compares collection volume day over day', () => {
    const rules = renderMonitoringFiles(sampleStack(), MARKETS).get(RULES_FILE)!;
    const dir = tree([
      ['rules.yml', rules],
      ['volume.test.yml', toYaml(promtoolTests('rules.yml', VOLUME_CASES, '5m'))],
    ]);
    const result = run('promtool', ['test', 'rules', 'volume.test.yml'], dir);
    expect(result.status, result.output).toBe(0);
  });

  it('fails when a threshold is moved (the unit tests can fail)', () => {
    const stack = sampleStack();
    const moved = {
      ...stack,
      spec: { ...stack.spec, thresholds: { ...stack.spec.thresholds, errorRate: 0.3 } },
    };
    const dir = tree([
      ['rules.yml', renderMonitoringFiles(moved, MARKETS).get(RULES_FILE)!],
      [
        't.yml',
        toYaml(
          promtoolTests(
            'rules.yml',
            RULE_CASES.filter((c) => c.alert === 'HighErrorRate'),
          ),
        ),
      ],
    ]);
    const result = run('promtool', ['test', 'rules', 't.yml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/HighErrorRate/);
  });
});

describe('promtool check config', () => {
  /**
   * The Debian build of Prometheus leaves out Kubernetes service discovery, so the check runs on
   * the file with `kubernetes_sd_configs` swapped for an equivalent static target; everything
   * else (globals, rule files, relabelling, alerting) is checked as rendered.
   */
  it('accepts the rendered prometheus.yml and its rule file', () => {
    const files = renderMonitoringFiles(sampleStack(), MARKETS);
    const config = load(files.get('prometheus.yml')!) as { scrape_configs: Record<string, unknown>[] };
    for (const job of config.scrape_configs) {
      expect(job['kubernetes_sd_configs']).toEqual([
        { role: 'endpoints', namespaces: { names: ['phoenix'] } },
      ]);
      delete job['kubernetes_sd_configs'];
      job['static_configs'] = [{ targets: ['mesa-collector.phoenix.svc:9090'] }];
    }
    const dir = tree([...files, ['prometheus.yml', toYaml(config)]]);
    const result = run('promtool', ['check', 'config', 'prometheus.yml'], dir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS: 1 rule files found/);
  });
});

describe('dashboard queries', () => {
  it('all parse as PromQL', () => {
    const exprs = [...stackDashboards(sampleStack()).values()].flatMap(dashboardExpressions);
    expect(exprs.length).toBeGreaterThan(40);
    const rules = exprs.map((expr, i) => ({
      record: `dashboard:query:${i}`,
      expr: substituteGrafanaVariables(expr),
    }));
    const dir = tree([['dashboards.yml', toYaml({ groups: [{ name: 'dashboards', rules }] })]]);
    const result = run('promtool', ['check', 'rules', 'dashboards.yml'], dir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});
