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

/** The value after `flag`; undefined when the flag is absent, a usage error when it has none. */
function optionValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('-')) throw new UsageError(`${flag} needs a directory`);
  return value;
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'print, without a cluster, the objects the operator would apply for the resources in a file',
  usage:
    'phoenix render -f <file|-> [--collector-image <image>] [--monitoring-files <dir> [--alertmanager-secrets-dir <dir>]]',
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
    const filesDir = optionValue(args, '--monitoring-files');
    const secretsDir = optionValue(args, '--alertmanager-secrets-dir');
    const stacks = renderStacks(docs, secretsDir === undefined ? {} : { alertmanagerSecretsDir: secretsDir });
    if (filesDir !== undefined) writeFiles(filesDir, stacks.files);
    errors.push(...stacks.errors);
    objects.push(...stacks.objects);
    for (const e of errors) console.error(e);
    process.stdout.write(objects.map((o) => dump(o, { lineWidth: 120, noRefs: true })).join('---\n'));
    return Promise.resolve(errors.length > 0 ? 1 : 0);
  },
};
