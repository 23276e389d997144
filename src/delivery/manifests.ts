/**
 * Pure builders of the operator's install objects (the plain manifests in manifests/ are these,
 * rendered by src/delivery/generate.ts). Tests build them with their own names and namespace.
 */
import { buildOperatorDeployment, METRICS_PORT } from './deployment.ts';
import { operatorLabels, selectorLabels, type DeliveryOptions } from './options.ts';
import {
  KIND_ROLES,
  OPERATOR_CLUSTER_RULES,
  OPERATOR_NAMESPACE_RULES,
  policyRules,
  type KindRole,
} from './rbac.ts';

export type ManifestObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
};

const RBAC = 'rbac.authorization.k8s.io';

function meta(o: DeliveryOptions, name: string, namespaced = true): ManifestObject['metadata'] {
  return { name, ...(namespaced ? { namespace: o.namespace } : {}), labels: operatorLabels(o) };
}

export function buildNamespace(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: o.namespace,
      labels: {
        'app.kubernetes.io/part-of': 'phoenix-real-estate',
        // The operator's pods meet the restricted Pod Security Standard.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
}

export function buildServiceAccount(o: DeliveryOptions): ManifestObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, o.name) };
}

export function buildClusterRole(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: meta(o, o.name, false),
    rules: policyRules(OPERATOR_CLUSTER_RULES),
  };
}

export function buildClusterRoleBinding(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: meta(o, o.name, false),
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: o.name },
    subjects: [{ kind: 'ServiceAccount', name: o.name, namespace: o.namespace }],
  };
}

/** The leader-election Lease lives in the operator's namespace only. */
export function buildLeaderElectionRole(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'Role',
    metadata: meta(o, `${o.name}-leader-election`),
    rules: policyRules(OPERATOR_NAMESPACE_RULES),
  };
}

export function buildLeaderElectionRoleBinding(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: meta(o, `${o.name}-leader-election`),
    roleRef: { apiGroup: RBAC, kind: 'Role', name: `${o.name}-leader-election` },
    subjects: [{ kind: 'ServiceAccount', name: o.name, namespace: o.namespace }],
  };
}

export function aggregationLabels(role: KindRole): Record<string, string> {
  return Object.fromEntries(role.aggregateTo.map((r) => [`${RBAC}/aggregate-to-${r}`, 'true']));
}

/** `<prefix>-phoenixmarket-editor`, `-viewer`, ... aggregated into admin/edit/view. */
export function buildKindRoles(o: DeliveryOptions): ManifestObject[] {
  return KIND_ROLES.map((role) => ({
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: {
      name: `${o.rolePrefix}-${role.suffix}`,
      labels: { 'app.kubernetes.io/part-of': 'phoenix-real-estate', ...aggregationLabels(role) },
    },
    rules: role.rules.map((r) => ({ ...r })),
  }));
}

export function buildMetricsService(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o, `${o.name}-metrics`),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(o),
      ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' }],
    },
  };
}

export function buildPodDisruptionBudget(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(o, o.name),
    spec: { minAvailable: 1, selector: { matchLabels: selectorLabels(o) } },
  };
}

/** Needs the Prometheus Operator's CRDs: kept out of the default install. */
export function buildServiceMonitor(o: DeliveryOptions): ManifestObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta(o, o.name),
    spec: {
      selector: { matchLabels: selectorLabels(o) },
      namespaceSelector: { matchNames: [o.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
    },
  };
}

export function buildRbacObjects(o: DeliveryOptions): ManifestObject[] {
  return [
    buildServiceAccount(o),
    buildClusterRole(o),
    buildClusterRoleBinding(o),
    buildLeaderElectionRole(o),
    buildLeaderElectionRoleBinding(o),
  ];
}

export function buildOperatorObjects(o: DeliveryOptions): ManifestObject[] {
  return [buildOperatorDeployment(o) as ManifestObject, buildMetricsService(o), buildPodDisruptionBudget(o)];
}
