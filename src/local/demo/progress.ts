/**
 * The demo's progress: where to look (printed once, and above the table on a terminal), then a
 * table redrawn every 2 s on a terminal or a line per change elsewhere, until a signal, or with
 * `--once` until every market is Ready with a finished collection.
 */
import { listMarketsAndStacks } from './cluster.ts';
import type { RunningDemo } from './run.ts';
import {
  allDone,
  marketRow,
  progressLine,
  renderTable,
  stackLines,
  type MarketLike,
  type MarketRow,
  type StackLike,
} from './table.ts';

export function whereToLook(demo: RunningDemo): string[] {
  return [
    `export KUBECONFIG=${demo.kubeconfigPath}   # then: kubectl get phoenix -n ${demo.namespace}`,
    `operator (in this process): metrics ${demo.operator.metricsUrl}, readiness ${demo.operator.healthUrl}`,
    ...demo.collectors.map(
      (c) => `collector ${c.market}: http://127.0.0.1:${c.port}/metrics  http://127.0.0.1:${c.port}/health`,
    ),
    `FerretDB (MongoDB protocol, no credentials): ${demo.ferretDbUri}`,
    `Assessor API: LOCAL STAND-IN with generated data (not Maricopa County's service) at ${demo.standInUrl}`,
    `logs: ${demo.logsDir}/ (operator.log, collector-<market>.log, etcd, kube-apiserver, kwok, ...) and ${demo.ferretDbLog}`,
  ];
}

/** Times since start-up at which milestones were first reached (ms). */
export interface Milestones {
  allReady?: number;
  firstCollection?: number;
  allCollected?: number;
}

export function updateMilestones(
  m: Milestones,
  rows: readonly MarketRow[],
  expected: number,
  elapsedMs: number,
): void {
  const complete = rows.length >= expected;
  if (m.allReady === undefined && complete && rows.every((r) => r.ready === 'True')) m.allReady = elapsedMs;
  if (m.firstCollection === undefined && rows.some((r) => r.collectionDone)) m.firstCollection = elapsedMs;
  if (m.allCollected === undefined && complete && rows.every((r) => r.collectionDone))
    m.allCollected = elapsedMs;
}

export interface ProgressInput {
  demo: RunningDemo;
  once: boolean;
  tty: boolean;
  write: (text: string) => void;
  signal: AbortSignal;
  startedAt: number;
  milestones: Milestones;
}

export interface Snapshot {
  rows: MarketRow[];
  stacks: StackLike[];
}

async function snapshot(demo: RunningDemo): Promise<Snapshot> {
  const { markets, stacks } = await listMarketsAndStacks(demo.client, demo.namespace);
  const rows = (markets as MarketLike[]).map(marketRow);
  const order = (r: MarketRow): number => demo.markets.indexOf(r.name);
  return { rows: rows.sort((a, b) => order(a) - order(b)), stacks };
}

/** Resolves after `ms`, or at once when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function draw(input: ProgressInput, snap: Snapshot, printed: Map<string, string>): void {
  const elapsed = seconds(Date.now() - input.startedAt);
  if (input.tty) {
    const header = [...whereToLook(input.demo), '', `after ${elapsed} (Ctrl-C stops everything):`, ''];
    input.write(`\x1b[H\x1b[2J${[...header, renderTable(snap.rows, snap.stacks)].join('\n')}\n`);
    return;
  }
  const lines = [...snap.rows.map(progressLine), ...stackLines(snap.stacks)];
  for (const line of lines) {
    const key = line.slice(0, line.indexOf(':'));
    if (printed.get(key) === line) continue;
    printed.set(key, line);
    input.write(`[${elapsed}] ${line}\n`);
  }
}

/** Shows progress until the signal aborts, or (with `once`) until every market is done. */
export async function showProgress(input: ProgressInput): Promise<Snapshot | undefined> {
  const printed = new Map<string, string>();
  let last: Snapshot | undefined;
  while (!input.signal.aborted) {
    try {
      last = await snapshot(input.demo);
      updateMilestones(input.milestones, last.rows, input.demo.markets.length, Date.now() - input.startedAt);
      draw(input, last, printed);
      if (input.once && allDone(last.rows, input.demo.markets.length)) return last;
    } catch (err) {
      input.write(`could not read the markets: ${String(err)}\n`);
    }
    await pause(input.once && !input.tty ? 1000 : 2000, input.signal);
  }
  return last;
}

export function milestoneLines(m: Milestones): string[] {
  const show = (label: string, ms: number | undefined): string =>
    `${label}: ${ms === undefined ? 'not reached' : `${seconds(ms)} after start`}`;
  return [
    show('all markets Ready', m.allReady),
    show('first collection finished', m.firstCollection),
    show('every market collected', m.allCollected),
  ];
}
