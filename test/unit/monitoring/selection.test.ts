import { describe, expect, it } from 'vitest';
import {
  labelSelectorMatches,
  prometheusSelectionStatus,
  prometheusSelects,
  type PrometheusObject,
  type SelectionTarget,
} from '../../../src/monitoring/selection.ts';

const sm: SelectionTarget = {
  kind: 'ServiceMonitor',
  namespace: 'phoenix',
  labels: { release: 'kube-prometheus-stack', 'app.kubernetes.io/managed-by': 'phoenix-operator' },
};
const rule: SelectionTarget = { ...sm, kind: 'PrometheusRule' };
const nsLabels = { 'kubernetes.io/metadata.name': 'phoenix', team: 'data' };

function prom(spec: PrometheusObject['spec'], namespace = 'monitoring'): PrometheusObject {
  return { metadata: { name: 'k8s', namespace }, ...(spec === undefined ? {} : { spec }) };
}

describe('labelSelectorMatches', () => {
  const labels = { a: '1', b: '2' };
  it.each([
    [{}, true],
    [{ matchLabels: { a: '1' } }, true],
    [{ matchLabels: { a: '2' } }, false],
    [{ matchLabels: { c: '' } }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In' as const, values: ['1', '3'] }] }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'In' as const, values: ['3'] }] }, false],
    [{ matchExpressions: [{ key: 'c', operator: 'NotIn' as const, values: ['3'] }] }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' as const, values: ['1'] }] }, false],
    [{ matchExpressions: [{ key: 'b', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'c', operator: 'Exists' as const }] }, false],
    [{ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' as const }] }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' as const }] }, false],
    [
      { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In' as const, values: ['x'] }] },
      false,
    ],
  ])('%j -> %s', (selector, expected) => {
    expect(labelSelectorMatches(selector, labels)).toBe(expected);
  });
});

describe('prometheusSelects', () => {
  it('selects nothing when the object selector is null or absent', () => {
    for (const spec of [
      undefined,
      {},
      { serviceMonitorSelector: null, serviceMonitorNamespaceSelector: {} },
    ]) {
      const result = prometheusSelects(prom(spec), sm, nsLabels);
      expect(result.selected).toBe(false);
      expect(result.reason).toContain('spec.serviceMonitorSelector is unset');
    }
  });

  it('selects every object with an empty object selector and an empty namespace selector', () => {
    const p = prom({ serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {} });
    expect(prometheusSelects(p, sm, nsLabels)).toEqual({ selected: true });
  });

  it('looks only in its own namespace when the namespace selector is null', () => {
    const elsewhere = prom({ serviceMonitorSelector: {} }, 'monitoring');
    const result = prometheusSelects(elsewhere, sm, nsLabels);
    expect(result.selected).toBe(false);
    expect(result.reason).toContain('only looks in its own namespace monitoring');
    const same = prom({ serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: null }, 'phoenix');
    expect(prometheusSelects(same, sm, nsLabels).selected).toBe(true);
  });

  it('matches labels of the object (the kube-prometheus-stack release label)', () => {
    const p = prom({
      serviceMonitorSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
      serviceMonitorNamespaceSelector: {},
    });
    expect(prometheusSelects(p, sm, nsLabels).selected).toBe(true);
    const other = prom({
      serviceMonitorSelector: { matchLabels: { release: 'prom' } },
      serviceMonitorNamespaceSelector: {},
    });
    const result = prometheusSelects(other, sm, nsLabels);
    expect(result.selected).toBe(false);
    expect(result.reason).toContain('does not match the ServiceMonitor labels');
  });

  it('matches the labels of the namespace', () => {
    const p = (team: string) =>
      prom({ serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: { matchLabels: { team } } });
    expect(prometheusSelects(p('data'), sm, nsLabels).selected).toBe(true);
    expect(prometheusSelects(p('web'), sm, nsLabels).reason).toContain(
      'does not match the labels of namespace phoenix',
    );
  });

  it('uses ruleSelector and ruleNamespaceSelector for PrometheusRules, independently', () => {
    const p = prom({
      serviceMonitorSelector: {},
      serviceMonitorNamespaceSelector: {},
      ruleSelector: { matchLabels: { role: 'alert-rules' } },
    });
    expect(prometheusSelects(p, sm, nsLabels).selected).toBe(true);
    expect(prometheusSelects(p, rule, nsLabels).reason).toContain('spec.ruleSelector');
    const withRules = prom({ ruleSelector: {}, ruleNamespaceSelector: {} });
    expect(prometheusSelects(withRules, rule, nsLabels).selected).toBe(true);
    expect(prometheusSelects(withRules, sm, nsLabels).selected).toBe(false);
  });
});

describe('prometheusSelectionStatus', () => {
  it('reports both selections and the reasons', () => {
    const p = prom({ serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {} });
    expect(prometheusSelectionStatus(p, { serviceMonitor: sm, rule }, nsLabels)).toEqual({
      prometheus: 'monitoring/k8s',
      serviceMonitorSelected: true,
      ruleSelected: false,
      message: 'spec.ruleSelector is unset, which selects no PrometheusRule',
    });
  });

  it('has no message when everything is selected', () => {
    const p = prom({
      serviceMonitorSelector: {},
      serviceMonitorNamespaceSelector: {},
      ruleSelector: {},
      ruleNamespaceSelector: {},
    });
    expect(prometheusSelectionStatus(p, { serviceMonitor: sm, rule }, nsLabels)).toEqual({
      prometheus: 'monitoring/k8s',
      serviceMonitorSelected: true,
      ruleSelected: true,
    });
  });
});
