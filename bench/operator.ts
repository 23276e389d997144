/**
 * npm run bench:operator [-- --markets 1000 --concurrency 4 --resync 30]
 *
 * Against a local kube-apiserver: N PhoenixMarkets created at once, the operator (a separate
 * process, so its memory is its own) converges them; beside it, the floor: a tight loop that
 * applies the same objects with the same client and concurrency. Prints convergence times, API
 * requests per market, writes during a no-change full resync, the operator's peak RSS and the
 * reconcile latency percentiles.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { API_VERSION, PHOENIX_MARKET_KIND, parsePhoenixMarket } from '../src/api/index.ts';
import { KIND_DEFINITIONS, buildCrd } from '../src/api/crd.ts';
import { startControlPlane } from '../src/local/control-plane.ts';
import { freePort, stopPid, waitUntil } from '../src/local/process.ts';
import { KubeClient } from '../src/operator/kube/client.ts';
import { loadKubeConfig } from '../src/operator/kube/config.ts';
import { withAppliedHash } from '../src/resources/drift.ts';
import { FIELD_MANAGER } from '../src/resources/labels.ts';
import { buildMarketObjects } from '../src/resources/phoenix-market/index.ts';
import { computeMarketStatus } from '../src/operator/reconcilers/market-status.ts';
import { repoRoot } from '../src/shared/tools.ts';

const { values } = parseArgs({
  options: {
    markets: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    resync: { type: 'string', default: '30' },
    // As the operator Deployment runs it (NODE_OPTIONS): a small young generation and an old
    // space capped well under the container's memory limit, so V8 collects instead of growing.
    'node-options': { type: 'string', default: '--max-semi-space-size=2 --max-old-space-size=128' },
  },
});
const N = Number(values.markets);
const C = Number(values.concurrency);
const RESYNC = Number(values.resync);
const MARKET_GVK = { apiVersion: API_VERSION, kind: PHOENIX_MARKET_KIND };
const log = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

function market(namespace: string, i: number): Record<string, unknown> {
  const zips = Array.from({ length: 5 }, (_, k) => String(85000 + ((i * 5 + k) % 1000)).padStart(5, '0'));
  return {
    apiVersion: API_VERSION,
    kind: PHOENIX_MARKET_KIND,
    metadata: { name: `market-${String(i).padStart(4, '0')}`, namespace },
    spec: {
      zipCodes: zips,
      sources: { assessor: { tokenSecretRef: { name: 'assessor', key: 'token' } } },
      mongodb: { uriSecretRef: { name: 'mongodb', key: 'uri' } },
      collector: { size: 'small', replicas: 1 },
    },
  };
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function setup(client: KubeClient, namespace: string): Promise<void> {
  await client.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { fieldManager: 'bench' },
  );
}

/** The floor: create each market, apply its children and its status, with the same client. */
async function floor(client: KubeClient): Promise<number> {
  await setup(client, 'floor');
  const t0 = performance.now();
  await pool(
    Array.from({ length: N }, (_, i) => i),
    C,
    async (i) => {
      const created = await client.create<{ metadata: { uid: string; generation: number } }>(
        market('floor', i),
      );
      const parsed = parsePhoenixMarket({
        ...market('floor', i),
        metadata: {
          ...(market('floor', i)['metadata'] as object),
          uid: created.metadata.uid,
          generation: created.metadata.generation,
        },
      });
      if (!parsed.ok) throw new Error('sample market is invalid');
      for (const obj of buildMarketObjects(parsed.value, { collectorImage: 'bench/collector:1' })) {
        await client.apply(withAppliedHash(obj), { fieldManager: FIELD_MANAGER, force: true });
      }
      const status = computeMarketStatus({
        market: created,
        now: new Date().toISOString(),
        desiredReplicas: 1,
      });
      await client.apply(
        { ...MARKET_GVK, metadata: { name: parsed.value.metadata.name ?? '', namespace: 'floor' }, status },
        { fieldManager: FIELD_MANAGER, force: true, subresource: 'status' },
      );
    },
  );
  return performance.now() - t0;
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

async function scrape(port: number): Promise<Map<string, Sample[]>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, Sample[]>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const x of (m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[x[1] ?? ''] = x[2] ?? '';
    const list = out.get(m[1] ?? '') ?? [];
    list.push({ labels, value: Number(m[4]) });
    out.set(m[1] ?? '', list);
  }
  return out;
}

