/** Options of `phoenix demo` (pure parsing; the CLI turns a DemoOptionError into a usage error). */
import { PhoenixError } from '../../shared/errors.ts';

export class DemoOptionError extends PhoenixError {
  override readonly name = 'DemoOptionError';
  constructor(message: string) {
    super('PHOENIX_DEMO_OPTION', message);
  }
}

export interface DemoOptions {
  /** How many sample markets (in file order), `all`, or market names. */
  markets: number | 'all' | string[];
  /** Exit 0 once every market is Ready and has finished a collection. */
  once: boolean;
  /** Seconds `--once` waits before it gives up (exit 1). */
  timeoutSeconds: number;
  /** Parcels the stand-in Assessor API serves per zip code. */
  parcelsPerZip: number;
  /** Requests per second each collector may send to the stand-in (overrides the market's). */
  requestsPerSecond: number;
}

export const DEMO_DEFAULTS: DemoOptions = {
  markets: 3,
  once: false,
  timeoutSeconds: 300,
  parcelsPerZip: 10,
  requestsPerSecond: 20,
};

export const DEMO_USAGE =
  'phoenix demo [--markets N|all|name,name] [--once] [--timeout SECONDS] [--parcels N] [--rps N]   ' +
  '(directory: $PHOENIX_DEMO_DIR or .phoenix/demo)';

function positive(flag: string, value: string | undefined, integer: boolean): number {
  const n = Number(value);
  if (
    value === undefined ||
    value === '' ||
    !Number.isFinite(n) ||
    n <= 0 ||
    (integer && !Number.isInteger(n))
  ) {
    throw new DemoOptionError(
      `${flag}: must be a positive ${integer ? 'integer' : 'number'} (got '${value ?? ''}')`,
    );
  }
  return n;
}

export function parseMarkets(value: string | undefined): DemoOptions['markets'] {
  if (value === 'all') return 'all';
  if (value !== undefined && /^[0-9]+$/.test(value)) return positive('--markets', value, true);
  const names = (value ?? '').split(',').filter((n) => n !== '');
  if (names.length === 0 || names.some((n) => !/^[a-z0-9-]+$/.test(n))) {
    throw new DemoOptionError(
      `--markets: a number, 'all' or market names separated by commas (got '${value ?? ''}')`,
    );
  }
  return names;
}

/** Parses `phoenix demo` arguments (`--flag value` or `--flag=value`). */
export function parseDemoArgs(args: readonly string[]): DemoOptions {
  const options = { ...DEMO_DEFAULTS };
  const queue = args.flatMap((a) => (a.startsWith('--') && a.includes('=') ? a.split(/=(.*)/s, 2) : [a]));
  while (queue.length > 0) {
    const flag = queue.shift();
    switch (flag) {
      case '--once':
        options.once = true;
        break;
      case '--markets':
        options.markets = parseMarkets(queue.shift());
        break;
      case '--timeout':
        options.timeoutSeconds = positive('--timeout', queue.shift(), false);
        options.once = true;
        break;
      case '--parcels':
        options.parcelsPerZip = positive('--parcels', queue.shift(), true);
        break;
      case '--rps':
        options.requestsPerSecond = positive('--rps', queue.shift(), false);
        break;
      default:
        throw new DemoOptionError(`unknown option '${flag ?? ''}'`);
    }
  }
  return options;
}

/** The sample market files to apply: the first N, all, or those whose name is listed. */
export function selectMarkets<T extends { name: string }>(
  available: readonly T[],
  markets: DemoOptions['markets'],
): T[] {
  if (markets === 'all') return [...available];
  if (typeof markets === 'number') return available.slice(0, markets);
  const unknown = markets.filter((n) => !available.some((a) => a.name === n));
  if (unknown.length > 0) {
    const names = available.map((a) => a.name).join(', ');
    throw new DemoOptionError(`--markets: no sample market named ${unknown.join(', ')} (samples: ${names})`);
  }
  return available.filter((a) => markets.includes(a.name));
}
