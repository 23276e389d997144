import { startAssessorStandIn } from '../local/assessor-standin.ts';
import { UsageError, type Command } from './command.ts';

/** The variable holding the token the stand-in accepts in the AUTHORIZATION header. */
export const STAND_IN_TOKEN_ENV = 'ASSESSOR_STANDIN_TOKEN';
/** Maricopa County's zip codes (850xx to 853xx): each gets generated parcels. */
const COUNTY_ZIPS: { first: number; last: number } = { first: 85001, last: 85399 };

export interface StandInArgs {
  port: number;
  host: string;
  parcelsPerZip: number;
}

const USAGE =
  'phoenix assessor-standin [--port N (8080)] [--host H (127.0.0.1)] [--parcels N per zip code (5)]' +
  `   (token: $${STAND_IN_TOKEN_ENV}; a LOCAL STAND-IN with generated data, not the county's service)`;

function intOption(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got '${raw ?? ''}'`);
  }
  return value;
}

export function parseStandInArgs(args: readonly string[]): StandInArgs {
  const parsed: StandInArgs = { port: 8080, host: '127.0.0.1', parcelsPerZip: 5 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--port') parsed.port = intOption('--port', value, 1, 65535);
    else if (flag === '--parcels') parsed.parcelsPerZip = intOption('--parcels', value, 1, 10_000);
    else if (flag === '--host' && value !== undefined && value !== '') parsed.host = value;
    else
      throw new UsageError(
        `unexpected argument '${flag ?? ''}'${flag === '--host' ? ' (needs a value)' : ''}`,
      );
  }
  return parsed;
}

function countyZips(parcels: number): Record<string, number> {
  const zips: Record<string, number> = {};
  for (let zip = COUNTY_ZIPS.first; zip <= COUNTY_ZIPS.last; zip++) zips[String(zip)] = parcels;
  return zips;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * `phoenix assessor-standin`: the local stand-in of the Maricopa County Assessor API as a process
 * (the kind end-to-end suite runs it in the cluster so that no test contacts the county). It
 * serves every county zip code with generated parcels until SIGTERM or SIGINT.
 */
export const assessorStandInCommand: Command = {
  name: 'assessor-standin',
  summary: "serve a LOCAL STAND-IN of the Maricopa County Assessor API (generated data, not the county's)",
  usage: USAGE,
  async run(args) {
    const options = parseStandInArgs(args);
    const token = process.env[STAND_IN_TOKEN_ENV] ?? '';
    if (token === '')
      throw new UsageError(`${STAND_IN_TOKEN_ENV} must be set to the token the stand-in accepts`);
    const signal = untilSignal();
    const standIn = await startAssessorStandIn(
      {
        token,
        parcelsPerZip: countyZips(options.parcelsPerZip),
        log: (line) => {
          console.log(line);
        },
      },
      options.port,
      options.host,
    );
    console.log(`received ${await signal}; stopping the stand-in`);
    await standIn.close();
    return 0;
  },
};
