/**
 * The ServiceMonitor that scrapes the selected markets' collectors: Services labelled
 * `app.kubernetes.io/name: phoenix-collector`, port `metrics`, `job` from that label so every
 * collector shares one job, and `market` copied from the Service label so that series Prometheus
 * makes itself (`up`, `scrape_*`) carry it too.
 */
import type { LabelSelector } from '../api/index.ts';

export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';
export const COLLECTOR_NAME_LABEL = 'app.kubernetes.io/name';
export const COLLECTOR_NAME = 'phoenix-collector';
export const MARKET_LABEL = 'realestate.phoenix.io/market';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'phoenix-operator';
export const STACK_LABEL = 'realestate.phoenix.io/monitoring-stack';
export const METRICS_PORT_NAME = 'metrics';

/** Prometheus' name for a Service label in service discovery meta labels. */
export function serviceLabelMeta(label: string): string {
  return `__meta_kubernetes_service_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export interface ServiceMonitorInput {
  stackName: string;
  namespace: string;
  /** Markets to scrape; undefined scrapes every collector in the namespace. */
  markets?: readonly string[];
  selectorLabels: Readonly<Record<string, string>>;
  scrapeInterval: string;
  scrapeTimeout?: string;
}

/** The Services to scrape; an empty market list selects none (a valid, contradictory selector). */
function serviceSelector(markets: readonly string[] | undefined): LabelSelector {
  const matchLabels = { [COLLECTOR_NAME_LABEL]: COLLECTOR_NAME };
  if (markets === undefined) return { matchLabels };
  if (markets.length === 0) {
    return { matchLabels, matchExpressions: [{ key: COLLECTOR_NAME_LABEL, operator: 'DoesNotExist' }] };
  }
  const values = [...new Set(markets)].sort();
  return { matchLabels, matchExpressions: [{ key: MARKET_LABEL, operator: 'In', values }] };
}

export function stackLabels(stackName: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [STACK_LABEL]: stackName };
}

export interface ServiceMonitorObject {
  apiVersion: string;
  kind: 'ServiceMonitor';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

export function buildServiceMonitor(input: ServiceMonitorInput): ServiceMonitorObject {
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'ServiceMonitor',
    metadata: {
      name: `${input.stackName}-collectors`,
      namespace: input.namespace,
      labels: { ...input.selectorLabels, ...stackLabels(input.stackName) },
    },
    spec: {
      jobLabel: COLLECTOR_NAME_LABEL,
      selector: serviceSelector(input.markets),
      namespaceSelector: { matchNames: [input.namespace] },
      endpoints: [
        {
          port: METRICS_PORT_NAME,
          path: '/metrics',
          interval: input.scrapeInterval,
          ...(input.scrapeTimeout === undefined ? {} : { scrapeTimeout: input.scrapeTimeout }),
          honorLabels: true,
          relabelings: [
            {
              action: 'replace',
              sourceLabels: [serviceLabelMeta(MARKET_LABEL)],
              targetLabel: 'market',
            },
          ],
        },
      ],
    },
  };
}
