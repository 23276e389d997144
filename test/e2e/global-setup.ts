import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { chooseProvider, hostFacts } from './providers/choose.ts';
import { createProvider } from './providers/create.ts';
import type { ClusterContext, ClusterProvider } from './providers/types.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: ClusterContext;
  }
}

let provider: ClusterProvider | undefined;
let dir: string | undefined;

/**
 * One cluster for the whole end-to-end run, from the provider PHOENIX_E2E_PROVIDER names (kind
 * or local; by default kind when `docker info` succeeds and kind is on PATH). A missing binary
 * fails the run loudly. PHOENIX_KEEP_E2E_CLUSTER=1 keeps the cluster and its directory.
 */
export async function setup(project: TestProject): Promise<void> {
  const choice = chooseProvider(hostFacts());
  console.log(`[e2e] provider: ${choice.name} (${choice.reason})`);
  dir = mkdtempSync(join(tmpdir(), `phoenix-e2e-${choice.name}-`));
  provider = createProvider(choice.name, dir);
  const started = Date.now();
  try {
    const ctx = await provider.setup();
    console.log(`[e2e] ${choice.name} cluster ready in ${Date.now() - started} ms (${dir})`);
    project.provide('e2e', { ...ctx, reason: choice.reason });
  } catch (err) {
    await teardown();
    throw err;
  }
}

export async function teardown(): Promise<void> {
  if (process.env['PHOENIX_KEEP_E2E_CLUSTER']) {
    console.log(`[e2e] keeping the cluster (${dir ?? ''})`);
    return;
  }
  const started = Date.now();
  await provider?.teardown();
  console.log(`[e2e] cluster removed in ${Date.now() - started} ms`);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
