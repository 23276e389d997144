import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { ProcessStartError } from '../shared/errors.ts';

/** A child process of the local environment, with its output in a log file. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Detached processes outlive this one (cluster:up); others die with it. */
  detached?: boolean;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}

export function startProcess(options: StartOptions): ManagedProcess {
  const detached = options.detached ?? false;
  const out = detached ? openSync(options.logFile, 'a') : undefined;
  const child: ChildProcess = spawn(options.command, options.args, {
    env: options.env ?? process.env,
    detached,
    stdio: detached ? ['ignore', out, out] : ['ignore', 'pipe', 'pipe'],
  });
  if (!detached) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.unref();
  }
  if (child.pid === undefined) {
    throw new ProcessStartError(options.name, `could not spawn ${options.command}`);
  }
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => {
      resolveExit(code);
    });
    child.once('error', () => {
      resolveExit(null);
    });
  });
  return {
    name: options.name,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    stop: (timeoutMs = 10_000) => stopPid(child.pid ?? 0, timeoutMs, exited),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after the timeout. */
export async function stopPid(pid: number, timeoutMs = 10_000, exited?: Promise<unknown>): Promise<void> {
  if (pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  const gone = exited ?? waitUntil(() => !isAlive(pid), timeoutMs);
  let timeout: NodeJS.Timeout | undefined;
  const timer = new Promise((r) => (timeout = setTimeout(r, timeoutMs)));
  await Promise.race([gone, timer]);
  // A pending timer would keep the caller's process alive for the rest of the timeout.
  clearTimeout(timeout);
  if (isAlive(pid) && Date.now() >= deadline - 50) {
    process.kill(pid, 'SIGKILL');
  }
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` every 100 ms until it returns true or the timeout passes. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  return false;
}
