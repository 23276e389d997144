/**
 * The rendered alertmanager.yml, checked by the real amtool: the configuration loads, and each
 * severity routes to the receivers the spec names (`amtool config routes test`).
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { assertMonitoringStack, type MonitoringStack } from '../../../src/api/index.ts';
import { renderMonitoringFiles } from '../../../src/monitoring/render.ts';
import { EMAIL_HTML, EMAIL_SUBJECT, SLACK_TEXT, SLACK_TITLE } from '../../../src/monitoring/templates.ts';
import { minimalStack, sampleStack } from '../../fixtures/monitoring/stacks.ts';
import { run, writeTree } from './tools.ts';

const dirs: string[] = [];
function render(stack: MonitoringStack): string {
  const dir = writeTree(renderMonitoringFiles(stack));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function emailOnly(): MonitoringStack {
  return assertMonitoringStack({
    apiVersion: 'realestate.phoenix.io/v1alpha1',
    kind: 'MonitoringStack',
    metadata: { name: 'mail', namespace: 'phoenix' },
    spec: {
      alerting: {
        email: {
          to: ['a@example.com', 'b@example.com'],
          from: 'am@example.com',
          smarthost: 'relay.example.com:25',
          requireTLS: false,
        },
      },
    },
  });
}

describe('amtool check-config', () => {
  const stacks = {
    sample: sampleStack(),
    'no receivers': minimalStack(),
    'e-mail without auth': emailOnly(),
  };
  for (const [name, stack] of Object.entries(stacks)) {
    it(`accepts the alertmanager.yml of the ${name} stack`, () => {
      const dir = render(stack);
      const result = run('amtool', ['check-config', 'alertmanager.yml'], dir);
      expect(result.status, result.output).toBe(0);
      expect(result.output).toContain('SUCCESS');
      expect(result.output).toContain(`${1 + 3} receivers`);
    });
  }

  it('gives e-mail a Subject header and an HTML body, and reads secrets from files', () => {
    const dir = render(sampleStack());
    const text = run('amtool', ['check-config', 'alertmanager.yml'], dir).output;
    expect(text).toContain('SUCCESS');
    const config = load(renderMonitoringFiles(sampleStack()).get('alertmanager.yml')!) as {
      receivers: {
        name: string;
        email_configs?: Record<string, unknown>[];
        slack_configs?: Record<string, unknown>[];
      }[];
    };
    const critical = config.receivers.find((r) => r.name === 'phoenix-critical')!;
    const email = critical.email_configs![0]!;
    expect(email['headers']).toHaveProperty('Subject');
    expect(email['html']).toContain('{{ range .Alerts }}');
    expect(email['auth_password_file']).toBe('/etc/alertmanager/secrets/phoenix-smtp/password');
    expect(email).not.toHaveProperty('auth_password');
    expect(critical.slack_configs![0]!['api_url_file']).toBe(
      '/etc/alertmanager/secrets/phoenix-slack/webhook-url',
    );
  });

  it('rejects an e-mail receiver without a smarthost (the check can fail)', () => {
    const dir = writeTree([
      [
        'am.yml',
        'route: {receiver: x}\nreceivers:\n  - name: x\n    email_configs:\n      - to: a@example.com\n',
      ],
    ]);
    dirs.push(dir);
    const result = run('amtool', ['check-config', 'am.yml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/smarthost/i);
  });
});

describe('amtool config routes test', () => {
  it.each([
    ['critical', 'phoenix-critical'],
    ['warning', 'phoenix-warning'],
    ['info', 'phoenix-info'],
    ['none', 'phoenix-null'],
  ])('routes severity=%s to %s', (severity, receiver) => {
    const dir = render(sampleStack());
    const result = run(
      'amtool',
      [
        'config',
        'routes',
        'test',
        '--config.file=alertmanager.yml',
        `severity=${severity}`,
        'alertname=X',
        'market=mesa',
      ],
      dir,
    );
    expect(result.status, result.output).toBe(0);
    expect(result.output.split('\n')[0]).toBe(receiver);
  });
});

describe('amtool template render', () => {
  // amtool renders with its own example alerts; a template that does not execute fails here
  // instead of at the first notification.
  it.each([
    ['e-mail subject', EMAIL_SUBJECT, /^\[[A-Z]+/],
    ['e-mail HTML body', EMAIL_HTML, /<table[\s\S]*<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]+<\/td>/],
    ['Slack title', SLACK_TITLE, /^\[[A-Z]+\]/],
    ['Slack text', SLACK_TEXT, /\*/],
  ])('executes the %s', (_name, text, expected) => {
    const dir = writeTree([['empty.tmpl', '{{ define "phoenix.empty" }}{{ end }}']]);
    dirs.push(dir);
    const result = run(
      'amtool',
      ['template', 'render', '--template.glob=empty.tmpl', `--template.text=${text}`],
      dir,
    );
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(expected);
  });

  it('fails on a template that does not execute (the check can fail)', () => {
    const dir = writeTree([['empty.tmpl', '{{ define "phoenix.empty" }}{{ end }}']]);
    dirs.push(dir);
    const result = run(
      'amtool',
      ['template', 'render', '--template.glob=empty.tmpl', '--template.text={{ .Nope }}'],
      dir,
    );
    expect(result.status).not.toBe(0);
  });
});
