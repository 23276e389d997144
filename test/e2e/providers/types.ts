/** The contract both end-to-end cluster providers (kind and local) implement. */
import type { ProviderName } from './choose.ts';

/** Namespace of the operator and, as the chart installs its samples in the release namespace, of the markets. */
export const E2E_NAMESPACE = 'phoenix-system';

/** Values of the Secrets the sample markets reference that must point at something real. */
export interface E2eSecretValues {
  assessorToken: string;
  mongodbUri: string;
}

/** What the global setup hands to the test files (JSON: it crosses the process boundary). */
export interface ClusterContext {
  provider: ProviderName;
  reason: string;
  kubeconfigPath: string;
  workDir: string;
  secrets: E2eSecretValues;
  /** kind: the cluster's name. */
  clusterName?: string;
}

export interface Release {
  name: string;
  namespace: string;
}

/**
 * A cluster to run the installed chart on. `setup` and `teardown` run once per run (global
 * setup); the other methods run in the test files, on a provider attached to the context.
 */
export interface ClusterProvider {
  readonly name: ProviderName;
  setup(): Promise<ClusterContext>;
  teardown(): Promise<void>;
  /** `helm install` of the chart with the samples, plus whatever runs the operator. */
  installChart(release: Release): Promise<void>;
  uninstallChart(release: Release): Promise<void>;
  /** The text of a collector's /metrics for one market of the release. */
  collectorMetrics(release: Release, market: string): Promise<string>;
  /** Stops what the test files started (processes, connections). */
  close(): Promise<void>;
}
