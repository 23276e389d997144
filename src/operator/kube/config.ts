import { existsSync, readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';
import { KubeError } from './errors.ts';

/**
 * What the transport needs from a kubeconfig. @kubernetes/client-node's `KubeConfig` satisfies
 * it (and supports exec and auth-provider plugins); `loadKubeConfig` below satisfies it without
 * loading client-node, whose generated models cost about 50 MiB of resident memory.
 */
export interface KubeConfigSource {
  getCurrentCluster(): { server: string } | null;
  /** Fills in TLS material and the Authorization header; called again to pick up rotated tokens. */
  applyToHTTPSOptions(opts: RequestOptions): Promise<void>;
}

export interface LoadKubeConfigOptions {
  /** A kubeconfig file. Default: $KUBECONFIG (first entry), else in-cluster, else ~/.kube/config. */
  path?: string;
  /** Context to use instead of current-context. */
  context?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the service-account token and CA live in a pod (tests override it). */
  serviceAccountDir?: string;
}

interface Resolved {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure: boolean;
  servername?: string;
  token?: string;
  tokenFile?: string;
  basic?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads credentials the way kubectl and client-go do, for the common cases: in-cluster
 * service account (token re-read on every refresh), or a kubeconfig with a bearer token,
 * token file, client certificate, or basic auth. `exec` and `auth-provider` users are
 * refused with an error naming the field: use client-node's KubeConfig for those.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfigSource {
  const env = options.env ?? process.env;
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const path = options.path ?? env.KUBECONFIG?.split(':').find((p) => p !== '');
  if (path === undefined && env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(join(saDir, 'token'))) {
    return source(inCluster(env, saDir));
  }
  const file = path ?? join(homedir(), '.kube', 'config');
  return source(fromFile(file, options.context));
}

function inCluster(env: NodeJS.ProcessEnv, saDir: string): Resolved {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(saDir, 'ca.crt')),
    insecure: false,
    tokenFile: join(saDir, 'token'),
  };
}

type Entry = Record<string, unknown>;

function named(doc: Entry, list: string, name: string, field: string): Entry {
  const entries = Array.isArray(doc[list]) ? (doc[list] as Entry[]) : [];
  const found = entries.find((e) => e.name === name)?.[field];
  if (found === undefined || typeof found !== 'object' || found === null) {
    throw new KubeError('KUBE_INVALID', `kubeconfig: ${list}: no entry named '${name}'`);
  }
  return found as Entry;
}

function fromFile(file: string, context: string | undefined): Resolved {
  const doc = (load(readFileSync(file, 'utf8')) ?? {}) as Entry;
  const rel = (p: string): string => (isAbsolute(p) ? p : join(dirname(file), p));
  const contextName = context ?? (doc['current-context'] as string | undefined) ?? '';
  const ctx = named(doc, 'contexts', contextName, 'context');
  const cluster = named(doc, 'clusters', String(ctx.cluster), 'cluster');
  const userName = String(ctx.user);
  const user = named(doc, 'users', userName, 'user');
  for (const plugin of ['exec', 'auth-provider']) {
    if (user[plugin] !== undefined) {
      throw new KubeError(
        'KUBE_INVALID',
        `kubeconfig: users[${userName}].user.${plugin} is not supported by the built-in loader; pass a @kubernetes/client-node KubeConfig instead`,
      );
    }
  }
  const bytes = (data: unknown, path: unknown): Buffer | undefined =>
    typeof data === 'string'
      ? Buffer.from(data, 'base64')
      : typeof path === 'string'
        ? readFileSync(rel(path))
        : undefined;
  if (typeof cluster.server !== 'string' || cluster.server === '') {
    throw new KubeError(
      'KUBE_INVALID',
      `kubeconfig: clusters[${String(ctx.cluster)}].cluster.server is required`,
    );
  }
  return withoutUndefined({
    server: cluster.server,
    ca: bytes(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: bytes(user['client-certificate-data'], user['client-certificate']),
    key: bytes(user['client-key-data'], user['client-key']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    servername: cluster['tls-server-name'] as string | undefined,
    token: user.token as string | undefined,
    tokenFile: typeof user.tokenFile === 'string' ? rel(user.tokenFile) : undefined,
    basic:
      typeof user.username === 'string'
        ? `${user.username}:${typeof user.password === 'string' ? user.password : ''}`
        : undefined,
  });
}

function withoutUndefined(r: { [K in keyof Resolved]-?: Resolved[K] | undefined }): Resolved {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as Resolved;
}

function source(r: Resolved): KubeConfigSource {
  return {
    getCurrentCluster: () => ({ server: r.server }),
    applyToHTTPSOptions(opts) {
      if (r.ca !== undefined) opts.ca = r.ca;
      if (r.cert !== undefined) opts.cert = r.cert;
      if (r.key !== undefined) opts.key = r.key;
      if (r.insecure) opts.rejectUnauthorized = false;
      if (r.servername !== undefined) opts.servername = r.servername;
      const token = r.tokenFile === undefined ? r.token : readFileSync(r.tokenFile, 'utf8').trim();
      if (token !== undefined) opts.headers = { Authorization: `Bearer ${token}` };
      if (r.basic !== undefined) opts.auth = r.basic;
      return Promise.resolve();
    },
  };
}
