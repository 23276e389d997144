/**
 * Optional reporting of `status.lastCollection` on the collector's own PhoenixMarket, by
 * server-side apply on the status subresource with field manager `phoenix-collector` (the
 * operator never sets lastCollection, so the two managers never fight). Failures are logged and
 * counted, never fatal: reporting must not stop collecting.
 */
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { LastCollection } from '../api/phoenix-market.ts';
import type { CollectorConfig } from './config.ts';
import type { CollectorMetrics } from './metrics.ts';
import type { RunResult } from './pipeline/run.ts';

export const STATUS_FIELD_MANAGER = 'phoenix-collector';
const GROUP = 'realestate.phoenix.io';
const VERSION = 'v1alpha1';

/** The lastCollection of a finished run (pure). */
export function finishedStatus(result: RunResult): LastCollection {
  return {
    startTime: result.startedAt.toISOString(),
    completionTime: result.completedAt.toISOString(),
    outcome: result.outcome,
    zipCodesTotal: result.summary.zipCodesTotal,
    zipCodesCompleted: result.summary.zipCodesCompleted,
    propertiesStored: result.summary.propertiesStored,
    recordsRejected: result.summary.recordsRejected,
    message: result.message.slice(0, 1024),
  };
}

export function runningStatus(startedAt: Date, zipCodesTotal: number): LastCollection {
  return { startTime: startedAt.toISOString(), outcome: 'Running', zipCodesTotal };
}

export interface StatusReporter {
  report(lastCollection: LastCollection): Promise<void>;
}

export interface StatusReporterInput {
  config: CollectorConfig;
  logger: Logger;
  metrics: CollectorMetrics;
  /** Credentials; in-cluster or $KUBECONFIG when omitted. */
  kubeConfig?: KubeConfig | undefined;
}

/** A reporter when the configuration asks for one and credentials exist; otherwise undefined. */
export function createStatusReporter(input: StatusReporterInput): StatusReporter | undefined {
  const market = input.config.file.market;
  if (!input.config.file.reportStatus || market.namespace === undefined) return undefined;
  let kc = input.kubeConfig;
  if (kc === undefined) {
    try {
      kc = new KubeConfig();
      kc.loadFromDefault();
    } catch (err) {
      input.logger.warn({ err }, 'no Kubernetes credentials; status.lastCollection is not reported');
      return undefined;
    }
  }
  const api = kc.makeApiClient(CustomObjectsApi);
  const { name, namespace } = { name: market.name, namespace: market.namespace };
  return {
    report: async (lastCollection) => {
      try {
        await api.patchNamespacedCustomObjectStatus(
          {
            group: GROUP,
            version: VERSION,
            namespace,
            plural: 'phoenixmarkets',
            name,
            body: {
              apiVersion: `${GROUP}/${VERSION}`,
              kind: 'PhoenixMarket',
              metadata: { name, namespace },
              status: { lastCollection },
            },
            fieldManager: STATUS_FIELD_MANAGER,
            force: true,
          },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        );
      } catch (err) {
        input.metrics.error('status_reporter', 'PHOENIX_STATUS_REPORT');
        input.logger.warn({ err }, 'status.lastCollection not reported');
      }
    },
  };
}
