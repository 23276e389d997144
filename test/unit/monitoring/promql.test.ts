import { describe, expect, it } from 'vitest';
import { COLLECTOR_METRICS as M } from '../../../src/monitoring/metrics.ts';
import { durationSeconds, histogramQuantile, regexEscape, selector } from '../../../src/monitoring/promql.ts';
import { promqlMetricNames, substituteGrafanaVariables } from '../../../src/monitoring/promql-names.ts';

describe('PromQL helpers', () => {
  it('quotes and escapes label values', () => {
    expect(selector('up', { job: 'a"b', market: '~x|y', code: '!5xx' })).toBe(
      'up{job="a\\"b",market=~"x|y",code!="5xx"}',
    );
    expect(selector(M.dailyCost)).toBe('phoenix_daily_cost_usd');
    expect(regexEscape('a.b+c')).toBe('a\\.b\\+c');
  });

  it('rates buckets and sums by le before the quantile', () => {
    expect(
      histogramQuantile(0.95, M.apiRequestDuration, { by: ['market'], window: '5m', matchers: { job: 'j' } }),
    ).toBe(
      'histogram_quantile(0.95, sum by (le, market) (rate(phoenix_api_request_duration_seconds_bucket{job="j"}[5m])))',
    );
  });

  it('refuses a quantile of a non-histogram or out of range', () => {
    expect(() => histogramQuantile(0.5, M.dailyCost, { by: [], window: '5m' })).toThrow(/not a histogram/);
    expect(() => histogramQuantile(1.5, M.apiRequestDuration, { by: [], window: '5m' })).toThrow(
      /not within/,
    );
  });

  it('converts durations', () => {
    expect(durationSeconds('6h')).toBe(21600);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(() => durationSeconds('6 hours')).toThrow(/not a duration/);
  });
});

describe('promqlMetricNames', () => {
  it.each([
    ['up{job="x"} == 0', ['up']],
    [
      'sum by (namespace, market) (rate(phoenix_errors_total{code=~"5xx|error"}[5m])) / (sum by (market) (rate(phoenix_api_requests_total[5m])) > 0)',
      ['phoenix_api_requests_total', 'phoenix_errors_total'],
    ],
    ['histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__rate_interval])))', ['x_bucket']],
    ['abs(phoenix:a:b / (phoenix:a:b offset 1d > 0) - 1) > 1e3', ['phoenix:a:b']],
    ['label_replace(a > 0.7, "resource", "cpu", "", "") or b and on (namespace, market) c', ['a', 'b', 'c']],
    ['count(ALERTS{alertstate="firing"}) or vector(0)', ['ALERTS']],
    ['time() - max without (instance) (y)', ['y']],
  ])('%s', (expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });

  it('replaces Grafana variables', () => {
    expect(substituteGrafanaVariables('rate(x{market=~"$market"}[$__rate_interval])')).toBe(
      'rate(x{market=~".*"}[5m])',
    );
  });
});
