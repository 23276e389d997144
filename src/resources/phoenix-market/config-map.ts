import { dump } from 'js-yaml';
import { COLLECTOR_CONFIG_KEY, collectorConfigFromMarket } from '../../api/collector-config.ts';
import type { PhoenixMarket } from '../../api/index.ts';
import { shortHash } from '../names.ts';
import { childMeta } from './options.ts';

export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: Record<string, unknown>;
  data: Record<string, string>;
}

/** The collector's configuration file, rendered deterministically (sorted keys). */
export function collectorConfigYaml(market: PhoenixMarket): string {
  return dump(collectorConfigFromMarket(market), { sortKeys: true, lineWidth: 120 });
}

/** Hash of the configuration: the pod template carries it, so a change rolls the pods. */
export function configHash(yaml: string): string {
  return shortHash(yaml, 16);
}

export function buildConfigMap(market: PhoenixMarket, yaml: string): ConfigMapObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(market),
    data: { [COLLECTOR_CONFIG_KEY]: yaml },
  };
}
