/** Provider instances: fresh for the global setup, or attached to its context in a test file. */
import type { ProviderName } from './choose.ts';
import { KindProvider } from './kind.ts';
import { LocalProvider } from './local.ts';
import type { ClusterContext, ClusterProvider } from './types.ts';

export function createProvider(name: ProviderName, workDir: string): ClusterProvider {
  return name === 'kind' ? new KindProvider(workDir) : new LocalProvider(workDir);
}

export function attachProvider(ctx: ClusterContext): ClusterProvider {
  return ctx.provider === 'kind' ? new KindProvider(ctx.workDir, ctx) : new LocalProvider(ctx.workDir, ctx);
}
