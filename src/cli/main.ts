#!/usr/bin/env node
import { errorMessage } from '../shared/errors.ts';
import { UsageError, type Command } from './command.ts';

interface CommandEntry {
  name: string;
  summary: string;
  /** Loaded on use: the operator process never loads the collector's or the tests' libraries. */
  load: () => Promise<Command>;
}

const commands: CommandEntry[] = [
  {
    name: 'operator',
    summary: 'run the operator (settings from the environment)',
    load: async () => (await import('./operator.ts')).operatorCommand,
  },
  {
    name: 'collector',
    summary: "run a market's collector (config file and environment)",
    load: async () => (await import('./collector.ts')).collectorCommand,
  },
  {
    name: 'render',
    summary: 'print the objects the operator would apply for the resources in a file',
    load: async () => (await import('./render.ts')).renderCommand,
  },
  {
    name: 'validate',
    summary: 'validate PhoenixMarket and MonitoringStack files as the API server would',
    load: async () => (await import('./validate.ts')).validateCommand,
  },
  {
    name: 'cluster',
    summary: 'start, stop or inspect the local control plane',
    load: async () => (await import('./cluster.ts')).clusterCommand,
  },
  {
    name: 'demo',
    summary: 'run the whole system locally (control plane, operator, sample markets, collectors)',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    name: 'assessor-standin',
    summary: "serve a local stand-in of the Maricopa Assessor API (generated data, not the county's)",
    load: async () => (await import('./assessor-standin.ts')).assessorStandInCommand,
  },
];

function help(): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`);
  return ['usage: phoenix <command> [args]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    const asked = name === undefined || name === 'help' || name === '--help';
    console.error(asked ? help() : `unknown command '${name}'\n\n${help()}`);
    return asked ? 0 : 2;
  }
  const command = await entry.load();
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
