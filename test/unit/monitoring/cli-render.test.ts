import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderStacks, writeFiles } from '../../../src/cli/render-monitoring.ts';

const market = (name: string, labels: Record<string, string>, namespace?: string) => ({
  apiVersion: 'realestate.phoenix.io/v1alpha1',
  kind: 'PhoenixMarket',
  metadata: { name, labels, ...(namespace === undefined ? {} : { namespace }) },
  spec: { displayName: name, zipCodes: ['85001'] },
});

const stack = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'realestate.phoenix.io/v1alpha1',
  kind: 'MonitoringStack',
  metadata: { name: 'metro' },
  spec: { marketSelector: { matchLabels: { metro: 'phoenix' } }, ...spec },
});

describe('phoenix render for MonitoringStacks', () => {
  it('covers the markets of the file the selector picks, in the same namespace', () => {
    const docs = [
      market('mesa', { metro: 'phoenix' }),
      market('tucson', { metro: 'tucson' }),
      market('tempe', { metro: 'phoenix' }, 'other'),
      stack(),
    ];
    const { objects, errors } = renderStacks(docs);
    expect(errors).toEqual([]);
    const sm = objects.find((o) => o.kind === 'ServiceMonitor');
    expect(sm?.['spec']).toMatchObject({
      selector: {
        matchExpressions: [{ key: 'realestate.phoenix.io/market', operator: 'In', values: ['mesa'] }],
      },
    });
  });

  it('covers every market of the namespace when the file has none', () => {
    const { objects } = renderStacks([stack()]);
    const sm = objects.find((o) => o.kind === 'ServiceMonitor');
    expect(sm?.['spec']).toMatchObject({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'phoenix-collector' } },
    });
    expect((sm?.['spec'] as { selector: object }).selector).not.toHaveProperty('matchExpressions');
  });

  it('writes the plain files under the stack name', () => {
    const { files } = renderStacks([stack()]);
    const dir = mkdtempSync(join(tmpdir(), 'phoenix-render-'));
    try {
      writeFiles(dir, files);
      expect(readFileSync(join(dir, 'metro', 'alertmanager.yml'), 'utf8')).toContain(
        'receiver: phoenix-null',
      );
      expect(readFileSync(join(dir, 'metro', 'rules', 'phoenix.rules.yml'), 'utf8')).toContain(
        'alert: DataStale',
      );
      expect(
        JSON.parse(readFileSync(join(dir, 'metro', 'dashboards', 'phoenix-executive.json'), 'utf8')),
      ).toHaveProperty('timezone', 'America/Phoenix');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an invalid stack with the field and the rule', () => {
    const { objects, errors } = renderStacks([stack({ thresholds: { budgetWarning: 0.99 } })]);
    expect(objects).toEqual([]);
    expect(errors.join()).toMatch(
      /MonitoringStack metro:[\s\S]*budgetWarning must be less than budgetCritical/,
    );
  });

  it('reads the Alertmanager secrets from the directory asked for', () => {
    const alerting = {
      enabled: true,
      slack: { apiUrlSecretRef: { name: 'phoenix-slack', key: 'webhook-url' }, channel: '#a' },
      routes: { critical: { receivers: ['slack'] } },
    };
    const yaml = (dir?: string) =>
      renderStacks([stack({ alerting })], dir === undefined ? {} : { alertmanagerSecretsDir: dir }).files.get(
        'metro/alertmanager.yml',
      );
    expect(yaml()).toContain('api_url_file: /etc/alertmanager/secrets/phoenix-slack/webhook-url');
    expect(yaml('/run/secrets')).toContain('api_url_file: /run/secrets/phoenix-slack/webhook-url');
  });
});
