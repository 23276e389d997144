/**
 * What a MonitoringStack needs from the cluster, for the reconciler's discovery check and its
 * PrerequisitesMissing condition: the kinds of the objects it would create, and the targets whose
 * selection by each Prometheus it reports.
 */
import type { MonitoringStack } from '../api/index.ts';
import type { KubeObject } from './render.ts';
import type { SelectionTarget } from './selection.ts';

export interface KindRef {
  apiVersion: string;
  kind: string;
}

const SERVICE_MONITOR: KindRef = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' };
const PROMETHEUS_RULE: KindRef = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' };
const ALERTMANAGER_CONFIG: KindRef = {
  apiVersion: 'monitoring.coreos.com/v1alpha1',
  kind: 'AlertmanagerConfig',
};
const GRAFANA_DASHBOARD: KindRef = {
  apiVersion: 'grafana.integreatly.org/v1beta1',
  kind: 'GrafanaDashboard',
};
/** Read, not created: the selection report lists them. */
export const PROMETHEUS_KIND: KindRef = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus' };

/** Every kind a stack may create: the reconciler prunes and cleans up across all of them. */
export const MANAGED_KINDS: readonly KindRef[] = [
  SERVICE_MONITOR,
  PROMETHEUS_RULE,
  ALERTMANAGER_CONFIG,
  GRAFANA_DASHBOARD,
  { apiVersion: 'v1', kind: 'ConfigMap' },
];

/** Custom kinds the stack's objects need (ConfigMaps are always there). */
export function requiredKinds(stack: MonitoringStack): KindRef[] {
  const kinds = [SERVICE_MONITOR, PROMETHEUS_RULE];
  if (stack.spec.alerting.enabled) kinds.push(ALERTMANAGER_CONFIG);
  if (stack.spec.grafana.delivery === 'GrafanaDashboard') kinds.push(GRAFANA_DASHBOARD);
  return kinds;
}

/** `monitoring.coreos.com/v1 ServiceMonitor`, the form used in status.missingPrerequisites. */
export function kindString(ref: KindRef): string {
  return `${ref.apiVersion} ${ref.kind}`;
}

/** The ServiceMonitor and PrometheusRule among built objects, as selection targets. */
export function selectionTargets(objects: readonly KubeObject[]): {
  serviceMonitor?: SelectionTarget;
  rule?: SelectionTarget;
} {
  const target = (kind: SelectionTarget['kind']): SelectionTarget | undefined => {
    const obj = objects.find((o) => o.kind === kind);
    return obj && { kind, namespace: obj.metadata.namespace, labels: obj.metadata.labels ?? {} };
  };
  const serviceMonitor = target('ServiceMonitor');
  const rule = target('PrometheusRule');
  return { ...(serviceMonitor && { serviceMonitor }), ...(rule && { rule }) };
}
