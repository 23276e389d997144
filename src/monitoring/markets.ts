/**
 * Which PhoenixMarkets a MonitoringStack covers: those of its namespace that its marketSelector
 * matches, minus paused ones (a paused market is scaled to zero, so "down" and "stale" would be
 * false alarms). The names feed the `market` matchers of every rule and the ServiceMonitor.
 */
import type { MonitoringStack } from '../api/index.ts';
import { labelSelectorMatches } from './selection.ts';

export interface MarketLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: { paused?: boolean };
}

export function monitoredMarkets(stack: MonitoringStack, markets: readonly MarketLike[]): string[] {
  const namespace = stack.metadata.namespace ?? 'default';
  const names = markets
    .filter((m) => (m.metadata?.namespace ?? 'default') === namespace)
    .filter((m) => m.spec?.paused !== true)
    .filter((m) => labelSelectorMatches(stack.spec.marketSelector, m.metadata?.labels ?? {}))
    .map((m) => m.metadata?.name ?? '')
    .filter((name) => name !== '');
  return [...new Set(names)].sort();
}
