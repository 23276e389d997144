import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startControlPlane, type ControlPlane } from '../../src/local/control-plane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfigPath: string;
    controlPlaneDir: string;
  }
}

let plane: ControlPlane | undefined;
let dir: string | undefined;

/**
 * One real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)
 * for the whole integration run; each test file works in its own namespace. Set
 * PHOENIX_KUBECONFIG to reuse a cluster started with `npm run cluster:up`.
 * A missing binary fails the run loudly: nothing is skipped.
 */
export async function setup(project: TestProject): Promise<void> {
  const existing = process.env.PHOENIX_KUBECONFIG;
  if (existing) {
    project.provide('kubeconfigPath', existing);
    project.provide('controlPlaneDir', '');
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'phoenix-it-'));
  const started = Date.now();
  plane = await startControlPlane({ dir, withControllers: true, nodes: 2 });
  console.log(`[global-setup] control plane up in ${Date.now() - started} ms at ${plane.server} (${dir})`);
  project.provide('kubeconfigPath', plane.kubeconfigPath);
  project.provide('controlPlaneDir', dir);
}

export async function teardown(): Promise<void> {
  await plane?.stop();
  if (dir && !process.env.PHOENIX_KEEP_TEST_CLUSTER) rmSync(dir, { recursive: true, force: true });
}
