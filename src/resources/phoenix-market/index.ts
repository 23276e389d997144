import type { PhoenixMarket } from '../../api/index.ts';
import { buildConfigMap, collectorConfigYaml, configHash } from './config-map.ts';
import { buildDeployment, serviceAccountName } from './deployment.ts';
import { buildServiceAccount, buildStatusRole, buildStatusRoleBinding } from './rbac.ts';
import {
  buildHorizontalPodAutoscaler,
  buildNetworkPolicy,
  buildPodDisruptionBudget,
  buildService,
} from './workload-extras.ts';
import type { MarketBuildOptions } from './options.ts';

export { collectorName, METRICS_PORT, type MarketBuildOptions } from './options.ts';
export { desiredReplicas } from './deployment.ts';

export type DesiredObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string } & Record<string, unknown>;
};

/** Kinds a market owns, in apply order (configuration and identity before the workload). */
export const MARKET_CHILD_KINDS = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
] as const;

/**
 * Every object the operator applies for a market. Pure: the same market and options always give
 * the same objects, and the input is never mutated.
 */
export function buildMarketObjects(market: PhoenixMarket, options: MarketBuildOptions): DesiredObject[] {
  const yaml = collectorConfigYaml(market);
  const objects = [
    buildConfigMap(market, yaml),
    buildServiceAccount(market),
    buildStatusRole(market),
    buildStatusRoleBinding(market, serviceAccountName(market)),
    buildService(market),
    buildDeployment(market, options, configHash(yaml)),
    buildPodDisruptionBudget(market),
    buildHorizontalPodAutoscaler(market),
    buildNetworkPolicy(market),
  ];
  return objects.filter((o) => o !== undefined) as DesiredObject[];
}
