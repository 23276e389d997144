import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolMissingError } from './errors.ts';

/** The repository root (this file lives in src/shared or dist/shared). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const binaryTool: Record<string, string> = {
  node: 'node',
  'kube-apiserver': 'kubernetes',
  'kube-controller-manager': 'kubernetes',
  'kube-scheduler': 'kubernetes',
  etcd: 'etcd',
  kwok: 'kwok',
  ferretdb: 'ferretdb',
  helm: 'helm',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  alertmanager: 'alertmanager',
  amtool: 'prometheus',
};

export type Binary = keyof typeof binaryTool;

// Memoised per cache root: asking the provisioner costs a bash process.
const toolDirsByRoot = new Map<string, Map<string, string>>();

/** Binary directories as the provisioner computes them (one source of the cache layout). */
function loadToolDirs(): Map<string, string> {
  const root = process.env['PHOENIX_TOOLS_DIR'] ?? '';
  const cached = toolDirsByRoot.get(root);
  if (cached) return cached;
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'provision.sh'), '--print'], {
    encoding: 'utf8',
  });
  const dirs = new Map(
    out
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  toolDirsByRoot.set(root, dirs);
  return dirs;
}

/** Absolute path of a provisioned binary; throws ToolMissingError when it is not there. */
export function toolPath(binary: Binary): string {
  const tool = binaryTool[binary];
  const dir = tool === undefined ? undefined : loadToolDirs().get(tool);
  const path = join(dir ?? '', binary);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ToolMissingError(binary, path);
  }
  return path;
}

/** The pinned versions from tools/versions.env. */
export function toolVersions(): Record<string, string> {
  const text = readFileSync(join(repoRoot, 'tools', 'versions.env'), 'utf8');
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]);
  return Object.fromEntries(entries);
}
