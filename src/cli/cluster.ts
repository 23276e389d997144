import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startControlPlane, type ControlPlaneInfo } from '../local/control-plane.ts';
import { isAlive, stopPid } from '../local/process.ts';
import { repoRoot } from '../shared/tools.ts';
import { UsageError, type Command } from './command.ts';

const defaultDir = (): string =>
  resolve(process.env.PHOENIX_CLUSTER_DIR ?? join(repoRoot, '.phoenix', 'cluster'));
const stateFile = (dir: string): string => join(dir, 'state.json');

function readState(dir: string): ControlPlaneInfo | undefined {
  const file = stateFile(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneInfo) : undefined;
}

async function up(dir: string, withControllers: boolean): Promise<number> {
  const state = readState(dir);
  if (state && Object.values(state.pids).some(isAlive)) {
    console.log(`already running; export KUBECONFIG=${state.kubeconfigPath}`);
    return 0;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const plane = await startControlPlane({ dir, withControllers, nodes: 2, detached: true });
  const info: ControlPlaneInfo = {
    dir: plane.dir,
    kubeconfigPath: plane.kubeconfigPath,
    server: plane.server,
    etcdUrl: plane.etcdUrl,
    pids: plane.pids,
  };
  writeFileSync(stateFile(dir), JSON.stringify(info, null, 2));
  console.log(`local control plane running at ${plane.server} (logs in ${join(dir, 'logs')})`);
  console.log(`export KUBECONFIG=${plane.kubeconfigPath}`);
  return 0;
}

async function down(dir: string): Promise<number> {
  const state = readState(dir);
  if (!state) {
    console.log(`no local control plane recorded in ${dir}`);
    return 0;
  }
  for (const [name, pid] of Object.entries(state.pids).reverse()) {
    await stopPid(pid);
    console.log(`stopped ${name} (pid ${pid})`);
  }
  rmSync(dir, { recursive: true, force: true });
  return 0;
}

function status(dir: string): number {
  const state = readState(dir);
  if (!state) {
    console.log('not running');
    return 1;
  }
  for (const [name, pid] of Object.entries(state.pids)) {
    console.log(`${name.padEnd(24)} pid ${String(pid).padEnd(8)} ${isAlive(pid) ? 'running' : 'stopped'}`);
  }
  console.log(`export KUBECONFIG=${state.kubeconfigPath}`);
  return 0;
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'start, stop or inspect the local control plane (etcd, kube-apiserver, controllers, kwok)',
  usage:
    'phoenix cluster up [--api-only] | down | status   (directory: $PHOENIX_CLUSTER_DIR or .phoenix/cluster)',
  async run(args) {
    const dir = defaultDir();
    switch (args[0]) {
      case 'up':
        return up(dir, !args.includes('--api-only'));
      case 'down':
        return down(dir);
      case 'status':
        return status(dir);
      default:
        throw new UsageError(`unknown cluster action '${args[0] ?? ''}'`);
    }
  },
};
