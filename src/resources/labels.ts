import { API_VERSION, GROUP, PHOENIX_MARKET_KIND } from '../api/index.ts';

export const FIELD_MANAGER = 'phoenix-operator';
export const MANAGED_BY = 'phoenix-operator';
export const MARKET_LABEL = `${GROUP}/market`;
export const CONFIG_HASH_ANNOTATION = `${GROUP}/config-hash`;
export const APPLIED_HASH_ANNOTATION = `${GROUP}/applied-hash`;
export const COLLECTOR_APP = 'phoenix-collector';

/** Label selector of everything the operator manages (its informers watch only these). */
export const MANAGED_SELECTOR = `app.kubernetes.io/managed-by=${MANAGED_BY}`;

interface Named {
  metadata: { name?: string | undefined; namespace?: string | undefined; uid?: string | undefined };
}

/** Labels of every object the operator creates for a market. */
export function marketLabels(market: Named): Record<string, string> {
  return {
    'app.kubernetes.io/name': COLLECTOR_APP,
    'app.kubernetes.io/instance': market.metadata.name ?? '',
    'app.kubernetes.io/component': 'collector',
    'app.kubernetes.io/part-of': 'phoenix-real-estate',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [MARKET_LABEL]: market.metadata.name ?? '',
  };
}

/** The immutable subset that selects a market's collector pods. */
export function selectorLabels(market: Named): Record<string, string> {
  return {
    'app.kubernetes.io/name': COLLECTOR_APP,
    'app.kubernetes.io/instance': market.metadata.name ?? '',
  };
}

export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The controller owner reference to a PhoenixMarket: deleting the market deletes the child. */
export function marketOwnerReference(market: Named): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
} {
  return {
    apiVersion: API_VERSION,
    kind: PHOENIX_MARKET_KIND,
    name: market.metadata.name ?? '',
    uid: market.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
