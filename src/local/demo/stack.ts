/**
 * What `phoenix demo` has started, stopped in reverse order. Processes run in their own process
 * group so that Ctrl-C reaches the demo alone and it can stop them in order (collectors first,
 * the control plane last); a last-resort `exit` hook kills any still alive.
 */
import { errorMessage } from '../../shared/errors.ts';
import { isAlive } from '../process.ts';

interface Part {
  name: string;
  stop: () => Promise<void>;
  pids: () => number[];
}

export class DemoStack {
  readonly #parts: Part[] = [];
  /** Every part ever added, for `alivePids` after (or during) a stop. */
  readonly #all: Part[] = [];
  #stopping: Promise<void> | undefined;

  add(name: string, stop: () => Promise<void>, pids: () => number[] = () => []): void {
    const part = { name, stop, pids };
    this.#parts.push(part);
    this.#all.push(part);
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Pids of the processes still alive. */
  alivePids(): number[] {
    return this.#all.flatMap((p) => p.pids()).filter((pid) => pid > 0 && isAlive(pid));
  }

  /** Stops everything once, newest first; a part that fails to stop does not stop the others. */
  stop(print: (line: string) => void): Promise<void> {
    this.#stopping ??= (async () => {
      for (const part of this.#parts.splice(0).reverse()) {
        const started = Date.now();
        try {
          await part.stop();
          print(`stopped ${part.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        } catch (err) {
          print(`could not stop ${part.name}: ${errorMessage(err)}`);
        }
      }
    })();
    return this.#stopping;
  }

  /** SIGKILLs what is still alive (synchronous: for process 'exit'). */
  killRemaining(): void {
    for (const pid of this.alivePids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
