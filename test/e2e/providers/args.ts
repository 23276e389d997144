/**
 * Pure builders of the providers' command lines and objects (unit tested): kind, docker and helm
 * arguments, the chart values, the kind cluster's MongoDB and Assessor stand-in, and the API
 * server's service proxy path.
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

/**
 * The chart values of the suite: the samples; on kind also the locally built image and the
 * in-cluster Assessor stand-in (deployed in `standInNamespace`) as the samples' Assessor API, set
 * at install time so that no collector ever starts against the county's service.
 */
export function chartValues(provider: ProviderName, standInNamespace: string): Record<string, string> {
  const common = { 'samples.markets.enabled': 'true', 'samples.monitoringStack.enabled': 'true' };
  if (provider === 'local') return common;
  return {
    ...common,
    'image.repository': E2E_IMAGE.repository,
    'image.tag': E2E_IMAGE.tag,
    // Loaded into the nodes by `kind load`: never pulled.
    'image.pullPolicy': 'Never',
    'samples.markets.assessorBaseUrl': standInUrl(standInNamespace),
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

/** The container security context the restricted Pod Security Standard asks for. */
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** A one-replica Deployment of `pod` and the Service in front of it (same name and labels). */
function serviceWithDeployment(o: {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  pod: Record<string, unknown>;
  port: { name: string; port: number };
}): KubeObject[] {
  const { metadata, pod, port } = o;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: metadata.labels },
        template: { metadata: { labels: metadata.labels }, spec: pod },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { selector: metadata.labels, ports: [{ ...port, targetPort: port.name }] },
    },
  ];
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
        securityContext: RESTRICTED_CONTAINER,
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
  return serviceWithDeployment({ metadata, pod: mongoPod(), port: { name: 'mongodb', port: 27017 } });
}

export const STAND_IN_NAME = 'assessor-standin';
/** Key of the stand-in's Secret holding the token it accepts (the markets' Secret gets the same value). */
export const STAND_IN_TOKEN_KEY = 'token';
/**
 * The stand-in's container port, Service port and URL port are one number on purpose: a
 * collector's NetworkPolicy allows egress to the port of its Assessor URL
 * (src/resources/phoenix-market/workload-extras.ts), and a NetworkPolicy matches traffic to a
 * Service after it is translated to the pod, i.e. on the pod's port. With 8080 everywhere the
 * allowed port is the port the pod listens on, with no exception needed for the e2e suite.
 */
export const STAND_IN_PORT = 8080;
const STAND_IN_LABELS = {
  'app.kubernetes.io/name': STAND_IN_NAME,
  'app.kubernetes.io/part-of': 'phoenix-e2e',
};

export function standInUrl(namespace: string): string {
  return `http://${STAND_IN_NAME}.${namespace}.svc:${STAND_IN_PORT}`;
}

function standInPod(): Record<string, unknown> {
  return {
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: STAND_IN_NAME,
        image: E2E_IMAGE_REF,
        imagePullPolicy: 'Never',
        args: [STAND_IN_NAME, '--port', String(STAND_IN_PORT), '--host', '0.0.0.0'],
        env: [
          {
            name: 'ASSESSOR_STANDIN_TOKEN',
            valueFrom: { secretKeyRef: { name: STAND_IN_NAME, key: STAND_IN_TOKEN_KEY } },
          },
        ],
        ports: [{ name: 'http', containerPort: STAND_IN_PORT }],
        // Any HTTP answer without the token is a 500 ("Unauthorized access", as the county does).
        readinessProbe: { tcpSocket: { port: STAND_IN_PORT }, periodSeconds: 2 },
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        securityContext: RESTRICTED_CONTAINER,
      },
    ],
  };
}

/**
 * The stand-in of the Maricopa County Assessor API in the kind cluster (`phoenix assessor-standin`
 * from the e2e image, restricted Pod Security), and the Secret with the token it accepts.
 */
export function standInObjects(namespace: string, token: string): KubeObject[] {
  const metadata = { name: STAND_IN_NAME, namespace, labels: STAND_IN_LABELS };
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata,
      type: 'Opaque',
      stringData: { [STAND_IN_TOKEN_KEY]: token },
    },
    ...serviceWithDeployment({
      metadata,
      pod: standInPod(),
      port: { name: 'http', port: STAND_IN_PORT },
    }),
  ];
}
