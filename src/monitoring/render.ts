/**
 * Everything a MonitoringStack produces, in two forms: Kubernetes objects for the operator
 * (ServiceMonitor, PrometheusRule, AlertmanagerConfig, dashboard ConfigMaps or GrafanaDashboards)
 * and plain files for people without the Prometheus Operator (prometheus.yml, rule files,
 * alertmanager.yml, dashboard JSON). Pure: no clock, environment or network.
 */
import { dump } from 'js-yaml';
import type { Dashboard, MonitoringStack } from '../api/index.ts';
import { ruleGroups, type AlertContext } from './alerts.ts';
import { alertmanagerConfigSpec, plainAlertmanagerConfig } from './alertmanager.ts';
import { buildDashboard } from './dashboards/build.ts';
import type { DashboardContext } from './dashboards/common.ts';
import type { RuleGroup } from './rules.ts';
import type { Scope } from './scope.ts';
import {
  COLLECTOR_NAME,
  COLLECTOR_NAME_LABEL,
  MARKET_LABEL,
  METRICS_PORT_NAME,
  MONITORING_API_VERSION,
  STACK_LABEL,
  buildServiceMonitor,
  serviceLabelMeta,
  stackLabels,
} from './service-monitor.ts';
import { COLLECTOR_JOB } from './scope.ts';

export const STACK_NAMESPACE_LABEL = 'realestate.phoenix.io/monitoring-stack-namespace';
export const GRAFANA_API_VERSION = 'grafana.integreatly.org/v1beta1';
export const RULES_FILE = 'rules/phoenix.rules.yml';

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; [key: string]: unknown };
};

function stackNamespace(stack: MonitoringStack): string {
  return stack.metadata.namespace ?? 'default';
}

function stackName(stack: MonitoringStack): string {
  return stack.metadata.name ?? 'phoenix';
}

function scopeOf(stack: MonitoringStack, markets: readonly string[] | undefined): Scope {
  return markets === undefined
    ? { namespace: stackNamespace(stack) }
    : { namespace: stackNamespace(stack), markets };
}

/**
 * Label selector (`key=value,...`) of every object built for a stack, including those in other
 * namespaces that owner references cannot cover: the reconciler's finalizer deletes by it.
 */
export function stackObjectsSelector(stack: MonitoringStack): string {
  return stackObjectsSelectorFor(stackName(stack), stackNamespace(stack));
}

/** stackObjectsSelector from the stack's name and namespace alone (it may be invalid or deleted). */
export function stackObjectsSelectorFor(name: string, namespace: string): string {
  const labels = { ...stackLabels(name), [STACK_NAMESPACE_LABEL]: namespace };
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The rule groups of a stack (recording rules, and alerts when alerting is enabled). */
export function stackRuleGroups(stack: MonitoringStack, markets?: readonly string[]): RuleGroup[] {
  const ctx: AlertContext = { scope: scopeOf(stack, markets), thresholds: stack.spec.thresholds };
  return ruleGroups(ctx, stack.spec.alerting);
}

function dashboardContext(stack: MonitoringStack): DashboardContext {
  return {
    namespace: stackNamespace(stack),
    stackName: stackName(stack),
    datasource: stack.spec.grafana.datasource,
  };
}

/** The dashboards a stack asks for, by name. */
export function stackDashboards(stack: MonitoringStack): Map<Dashboard, Record<string, unknown>> {
  const ctx = dashboardContext(stack);
  return new Map(
    stack.spec.grafana.dashboards.map(
      (name) => [name, buildDashboard(name, ctx, stack.spec.thresholds)] as const,
    ),
  );
}

/** An owner reference to the stack, when the object lives in its namespace and the uid is known. */
function ownerReferences(stack: MonitoringStack, namespace: string): Record<string, unknown> {
  const uid = stack.metadata['uid'];
  if (typeof uid !== 'string' || namespace !== stackNamespace(stack)) return {};
  return {
    ownerReferences: [
      {
        apiVersion: stack.apiVersion,
        kind: stack.kind,
        name: stackName(stack),
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
}

function meta(stack: MonitoringStack, name: string, namespace: string, labels: Record<string, string> = {}) {
  return {
    name,
    namespace,
    labels: { ...labels, ...stackLabels(stackName(stack)), [STACK_NAMESPACE_LABEL]: stackNamespace(stack) },
    ...ownerReferences(stack, namespace),
  };
}

function prometheusRule(stack: MonitoringStack, markets: readonly string[] | undefined): KubeObject {
  const p = stack.spec.prometheus;
  const ns = stackNamespace(stack);
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'PrometheusRule',
    metadata: meta(stack, `${stackName(stack)}-rules`, ns, p.ruleLabels ?? p.selectorLabels),
    spec: { groups: stackRuleGroups(stack, markets) },
  };
}

function serviceMonitor(stack: MonitoringStack, markets: readonly string[] | undefined): KubeObject {
  const p = stack.spec.prometheus;
  const ns = stackNamespace(stack);
  const built = buildServiceMonitor({
    stackName: stackName(stack),
    namespace: ns,
    ...(markets === undefined ? {} : { markets }),
    selectorLabels: p.selectorLabels,
    scrapeInterval: p.scrapeInterval,
    ...(p.scrapeTimeout === undefined ? {} : { scrapeTimeout: p.scrapeTimeout }),
  });
  return { ...built, metadata: meta(stack, built.metadata.name, ns, p.selectorLabels) };
}

function alertmanagerConfig(stack: MonitoringStack): KubeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: meta(stack, `${stackName(stack)}-alerts`, stackNamespace(stack)),
    spec: alertmanagerConfigSpec(stack.spec.alerting),
  };
}

function dashboardObject(stack: MonitoringStack, name: Dashboard, json: Record<string, unknown>): KubeObject {
  const g = stack.spec.grafana;
  const ns = g.namespace ?? stackNamespace(stack);
  const objectName = `${stackName(stack)}-dashboard-${name}`;
  const text = JSON.stringify(json, null, 2);
  if (g.delivery === 'GrafanaDashboard') {
    return {
      apiVersion: GRAFANA_API_VERSION,
      kind: 'GrafanaDashboard',
      metadata: meta(stack, objectName, ns),
      spec: {
        instanceSelector: g.instanceSelector ?? {},
        allowCrossNamespaceImport: true,
        folder: g.folder,
        json: text,
      },
    };
  }
  const m = meta(stack, objectName, ns, { [g.sidecarLabel.key]: g.sidecarLabel.value });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...m, annotations: { grafana_folder: g.folder } },
    // The Grafana sidecar writes every key into one folder: keys must not collide across stacks.
    data: { [`phoenix-${stackNamespace(stack)}-${stackName(stack)}-${name}.json`]: text },
  };
}

