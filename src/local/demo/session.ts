/**
 * One `phoenix demo` session: start everything, show progress, and stop everything in order on a
 * signal, after `--once` succeeds, or when its timeout passes. Resolves with the exit code.
 */
import { errorMessage, PhoenixError } from '../../shared/errors.ts';
import type { DemoOptions } from './options.ts';
import { milestoneLines, showProgress, whereToLook, type Milestones, type Snapshot } from './progress.ts';
import { startDemo } from './run.ts';
import type { DemoStack } from './stack.ts';
import { allDone, progressLine, stackLines } from './table.ts';

export class DemoTimeoutError extends PhoenixError {
  override readonly name = 'DemoTimeoutError';
  constructor(seconds: number) {
    super(
      'PHOENIX_DEMO_TIMEOUT',
      `timed out after ${seconds} s before every market was Ready with a finished collection`,
    );
  }
}

export interface SessionIo {
  dir: string;
  tty: boolean;
  write: (text: string) => void;
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal;
  stack: DemoStack;
}

/** Exit code and message of a `--once` run that reached its goal or stopped short of it. */
export function onceVerdict(last: Snapshot | undefined, expected: number): { code: number; message: string } {
  if (last === undefined || !allDone(last.rows, expected)) {
    return { code: 1, message: 'stopped before every market was Ready with a finished collection' };
  }
  const failed = last.rows.filter((r) => r.collection === 'Failed').map((r) => r.name);
  if (failed.length > 0) return { code: 1, message: `collection failed for ${failed.join(', ')}` };
  return { code: 0, message: `all ${last.rows.length} markets Ready with a finished collection` };
}

function linkedController(
  options: DemoOptions,
  outer: AbortSignal,
): { controller: AbortController; clear: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => {
    controller.abort(outer.reason);
  };
  outer.addEventListener('abort', onAbort, { once: true });
  const timer = options.once
    ? setTimeout(() => {
        controller.abort(new DemoTimeoutError(options.timeoutSeconds));
      }, options.timeoutSeconds * 1000)
    : undefined;
  return {
    controller,
    clear: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    },
  };
}

function summary(last: Snapshot | undefined, milestones: Milestones): string[] {
  return [
    ...(last === undefined ? [] : [...last.rows.map(progressLine), ...stackLines(last.stacks)]),
    ...milestoneLines(milestones),
  ];
}

async function runSession(options: DemoOptions, io: SessionIo, signal: AbortSignal): Promise<number> {
  const print = (line: string): void => {
    io.write(`${line}\n`);
  };
  const startedAt = Date.now();
  const milestones: Milestones = {};
  const demo = await startDemo({ dir: io.dir, options, stack: io.stack, print, signal });
  for (const line of whereToLook(demo)) print(line);
  print(
    options.once
      ? 'waiting until every market is Ready with a finished collection'
      : 'Ctrl-C stops everything',
  );
  const last = await showProgress({
    demo,
    once: options.once,
    tty: io.tty,
    write: io.write,
    signal,
    startedAt,
    milestones,
  });
  for (const line of summary(last, milestones)) print(line);
  if (signal.reason instanceof DemoTimeoutError) throw signal.reason;
  if (!options.once) return 0;
  const verdict = onceVerdict(last, demo.markets.length);
  print(verdict.message);
  return verdict.code;
}

export async function runDemoSession(options: DemoOptions, io: SessionIo): Promise<number> {
  const { controller, clear } = linkedController(options, io.signal);
  let code: number;
  try {
    code = await runSession(options, io, controller.signal);
  } catch (err) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
    const interrupted = controller.signal.aborted && !(reason instanceof DemoTimeoutError);
    io.write(`phoenix demo: ${interrupted ? 'interrupted during start-up' : errorMessage(reason)}\n`);
    code = interrupted && !options.once ? 0 : 1;
  } finally {
    clear();
  }
  io.write('stopping: collectors, stand-in, operator, FerretDB, control plane\n');
  await io.stack.stop((line) => {
    io.write(`${line}\n`);
  });
  const left = io.stack.alivePids();
  io.write(left.length === 0 ? 'all processes stopped\n' : `still running: pids ${left.join(', ')}\n`);
  return code;
}
