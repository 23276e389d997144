import type { PhoenixMarket } from '../../api/index.ts';
import { selectorLabels } from '../labels.ts';
import { METRICS_PORT, childMeta as meta, collectorName } from './options.ts';

type Obj = Record<string, unknown>;

/** The metrics Service that the MonitoringStack's ServiceMonitor selects. */
export function buildService(market: PhoenixMarket): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(market),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(market),
      ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' }],
    },
  };
}

/** At most one collector pod down at a time for voluntary disruptions (drains still work with 1 replica). */
export function buildPodDisruptionBudget(market: PhoenixMarket): Obj {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(market),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(market) } },
  };
}

/** The HorizontalPodAutoscaler, when autoscaling is on; it then owns the Deployment's replicas. */
export function buildHorizontalPodAutoscaler(market: PhoenixMarket): Obj | undefined {
  const a = market.spec.collector.autoscaling;
  if (!a.enabled) return undefined;
  const target = (name: string, averageUtilization: number): Obj => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization } },
  });
  const metrics = [target('cpu', a.targetCPUUtilizationPercentage)];
  if (a.targetMemoryUtilizationPercentage !== undefined) {
    metrics.push(target('memory', a.targetMemoryUtilizationPercentage));
  }
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(market),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: collectorName(market) },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics,
    },
  };
}

function urlPort(url: string): number {
  const parsed = new URL(url);
  if (parsed.port !== '') return Number(parsed.port);
  return parsed.protocol === 'https:' ? 443 : 80;
}

/** Egress ports the collector needs: DNS, the API server, MongoDB, SMTP and each configured endpoint. */
export function egressPorts(market: PhoenixMarket): number[] {
  const { spec } = market;
  const ports = new Set<number>([443, 6443, 27017, 25, 465, 587]);
  ports.add(urlPort(spec.sources.assessor.baseUrl));
  if (spec.llm.enabled) ports.add(urlPort(spec.llm.endpoint));
  for (const listing of spec.sources.listings ?? []) ports.add(urlPort(listing.baseUrl));
  return [...ports].sort((a, b) => a - b);
}

/**
 * Ingress only to the metrics port; egress only to DNS and the ports the collector's
 * endpoints use (the Assessor API, Ollama, MongoDB, SMTP, the Kubernetes API for status).
 */
export function buildNetworkPolicy(market: PhoenixMarket): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(market),
    spec: {
      podSelector: { matchLabels: selectorLabels(market) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: METRICS_PORT }] }],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { ports: egressPorts(market).map((port) => ({ protocol: 'TCP', port })) },
      ],
    },
  };
}
