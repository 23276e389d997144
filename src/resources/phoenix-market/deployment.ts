import { COLLECTOR_CONFIG_PATH, COLLECTOR_ENV } from '../../api/collector-config.ts';
import { effectiveCollectorSize, type PhoenixMarket, type SecretKeyRef } from '../../api/index.ts';
import { CONFIG_HASH_ANNOTATION, marketLabels, selectorLabels } from '../labels.ts';
import { parseQuantity } from '../quantity.ts';
import {
  CONFIG_MOUNT_DIR,
  METRICS_PORT,
  childMeta,
  collectorName,
  type MarketBuildOptions,
} from './options.ts';

type Env = Record<string, unknown>;

const UID = 65532;

function secretEnv(name: string, ref: SecretKeyRef): Env {
  return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}

function fieldEnv(name: string, fieldPath: string): Env {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/** Environment of the collector: secrets only by reference, identity from the downward API. */
function collectorEnv(
  market: PhoenixMarket,
  limits: { cpu: string | number; memory: string | number },
): Env[] {
  const { spec } = market;
  const env: Env[] = [
    { name: COLLECTOR_ENV.configFile, value: COLLECTOR_CONFIG_PATH },
    { name: COLLECTOR_ENV.market, value: market.metadata.name ?? '' },
    fieldEnv(COLLECTOR_ENV.podName, 'metadata.name'),
    fieldEnv(COLLECTOR_ENV.podNamespace, 'metadata.namespace'),
    { name: COLLECTOR_ENV.cpuLimitCores, value: String(parseQuantity(limits.cpu)) },
    { name: COLLECTOR_ENV.memoryLimitBytes, value: String(Math.round(parseQuantity(limits.memory))) },
    secretEnv(COLLECTOR_ENV.mongodbUri, spec.mongodb.uriSecretRef),
    secretEnv(COLLECTOR_ENV.assessorToken, spec.sources.assessor.tokenSecretRef),
  ];
  // The collector takes one proxy for its listing sources: the first source that names one.
  const proxy = (spec.sources.listings ?? []).find((l) => l.proxySecretRef !== undefined)?.proxySecretRef;
  if (proxy) env.push(secretEnv(COLLECTOR_ENV.listingsProxyUrl, proxy));
  return env;
}

function probe(path: string, periodSeconds: number, failureThreshold: number): Record<string, unknown> {
  return {
    httpGet: { path, port: 'metrics' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  };
}

function container(market: PhoenixMarket, options: MarketBuildOptions): Record<string, unknown> {
  const { collector } = market.spec;
  const size = effectiveCollectorSize(collector);
  return {
    name: 'collector',
    image: collector.image ?? options.collectorImage,
    imagePullPolicy: collector.imagePullPolicy,
    args: ['collector'],
    ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
    env: collectorEnv(market, size.resources.limits),
    resources: size.resources,
    startupProbe: probe('/healthz', 2, 30),
    livenessProbe: probe('/healthz', 10, 3),
    readinessProbe: probe('/readyz', 5, 3),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_MOUNT_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function scheduling(market: PhoenixMarket): Record<string, unknown> {
  const c = market.spec.collector;
  const spread = c.topologySpreadConstraints ?? [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels(market) },
    },
  ];
  return {
    ...(c.nodeSelector === undefined ? {} : { nodeSelector: c.nodeSelector }),
    ...(c.tolerations === undefined ? {} : { tolerations: c.tolerations }),
    ...(c.affinity === undefined ? {} : { affinity: c.affinity }),
    ...(c.priorityClassName === undefined ? {} : { priorityClassName: c.priorityClassName }),
    topologySpreadConstraints: spread,
  };
}

/** Replicas the operator writes; none when an autoscaler owns the count. */
export function desiredReplicas(market: PhoenixMarket): number | undefined {
  if (market.spec.collector.autoscaling.enabled) return undefined;
  return effectiveCollectorSize(market.spec.collector).replicas;
}

export function serviceAccountName(market: PhoenixMarket): string {
  return market.spec.collector.serviceAccountName ?? collectorName(market);
}

export function buildDeployment(
  market: PhoenixMarket,
  options: MarketBuildOptions,
  configHash: string,
): Record<string, unknown> {
  const name = collectorName(market);
  const replicas = desiredReplicas(market);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(market),
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(market) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: marketLabels(market), annotations: { [CONFIG_HASH_ANNOTATION]: configHash } },
        spec: {
          serviceAccountName: serviceAccountName(market),
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: UID,
            runAsGroup: UID,
            fsGroup: UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container(market, options)],
          volumes: [
            { name: 'config', configMap: { name } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
          ...scheduling(market),
        },
      },
    },
  };
}
