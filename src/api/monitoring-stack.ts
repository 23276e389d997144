/**
 * MonitoringStack: the Prometheus Operator objects, Alertmanager routing and Grafana dashboards
 * for the PhoenixMarkets it selects. Thresholds default to the monitoring design.
 */
import { z } from 'zod';
import {
  API_VERSION,
  DNS_SUBDOMAIN,
  conditionsSchema,
  duration,
  httpUrl,
  labelMap,
  labelSelectorSchema,
  objectMetaSchema,
  secretRef,
  uniqueItems,
  withRule,
} from './common.ts';

export const MONITORING_STACK_KIND = 'MonitoringStack';
export const MONITORING_STACK_PLURAL = 'monitoringstacks';
export const MONITORING_STACK_SINGULAR = 'monitoringstack';
export const MONITORING_STACK_SHORT_NAMES = ['mstack'] as const;

export const DASHBOARDS = ['executive', 'operations', 'performance', 'business', 'operator'] as const;
export const RECEIVER_TYPES = ['email', 'slack'] as const;
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export const GRAFANA_DELIVERIES = ['ConfigMap', 'GrafanaDashboard', 'None'] as const;

export const prometheusSchema = z
  .strictObject({
    selectorLabels: labelMap(
      'Labels put on the ServiceMonitor so that Prometheus selects it (for kube-prometheus-stack: `release: <release name>`).',
    ).prefault({}),
    ruleLabels: labelMap('Labels put on the PrometheusRule; selectorLabels when unset.').optional(),
    scrapeInterval: duration('Scrape interval of the collectors.').default('30s'),
    scrapeTimeout: duration(
      "Scrape timeout; Prometheus's default when unset (Prometheus rejects one longer than the interval).",
    ).optional(),
  })
  .describe('How Prometheus finds the scrape configuration and rules.');

const ratio = (description: string, value: number) =>
  z.number().min(0).max(1).default(value).describe(description);

const thresholdsBase = z
  .strictObject({
    errorRate: ratio('Error rate (errors / API requests) above which an alert fires.', 0.25),
    collectionSuccessRate: ratio('Collection success ratio below which an alert fires.', 0.5),
    budgetCritical: ratio('Budget utilisation (monthly cost / budget) for the critical alert.', 0.95),
    budgetWarning: ratio('Budget utilisation (monthly cost / budget) for the warning alert.', 0.8),
    dataQuality: ratio('Data quality score below which an alert fires.', 0.9),
    apiLatencyP95Seconds: z
      .number()
      .gt(0)
      .max(300)
      .default(5)
      .describe('95th percentile API request latency, in seconds, above which an alert fires.'),
    cpuUtilization: ratio('CPU use as a fraction of the limit above which an alert fires.', 0.7),
    memoryUtilization: ratio('Memory use as a fraction of the limit above which an alert fires.', 0.75),
    dataFreshness: duration(
      'Age of the last successful collection above which data counts as stale.',
    ).default('6h'),
  })
  .describe('Alert thresholds; defaults follow the monitoring design.');

export const thresholdsSchema = withRule(
  thresholdsBase,
  {
    rule: 'self.budgetWarning < self.budgetCritical',
    message: 'budgetWarning must be less than budgetCritical',
    fieldPath: '.budgetWarning',
  },
  (t) => t.budgetWarning < t.budgetCritical,
);

const emailBase = z
  .strictObject({
    to: z.array(z.email().describe('An e-mail address.')).min(1).max(20).describe('Recipients.'),
    from: z.email().describe('Sender address.'),
    smarthost: z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, { error: 'must be host:port' })
      .describe('SMTP server as host:port.'),
    authUsername: z.string().min(1).max(253).optional().describe('SMTP user name.'),
    authPasswordSecretRef: secretRef('Secret key holding the SMTP password.').optional(),
    requireTLS: z.boolean().default(true).describe('Require STARTTLS.'),
  })
  .describe('E-mail receiver.');

export const emailReceiverSchema = withRule(
  emailBase,
  {
    rule: 'has(self.authUsername) == has(self.authPasswordSecretRef)',
    message: 'authUsername and authPasswordSecretRef must be set together',
    fieldPath: '.authPasswordSecretRef',
  },
  (e) => (e.authUsername === undefined) === (e.authPasswordSecretRef === undefined),
);

