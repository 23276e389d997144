import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import {
  buildMonitoringObjects,
  renderMonitoringFiles,
  toYaml,
  type KubeObject,
} from '../../../src/monitoring/render.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ALERTS, kebabCase } from '../../../src/monitoring/alerts.ts';
import type { AlertRule, RuleGroup } from '../../../src/monitoring/rules.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import {
  MARKETS,
  grafanaOperatorStack,
  minimalStack,
  sampleStack,
} from '../../fixtures/monitoring/stacks.ts';
import { expectGolden } from './golden.ts';

interface SmSpec {
  selector: { matchExpressions?: unknown[] };
  endpoints: { relabelings: unknown[] }[];
}

function rulesOf(files: Map<string, string>): RuleGroup[] {
  return (load(files.get('rules/phoenix.rules.yml')!) as { groups: RuleGroup[] }).groups;
}

function alertsOf(groups: RuleGroup[]): AlertRule[] {
  return groups.find((g) => g.name === 'phoenix.alerts')!.rules as AlertRule[];
}

function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

describe('golden renderings', () => {
  const scenarios = {
    sample: () => buildMonitoringObjects(sampleStack(), MARKETS),
    minimal: () => buildMonitoringObjects(minimalStack()),
    'grafana-operator': () => buildMonitoringObjects(grafanaOperatorStack(), ['mesa']),
  };
  for (const [name, build] of Object.entries(scenarios)) {
    it(`objects of the ${name} stack`, () => {
      expectGolden(`${name}/objects.yaml`, build().map(toYaml).join('---\n'));
    });
  }

  it('plain files of the sample stack', () => {
    const files = renderMonitoringFiles(sampleStack(), MARKETS);
    expect([...files.keys()].sort()).toEqual([
      'alertmanager.yml',
      'dashboards/phoenix-business.json',
      'dashboards/phoenix-executive.json',
      'dashboards/phoenix-operations.json',
      'dashboards/phoenix-operator.json',
      'dashboards/phoenix-performance.json',
      'prometheus.yml',
      'rules/phoenix.rules.yml',
    ]);
    for (const [file, content] of files) expectGolden(`sample/files/${file}`, content);
  });
});

