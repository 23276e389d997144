/** Configuration of collectors under test: a config file on disk and the environment. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { CollectorConfigFileInput } from '../../src/api/collector-config.ts';
import { loadCollectorConfig, type CollectorConfig } from '../../src/collector/config.ts';

export interface TestCollectorSetup {
  file: CollectorConfigFileInput;
  env: Record<string, string>;
  configPath: string;
}

export function collectorSetup(
  file: CollectorConfigFileInput,
  env: Record<string, string>,
): TestCollectorSetup {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-collector-'));
  const configPath = join(dir, 'collector.yaml');
  writeFileSync(configPath, dump(file));
  return { file, configPath, env: { ...env, PHOENIX_CONFIG_FILE: configPath } };
}

export function loadTestConfig(setup: TestCollectorSetup, podName: string): CollectorConfig {
  return loadCollectorConfig({
    env: { ...setup.env, POD_NAME: podName, PHOENIX_PORT: '0' },
    readFile: (p) => readFileSync(p, 'utf8'),
    hostname: 'test',
    pid: process.pid,
  });
}

/** Sums the samples of a metric family in a Prometheus text exposition, filtered by labels. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
