import { describe, expect, it } from 'vitest';
import {
  InvalidResourceError,
  RECEIVER_TYPES,
  SEVERITIES,
  assertMonitoringStack,
  assertPhoenixMarket,
  formatPath,
  parseMonitoringStack,
  parseMonitoringStackSpec,
  parsePhoenixMarket,
  parsePhoenixMarketSpec,
  validateDocuments,
  type ParseResult,
} from '../../../src/api/index.ts';
import { KIND_DEFINITIONS, buildCrd } from '../../../src/api/crd.ts';
import { walkOpenApi } from '../../../src/api/openapi.ts';
import { INVALID_CASES, invalidResource, validMarket, validStack } from '../../fixtures/api/invalid-cases.ts';
import { loadSamples } from '../../fixtures/api/samples.ts';

function parse(obj: Record<string, unknown>): ParseResult<unknown> {
  return obj.kind === 'PhoenixMarket' ? parsePhoenixMarket(obj) : parseMonitoringStack(obj);
}

function errorPaths(result: ParseResult<unknown>): string[] {
  return result.ok ? [] : result.errors.map((e) => e.path);
}

describe('in-process validation', () => {
  it.each(loadSamples().map((s) => [`${s.file} ${(s.object.metadata as { name: string }).name}`, s]))(
    'accepts the sample %s',
    (_name, sample) => {
      const result = parse(sample.object);
      expect(result.ok ? [] : result.errors).toEqual([]);
    },
  );

  it('has at least 20 distinct invalid cases with unique names', () => {
    expect(INVALID_CASES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(INVALID_CASES.map((c) => c.name)).size).toBe(INVALID_CASES.length);
  });

  it.each(INVALID_CASES.map((c) => [c.name, c]))('rejects %s at the field the API server names', (_n, c) => {
    const paths = errorPaths(parse(invalidResource(c)));
    expect(paths).toContain(c.field);
    if (c.strictField) expect(paths).toContain(c.strictField);
  });

  it('accepts the valid bases of the invalid cases', () => {
    expect(parse(validMarket()).ok).toBe(true);
    expect(parse(validStack()).ok).toBe(true);
  });

  it('applies the CRD defaults to a minimal market', () => {
    const market = assertPhoenixMarket(validMarket('minimal'));
    expect(market.spec.timeZone).toBe('America/Phoenix');
    expect(market.spec.schedule).toBe('0 */6 * * *');
    expect(market.spec.paused).toBe(false);
    expect(market.spec.budget.monthlyUSD).toBe(25);
    expect(market.spec.llm).toEqual({
      enabled: true,
      endpoint: 'http://ollama:11434',
      model: 'llama3.2:3b',
      timeoutSeconds: 30,
      batchSize: 10,
    });
    expect(market.spec.collector).toMatchObject({ size: 'medium', imagePullPolicy: 'IfNotPresent' });
    expect(market.spec.collector.replicas).toBeUndefined();
    expect(market.spec.collector.autoscaling).toEqual({
      enabled: false,
      minReplicas: 1,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 70,
    });
    expect(market.spec.sources.assessor).toMatchObject({
      enabled: true,
      baseUrl: 'https://mcassessor.maricopa.gov',
      requestsPerSecond: 1,
    });
    expect(market.spec.mongodb.database).toBe('phoenix_real_estate');
  });

  it("applies the design's thresholds and routing defaults to an empty MonitoringStack", () => {
    const stack = assertMonitoringStack({
      apiVersion: 'realestate.phoenix.io/v1alpha1',
      kind: 'MonitoringStack',
      metadata: { name: 'empty' },
    });
    expect(stack.spec.thresholds).toEqual({
      errorRate: 0.25,
      collectionSuccessRate: 0.5,
      budgetCritical: 0.95,
      budgetWarning: 0.8,
      dataQuality: 0.9,
      apiLatencyP95Seconds: 5,
      cpuUtilization: 0.7,
      memoryUtilization: 0.75,
      dataFreshness: '6h',
    });
    expect(stack.spec.marketSelector).toEqual({});
    expect(stack.spec.prometheus).toEqual({ selectorLabels: {}, scrapeInterval: '30s' });
    expect(stack.spec.alerting.routes.critical).toEqual({
      groupWait: '10s',
      groupInterval: '5m',
      repeatInterval: '1h',
    });
    expect(stack.spec.grafana).toMatchObject({
      delivery: 'ConfigMap',
      sidecarLabel: { key: 'grafana_dashboard', value: '1' },
      folder: 'Phoenix Real Estate',
      datasource: 'prometheus',
      dashboards: ['executive', 'operations', 'performance', 'business', 'operator'],
    });
  });

  it.each(SEVERITIES.flatMap((sev) => RECEIVER_TYPES.map((r) => [sev, r] as const)))(
    'rejects a %s route to an unconfigured %s receiver and accepts it once configured',
    (severity, receiver) => {
      const spec = { alerting: { routes: { [severity]: { receivers: [receiver] } } } };
      const bad = parseMonitoringStackSpec(spec);
      expect(bad.ok ? [] : bad.errors).toEqual([
        {
          path: `spec.alerting.routes.${severity}.receivers`,
          message: `routes.${severity}.receivers names ${receiver} but alerting.${receiver} is not configured`,
          code: 'custom',
        },
      ]);
      const configured = {
        email: { to: ['a@example.com'], from: 'b@example.com', smarthost: 'smtp.example.com:25' },
        slack: { apiUrlSecretRef: { name: 'slack', key: 'url' }, channel: '#alerts' },
      };
      expect(parseMonitoringStackSpec({ alerting: { ...spec.alerting, ...configured } }).ok).toBe(true);
    },
  );

  it('reports every problem with its path, and never echoes a secret value', () => {
    const result = parsePhoenixMarketSpec({
      zipCodes: ['85003', '123'],
      sources: { assessor: { tokenSecretRef: 'super-secret-token' } },
      mongodb: { uri: 'mongodb://user:hunter2@db' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path).sort()).toEqual([
      'spec.mongodb.uri',
      'spec.mongodb.uriSecretRef',
      'spec.sources.assessor.tokenSecretRef',
      'spec.zipCodes[1]',
    ]);
    expect(JSON.stringify(result.errors)).not.toMatch(/super-secret-token|hunter2/);
  });

  it('throws InvalidResourceError with a stable code and a message naming fields and rules', () => {
    const obj = validMarket('bad');
    (obj.spec as Record<string, unknown>).zipCodes = ['85003', '85003'];
    let caught: unknown;
    try {
      assertPhoenixMarket(obj);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidResourceError);
    const err = caught as InvalidResourceError;
    expect(err.code).toBe('PHOENIX_INVALID_RESOURCE');
    expect(err.kind).toBe('terminal');
    expect(err.message).toBe('invalid PhoenixMarket: spec.zipCodes[1]: duplicate value "85003"');
  });

  it('formats paths like the API server', () => {
    expect(formatPath(['spec', 'zipCodes', 2])).toBe('spec.zipCodes[2]');
    expect(formatPath(['spec', 'listings', 0, 'proxySecretRef', 'key'])).toBe(
      'spec.listings[0].proxySecretRef.key',
    );
    expect(formatPath([])).toBe('');
  });

  it('validates the PhoenixMarkets and MonitoringStacks of a manifest and skips other kinds', () => {
    const bad = validMarket('bad');
    (bad.spec as Record<string, unknown>).schedule = 'hourly';
    const reports = validateDocuments([
      { kind: 'Secret', metadata: { name: 's' } },
      validStack('ok'),
      bad,
      null,
    ]);
    expect(reports.map((r) => [r.index, r.kind, r.name, r.errors.map((e) => e.path)])).toEqual([
      [1, 'MonitoringStack', 'ok', []],
      [2, 'PhoenixMarket', 'bad', ['spec.schedule']],
    ]);
  });

  it('exercises every CEL rule of the CRDs with the same message in process', () => {
    const celMessages = new Set<string>();
    for (const crd of KIND_DEFINITIONS.map(buildCrd)) {
      walkOpenApi(crd.spec.versions[0]!.schema.openAPIV3Schema, (node) => {
        for (const rule of (node['x-kubernetes-validations'] ?? []) as { message: string }[]) {
          celMessages.add(rule.message);
        }
      });
    }
    const produced = new Set<string>();
    for (const c of INVALID_CASES) {
      const result = parse(invalidResource(c));
      if (!result.ok) result.errors.forEach((e) => produced.add(e.message));
    }
    for (const severity of SEVERITIES) {
      for (const receiver of RECEIVER_TYPES) {
        const result = parseMonitoringStackSpec({
          alerting: { routes: { [severity]: { receivers: [receiver] } } },
        });
        if (!result.ok) result.errors.forEach((e) => produced.add(e.message));
      }
    }
    expect(celMessages.size).toBeGreaterThanOrEqual(11);
    expect([...celMessages].filter((m) => !produced.has(m))).toEqual([]);
  });
});
