/** Runs an external command of a provider (kind, docker); a missing binary or a failure throws loudly. */
import { spawn } from 'node:child_process';

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Echo the command's output lines with this prefix (long steps: docker build, kind create). */
  echo?: string;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function run(command: string, args: readonly string[], o: RunOptions): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: 'pipe' });
    let out = '';
    const collect = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (o.echo !== undefined) process.stderr.write(`${o.echo} ${chunk.toString('utf8')}`);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = err.code === 'ENOENT' ? `${command} is not on PATH` : err.message;
      reject(new Error(`${command} ${args.join(' ')}: ${hint}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveRun(out);
      else {
        const why = signal === null ? `exit ${code ?? '?'}` : `killed (${signal}; timeout ${o.timeoutMs} ms)`;
        reject(new Error(`${command} ${args.join(' ')} failed: ${why}\n${tail(out)}`));
      }
    });
  });
}
