/** A subcommand of `phoenix`. `run` returns the process exit code; only main.ts exits. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
