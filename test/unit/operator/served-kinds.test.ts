import { describe, expect, it } from 'vitest';
import { isServed, servedKinds, slimCrd } from '../../../src/operator/reconcilers/served-kinds.ts';
import type { KubeObject } from '../../../src/operator/kube/types.ts';

function crd(kind: string, group: string, versions: [string, boolean][], established = true): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.toLowerCase()}s.${group}`, resourceVersion: '7', managedFields: [] },
    spec: {
      group,
      names: { kind, plural: `${kind.toLowerCase()}s` },
      versions: versions.map(([name, served]) => ({
        name,
        served,
        schema: { openAPIV3Schema: { big: true } },
      })),
    },
    status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False', reason: 'x' }] },
  };
}

const SM = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' };

describe('served kinds', () => {
  it('serves established CRDs at their served versions only', () => {
    const served = servedKinds([
      crd('ServiceMonitor', 'monitoring.coreos.com', [['v1', true]]),
      crd('AlertmanagerConfig', 'monitoring.coreos.com', [
        ['v1alpha1', false],
        ['v1beta1', true],
      ]),
      crd('PrometheusRule', 'monitoring.coreos.com', [['v1', true]], false),
    ]);
    expect(isServed(served, SM)).toBe(true);
    expect(
      isServed(served, { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig' }),
    ).toBe(false);
    expect(isServed(served, { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' })).toBe(false);
    expect(
      isServed(served, { apiVersion: 'grafana.integreatly.org/v1beta1', kind: 'GrafanaDashboard' }),
    ).toBe(false);
  });

  it('treats kinds outside the monitoring groups as always served', () => {
    expect(isServed(new Set(), { apiVersion: 'v1', kind: 'ConfigMap' })).toBe(true);
  });

  it('keeps only what presence checks need, and they give the same answer', () => {
    const full = crd('ServiceMonitor', 'monitoring.coreos.com', [['v1', true]]);
    const slim = slimCrd(full);
    expect(JSON.stringify(slim)).not.toContain('openAPIV3Schema');
    expect(slim.metadata?.managedFields).toBeUndefined();
    expect(slim.metadata?.resourceVersion).toBe('7');
    expect(isServed(servedKinds([slim]), SM)).toBe(true);
  });
});
