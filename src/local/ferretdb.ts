import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessStartError } from '../shared/errors.ts';
import { toolPath } from '../shared/tools.ts';
import { freePort, startProcess, waitUntil, type ManagedProcess } from './process.ts';

export interface FerretDbOptions {
  /** Data directory; a fresh temporary one when omitted (and removed on stop). */
  dir?: string;
  port?: number;
  detached?: boolean;
}

export interface FerretDb {
  /** mongodb:// connection string for the `mongodb` driver. */
  uri: string;
  port: number;
  dir: string;
  process: ManagedProcess;
  /** Stops the server; the data stays so that `start` can resume on the same port and data. */
  stop(): Promise<void>;
  /** Starts it again after `stop` (for outage tests). */
  start(): Promise<void>;
  /** Stops it and removes a temporary data directory. */
  destroy(): Promise<void>;
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolveOpen(true);
    });
    socket.on('error', () => {
      resolveOpen(false);
    });
  });
}

/** Memory-backed scratch space where there is one: SQLite's fsyncs on a busy disk dominate otherwise. */
function scratchRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** Starts FerretDB v1 with its embedded SQLite backend on a loopback port. */
export async function startFerretDb(options: FerretDbOptions = {}): Promise<FerretDb> {
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(scratchRoot(), 'phoenix-ferretdb-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = options.port ?? (await freePort());
  const launch = async (): Promise<ManagedProcess> => {
    const proc = startProcess({
      name: 'ferretdb',
      command: toolPath('ferretdb'),
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${join(dir, 'data')}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dir}`,
        '--telemetry=disable',
        '--log-level=warn',
        '--debug-addr=-',
      ],
      logFile: join(dir, 'ferretdb.log'),
      detached: options.detached ?? false,
    });
    if (!(await waitUntil(() => portOpen(port), 30_000))) {
      await proc.stop();
      throw new ProcessStartError('ferretdb', `not listening on ${port} after 30 s; see ${proc.logFile}`);
    }
    return proc;
  };
  const db: FerretDb = {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    dir,
    process: await launch(),
    stop: () => db.process.stop(),
    start: async () => {
      db.process = await launch();
    },
    destroy: async () => {
      await db.process.stop();
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
  return db;
}
