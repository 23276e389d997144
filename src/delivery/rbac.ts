/**
 * The operator's permissions, as data: every rule names the code that makes the calls it allows.
 * The plain manifests and the Helm chart are both generated from these lists, so they cannot
 * drift apart, and a unit test checks them (no wildcards, no Secrets, every granted permission held).
 */
import { GROUP, MONITORING_STACK_PLURAL, PHOENIX_MARKET_PLURAL } from '../api/index.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface DocumentedRule extends PolicyRule {
  /** Source files (relative to the repository root) that make these API calls. */
  usedBy: readonly string[];
}

const MARKET_RECONCILER = 'src/operator/reconcilers/phoenix-market.ts';
const STACK_RECONCILER = 'src/operator/reconcilers/monitoring-stack.ts';
const OPERATOR_MAIN = 'src/operator/main.ts';
/** Children of a market: informers (list/watch), server-side apply (create/patch), pruning (delete). */
const CHILD_VERBS = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

/** Cluster-wide rules of the operator (bound by a ClusterRoleBinding). No wildcards, no Secrets. */
export const OPERATOR_CLUSTER_RULES: readonly DocumentedRule[] = [
  {
    // Informer of markets (main.ts); the reconciler reads them from the cache.
    apiGroups: [GROUP],
    resources: [PHOENIX_MARKET_PLURAL],
    verbs: ['get', 'list', 'watch'],
    usedBy: [OPERATOR_MAIN, MARKET_RECONCILER, STACK_RECONCILER],
  },
  {
    // Server-side apply of the market status; also granted by the operator to each collector's
    // Role (src/resources/phoenix-market/rbac.ts), which escalation prevention requires it to hold.
    apiGroups: [GROUP],
    resources: [`${PHOENIX_MARKET_PLURAL}/status`],
    verbs: ['get', 'patch'],
    usedBy: [MARKET_RECONCILER, 'src/resources/phoenix-market/rbac.ts'],
  },
  {
    // Informer of stacks; patch adds and removes the stack's finalizer.
    apiGroups: [GROUP],
    resources: [MONITORING_STACK_PLURAL],
    verbs: ['get', 'list', 'watch', 'patch'],
    usedBy: [STACK_RECONCILER],
  },
  {
    // Server-side apply of the stack status.
    apiGroups: [GROUP],
    resources: [`${MONITORING_STACK_PLURAL}/status`],
    verbs: ['get', 'patch'],
    usedBy: [STACK_RECONCILER],
  },
  {
    // Market children (MARKET_CHILD_KINDS) and the stacks' dashboard ConfigMaps, which may live
    // in Grafana's namespace: hence cluster-wide.
    apiGroups: [''],
    resources: ['configmaps', 'serviceaccounts', 'services'],
    verbs: CHILD_VERBS,
    usedBy: [OPERATOR_MAIN, MARKET_RECONCILER, STACK_RECONCILER],
  },
  {
    // Each collector's status Role and RoleBinding (market children).
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['roles', 'rolebindings'],
    verbs: CHILD_VERBS,
    usedBy: [OPERATOR_MAIN, MARKET_RECONCILER],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments'],
    verbs: CHILD_VERBS,
    usedBy: [OPERATOR_MAIN, MARKET_RECONCILER],
  },
  {
    apiGroups: ['policy'],
    resources: ['poddisruptionbudgets'],
    verbs: CHILD_VERBS,
    usedBy: [OPERATOR_MAIN, MARKET_RECONCILER],
  },
  {
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers'],
    verbs: CHILD_VERBS,
    usedBy: [OPERATOR_MAIN, MARKET_RECONCILER],
  },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['networkpolicies'],
    verbs: CHILD_VERBS,
    usedBy: [OPERATOR_MAIN, MARKET_RECONCILER],
  },
  {
    // Events on markets and stacks: created, then patched (count) when they repeat.
    apiGroups: [''],
    resources: ['events'],
    verbs: ['create', 'patch'],
    usedBy: ['src/operator/runtime/events.ts'],
  },
  {
    // The stack reconciler reads namespaces to evaluate Prometheus namespace selectors.
    apiGroups: [''],
    resources: ['namespaces'],
    verbs: ['get'],
    usedBy: [STACK_RECONCILER],
  },
  {
    // Which monitoring kinds the cluster serves (a CRD informer; a stack waits for them).
    apiGroups: ['apiextensions.k8s.io'],
    resources: ['customresourcedefinitions'],
    verbs: ['get', 'list', 'watch'],
    usedBy: [STACK_RECONCILER, 'src/operator/reconcilers/served-kinds.ts'],
  },
  {
    // Read only: the selection report says whether a Prometheus picks the stack's objects up.
    apiGroups: ['monitoring.coreos.com'],
    resources: ['prometheuses'],
    verbs: ['get', 'list'],
    usedBy: [STACK_RECONCILER],
  },
  {
    apiGroups: ['monitoring.coreos.com'],
    resources: ['servicemonitors', 'prometheusrules', 'alertmanagerconfigs'],
    verbs: ['get', 'list', 'create', 'patch', 'delete'],
    usedBy: [STACK_RECONCILER],
  },
  {
    apiGroups: ['grafana.integreatly.org'],
    resources: ['grafanadashboards'],
    verbs: ['get', 'list', 'create', 'patch', 'delete'],
    usedBy: [STACK_RECONCILER],
  },
];

/** Rules in the operator's own namespace only (a Role): the leader-election Lease. */
export const OPERATOR_NAMESPACE_RULES: readonly DocumentedRule[] = [
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'create', 'update'],
    usedBy: ['src/operator/runtime/leader-election.ts'],
  },
];

/** A user-facing role per kind, aggregated into the built-in admin/edit/view ClusterRoles. */
export interface KindRole {
  /** e.g. phoenixmarket-editor */
  suffix: string;
  aggregateTo: readonly ('admin' | 'edit' | 'view')[];
  rules: readonly PolicyRule[];
}

const EDIT_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const VIEW_VERBS = ['get', 'list', 'watch'];

function kindRoles(singular: string, plural: string, extraEdit: readonly PolicyRule[]): KindRole[] {
  return [
    {
      suffix: `${singular}-editor`,
      aggregateTo: ['admin', 'edit'],
      rules: [
        { apiGroups: [GROUP], resources: [plural], verbs: EDIT_VERBS },
        { apiGroups: [GROUP], resources: [`${plural}/status`], verbs: ['get'] },
        ...extraEdit,
      ],
    },
    {
      suffix: `${singular}-viewer`,
      aggregateTo: ['view'],
      rules: [
        { apiGroups: [GROUP], resources: [plural], verbs: VIEW_VERBS },
        { apiGroups: [GROUP], resources: [`${plural}/status`], verbs: ['get'] },
      ],
    },
  ];
}

export const KIND_ROLES: readonly KindRole[] = [
  // Editors may `kubectl scale pm`: the scale subresource.
  ...kindRoles('phoenixmarket', PHOENIX_MARKET_PLURAL, [
    { apiGroups: [GROUP], resources: [`${PHOENIX_MARKET_PLURAL}/scale`], verbs: ['get', 'update', 'patch'] },
  ]),
  ...kindRoles('monitoringstack', MONITORING_STACK_PLURAL, []),
];

/** The rules as the API server takes them (without the `usedBy` documentation). */
export function policyRules(rules: readonly DocumentedRule[]): PolicyRule[] {
  return rules.map(({ usedBy: _usedBy, ...rule }) => ({
    ...rule,
    apiGroups: [...rule.apiGroups],
    resources: [...rule.resources],
    verbs: [...rule.verbs],
  }));
}
