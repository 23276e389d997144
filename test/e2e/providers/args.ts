/**
 * Pure builders of the providers' command lines and objects (unit tested): kind, docker and helm
 * arguments, the chart values, the kind cluster's MongoDB, and the API server's service proxy path.
 */
import { dump } from 'js-yaml';
import type { KubeObject } from '../../../src/operator/kube/types.ts';
import type { ProviderName } from './choose.ts';

/** The node image of kind v0.29.0 for Kubernetes v1.33 (the minor of the local control plane). */
export const KIND_NODE_IMAGE =
  'kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f';
/**
 * Workers of the kind cluster. The ten samples request about 10 CPUs and 20 GiB in total (the
 * size presets); every kind node reports the host's capacity, so three workers let them schedule
 * on an ordinary 4-core machine.
 */
export const KIND_WORKERS = 3;
export const E2E_IMAGE = { repository: 'phoenix-real-estate/phoenix', tag: 'e2e' } as const;
export const E2E_IMAGE_REF = `${E2E_IMAGE.repository}:${E2E_IMAGE.tag}`;
export const MONGO_IMAGE = 'mongo:7.0';
export const MONGO_NAME = 'phoenix-e2e-mongodb';

export function kindClusterName(suffix: string): string {
  return `phoenix-e2e-${suffix}`.toLowerCase().slice(0, 40);
}

export function kindConfig(workers = KIND_WORKERS, image = KIND_NODE_IMAGE): string {
  const nodes = [
    { role: 'control-plane', image },
    ...Array.from({ length: workers }, () => ({ role: 'worker', image })),
  ];
  return dump({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes });
}

export function kindCreateArgs(o: { name: string; configPath: string; kubeconfigPath: string }): string[] {
  return [
    'create',
    'cluster',
    '--name',
    o.name,
    '--config',
    o.configPath,
    '--kubeconfig',
    o.kubeconfigPath,
    '--wait',
    '180s',
  ];
}

export function kindDeleteArgs(name: string): string[] {
  return ['delete', 'cluster', '--name', name];
}

export function kindLoadArgs(image: string, name: string): string[] {
  return ['load', 'docker-image', image, '--name', name];
}

export function dockerBuildArgs(image: string, context: string): string[] {
  return ['build', '-t', image, context];
}

/** The chart values of the suite: the samples, plus the locally built image on kind. */
export function chartValues(provider: ProviderName): Record<string, string> {
  const common = { 'samples.markets.enabled': 'true', 'samples.monitoringStack.enabled': 'true' };
  if (provider === 'local') return common;
  return {
    ...common,
    'image.repository': E2E_IMAGE.repository,
    'image.tag': E2E_IMAGE.tag,
    // Loaded into the nodes by `kind load`: never pulled.
    'image.pullPolicy': 'Never',
  };
}

export function helmInstallArgs(o: {
  release: string;
  namespace: string;
  chart: string;
  values: Record<string, string>;
}): string[] {
  const sets = Object.entries(o.values).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  return ['install', o.release, o.chart, '--namespace', o.namespace, ...sets];
}

export function helmUninstallArgs(release: string, namespace: string): string[] {
  return ['uninstall', release, '--namespace', namespace];
}

/** GET path of a Service port's endpoint through the API server's service proxy. */
export function serviceProxyPath(o: {
  namespace: string;
  service: string;
  port: string;
  path: string;
}): string {
  const path = o.path.replace(/^\/+/, '');
  return `/api/v1/namespaces/${o.namespace}/services/${o.service}:${o.port}/proxy/${path}`;
}

export function mongoUri(namespace: string): string {
  return `mongodb://${MONGO_NAME}.${namespace}.svc.cluster.local:27017/phoenix_real_estate`;
}

const MONGO_LABELS = { 'app.kubernetes.io/name': MONGO_NAME, 'app.kubernetes.io/part-of': 'phoenix-e2e' };

function mongoPod(): Record<string, unknown> {
  const volume = (name: string) => ({ name, emptyDir: {} });
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: 'mongodb',
        image: MONGO_IMAGE,
        command: ['mongod', '--bind_ip_all', '--dbpath', '/data/db'],
        ports: [{ name: 'mongodb', containerPort: 27017 }],
        readinessProbe: { tcpSocket: { port: 27017 }, periodSeconds: 2 },
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: [
          { name: 'data', mountPath: '/data/db' },
          { name: 'config', mountPath: '/data/configdb' },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
    ],
    volumes: [volume('data'), volume('config'), volume('tmp')],
  };
}

/** A throwaway MongoDB (restricted Pod Security, data in an emptyDir) for the collectors on kind. */
export function mongoObjects(namespace: string): KubeObject[] {
  const metadata = { name: MONGO_NAME, namespace, labels: MONGO_LABELS };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: MONGO_LABELS },
        template: { metadata: { labels: MONGO_LABELS }, spec: mongoPod() },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { selector: MONGO_LABELS, ports: [{ name: 'mongodb', port: 27017, targetPort: 'mongodb' }] },
    },
  ];
}
