import { describe, expect, it } from 'vitest';
import { computeStackStatus, type StackObservation } from '../../../src/operator/reconcilers/stack-status.ts';

const now = '2026-11-29T10:00:00Z';
const stack: StackObservation['stack'] = { metadata: { generation: 4 } };
const created = [
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', namespace: 'p', name: 's-collectors' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', namespace: 'p', name: 's-rules' },
];

const cond = (s: ReturnType<typeof computeStackStatus>, type: string) =>
  s.conditions?.find((c) => c.type === type);

describe('computeStackStatus', () => {
  it('is Ready when every object is applied, with counts in the message', () => {
    const s = computeStackStatus({ stack, created, selectedMarkets: 3, missing: [], now });
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'Applied', observedGeneration: 4 });
    expect(cond(s, 'Ready')?.message).toBe('2 objects applied for 3 markets');
    expect(cond(s, 'Degraded')?.status).toBe('False');
    expect(cond(s, 'PrerequisitesMissing')?.status).toBe('False');
    expect(s).toMatchObject({ observedGeneration: 4, selectedMarkets: 3, createdObjects: created });
    expect(s.missingPrerequisites).toBeUndefined();
  });

  it('names the missing kinds and is not Ready', () => {
    const missing = ['monitoring.coreos.com/v1 ServiceMonitor', 'monitoring.coreos.com/v1 PrometheusRule'];
    const s = computeStackStatus({ stack, created: [], selectedMarkets: 1, missing, now });
    expect(cond(s, 'PrerequisitesMissing')).toMatchObject({ status: 'True', reason: 'CRDsNotInstalled' });
    expect(cond(s, 'PrerequisitesMissing')?.message).toContain('monitoring.coreos.com/v1 ServiceMonitor');
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'PrerequisitesMissing' });
    expect(cond(s, 'Degraded')?.status).toBe('True');
    expect(s.missingPrerequisites).toEqual(missing);
  });

  it('reports a spec error by field', () => {
    const s = computeStackStatus({
      stack,
      parseErrors: [{ path: 'spec.thresholds.errorRate', message: 'must be <= 1', code: 'too_big' }],
      now,
    });
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cond(s, 'Ready')?.message).toContain('spec.thresholds.errorRate');
  });

  it('is Degraded, still Ready, when no Prometheus selects both objects', () => {
    const selection = [
      {
        prometheus: 'mon/k8s',
        serviceMonitorSelected: true,
        ruleSelected: false,
        message: 'spec.ruleSelector x',
      },
    ];
    const s = computeStackStatus({ stack, created, selectedMarkets: 1, missing: [], selection, now });
    expect(cond(s, 'Ready')?.status).toBe('True');
    expect(cond(s, 'Degraded')).toMatchObject({ status: 'True', reason: 'NotSelectedByPrometheus' });
    expect(cond(s, 'Degraded')?.message).toContain('mon/k8s: spec.ruleSelector x');
    expect(s.prometheusSelection).toEqual(selection);
  });

  it('is not Degraded when one Prometheus selects both, or none exists', () => {
    const good = [
      { prometheus: 'a/x', serviceMonitorSelected: false, ruleSelected: false, message: 'no' },
      { prometheus: 'b/y', serviceMonitorSelected: true, ruleSelected: true },
    ];
    for (const selection of [good, []]) {
      const s = computeStackStatus({ stack, created, selectedMarkets: 1, missing: [], selection, now });
      expect(cond(s, 'Degraded')?.status).toBe('False');
    }
  });

  it('reports a refused object', () => {
    const s = computeStackStatus({
      stack,
      created,
      missing: [],
      applyError: 'admission webhook denied',
      now,
    });
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ApplyFailed',
      message: 'admission webhook denied',
    });
  });

  it('keeps lastTransitionTime of conditions whose status did not change', () => {
    const first = computeStackStatus({ stack, created, selectedMarkets: 1, missing: [], now });
    const later = '2026-11-29T11:00:00Z';
    const again = computeStackStatus({
      stack: { ...stack, status: first },
      created,
      selectedMarkets: 2,
      missing: [],
      now: later,
    });
    expect(cond(again, 'Ready')?.lastTransitionTime).toBe(now);
    const broken = computeStackStatus({
      stack: { ...stack, status: first },
      missing: ['monitoring.coreos.com/v1 ServiceMonitor'],
      now: later,
    });
    expect(cond(broken, 'Ready')?.lastTransitionTime).toBe(later);
  });

  it('clips long messages to the schema limit', () => {
    const missing = Array.from({ length: 40 }, (_, i) => `example.com/v1 Kind${'x'.repeat(40)}${i}`);
    const s = computeStackStatus({ stack, missing, now });
    expect(cond(s, 'Ready')?.message.length).toBeLessThanOrEqual(1024);
    expect(s.missingPrerequisites).toHaveLength(32);
  });
});
