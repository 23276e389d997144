import { describe, expect, it } from 'vitest';
import { parseStandInArgs } from '../../../src/cli/assessor-standin.ts';

describe('phoenix assessor-standin arguments', () => {
  it('defaults to loopback port 8080 with five parcels per zip code', () => {
    expect(parseStandInArgs([])).toEqual({ port: 8080, host: '127.0.0.1', parcelsPerZip: 5 });
  });

  it('takes the port, host and parcels the cluster passes', () => {
    expect(parseStandInArgs(['--port', '9000', '--host', '0.0.0.0', '--parcels', '30'])).toEqual({
      port: 9000,
      host: '0.0.0.0',
      parcelsPerZip: 30,
    });
  });

  it('refuses bad values and unknown arguments, naming the option', () => {
    expect(() => parseStandInArgs(['--port', '70000'])).toThrow(
      "--port must be an integer from 1 to 65535, got '70000'",
    );
    expect(() => parseStandInArgs(['--port'])).toThrow("--port must be an integer from 1 to 65535, got ''");
    expect(() => parseStandInArgs(['--parcels', '0'])).toThrow('--parcels must be an integer');
    expect(() => parseStandInArgs(['--host'])).toThrow("unexpected argument '--host' (needs a value)");
    expect(() => parseStandInArgs(['--token', 'x'])).toThrow("unexpected argument '--token'");
  });
});
