/** Configuration of collectors under test: a config file on disk and the environment. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { CollectorConfigFileInput } from '../../src/api/collector-config.ts';
import { loadCollectorConfig, type CollectorConfig } from '../../src/collector/config.ts';
import { freePort, startProcess, waitUntil, type ManagedProcess } from '../../src/local/process.ts';
import { repoRoot } from '../../src/shared/tools.ts';

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

export interface CollectorProcess {
  proc: ManagedProcess;
  port: number;
  name: string;
}

/** Runs `node src/collector/main.ts` as a child process (so that it can be killed). */
export async function spawnCollector(
  setup: TestCollectorSetup,
  podName: string,
  dir: string,
): Promise<CollectorProcess> {
  const port = await freePort();
  const proc = startProcess({
    name: podName,
    command: process.execPath,
    args: [join(repoRoot, 'src', 'collector', 'main.ts')],
    logFile: join(dir, `${podName}.log`),
    env: { PATH: process.env['PATH'] ?? '', ...setup.env, POD_NAME: podName, PHOENIX_PORT: String(port) },
  });
  const up = await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 20_000);
  if (!up)
    throw new Error(`${podName} did not start; see ${proc.logFile}:\n${readFileSync(proc.logFile, 'utf8')}`);
  return { proc, port, name: podName };
}

export async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  } catch {
    return 0;
  }
}