export const slackReceiverSchema = z
  .strictObject({
    apiUrlSecretRef: secretRef('Secret key holding the Slack incoming-webhook URL.'),
    channel: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[#@]?[A-Za-z0-9._-]+$/, { error: 'must be a channel name such as #alerts' })
      .describe('Channel to post to, e.g. #phoenix-alerts.'),
    sendResolved: z.boolean().default(true).describe('Also notify when an alert resolves.'),
  })
  .describe('Slack receiver.');

function route(description: string, wait: string, interval: string, repeat: string) {
  return z
    .strictObject({
      receivers: uniqueItems(z.array(z.enum(RECEIVER_TYPES).describe('A receiver type.')).max(2))
        .optional()
        .describe('Receivers notified; every configured receiver when unset.'),
      groupWait: duration('How long to wait to group alerts before the first notification.').default(wait),
      groupInterval: duration('How long to wait before notifying about new alerts in a group.').default(
        interval,
      ),
      repeatInterval: duration('How long to wait before repeating a notification.').default(repeat),
    })
    .describe(description)
    .prefault({});
}

export const routesSchema = z
  .strictObject({
    critical: route('Routing of critical alerts.', '10s', '5m', '1h'),
    warning: route('Routing of warning alerts.', '30s', '5m', '4h'),
    info: route('Routing of info alerts.', '1m', '10m', '24h'),
  })
  .describe('Per-severity routing.');

const alertingBase = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Create the PrometheusRule and the AlertmanagerConfig.'),
    runbookBaseUrl: httpUrl('Base URL of the runbooks; each alert links `<base>/<alert name>`.').optional(),
    email: emailReceiverSchema.optional(),
    slack: slackReceiverSchema.optional(),
    routes: routesSchema.prefault({}),
  })
  .describe('Alert rules, receivers and routing.');

type AlertingValue = z.output<typeof alertingBase>;

/** One rule per severity and receiver type: a route may only name a configured receiver. */
function receiverRules(schema: typeof alertingBase): typeof alertingBase {
  let result = schema;
  for (const severity of SEVERITIES) {
    for (const receiver of RECEIVER_TYPES) {
      result = withRule(
        result,
        {
          rule: `!has(self.routes.${severity}.receivers) || !('${receiver}' in self.routes.${severity}.receivers) || has(self.${receiver})`,
          message: `routes.${severity}.receivers names ${receiver} but alerting.${receiver} is not configured`,
          fieldPath: `.routes.${severity}.receivers`,
        },
        (a: AlertingValue) =>
          !(a.routes[severity].receivers ?? []).includes(receiver) || a[receiver] !== undefined,
      );
    }
  }
  return result;
}

export const alertingSchema = receiverRules(alertingBase);

const grafanaBase = z
  .strictObject({
    delivery: z
      .enum(GRAFANA_DELIVERIES)
      .default('ConfigMap')
      .describe(
        'How dashboards reach Grafana: ConfigMaps for the Grafana sidecar, grafana-operator GrafanaDashboard resources, or None.',
      ),
    sidecarLabel: z
      .strictObject({
        key: z.string().min(1).max(316).default('grafana_dashboard').describe('Label key.'),
        value: z.string().max(63).default('1').describe('Label value.'),
      })
      .prefault({})
      .describe('Label the Grafana sidecar looks for on dashboard ConfigMaps.'),
    instanceSelector: labelSelectorSchema
      .optional()
      .describe('Selects the Grafana instances (grafana-operator); required for delivery GrafanaDashboard.'),
    namespace: z
      .string()
      .max(63)
      .regex(DNS_SUBDOMAIN)
      .optional()
      .describe("Namespace for dashboard ConfigMaps; the MonitoringStack's namespace when unset."),
    folder: z
      .string()
      .min(1)
      .max(128)
      .default('Phoenix Real Estate')
      .describe('Grafana folder of the dashboards.'),
    datasource: z
      .string()
      .min(1)
      .max(128)
      .default('prometheus')
      .describe('Name (uid) of the Prometheus datasource.'),
    dashboards: uniqueItems(z.array(z.enum(DASHBOARDS).describe('A dashboard.')).max(DASHBOARDS.length))
      .default([...DASHBOARDS])
      .describe('Dashboards to create.'),
  })
  .describe('Grafana dashboards.');