const sum = (
  m: Map<string, Sample[]>,
  name: string,
  pred: (l: Record<string, string>) => boolean = () => true,
) => (m.get(name) ?? []).filter((s) => pred(s.labels)).reduce((a, s) => a + s.value, 0);

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function quantile(m: Map<string, Sample[]>, name: string, q: number): number {
  const buckets = (m.get(`${name}_bucket`) ?? [])
    .filter((s) => s.labels['controller'] === 'phoenixmarket')
    .map((s) => ({ le: s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']), n: s.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.n ?? 0;
  let prev = { le: 0, n: 0 };
  for (const b of buckets) {
    if (b.n >= q * total) {
      if (b.le === Infinity) return prev.le;
      return prev.le + ((b.le - prev.le) * (q * total - prev.n)) / Math.max(1, b.n - prev.n);
    }
    prev = b;
  }
  return NaN;
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** Every market's status has been written for its generation (the reconciler writes it last). */
async function converged(client: KubeClient): Promise<boolean> {
  let observed = 0;
  let cont: string | undefined;
  do {
    const page = await client.list<{
      metadata: { generation?: number };
      status?: { observedGeneration?: number };
    }>(MARKET_GVK, { namespace: 'bench', limit: 500, ...(cont === undefined ? {} : { continue: cont }) });
    observed += page.items.filter((m) => m.status?.observedGeneration === m.metadata.generation).length;
    cont = page.continue;
  } while (cont !== undefined);
  return observed >= N;
}

interface OperatorProcess {
  pid: number;
  port: number;
}

/** The compiled build, as in the container image (npm run bench:operator builds it first). */
async function startOperator(kubeconfig: string): Promise<OperatorProcess> {
  const port = await freePort();
  const op = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), 'operator'], {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      WATCH_NAMESPACE: 'bench',
      LEADER_ELECT: 'false',
      METRICS_PORT: String(port),
      HEALTH_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      MAX_CONCURRENT_RECONCILES: String(C),
      RESYNC_PERIOD_SECONDS: String(RESYNC),
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: values['node-options'],
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 60_000);
  return { pid: op.pid ?? 0, port };
}

interface OperatorRun {
  convergeMs: number;
  before: Map<string, Sample[]>;
  after: Map<string, Sample[]>;
}

async function operatorRun(client: KubeClient, op: OperatorProcess): Promise<OperatorRun> {
  log(`operator ready; creating ${N} markets at once`);
  const t0 = performance.now();
  await pool(
    Array.from({ length: N }, (_, i) => i),
    32,
    async (i) => {
      await client.create(market('bench', i));
    },
  );
  await waitUntil(() => converged(client), 30 * 60_000);
  const convergeMs = performance.now() - t0;
  log(`converged in ${(convergeMs / 1000).toFixed(1)} s`);
  await new Promise((r) => setTimeout(r, 3000));
  const before = await scrape(op.port);
  log(`waiting ${Math.ceil(RESYNC * 1.2)} s for a full resync`);
  await new Promise((r) => setTimeout(r, Math.ceil(RESYNC * 1.2) * 1000));
  return { convergeMs, before, after: await scrape(op.port) };
}

interface Figures extends OperatorRun {
  floorMs: number;
  opPid: number;
  apiCpuFloor: number;
  apiCpuOperator: number;
}

function report(f: Figures): void {
  const { before, after } = f;
  const writes = (m: Map<string, Sample[]>) =>
    sum(m, 'rest_client_requests_total', (l) => WRITE_METHODS.has(l['method'] ?? ''));
  const reconciles = (m: Map<string, Sample[]>) =>
    sum(m, 'controller_runtime_reconcile_total', (l) => l['controller'] === 'phoenixmarket');
  const mib = (m: Map<string, Sample[]>, name: string) => (sum(m, name) / 2 ** 20).toFixed(0);
  const ms = (q: number) =>
    `${(quantile(after, 'controller_runtime_reconcile_time_seconds', q) * 1000).toFixed(1)} ms`;
  const rows: [string, string][] = [
    ['markets', String(N)],
    ['concurrency (workers / floor parallelism)', String(C)],
    ['floor: apply the same objects directly', `${(f.floorMs / 1000).toFixed(1)} s`],
    ['operator: create all + converge', `${(f.convergeMs / 1000).toFixed(1)} s`],
    ['ratio operator / floor', (f.convergeMs / f.floorMs).toFixed(2)],
    [
      'API requests per market (operator, incl. list/watch)',
      (sum(before, 'rest_client_requests_total') / N).toFixed(1),
    ],
    ['writes per market (operator)', (writes(before) / N).toFixed(1)],
    ['reconciles during the resync window', String(reconciles(after) - reconciles(before))],
    ['writes during the no-change resync', String(writes(after) - writes(before))],
    ['operator peak RSS', `${peakRssMiB(f.opPid).toFixed(0)} MiB`],
    [
      'operator RSS / V8 heap used at the end',
      `${mib(after, 'process_resident_memory_bytes')} / ${mib(after, 'nodejs_heap_size_used_bytes')} MiB (heap total ${mib(after, 'nodejs_heap_size_total_bytes')}, external ${mib(after, 'nodejs_external_memory_bytes')})`,
    ],
    [
      'kube-apiserver CPU seconds: floor / operator phase',
      `${f.apiCpuFloor.toFixed(1)} / ${f.apiCpuOperator.toFixed(1)}`,
    ],
    ['operator CPU seconds', cpuSeconds(f.opPid).toFixed(1)],
    ['reconcile latency p50', ms(0.5)],
    ['reconcile latency p99', ms(0.99)],
  ];
  console.log('\n| measure | value |\n| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-bench-'));
  const plane = await startControlPlane({
    dir,
    apiServerArgs: ['--max-requests-inflight=800', '--max-mutating-requests-inflight=400'],
  });
  const client = new KubeClient({ kubeConfig: loadKubeConfig({ path: plane.kubeconfigPath }) });
  const apiCpu = () => cpuSeconds(plane.pids['kube-apiserver'] ?? 0);
  try {
    for (const crd of KIND_DEFINITIONS.map(buildCrd)) await client.apply(crd, { fieldManager: 'bench' });
    await waitUntil(
      async () => (await client.list(MARKET_GVK, { namespace: 'default', limit: 1 })).items.length >= 0,
      30_000,
    );
    log(`floor: ${N} markets, concurrency ${C}`);
    const cpu0 = apiCpu();
    const floorMs = await floor(client);
    const cpu1 = apiCpu();
    log(`floor done in ${(floorMs / 1000).toFixed(1)} s`);
    await setup(client, 'bench');
    const op = await startOperator(plane.kubeconfigPath);
    const cpu2 = apiCpu();
    const run = await operatorRun(client, op);
    report({ ...run, floorMs, opPid: op.pid, apiCpuFloor: cpu1 - cpu0, apiCpuOperator: apiCpu() - cpu2 });
    await stopPid(op.pid);
  } finally {
    await client.close();
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
