import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { ProcessStartError } from '../shared/errors.ts';
import { toolPath } from '../shared/tools.ts';
import { freePort, startProcess, waitUntil, type ManagedProcess } from './process.ts';
import { createFakeNodes, kwokArgs } from './kwok.ts';

export interface ControlPlaneOptions {
  /** Working directory: etcd data, certificates, logs and the kubeconfig go here. */
  dir: string;
  /** Also run kube-controller-manager, kube-scheduler and kwok, so Deployments get Ready pods. */
  withControllers?: boolean;
  /** Number of fake kwok nodes (with controllers only). Default 2. */
  nodes?: number;
  /** Detach the processes so that they outlive this one (for `phoenix cluster up`). */
  detached?: boolean;
  /** Extra kube-apiserver flags, e.g. for a benchmark. */
  apiServerArgs?: string[];
}

export interface ControlPlaneInfo {
  dir: string;
  kubeconfigPath: string;
  server: string;
  etcdUrl: string;
  pids: Record<string, number>;
}

export interface ControlPlane extends ControlPlaneInfo {
  processes: ManagedProcess[];
  /** Stops kube-apiserver only (for recovery tests); `restartApiServer` brings it back on the same port. */
  stopApiServer(): Promise<void>;
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

interface Paths {
  dir: string;
  certDir: string;
  tokenFile: string;
  saKey: string;
  saPub: string;
  kubeconfig: string;
  log: (name: string) => string;
}

function preparePaths(dir: string): Paths {
  const certDir = join(dir, 'pki');
  mkdirSync(certDir, { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  return {
    dir,
    certDir,
    tokenFile: join(certDir, 'tokens.csv'),
    saKey: join(certDir, 'sa.key'),
    saPub: join(certDir, 'sa.pub'),
    kubeconfig: join(dir, 'kubeconfig'),
    log: (name) => join(dir, 'logs', `${name}.log`),
  };
}

function writeCredentials(paths: Paths): string {
  const token = randomBytes(24).toString('hex');
  writeFileSync(paths.tokenFile, `${token},phoenix-admin,phoenix-admin,system:masters\n`, { mode: 0o600 });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(paths.saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(paths.saPub, publicKey.export({ type: 'spki', format: 'pem' }));
  return token;
}

function writeKubeconfig(paths: Paths, server: string, token: string): void {
  const ca = readFileSync(join(paths.certDir, 'apiserver.crt')).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'phoenix-local', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: 'phoenix-admin', user: { token } }],
    contexts: [{ name: 'phoenix-local', context: { cluster: 'phoenix-local', user: 'phoenix-admin' } }],
    'current-context': 'phoenix-local',
  };
  writeFileSync(paths.kubeconfig, dump(config), { mode: 0o600 });
}

async function startEtcd(paths: Paths, detached: boolean): Promise<{ proc: ManagedProcess; url: string }> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = startProcess({
    name: 'etcd',
    command: toolPath('etcd'),
    args: [
      `--data-dir=${join(paths.dir, 'etcd')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    logFile: paths.log('etcd'),
    detached,
  });
  const ok = await waitUntil(async () => (await fetch(`${url}/health`)).ok, 30_000);
  if (!ok) throw new ProcessStartError('etcd', `not healthy after 30 s; see ${proc.logFile}`);
  return { proc, url };
}

function apiServerArgs(paths: Paths, etcdUrl: string, port: number, extra: string[]): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    `--cert-dir=${paths.certDir}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${paths.saPub}`,
    `--service-account-signing-key-file=${paths.saKey}`,
    `--token-auth-file=${paths.tokenFile}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    '--endpoint-reconciler-type=none',
    ...extra,
  ];
}

/** GET a path on the API server with the admin token; resolves the HTTP status (0 on error). */
export async function apiGet(server: string, token: string, path: string): Promise<number> {
  return new Promise((resolveStatus) => {
    const req = request(
      `${server}${path}`,
      { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        res.resume();
        resolveStatus(res.statusCode ?? 0);
      },
    );
    req.on('error', () => {
      resolveStatus(0);
    });
    req.end();
  });
}

async function startApiServer(ctx: {
  paths: Paths;
  args: string[];
  server: string;
  token: string;
  detached: boolean;
}): Promise<ManagedProcess> {
  const proc = startProcess({
    name: 'kube-apiserver',
    command: toolPath('kube-apiserver'),
    args: ctx.args,
    logFile: ctx.paths.log('kube-apiserver'),
    detached: ctx.detached,
  });
  const ready = await waitUntil(async () => (await apiGet(ctx.server, ctx.token, '/readyz')) === 200, 90_000);
  if (!ready) throw new ProcessStartError('kube-apiserver', `not ready after 90 s; see ${proc.logFile}`);
  return proc;
}

async function startControllers(paths: Paths, detached: boolean): Promise<ManagedProcess[]> {
  const kcm = startProcess({
    name: 'kube-controller-manager',
    command: toolPath('kube-controller-manager'),
    args: [
      `--kubeconfig=${paths.kubeconfig}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${paths.saKey}`,
      `--root-ca-file=${join(paths.certDir, 'apiserver.crt')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller',
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
      '--kube-api-qps=200',
      '--kube-api-burst=400',
    ],
    logFile: paths.log('kube-controller-manager'),
    detached,
  });
  const scheduler = startProcess({
    name: 'kube-scheduler',
    command: toolPath('kube-scheduler'),
    args: [
      `--kubeconfig=${paths.kubeconfig}`,
      `--authentication-kubeconfig=${paths.kubeconfig}`,
      `--authorization-kubeconfig=${paths.kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
    ],
    logFile: paths.log('kube-scheduler'),
    detached,
  });
  const kwok = startProcess({
    name: 'kwok',
    command: toolPath('kwok'),
    args: kwokArgs(paths.kubeconfig, await freePort()),
    logFile: paths.log('kwok'),
    detached,
  });
  return [kcm, scheduler, kwok];
}

/** Starts etcd and kube-apiserver (and optionally the controllers and kwok) on random loopback ports. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const paths = preparePaths(options.dir);
  const detached = options.detached ?? false;
  const token = writeCredentials(paths);
  const processes: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const p of [...processes].reverse()) await p.stop();
  };
  try {
    const etcd = await startEtcd(paths, detached);
    processes.push(etcd.proc);
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const args = apiServerArgs(paths, etcd.url, port, options.apiServerArgs ?? []);
    const apiCtx = { paths, args, server, token, detached };
    let api = await startApiServer(apiCtx);
    processes.push(api);
    writeKubeconfig(paths, server, token);
    if (options.withControllers ?? false) {
      processes.push(...(await startControllers(paths, detached)));
      await createFakeNodes(paths.kubeconfig, options.nodes ?? 2);
    }
    const pids = () => Object.fromEntries(processes.map((p) => [p.name, p.pid]));
    const plane: ControlPlane = {
      dir: paths.dir,
      kubeconfigPath: paths.kubeconfig,
      server,
      etcdUrl: etcd.url,
      pids: pids(),
      processes,
      stopApiServer: () => api.stop(),
      restartApiServer: async () => {
        const index = processes.indexOf(api);
        api = await startApiServer(apiCtx);
        processes[index] = api;
        plane.pids = pids();
      },
      stop: stopAll,
    };
    return plane;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
