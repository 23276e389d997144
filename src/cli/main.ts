#!/usr/bin/env node
import { errorMessage } from '../shared/errors.ts';
import { clusterCommand } from './cluster.ts';
import { collectorCommand } from './collector.ts';
import { UsageError, type Command } from './command.ts';
import { operatorCommand } from './operator.ts';
import { renderCommand } from './render.ts';
import { validateCommand } from './validate.ts';

const commands: Command[] = [
  operatorCommand,
  collectorCommand,
  renderCommand,
  validateCommand,
  clusterCommand,
];

function help(): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`);
  return ['usage: phoenix <command> [args]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(
      name === undefined || name === 'help' || name === '--help'
        ? help()
        : `unknown command '${name}'\n\n${help()}`,
    );
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\nusage: ${command.usage}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`phoenix: ${errorMessage(err)}`);
    process.exitCode = 1;
  },
);
