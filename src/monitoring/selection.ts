/**
 * Does a Prometheus (Prometheus Operator CR) pick up our ServiceMonitor and PrometheusRule? The
 * most common silent failure of kube-prometheus-stack setups is a selector that does not match,
 * so the MonitoringStack reports this in its status.
 *
 * Semantics of the Prometheus CRD (monitoring.coreos.com/v1), as its field documentation states:
 * - `serviceMonitorSelector` / `ruleSelector`: an empty selector matches every object, a null
 *   (absent) selector matches none.
 * - `serviceMonitorNamespaceSelector` / `ruleNamespaceSelector`: an empty selector matches every
 *   namespace, a null (absent) selector matches the Prometheus' own namespace only.
 */
import type { LabelSelector } from '../api/index.ts';

export type Labels = Readonly<Record<string, string>>;

export interface SelectionTarget {
  kind: 'ServiceMonitor' | 'PrometheusRule';
  namespace: string;
  labels: Labels;
}

/** The fields of a Prometheus CR this module reads. */
export interface PrometheusObject {
  [field: string]: unknown;
  metadata: { name?: string; namespace?: string };
  spec?: {
    serviceMonitorSelector?: LabelSelector | null;
    serviceMonitorNamespaceSelector?: LabelSelector | null;
    ruleSelector?: LabelSelector | null;
    ruleNamespaceSelector?: LabelSelector | null;
  };
}

export interface SelectionResult {
  selected: boolean;
  /** Why not, naming the field; undefined when selected. */
  reason?: string;
}

function requirementHolds(
  req: NonNullable<LabelSelector['matchExpressions']>[number],
  labels: Labels,
): boolean {
  const has = Object.hasOwn(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(labels[req.key] ?? '');
    case 'NotIn':
      return !has || !values.includes(labels[req.key] ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Kubernetes label selector semantics: every matchLabels pair and every expression must hold. */
export function labelSelectorMatches(selector: LabelSelector, labels: Labels): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {});
  if (!pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value)) return false;
  return (selector.matchExpressions ?? []).every((req) => requirementHolds(req, labels));
}

function describe(selector: LabelSelector): string {
  return JSON.stringify(selector);
}

const FIELDS = {
  ServiceMonitor: { object: 'serviceMonitorSelector', namespace: 'serviceMonitorNamespaceSelector' },
  PrometheusRule: { object: 'ruleSelector', namespace: 'ruleNamespaceSelector' },
} as const;

function namespaceSelected(
  prometheus: PrometheusObject,
  field: 'serviceMonitorNamespaceSelector' | 'ruleNamespaceSelector',
  target: SelectionTarget,
  namespaceLabels: Labels,
): SelectionResult {
  const selector = prometheus.spec?.[field];
  const own = prometheus.metadata.namespace;
  if (selector === undefined || selector === null) {
    if (target.namespace === own) return { selected: true };
    return {
      selected: false,
      reason: `spec.${field} is unset, so it only looks in its own namespace ${own ?? '(none)'}, not ${target.namespace}`,
    };
  }
  if (labelSelectorMatches(selector, namespaceLabels)) return { selected: true };
  return {
    selected: false,
    reason: `spec.${field} ${describe(selector)} does not match the labels of namespace ${target.namespace}`,
  };
}

/**
 * Whether `prometheus` selects `target` (a ServiceMonitor or PrometheusRule), given the labels of
 * the target's namespace.
 */
export function prometheusSelects(
  prometheus: PrometheusObject,
  target: SelectionTarget,
  namespaceLabels: Labels,
): SelectionResult {
  const fields = FIELDS[target.kind];
  const selector = prometheus.spec?.[fields.object];
  if (selector === undefined || selector === null) {
    return { selected: false, reason: `spec.${fields.object} is unset, which selects no ${target.kind}` };
  }
  if (!labelSelectorMatches(selector, target.labels)) {
    return {
      selected: false,
      reason: `spec.${fields.object} ${describe(selector)} does not match the ${target.kind} labels ${JSON.stringify(target.labels)}`,
    };
  }
  return namespaceSelected(prometheus, fields.namespace, target, namespaceLabels);
}

export interface PrometheusSelectionStatus {
  prometheus: string;
  serviceMonitorSelected: boolean;
  ruleSelected: boolean;
  message?: string;
}

/** One `status.prometheusSelection` entry of a MonitoringStack. */
export function prometheusSelectionStatus(
  prometheus: PrometheusObject,
  targets: { serviceMonitor?: SelectionTarget; rule?: SelectionTarget },
  namespaceLabels: Labels,
): PrometheusSelectionStatus {
  const sm = targets.serviceMonitor
    ? prometheusSelects(prometheus, targets.serviceMonitor, namespaceLabels)
    : undefined;
  const rule = targets.rule ? prometheusSelects(prometheus, targets.rule, namespaceLabels) : undefined;
  const reasons = [sm?.reason, rule?.reason].filter((r): r is string => r !== undefined);
  return {
    prometheus: `${prometheus.metadata.namespace ?? ''}/${prometheus.metadata.name ?? ''}`,
    serviceMonitorSelected: sm?.selected ?? false,
    ruleSelected: rule?.selected ?? false,
    ...(reasons.length === 0 ? {} : { message: reasons.join('; ').slice(0, 1024) }),
  };
}
