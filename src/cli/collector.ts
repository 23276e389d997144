import { runCollectorProcess } from '../collector/main.ts';
import { UsageError, type Command } from './command.ts';

/** `phoenix collector`: runs a market's collector (configuration from PHOENIX_CONFIG_FILE and env). */
export const collectorCommand: Command = {
  name: 'collector',
  summary: 'run the per-market collector (config: PHOENIX_CONFIG_FILE, secrets from env)',
  usage: 'phoenix collector',
  run: async (args) => {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(' ')}`);
    return runCollectorProcess();
  },
};
