/**
 * Small helpers that build PromQL text. They keep the two mistakes the original design made
 * impossible to write: a quantile over raw buckets (always `rate` then `sum by (le, ...)`) and a
 * selector with unescaped label values.
 */
import type { MetricSpec } from './metrics.ts';

export type Matchers = Readonly<Record<string, string>>;

/** A label value as a PromQL string literal (double-quoted, escaped). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** Escapes regex metacharacters so `value` matches itself inside `=~`. */
export function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matcher text. A value starting with `~` is a regex match (`=~`), with `!` a negative match
 * (`!=`); anything else is an equality match.
 */
function matcher(label: string, value: string): string {
  if (value.startsWith('~')) return `${label}=~${quote(value.slice(1))}`;
  if (value.startsWith('!')) return `${label}!=${quote(value.slice(1))}`;
  return `${label}=${quote(value)}`;
}

/** `name{a="b",...}`; `name` may be a MetricSpec or a series name such as `x_bucket`. */
export function selector(name: string | MetricSpec, matchers: Matchers = {}): string {
  const metric = typeof name === 'string' ? name : name.name;
  const parts = Object.entries(matchers).map(([label, value]) => matcher(label, value));
  return parts.length === 0 ? metric : `${metric}{${parts.join(',')}}`;
}

export function by(labels: readonly string[]): string {
  return `by (${labels.join(', ')})`;
}

export function rate(series: string, window: string): string {
  return `rate(${series}[${window}])`;
}

export function increase(series: string, window: string): string {
  return `increase(${series}[${window}])`;
}

/** `sum by (labels) (expr)`. */
export function sumBy(labels: readonly string[], expr: string): string {
  return `sum ${by(labels)} (${expr})`;
}

export function maxBy(labels: readonly string[], expr: string): string {
  return `max ${by(labels)} (${expr})`;
}

/** `sum by (labels) (rate(metric{matchers}[window]))`. */
export function sumRate(
  metric: MetricSpec,
  opts: { by: readonly string[]; window: string; matchers?: Matchers },
): string {
  return sumBy(opts.by, rate(selector(metric.name, opts.matchers), opts.window));
}

/**
 * The q-quantile of a histogram: buckets are rated first and summed by `le` plus the grouping
 * labels, which is the only correct order.
 */
export function histogramQuantile(
  q: number,
  metric: MetricSpec,
  opts: { by: readonly string[]; window: string; matchers?: Matchers },
): string {
  if (metric.type !== 'histogram') throw new TypeError(`${metric.name} is not a histogram`);
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not within 0..1`);
  const buckets = selector(`${metric.name}_bucket`, opts.matchers);
  return `histogram_quantile(${q}, ${sumBy(['le', ...opts.by], rate(buckets, opts.window))})`;
}

/** Mean of a histogram over a window: rate(sum) / rate(count), grouped. */
export function histogramMean(
  metric: MetricSpec,
  opts: { by: readonly string[]; window: string; matchers?: Matchers },
): string {
  if (metric.type !== 'histogram') throw new TypeError(`${metric.name} is not a histogram`);
  const sum = sumBy(opts.by, rate(selector(`${metric.name}_sum`, opts.matchers), opts.window));
  const count = sumBy(opts.by, rate(selector(`${metric.name}_count`, opts.matchers), opts.window));
  return `${sum} / ${count}`;
}

/** Prometheus duration text (`6h`, `90m`) as seconds. */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  const parts = [...duration.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) {
    throw new RangeError(`"${duration}" is not a duration such as 30s, 5m or 6h`);
  }
  return parts.reduce((total, p) => total + Number(p[1]) * (units[p[2] ?? 's'] ?? 1), 0);
}