export const grafanaSchema = withRule(
  grafanaBase,
  {
    rule: "self.delivery != 'GrafanaDashboard' || has(self.instanceSelector)",
    message: 'instanceSelector is required when delivery is GrafanaDashboard',
    fieldPath: '.instanceSelector',
    reason: 'FieldValueRequired',
  },
  (g) => g.delivery !== 'GrafanaDashboard' || g.instanceSelector !== undefined,
);

export const monitoringStackSpecSchema = z
  .strictObject({
    marketSelector: labelSelectorSchema
      .prefault({})
      .describe(
        "Selects the PhoenixMarkets covered; empty selects every market in the MonitoringStack's namespace.",
      ),
    prometheus: prometheusSchema.prefault({}),
    thresholds: thresholdsSchema.prefault({}),
    alerting: alertingSchema.prefault({}),
    grafana: grafanaSchema.prefault({}),
  })
  .describe('Desired monitoring of the selected markets.');

/** Condition types of a MonitoringStack. */
export const STACK_CONDITIONS = ['Ready', 'Degraded', 'PrerequisitesMissing'] as const;
export type StackConditionType = (typeof STACK_CONDITIONS)[number];

export const createdObjectSchema = z
  .object({
    apiVersion: z.string().describe('API version of the object.'),
    kind: z.string().describe('Kind of the object.'),
    namespace: z.string().optional().describe('Namespace of the object.'),
    name: z.string().describe('Name of the object.'),
  })
  .describe('An object the MonitoringStack created.');

export const prometheusSelectionSchema = z
  .object({
    prometheus: z.string().describe('The Prometheus resource, as namespace/name.'),
    serviceMonitorSelected: z.boolean().describe('Whether it selects the ServiceMonitor.'),
    ruleSelected: z.boolean().describe('Whether it selects the PrometheusRule.'),
    message: z.string().max(1024).optional().describe('Why not, when it does not.'),
  })
  .describe('Whether one Prometheus picks up the stack.');

export const monitoringStackStatusSchema = z
  .object({
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('metadata.generation the status was computed from.'),
    conditions: conditionsSchema('Ready, Degraded and PrerequisitesMissing (kstatus-compatible).').optional(),
    selectedMarkets: z.number().int().min(0).optional().describe('Number of PhoenixMarkets selected.'),
    createdObjects: z
      .array(createdObjectSchema)
      .max(64)
      .optional()
      .describe('Objects created for this stack.'),
    missingPrerequisites: z
      .array(z.string().describe('A missing prerequisite.'))
      .max(32)
      .optional()
      .describe(
        'CRDs or objects the stack needs that the cluster lacks (e.g. monitoring.coreos.com/v1 ServiceMonitor).',
      ),
    prometheusSelection: z
      .array(prometheusSelectionSchema)
      .max(32)
      .optional()
      .describe('For each Prometheus in the cluster, whether it selects the stack.'),
  })
  .describe('Observed state of the monitoring stack.');

export const monitoringStackSchema = z
  .object({
    apiVersion: z.literal(API_VERSION).describe('API version of the resource.'),
    kind: z.literal(MONITORING_STACK_KIND).describe('Kind of the resource.'),
    metadata: objectMetaSchema,
    spec: monitoringStackSpecSchema.prefault({}),
    status: monitoringStackStatusSchema.optional(),
  })
  .describe('Monitoring (scraping, alerts, routing and dashboards) of a set of PhoenixMarkets.');

export type MonitoringStack = z.output<typeof monitoringStackSchema>;
export type MonitoringStackInput = z.input<typeof monitoringStackSchema>;
export type MonitoringStackSpec = z.output<typeof monitoringStackSpecSchema>;
export type MonitoringStackStatus = z.output<typeof monitoringStackStatusSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
export type AlertingSpec = z.output<typeof alertingSchema>;
export type EmailReceiver = z.output<typeof emailReceiverSchema>;
export type SlackReceiver = z.output<typeof slackReceiverSchema>;
export type GrafanaSpec = z.output<typeof grafanaSchema>;
export type PrometheusSpec = z.output<typeof prometheusSchema>;
export type Dashboard = (typeof DASHBOARDS)[number];
export type Severity = (typeof SEVERITIES)[number];
export type ReceiverType = (typeof RECEIVER_TYPES)[number];
export type CreatedObject = z.output<typeof createdObjectSchema>;
