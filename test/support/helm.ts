/** Runs the provisioned Helm binary (a missing binary fails the test loudly). */
import { spawnSync } from 'node:child_process';
import { loadAll } from 'js-yaml';
import { repoRoot, toolPath } from '../../src/shared/tools.ts';

export const CHART = `${repoRoot}/helm/phoenix-operator`;

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function helm(args: readonly string[], kubeconfig?: string): HelmResult {
  const env = {
    ...process.env,
    HELM_CACHE_HOME: '/tmp/phoenix-helm/cache',
    HELM_CONFIG_HOME: '/tmp/phoenix-helm/config',
    HELM_DATA_HOME: '/tmp/phoenix-helm/data',
  };
  const res = spawnSync(
    toolPath('helm'),
    kubeconfig === undefined ? args : [...args, '--kubeconfig', kubeconfig],
    {
      encoding: 'utf8',
      env,
      timeout: 60_000,
    },
  );
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** Like helm, but throws with Helm's stderr when it fails. */
export function helmOk(args: readonly string[], kubeconfig?: string): string {
  const res = helm(args, kubeconfig);
  if (res.status !== 0) throw new Error(`helm ${args.join(' ')} failed (${res.status}):\n${res.stderr}`);
  return res.stdout;
}

export type Doc = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, any>;
};

/** The documents of a YAML stream (empty ones dropped). */
export function yamlDocs(text: string): Doc[] {
  return loadAll(text).filter((d): d is Doc => typeof d === 'object' && d !== null);
}
