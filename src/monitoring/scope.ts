/**
 * What the generated rules and dashboards look at: the collectors of one namespace, optionally
 * narrowed to the markets a MonitoringStack selects. Every expression carries these matchers so
 * two stacks in two namespaces never mix each other's series.
 */
import type { Matchers } from './promql.ts';
import { regexEscape } from './promql.ts';

/** The `job` label of every collector target (ServiceMonitor `jobLabel`, plain scrape job name). */
export const COLLECTOR_JOB = 'phoenix-collector';

/** Labels every recorded series and alert keeps. */
export const GROUPING: readonly string[] = ['namespace', 'market'];

export interface Scope {
  readonly namespace: string;
  /** Market names; undefined means every market in the namespace. */
  readonly markets?: readonly string[];
}

/** `market=~"a|b"` (sorted, escaped) or nothing when every market is in scope. */
function marketMatcher(scope: Scope): Matchers {
  if (scope.markets === undefined) return {};
  const names = [...new Set(scope.markets)].sort().map(regexEscape);
  return { market: `~${names.join('|')}` };
}

/** Matchers of the scraped collector series. */
export function targetMatchers(scope: Scope): Matchers {
  return { job: COLLECTOR_JOB, namespace: scope.namespace, ...marketMatcher(scope) };
}

/** Matchers of the series our own recording rules produce. */
export function recordedMatchers(scope: Scope): Matchers {
  return { namespace: scope.namespace, ...marketMatcher(scope) };
}
