/**
 * The chart's `samples.markets.assessorBaseUrl`: the ten sample markets exactly as in
 * manifests/samples, but for the Assessor API's base URL; unset, the samples go out untouched.
 */
import { describe, expect, it } from 'vitest';
import { sampleMarkets } from '../../../src/local/demo/objects.ts';
import { CHART, helm, helmOk, yamlDocs, type Doc } from '../../support/helm.ts';

const URL = 'http://assessor-standin.phoenix-system.svc:8080';
const render = (...sets: string[]): Doc[] =>
  yamlDocs(
    helmOk(['template', 'phoenix', CHART, '--set', ['samples.markets.enabled=true', ...sets].join(',')]),
  )
    .filter((d) => d.kind === 'PhoenixMarket')
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

describe('Helm chart: samples.markets.assessorBaseUrl', () => {
  const expected = sampleMarkets()
    .map((s) => s.object as Doc)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

  it('points every sample market at the given Assessor API and changes nothing else', () => {
    const markets = render(`samples.markets.assessorBaseUrl=${URL}`);
    expect(markets).toHaveLength(10);
    const withUrl = structuredClone(expected);
    for (const m of withUrl) m.spec.sources.assessor.baseUrl = URL;
    expect(markets).toEqual(withUrl);
  });

  it("leaves the samples as they are when unset (the county's API, the markets' default)", () => {
    const markets = render();
    expect(markets).toEqual(expected);
    expect(markets.every((m) => m.spec.sources.assessor.baseUrl === undefined)).toBe(true);
  });

  it('refuses a URL that is not http(s), naming the value', () => {
    const res = helm(['template', 'phoenix', CHART, '--set', 'samples.markets.assessorBaseUrl=ftp://x']);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('/samples/markets/assessorBaseUrl');
  });
});
