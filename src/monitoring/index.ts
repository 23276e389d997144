/** Monitoring as code: what the MonitoringStack reconciler and the CLI use. */
export {
  buildMonitoringObjects,
  renderMonitoringFiles,
  stackObjectsSelector,
  stackObjectsSelectorFor,
  STACK_NAMESPACE_LABEL,
} from './render.ts';
export type { KubeObject } from './render.ts';
export { STACK_LABEL } from './service-monitor.ts';
export {
  MANAGED_KINDS,
  PROMETHEUS_KIND,
  kindString,
  requiredKinds,
  selectionTargets,
  type KindRef,
} from './prerequisites.ts';
export {
  labelSelectorMatches,
  prometheusSelectionStatus,
  prometheusSelects,
  type PrometheusObject,
  type PrometheusSelectionStatus,
  type SelectionTarget,
} from './selection.ts';
export { lintDashboard, lintDashboards } from './lint.ts';
export { monitoredMarkets, type MarketLike } from './markets.ts';
