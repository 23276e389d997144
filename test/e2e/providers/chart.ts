/** What both providers do the same way: Helm against the cluster, and an admin client. */
import { KubeClient } from '../../../src/operator/kube/client.ts';
import { loadKubeConfig } from '../../../src/operator/kube/config.ts';
import { CHART, helmOk } from '../../support/helm.ts';
import { chartValues, helmInstallArgs, helmUninstallArgs } from './args.ts';
import { E2E_NAMESPACE, type ClusterContext, type Release } from './types.ts';

export function adminClient(kubeconfigPath: string): KubeClient {
  return new KubeClient({ kubeConfig: loadKubeConfig({ path: kubeconfigPath }) });
}

export function helmInstall(ctx: ClusterContext, release: Release): void {
  const args = helmInstallArgs({
    release: release.name,
    namespace: release.namespace,
    chart: CHART,
    values: chartValues(ctx.provider, E2E_NAMESPACE),
  });
  helmOk(args, ctx.kubeconfigPath);
}

export function helmUninstall(ctx: ClusterContext, release: Release): void {
  helmOk(helmUninstallArgs(release.name, release.namespace), ctx.kubeconfigPath);
}
