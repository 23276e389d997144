import { readFileSync } from 'node:fs';
import { dump, loadAll } from 'js-yaml';
import { PHOENIX_MARKET_KIND, formatFieldErrors, parsePhoenixMarket } from '../api/index.ts';
import { parseOperatorConfig } from '../operator/config.ts';
import { withAppliedHash } from '../resources/drift.ts';
import { buildMarketObjects } from '../resources/phoenix-market/index.ts';
import { UsageError, type Command } from './command.ts';
import { renderStacks, writeFiles } from './render-monitoring.ts';

function readDocuments(file: string): unknown[] {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  return loadAll(text).filter((d) => d !== null && d !== undefined);
}

/** The exact objects the operator would apply for the PhoenixMarkets in `docs`. */
export function renderMarkets(
  docs: readonly unknown[],
  collectorImage: string,
): { objects: unknown[]; errors: string[] } {
  const objects: unknown[] = [];
  const errors: string[] = [];
  for (const doc of docs) {
    if ((doc as { kind?: unknown }).kind !== PHOENIX_MARKET_KIND) continue;
    const parsed = parsePhoenixMarket(doc);
    const name = (doc as { metadata?: { name?: string } }).metadata?.name ?? '<unnamed>';
    if (!parsed.ok) {
      errors.push(`PhoenixMarket ${name}:\n${formatFieldErrors(parsed.errors)}`);
      continue;
    }
    const market = { ...parsed.value, metadata: { namespace: 'default', uid: '', ...parsed.value.metadata } };
    objects.push(...buildMarketObjects(market, { collectorImage }).map((o) => withAppliedHash(o)));
  }
  return { objects, errors };
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'print, without a cluster, the objects the operator would apply for the resources in a file',
  usage: 'phoenix render -f <file|-> [--collector-image <image>] [--monitoring-files <dir>]',
  run(args) {
    const f = args.indexOf('-f');
    const file = f >= 0 ? args[f + 1] : undefined;
    if (file === undefined) throw new UsageError('-f <file> is required');
    const i = args.indexOf('--collector-image');
    const image = i >= 0 ? args[i + 1] : undefined;
    const collectorImage = image ?? parseOperatorConfig(process.env).collectorImage;
    const docs = readDocuments(file);
    const { objects, errors } = renderMarkets(docs, collectorImage);
    // MonitoringStacks: operator objects on stdout; plain Prometheus/Alertmanager/Grafana files on request.
    const stacks = renderStacks(docs);
    const m = args.indexOf('--monitoring-files');
    const filesDir = m >= 0 ? args[m + 1] : undefined;
    if (m >= 0 && filesDir === undefined) throw new UsageError('--monitoring-files needs a directory');
    if (filesDir !== undefined) writeFiles(filesDir, stacks.files);
    errors.push(...stacks.errors);
    objects.push(...stacks.objects);
    for (const e of errors) console.error(e);
    process.stdout.write(objects.map((o) => dump(o, { lineWidth: 120, noRefs: true })).join('---\n'));
    return Promise.resolve(errors.length > 0 ? 1 : 0);
  },
};