describe('buildMonitoringObjects', () => {
  it('is pure: same input, same output, input untouched', () => {
    const stack = sampleStack();
    const before = JSON.stringify(stack);
    expect(buildMonitoringObjects(stack, MARKETS)).toEqual(buildMonitoringObjects(stack, MARKETS));
    expect(JSON.stringify(stack)).toBe(before);
  });

  it('labels the ServiceMonitor with the selector labels and scrapes only the selected markets', () => {
    const [sm] = byKind(buildMonitoringObjects(sampleStack(), ['mesa', 'phoenix-central']), 'ServiceMonitor');
    expect(sm?.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    const spec = sm?.['spec'] as SmSpec;
    expect(spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'phoenix-collector' },
      matchExpressions: [
        { key: 'realestate.phoenix.io/market', operator: 'In', values: ['mesa', 'phoenix-central'] },
      ],
    });
    expect(spec.endpoints[0]).toMatchObject({ port: 'metrics', honorLabels: true, interval: '30s' });
    expect(spec.endpoints[0]?.relabelings[0]).toEqual({
      action: 'replace',
      sourceLabels: ['__meta_kubernetes_service_label_realestate_phoenix_io_market'],
      targetLabel: 'market',
    });
  });

  it('selects no Service when no market is selected (valid selector, no In with empty values)', () => {
    const [sm] = byKind(buildMonitoringObjects(sampleStack(), []), 'ServiceMonitor');
    const selector = (sm?.['spec'] as SmSpec).selector;
    expect(selector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/name', operator: 'DoesNotExist' }]);
  });

  it('uses ruleLabels on the PrometheusRule when set, selectorLabels otherwise', () => {
    expect(
      byKind(buildMonitoringObjects(grafanaOperatorStack()), 'PrometheusRule')[0]?.metadata.labels,
    ).toMatchObject({
      role: 'alert-rules',
    });
    expect(byKind(buildMonitoringObjects(sampleStack()), 'PrometheusRule')[0]?.metadata.labels).toMatchObject(
      {
        release: 'kube-prometheus-stack',
      },
    );
  });

  it('owns same-namespace objects and leaves cross-namespace ones to a finalizer', () => {
    const objects = buildMonitoringObjects(grafanaOperatorStack());
    const dashboards = byKind(objects, 'GrafanaDashboard');
    expect(dashboards).toHaveLength(2);
    for (const d of dashboards) {
      expect(d.metadata.namespace).toBe('grafana');
      expect(d.metadata['ownerReferences']).toBeUndefined();
      expect(d.metadata.labels).toMatchObject({
        'realestate.phoenix.io/monitoring-stack': 'gops',
        'realestate.phoenix.io/monitoring-stack-namespace': 'phoenix',
      });
    }
    const [sm] = byKind(objects, 'ServiceMonitor');
    expect(sm?.metadata['ownerReferences']).toEqual([
      expect.objectContaining({ kind: 'MonitoringStack', name: 'gops', controller: true }),
    ]);
  });

  it('creates no alert rules and no AlertmanagerConfig when alerting is disabled', () => {
    const objects = buildMonitoringObjects(grafanaOperatorStack());
    expect(byKind(objects, 'AlertmanagerConfig')).toHaveLength(0);
    const groups = (byKind(objects, 'PrometheusRule')[0]?.['spec'] as { groups: { name: string }[] }).groups;
    expect(groups.map((g) => g.name)).toEqual(['phoenix.recording']);
  });

  it('delivers dashboards as ConfigMaps with the sidecar label and folder annotation', () => {
    const maps = byKind(buildMonitoringObjects(sampleStack()), 'ConfigMap');
    expect(maps).toHaveLength(5);
    for (const cm of maps) {
      expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(cm.metadata['annotations']).toEqual({ grafana_folder: 'Phoenix Real Estate' });
      const [json] = Object.values(cm['data'] as Record<string, string>);
      expect(JSON.parse(json!)).toHaveProperty('timezone', 'America/Phoenix');
    }
  });

  it('creates no dashboards for delivery None', () => {
    const stack = minimalStack();
    const none = {
      ...stack,
      spec: { ...stack.spec, grafana: { ...stack.spec.grafana, delivery: 'None' as const } },
    };
    expect(buildMonitoringObjects(none).map((o) => o.kind)).toEqual([
      'ServiceMonitor',
      'PrometheusRule',
      'AlertmanagerConfig',
    ]);
  });
});

describe('alert rules', () => {
  const rules = rulesOf(renderMonitoringFiles(sampleStack(), MARKETS));
  const alerts = alertsOf(rules);

  it('has every alert of the design plus DataStale, each with severity and runbook', () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      'SystemDown',
      'HighErrorRate',
      'BudgetExceeded',
      'CollectionFailure',
      'HighResourceUsage',
      'SlowResponseTime',
      'BudgetWarning',
      'DataQualityDegradation',
      'DataStale',
      'OptimizationOpportunity',
      'CollectionVolumeChange',
    ]);
    for (const a of alerts) {
      expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
      expect(a.annotations.runbook_url).toBe(`https://runbooks.example.com/phoenix/${kebabCase(a.alert)}.md`);
      expect(a.annotations.summary).toBeTruthy();
    }
  });

  it('takes thresholds from the spec', () => {
    const stack = sampleStack();
    const tuned = {
      ...stack,
      spec: { ...stack.spec, thresholds: { ...stack.spec.thresholds, errorRate: 0.1, dataFreshness: '12h' } },
    };
    const groups = alertsOf(rulesOf(renderMonitoringFiles(tuned)));
    expect(groups.find((r) => r.alert === 'HighErrorRate')?.expr).toMatch(/> 0\.1$/);
    expect(groups.find((r) => r.alert === 'DataStale')?.expr).toContain('> 43200');
  });

  it('never computes a quantile over raw buckets', () => {
    const all = rules.flatMap((g) => g.rules.map((r) => r.expr));
    for (const expr of all.filter((e) => e.includes('histogram_quantile'))) {
      expect(expr).toMatch(/histogram_quantile\([0-9.]+, sum by \(le, [^)]*\)\s*\(rate\(/);
    }
  });

  it('has a runbook file for every alert', () => {
    for (const def of ALERTS) {
      expect(existsSync(join(repoRoot, 'docs', 'runbooks', `${kebabCase(def.alert)}.md`)), def.alert).toBe(
        true,
      );
    }
  });
});
