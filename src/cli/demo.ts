import { join, resolve } from 'node:path';
import { DEMO_USAGE, DemoOptionError, parseDemoArgs, type DemoOptions } from '../local/demo/options.ts';
import { runDemoSession } from '../local/demo/session.ts';
import { DemoStack } from '../local/demo/stack.ts';
import { repoRoot } from '../shared/tools.ts';
import { UsageError, type Command } from './command.ts';

const demoDir = (): string => resolve(process.env['PHOENIX_DEMO_DIR'] ?? join(repoRoot, '.phoenix', 'demo'));

function parse(args: string[]): DemoOptions {
  try {
    return parseDemoArgs(args);
  } catch (err) {
    if (err instanceof DemoOptionError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * `phoenix demo`: the whole system on this machine (see src/local/demo/run.ts). SIGINT and SIGTERM
 * stop it in order; a last-resort exit hook kills any child process still alive.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the whole system locally: control plane, operator, sample markets, collectors',
  usage: DEMO_USAGE,
  async run(args) {
    const options = parse(args);
    const stack = new DemoStack();
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      // npm forwards the terminal's SIGINT too: one stop is enough.
      if (controller.signal.aborted) return;
      process.stdout.write(`\nreceived ${signal}; stopping\n`);
      controller.abort(new Error(signal));
    };
    const killRemaining = (): void => {
      stack.killRemaining();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.once('exit', killRemaining);
    try {
      return await runDemoSession(options, {
        dir: demoDir(),
        tty: process.stdout.isTTY,
        write: (text) => process.stdout.write(text),
        signal: controller.signal,
        stack,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