/**
 * The objects the MonitoringStack reconciler applies. `markets` are the names of the selected
 * PhoenixMarkets; undefined means every market in the namespace.
 */
export function buildMonitoringObjects(stack: MonitoringStack, markets?: readonly string[]): KubeObject[] {
  const objects = [serviceMonitor(stack, markets), prometheusRule(stack, markets)];
  if (stack.spec.alerting.enabled) objects.push(alertmanagerConfig(stack));
  if (stack.spec.grafana.delivery !== 'None') {
    for (const [name, json] of stackDashboards(stack)) objects.push(dashboardObject(stack, name, json));
  }
  return objects;
}

/** A prometheus.yml equivalent to the ServiceMonitor, for a Prometheus without the operator. */
export function plainPrometheusConfig(
  stack: MonitoringStack,
  markets?: readonly string[],
): Record<string, unknown> {
  const p = stack.spec.prometheus;
  const marketMeta = serviceLabelMeta(MARKET_LABEL);
  const keepMarkets =
    markets === undefined
      ? []
      : [{ source_labels: [marketMeta], regex: [...markets].sort().join('|') || '^$', action: 'keep' }];
  return {
    global: { scrape_interval: p.scrapeInterval, evaluation_interval: p.scrapeInterval },
    rule_files: [RULES_FILE],
    ...(stack.spec.alerting.enabled
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] } }
      : {}),
    scrape_configs: [
      {
        job_name: COLLECTOR_JOB,
        honor_labels: true,
        ...(p.scrapeTimeout === undefined ? {} : { scrape_timeout: p.scrapeTimeout }),
        kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [stackNamespace(stack)] } }],
        relabel_configs: [
          { source_labels: [serviceLabelMeta(COLLECTOR_NAME_LABEL)], regex: COLLECTOR_NAME, action: 'keep' },
          {
            source_labels: ['__meta_kubernetes_endpoint_port_name'],
            regex: METRICS_PORT_NAME,
            action: 'keep',
          },
          ...keepMarkets,
          { source_labels: [marketMeta], target_label: 'market' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
      },
    ],
  };
}

export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true, sortKeys: false });
}

export interface MonitoringFilesOptions {
  /** Directory alertmanager.yml reads Secret files from (`<dir>/<secret>/<key>`). */
  alertmanagerSecretsDir?: string;
}

/**
 * Plain files for a Prometheus, Alertmanager and Grafana run without the operators: file name
 * (relative, `/`-separated) to content.
 */
export function renderMonitoringFiles(
  stack: MonitoringStack,
  markets?: readonly string[],
  options: MonitoringFilesOptions = {},
): Map<string, string> {
  const files = new Map<string, string>();
  files.set('prometheus.yml', toYaml(plainPrometheusConfig(stack, markets)));
  files.set(RULES_FILE, toYaml({ groups: stackRuleGroups(stack, markets) }));
  if (stack.spec.alerting.enabled) {
    const alerting = plainAlertmanagerConfig(stack.spec.alerting, options.alertmanagerSecretsDir);
    files.set('alertmanager.yml', toYaml(alerting));
  }
  for (const [name, json] of stackDashboards(stack)) {
    files.set(`dashboards/phoenix-${name}.json`, `${JSON.stringify(json, null, 2)}\n`);
  }
  return files;
}

export { STACK_LABEL };
