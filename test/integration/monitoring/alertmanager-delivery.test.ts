/**
 * The rendered alertmanager.yml really delivers: a real Alertmanager runs a copy of it, with the
 * e-mail smarthost pointed at a fake SMTP relay and the Slack webhook (read from its Secret file)
 * at a fake Slack, and alerts posted to its API arrive where the sample stack's routes send them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitUntil, type ManagedProcess } from '../../../src/local/process.ts';
import { renderMonitoringFiles, toYaml } from '../../../src/monitoring/render.ts';
import { toolPath } from '../../../src/shared/tools.ts';
import { startFakeSmtp, type FakeSmtp, type ReceivedMail } from '../../support/fakes/smtp.ts';
import { startFakeSlack, type FakeSlack, type SlackMessage } from '../../support/fakes/slack.ts';
import { sampleStack } from '../../fixtures/monitoring/stacks.ts';
import { run } from './tools.ts';

const SMTP_PASSWORD = 'smtp-password-from-secret';
/** The copy's group_wait (the sample waits 10 s for critical, 30 s by default). */
const GROUP_WAIT = '1s';

interface PlainConfig {
  route: { routes: Record<string, unknown>[] };
  receivers: { name: string; email_configs?: Record<string, unknown>[] }[];
}

/** The rendered file with the test's changes; everything else is as rendered. */
function testCopy(rendered: string, smtp: FakeSmtp): string {
  const config = load(rendered) as PlainConfig;
  for (const route of config.route.routes) route['group_wait'] = GROUP_WAIT;
  for (const email of config.receivers.flatMap((r) => r.email_configs ?? [])) {
    email['smarthost'] = smtp.smarthost;
    // The fake relay does not offer STARTTLS; the sample requires it (requireTLS: true).
    email['require_tls'] = false;
  }
  return toYaml(config);
}

function writeFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** The text of an HTML part sent quoted-printable (soft line breaks and =XX escapes undone). */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = joined.replace(/=([0-9A-F]{2})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function alert(labels: Record<string, string>, summary: string): Record<string, unknown> {
  return { labels, annotations: { summary, description: `${summary} (description)` } };
}

const ALERTS = [
  alert(
    { alertname: 'SystemDown', severity: 'critical', market: 'phoenix', namespace: 'phoenix' },
    'Collector of phoenix is down',
  ),
  // Another market: the SystemDown above inhibits every other alert of market phoenix.
  alert(
    { alertname: 'HighErrorRate', severity: 'warning', market: 'mesa', namespace: 'phoenix' },
    'Error rate of mesa is high',
  ),
  // Inhibited by SystemDown (same namespace and market): never notified.
  alert(
    { alertname: 'LowDataQuality', severity: 'warning', market: 'phoenix', namespace: 'phoenix' },
    'Data quality of phoenix is low',
  ),
];

describe('Alertmanager delivery of the rendered configuration', () => {
  const stack = sampleStack();
  let smtp: FakeSmtp;
  let slack: FakeSlack;
  let alertmanager: ManagedProcess | undefined;
  let amUrl = '';
  let dir = '';
  let deliveredInMs = -1;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'phoenix-alertmanager-'));
    const secrets = join(dir, 'secrets');
    const { email, slack: slackSpec } = stack.spec.alerting;
    const password = email!.authPasswordSecretRef!;
    writeFile(join(secrets, password.name, password.key), SMTP_PASSWORD);
    writeFile(join(secrets, slackSpec!.apiUrlSecretRef.name, slackSpec!.apiUrlSecretRef.key), slack.url);
    const rendered = renderMonitoringFiles(stack, undefined, { alertmanagerSecretsDir: secrets });
    writeFile(join(dir, 'alertmanager.yml'), testCopy(rendered.get('alertmanager.yml')!, smtp));

    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = startProcess({
      name: 'alertmanager',
      command: toolPath('alertmanager'),
      args: [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      logFile: join(dir, 'alertmanager.log'),
    });
    const ready = await waitUntil(() => fetch(`${amUrl}/-/ready`).then((r) => r.ok), 15_000);
    if (!ready) throw new Error(`alertmanager did not become ready; see ${alertmanager.logFile}`);

    const started = Date.now();
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ALERTS),
    });
    expect(res.status).toBe(200);
    // One e-mail (critical) and two Slack messages (critical, the uninhibited warning).
    await waitUntil(() => smtp.messages.length >= 1 && slack.messages.length >= 2, 15_000);
    deliveredInMs = Date.now() - started;
    // Longer than a group_wait again: anything misrouted or not inhibited would arrive by now.
    await new Promise((r) => setTimeout(r, 2_500));
  }, 40_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await smtp.close();
    await slack.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('runs a copy that amtool accepts', () => {
    const result = run('amtool', ['check-config', 'alertmanager.yml'], dir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('delivers within a few group_waits', () => {
    expect(deliveredInMs).toBeGreaterThanOrEqual(0);
    expect(deliveredInMs).toBeLessThan(10_000);
  });

  it('e-mails the critical alert only, authenticated with the password from its Secret file', () => {
    expect(smtp.messages).toHaveLength(1);
    const mail: ReceivedMail = smtp.messages[0]!;
    expect(mail.from).toBe(stack.spec.alerting.email!.from);
    expect(mail.to).toEqual(stack.spec.alerting.email!.to);
    expect(mail.auth).toEqual({ username: stack.spec.alerting.email!.authUsername, password: SMTP_PASSWORD });
    expect(mail.data).toMatch(/^Subject: \[FIRING:1\] critical: SystemDown \(phoenix\)$/m);
    expect(mail.data).toMatch(/^Content-Type: text\/html/m);
    const html = decodeQuotedPrintable(mail.data);
    expect(html).toContain('<h2>SystemDown is firing</h2>');
    expect(html).toContain('<td>Collector of phoenix is down</td>');
    expect(html).not.toContain('HighErrorRate');
  });

  it('posts the critical and the warning alert to Slack, and nothing for the inhibited one', () => {
    const titles = slack.messages.map((m: SlackMessage) => m.attachments?.[0]?.title).sort();
    expect(titles).toEqual(['[FIRING] HighErrorRate (mesa)', '[FIRING] SystemDown (phoenix)']);
    for (const message of slack.messages) expect(message.channel).toBe('#phoenix-alerts');
    const critical = slack.messages.find((m) => m.attachments?.[0]?.title?.includes('SystemDown'));
    expect(critical?.attachments?.[0]?.text).toContain('*Collector of phoenix is down*');
    expect(JSON.stringify(slack.messages)).not.toContain('LowDataQuality');
  });
});
