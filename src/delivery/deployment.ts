/**
 * The operator's Deployment: restricted Pod Security, probes on the health port, V8 flags sized
 * by the benchmark (peak RSS 169 MiB at 1000 markets with them), spread across nodes.
 */
import type { DeliveryOptions } from './options.ts';
import { operatorLabels, selectorLabels } from './options.ts';

export const METRICS_PORT = 8080;
export const HEALTH_PORT = 8081;
export const NODE_OPTIONS = '--max-semi-space-size=2 --max-old-space-size=128';
/** 30 s to finish in-flight reconciles on SIGTERM, then the Lease release and exit. */
export const TERMINATION_GRACE_SECONDS = 40;
export const RUN_AS_USER = 65532;

type Obj = Record<string, unknown>;

function fieldEnv(name: string, fieldPath: string): Obj {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

/** Every variable of src/operator/config.ts, written out so that `kubectl edit` shows them. */
export function operatorEnv(o: DeliveryOptions): Obj[] {
  return [
    { name: 'PHOENIX_COLLECTOR_IMAGE', value: o.collectorImage },
    { name: 'WATCH_NAMESPACE', value: '' },
    fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
    fieldEnv('POD_NAME', 'metadata.name'),
    { name: 'LEADER_ELECT', value: 'true' },
    { name: 'LEADER_ELECTION_ID', value: o.name },
    { name: 'METRICS_HOST', value: '0.0.0.0' },
    { name: 'METRICS_PORT', value: String(METRICS_PORT) },
    { name: 'HEALTH_PORT', value: String(HEALTH_PORT) },
    { name: 'MAX_CONCURRENT_RECONCILES', value: '4' },
    { name: 'RESYNC_PERIOD_SECONDS', value: '600' },
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'NODE_OPTIONS', value: NODE_OPTIONS },
  ];
}

function probe(path: string, periodSeconds: number, failureThreshold: number): Obj {
  return {
    httpGet: { path, port: 'health' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  };
}

export const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
} as const;

export const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: RUN_AS_USER,
  runAsGroup: RUN_AS_USER,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export const OPERATOR_RESOURCES = {
  requests: { cpu: '100m', memory: '192Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
} as const;

function container(o: DeliveryOptions): Obj {
  return {
    name: 'operator',
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    args: ['operator'],
    env: operatorEnv(o),
    ports: [
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
      { name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' },
    ],
    // Readiness needs every cache synced: give a large cluster's first list time.
    startupProbe: probe('/healthz', 2, 30),
    livenessProbe: probe('/healthz', 10, 3),
    readinessProbe: probe('/readyz', 5, 3),
    resources: OPERATOR_RESOURCES,
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function spread(o: DeliveryOptions): Obj {
  const labelSelector = { matchLabels: selectorLabels(o) };
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector,
      },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector } },
        ],
      },
    },
  };
}

export function buildOperatorDeployment(o: DeliveryOptions): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace, labels: operatorLabels(o) },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(o) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: operatorLabels(o) },
        spec: {
          serviceAccountName: o.name,
          automountServiceAccountToken: true,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: POD_SECURITY_CONTEXT,
          containers: [container(o)],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          ...spread(o),
        },
      },
    },
  };
}
