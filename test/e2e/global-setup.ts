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
 * fails the run loudly. PHOENIX_KEEP_E2E_CLUSTER=1 keeps a kind cluster, and the work directory.
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
    await teardown().catch((cleanup: unknown) => {
      console.error(`[e2e] cleanup after the failed setup failed too: ${String(cleanup)}`);
    });
    throw err;
  }
}

export async function teardown(): Promise<void> {
  const keep = Boolean(process.env['PHOENIX_KEEP_E2E_CLUSTER']);
  // A local plane's processes belong to this run: they stop with it, only their directory stays.
  if (keep && provider?.name === 'kind') {
    console.log(`[e2e] keeping the kind cluster and ${dir ?? ''}`);
    return;
  }
  const started = Date.now();
  await provider?.teardown();
  console.log(`[e2e] cluster removed in ${Date.now() - started} ms`);
  if (keep) console.log(`[e2e] keeping ${dir ?? ''} (logs, kubeconfig)`);
  else if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
