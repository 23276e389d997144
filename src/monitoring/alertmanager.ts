/**
 * Alertmanager routing: one route per severity to that severity's receivers (e-mail, Slack).
 * Two renderings of the same plan: an AlertmanagerConfig for the Prometheus Operator, with
 * credentials as Secret key selectors, and a plain alertmanager.yml that reads credentials from
 * files (`auth_password_file`, `api_url_file`) so it never embeds a secret either.
 */
import {
  SEVERITIES,
  type AlertingSpec,
  type EmailReceiver,
  type ReceiverType,
  type SecretKeyRef,
  type Severity,
  type SlackReceiver,
} from '../api/index.ts';
import { EMAIL_HTML, EMAIL_SUBJECT, SLACK_TEXT, SLACK_TITLE } from './templates.ts';

export const NULL_RECEIVER = 'phoenix-null';
export const GROUP_BY = ['alertname', 'namespace', 'market'];
/** Where the Prometheus Operator mounts `Alertmanager.spec.secrets`; the plain file uses it too. */
export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

export function receiverName(severity: Severity): string {
  return `phoenix-${severity}`;
}

interface RoutePlan {
  severity: Severity;
  receivers: ReceiverType[];
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

function configured(alerting: AlertingSpec): ReceiverType[] {
  const out: ReceiverType[] = [];
  if (alerting.email) out.push('email');
  if (alerting.slack) out.push('slack');
  return out;
}

/** Per severity: the receivers named by the route, or every configured receiver. */
export function routePlan(alerting: AlertingSpec): RoutePlan[] {
  return SEVERITIES.map((severity) => {
    const route = alerting.routes[severity];
    return {
      severity,
      receivers: route.receivers ?? configured(alerting),
      groupWait: route.groupWait,
      groupInterval: route.groupInterval,
      repeatInterval: route.repeatInterval,
    };
  });
}

// ---- AlertmanagerConfig (monitoring.coreos.com/v1alpha1) ----

function crEmail(email: EmailReceiver): Record<string, unknown> {
  return {
    to: email.to.join(', '),
    from: email.from,
    smarthost: email.smarthost,
    ...(email.authUsername === undefined ? {} : { authUsername: email.authUsername }),
    ...(email.authPasswordSecretRef === undefined
      ? {}
      : { authPassword: { ...email.authPasswordSecretRef } }),
    requireTLS: email.requireTLS,
    headers: [{ key: 'Subject', value: EMAIL_SUBJECT }],
    html: EMAIL_HTML,
    sendResolved: true,
  };
}

function crSlack(slack: SlackReceiver): Record<string, unknown> {
  return {
    apiURL: { ...slack.apiUrlSecretRef },
    channel: slack.channel,
    title: SLACK_TITLE,
    text: SLACK_TEXT,
    sendResolved: slack.sendResolved,
  };
}

function crReceiver(plan: RoutePlan, alerting: AlertingSpec): Record<string, unknown> {
  const receiver: Record<string, unknown> = { name: receiverName(plan.severity) };
  if (plan.receivers.includes('email') && alerting.email)
    receiver['emailConfigs'] = [crEmail(alerting.email)];
  if (plan.receivers.includes('slack') && alerting.slack)
    receiver['slackConfigs'] = [crSlack(alerting.slack)];
  return receiver;
}

/** The `spec` of an AlertmanagerConfig. */
export function alertmanagerConfigSpec(alerting: AlertingSpec): Record<string, unknown> {
  const plans = routePlan(alerting);
  return {
    route: {
      receiver: NULL_RECEIVER,
      groupBy: GROUP_BY,
      routes: plans.map((p) => ({
        matchers: [{ name: 'severity', value: p.severity, matchType: '=' }],
        receiver: receiverName(p.severity),
        groupWait: p.groupWait,
        groupInterval: p.groupInterval,
        repeatInterval: p.repeatInterval,
      })),
    },
    receivers: [{ name: NULL_RECEIVER }, ...plans.map((p) => crReceiver(p, alerting))],
    inhibitRules: [
      {
        sourceMatch: [{ name: 'alertname', value: 'SystemDown', matchType: '=' }],
        targetMatch: [{ name: 'alertname', value: 'SystemDown', matchType: '!=' }],
        equal: ['namespace', 'market'],
      },
    ],
  };
}

// ---- plain alertmanager.yml ----

/**
 * Path of a Secret key under `secretsDir`, laid out as the Prometheus Operator mounts
 * `Alertmanager.spec.secrets`: `<secretsDir>/<secret>/<key>`.
 */
export function secretFile(ref: SecretKeyRef, secretsDir = ALERTMANAGER_SECRETS_DIR): string {
  return `${secretsDir.replace(/\/+$/, '')}/${ref.name}/${ref.key}`;
}

function plainEmail(email: EmailReceiver, secretsDir: string): Record<string, unknown> {
  return {
    to: email.to.join(', '),
    from: email.from,
    smarthost: email.smarthost,
    ...(email.authUsername === undefined ? {} : { auth_username: email.authUsername }),
    ...(email.authPasswordSecretRef === undefined
      ? {}
      : { auth_password_file: secretFile(email.authPasswordSecretRef, secretsDir) }),
    require_tls: email.requireTLS,
    headers: { Subject: EMAIL_SUBJECT },
    html: EMAIL_HTML,
    send_resolved: true,
  };
}

function plainSlack(slack: SlackReceiver, secretsDir: string): Record<string, unknown> {
  return {
    api_url_file: secretFile(slack.apiUrlSecretRef, secretsDir),
    channel: slack.channel,
    title: SLACK_TITLE,
    text: SLACK_TEXT,
    send_resolved: slack.sendResolved,
  };
}

function plainReceiver(plan: RoutePlan, alerting: AlertingSpec, secretsDir: string): Record<string, unknown> {
  const receiver: Record<string, unknown> = { name: receiverName(plan.severity) };
  if (plan.receivers.includes('email') && alerting.email)
    receiver['email_configs'] = [plainEmail(alerting.email, secretsDir)];
  if (plan.receivers.includes('slack') && alerting.slack)
    receiver['slack_configs'] = [plainSlack(alerting.slack, secretsDir)];
  return receiver;
}

/**
 * A complete alertmanager.yml (as an object) for an Alertmanager outside the operator. Secret
 * files are read from `secretsDir` (default: where the Prometheus Operator mounts them).
 */
export function plainAlertmanagerConfig(
  alerting: AlertingSpec,
  secretsDir = ALERTMANAGER_SECRETS_DIR,
): Record<string, unknown> {
  const plans = routePlan(alerting);
  return {
    route: {
      receiver: NULL_RECEIVER,
      group_by: GROUP_BY,
      routes: plans.map((p) => ({
        matchers: [`severity="${p.severity}"`],
        receiver: receiverName(p.severity),
        group_wait: p.groupWait,
        group_interval: p.groupInterval,
        repeat_interval: p.repeatInterval,
      })),
    },
    inhibit_rules: [
      {
        source_matchers: ['alertname="SystemDown"'],
        target_matchers: ['alertname!="SystemDown"'],
        equal: ['namespace', 'market'],
      },
    ],
    receivers: [{ name: NULL_RECEIVER }, ...plans.map((p) => plainReceiver(p, alerting, secretsDir))],
  };
}
