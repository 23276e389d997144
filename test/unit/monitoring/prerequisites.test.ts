import { describe, expect, it } from 'vitest';
import { kindString, requiredKinds, selectionTargets } from '../../../src/monitoring/prerequisites.ts';
import { buildMonitoringObjects } from '../../../src/monitoring/render.ts';
import { prometheusSelectionStatus } from '../../../src/monitoring/selection.ts';
import { grafanaOperatorStack, sampleStack } from '../../fixtures/monitoring/stacks.ts';

describe('requiredKinds', () => {
  it('needs the Prometheus Operator kinds, AlertmanagerConfig only with alerting', () => {
    expect(requiredKinds(sampleStack()).map(kindString)).toEqual([
      'monitoring.coreos.com/v1 ServiceMonitor',
      'monitoring.coreos.com/v1 PrometheusRule',
      'monitoring.coreos.com/v1alpha1 AlertmanagerConfig',
    ]);
  });

  it('needs GrafanaDashboard only for grafana-operator delivery', () => {
    expect(requiredKinds(grafanaOperatorStack()).map((k) => k.kind)).toEqual([
      'ServiceMonitor',
      'PrometheusRule',
      'GrafanaDashboard',
    ]);
  });
});

describe('selectionTargets', () => {
  it('feeds the selection report with the labels Prometheus selects on', () => {
    const targets = selectionTargets(buildMonitoringObjects(sampleStack()));
    expect(targets.serviceMonitor).toMatchObject({ kind: 'ServiceMonitor', namespace: 'phoenix' });
    expect(targets.rule?.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    const kubePrometheusStack = {
      metadata: { name: 'kube-prometheus-stack-prometheus', namespace: 'monitoring' },
      spec: {
        serviceMonitorSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
        serviceMonitorNamespaceSelector: {},
        ruleSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
        ruleNamespaceSelector: {},
      },
    };
    expect(prometheusSelectionStatus(kubePrometheusStack, targets, {})).toEqual({
      prometheus: 'monitoring/kube-prometheus-stack-prometheus',
      serviceMonitorSelected: true,
      ruleSelected: true,
    });
  });

  it('is empty for objects without them', () => {
    expect(selectionTargets([])).toEqual({});
  });
});

describe('stackObjectsSelector', () => {
  it('selects every object built for the stack, in any namespace', async () => {
    const { stackObjectsSelector } = await import('../../../src/monitoring/index.ts');
    const stack = grafanaOperatorStack();
    const selector = stackObjectsSelector(stack);
    expect(selector).toBe(
      'app.kubernetes.io/managed-by=phoenix-operator,realestate.phoenix.io/monitoring-stack=gops,realestate.phoenix.io/monitoring-stack-namespace=phoenix',
    );
    const pairs = selector.split(',').map((p) => p.split('=') as [string, string]);
    for (const obj of buildMonitoringObjects(stack)) {
      for (const [k, v] of pairs) expect(obj.metadata.labels?.[k], `${obj.kind} ${k}`).toBe(v);
    }
  });
});
