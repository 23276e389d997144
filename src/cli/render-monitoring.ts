/**
 * `phoenix render` for MonitoringStacks: the operator's objects (ServiceMonitor, PrometheusRule,
 * AlertmanagerConfig, dashboards) and, for setups without the Prometheus Operator, plain files
 * (prometheus.yml, rule file, alertmanager.yml, dashboard JSON) under `<dir>/<stack name>/`.
 * The markets a stack covers are the PhoenixMarkets of the same file it selects (paused ones
 * excepted); when the file holds none, the rules cover every market of the namespace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MONITORING_STACK_KIND,
  PHOENIX_MARKET_KIND,
  formatFieldErrors,
  parseMonitoringStack,
  type MonitoringStack,
} from '../api/index.ts';
import {
  buildMonitoringObjects,
  renderMonitoringFiles,
  type KubeObject,
  type MonitoringFilesOptions,
} from '../monitoring/render.ts';
import { monitoredMarkets, type MarketLike } from '../monitoring/markets.ts';

interface Doc extends MarketLike {
  kind?: unknown;
}

function selectedMarkets(stack: MonitoringStack, docs: readonly Doc[]): string[] | undefined {
  const markets = docs.filter((d) => d.kind === PHOENIX_MARKET_KIND);
  return markets.length === 0 ? undefined : monitoredMarkets(stack, markets);
}

export interface RenderedStacks {
  objects: KubeObject[];
  /** `<stack name>/<file>` to content. */
  files: Map<string, string>;
  errors: string[];
}

export function renderStacks(
  docs: readonly unknown[],
  fileOptions: MonitoringFilesOptions = {},
): RenderedStacks {
  const out: RenderedStacks = { objects: [], files: new Map(), errors: [] };
  const all = docs as Doc[];
  for (const doc of all) {
    if (doc.kind !== MONITORING_STACK_KIND) continue;
    const parsed = parseMonitoringStack(doc);
    const name = doc.metadata?.name ?? '<unnamed>';
    if (!parsed.ok) {
      out.errors.push(`MonitoringStack ${name}:\n${formatFieldErrors(parsed.errors)}`);
      continue;
    }
    const stack = { ...parsed.value, metadata: { namespace: 'default', ...parsed.value.metadata } };
    const markets = selectedMarkets(stack, all);
    out.objects.push(...buildMonitoringObjects(stack, markets));
    for (const [file, content] of renderMonitoringFiles(stack, markets, fileOptions))
      out.files.set(`${name}/${file}`, content);
  }
  return out;
}

/** Writes rendered files below `dir`, creating folders as needed. */
export function writeFiles(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [file, content] of files) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
