import type { PhoenixMarket } from '../../api/index.ts';
import { marketLabels, marketOwnerReference } from '../labels.ts';
import { childName } from '../names.ts';

/** Operator settings the builders need (from the operator's parsed configuration). */
export interface MarketBuildOptions {
  /** Collector image when the market does not name one. */
  collectorImage: string;
}

export const METRICS_PORT = 9090;
export const CONFIG_MOUNT_DIR = '/etc/phoenix';

/** Name of every per-market child (`<market>-collector`). */
export function collectorName(market: PhoenixMarket): string {
  return childName(market.metadata.name ?? '', 'collector');
}

export function namespaceOf(market: PhoenixMarket): string {
  return market.metadata.namespace ?? 'default';
}

/** Metadata of every per-market child: its name, the market's labels, a controller reference. */
export function childMeta(
  market: PhoenixMarket,
): Record<string, unknown> & { name: string; namespace: string } {
  return {
    name: collectorName(market),
    namespace: namespaceOf(market),
    labels: marketLabels(market),
    ownerReferences: [marketOwnerReference(market)],
  };
}
