/**
 * Every metric a rule or a panel reads is one the code really exports: names are taken from the
 * real `/metrics` text of the collector's and the operator's registries (not from a hand-kept
 * list), and the only other names allowed are our own recording rules and the series Prometheus
 * makes itself.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CollectorMetrics } from '../../../src/collector/metrics.ts';
import { createOperator } from '../../../src/operator/main.ts';
import { parseOperatorConfig } from '../../../src/operator/config.ts';
import { ALL_METRICS, PROMETHEUS_SYNTHETIC_SERIES, seriesNames } from '../../../src/monitoring/metrics.ts';
import { dashboardExpressions } from '../../../src/monitoring/lint.ts';
import { promqlMetricNames } from '../../../src/monitoring/promql-names.ts';
import { stackDashboards, stackRuleGroups } from '../../../src/monitoring/render.ts';
import type { RecordingRule } from '../../../src/monitoring/rules.ts';
import { MARKETS, sampleStack } from '../../fixtures/monitoring/stacks.ts';

/** Series names in Prometheus text exposition: `# TYPE` lines, histograms expanded. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (name === undefined) continue;
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    else if (type === 'summary') for (const s of ['', '_sum', '_count']) names.add(`${name}${s}`);
    else names.add(name);
  }
  return names;
}

async function collectorExposition(): Promise<string> {
  const registry = new Registry();
  new CollectorMetrics(registry, {
    market: 'mesa',
    version: 'test',
    cpuLimitCores: 0.5,
    memoryLimitBytes: 1 << 30,
  });
  return registry.metrics();
}

async function operatorExposition(): Promise<string> {
  const registry = new Registry();
  createOperator(parseOperatorConfig({}), {
    kubeConfig: {
      getCurrentCluster: () => ({ server: 'https://127.0.0.1:1' }),
      applyToHTTPSOptions: () => Promise.resolve(),
    },
    logger: pino({ level: 'silent' }),
    registry,
  });
  return registry.metrics();
}

function usedExpressions(): string[] {
  const stack = sampleStack();
  const rules = stackRuleGroups(stack, MARKETS).flatMap((g) => g.rules.map((r) => r.expr));
  const panels = [...stackDashboards(stack).values()].flatMap(dashboardExpressions);
  return [...rules, ...panels];
}

function recordedNames(): Set<string> {
  const rules = stackRuleGroups(sampleStack(), MARKETS).flatMap((g) => g.rules);
  return new Set(rules.filter((r): r is RecordingRule => 'record' in r).map((r) => r.record));
}

function unknownNames(exprs: readonly string[], known: ReadonlySet<string>): string[] {
  return [...new Set(exprs.flatMap(promqlMetricNames))].filter((n) => !known.has(n)).sort();
}

describe('metric existence', () => {
  it('every name read by a rule or panel is exported, recorded, or made by Prometheus', async () => {
    const exported = new Set([
      ...exposedNames(await collectorExposition()),
      ...exposedNames(await operatorExposition()),
    ]);
    const known = new Set([...exported, ...recordedNames(), ...PROMETHEUS_SYNTHETIC_SERIES]);
    const exprs = usedExpressions();
    expect(exprs.length).toBeGreaterThan(50);
    expect(unknownNames(exprs, known)).toEqual([]);
  });

  it('flags a name nothing exports (the check can fail)', async () => {
    const known = new Set([...exposedNames(await collectorExposition()), ...PROMETHEUS_SYNTHETIC_SERIES]);
    expect(unknownNames(['avg(phoenix_collection_status{market="mesa"})'], known)).toEqual([
      'phoenix_collection_status',
    ]);
  });

  it('every catalogue entry is exported by the process it names', async () => {
    const byExporter = {
      collector: exposedNames(await collectorExposition()),
      operator: exposedNames(await operatorExposition()),
    };
    for (const metric of ALL_METRICS) {
      for (const series of seriesNames(metric)) {
        expect(byExporter[metric.exporter].has(series), `${metric.exporter} exports ${series}`).toBe(true);
      }
    }
  });

  it('the collector exposition carries the market label', async () => {
    const text = await collectorExposition();
    expect(text).toMatch(/^phoenix_build_info\{version="test",market="mesa"\} 1$/m);
  });
});
