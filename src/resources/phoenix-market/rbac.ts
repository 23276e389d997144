import { GROUP, PHOENIX_MARKET_PLURAL, type PhoenixMarket } from '../../api/index.ts';
import { childMeta as meta, collectorName, namespaceOf } from './options.ts';

type Obj = Record<string, unknown>;

/** The collector's own ServiceAccount (unless the market names one). */
export function buildServiceAccount(market: PhoenixMarket): Obj | undefined {
  if (market.spec.collector.serviceAccountName !== undefined) return undefined;
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(market) };
}

/**
 * The collector may read and patch the status of its own market, nothing else: that is how it
 * reports `status.lastCollection` (server-side apply, field manager `phoenix-collector`).
 */
export function buildStatusRole(market: PhoenixMarket): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta(market),
    rules: [
      {
        apiGroups: [GROUP],
        resources: [`${PHOENIX_MARKET_PLURAL}/status`],
        resourceNames: [market.metadata.name ?? ''],
        verbs: ['get', 'patch'],
      },
    ],
  };
}

export function buildStatusRoleBinding(market: PhoenixMarket, serviceAccount: string): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(market),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: collectorName(market) },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: namespaceOf(market) }],
  };
}
