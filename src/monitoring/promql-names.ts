/**
 * Which series names a PromQL expression reads, found lexically: strings, label matchers, ranges
 * and grouping clauses are removed, then every identifier that is not a function, aggregation or
 * keyword is a metric name. Enough for the expressions this project generates, and tested on them.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'Inf',
  'NaN',
]);

export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\()/g)) {
    const [name] = match;
    const rest = stripped.slice(match.index + name.length);
    if (KEYWORDS.has(name) || /^[a-zA-Z0-9_:]/.test(rest)) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** Grafana variables replaced by values Prometheus accepts, so promtool can parse panel queries. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '.*');
}
