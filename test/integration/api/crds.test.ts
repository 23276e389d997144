/**
 * The generated CRDs on a real kube-apiserver: samples accepted, the shared invalid cases rejected
 * with the field named (through client-node and kubectl), defaults identical to in-process
 * parsing, the scale subresource, kstatus conditions, `kubectl explain` and the category.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GROUP,
  MONITORING_STACK_PLURAL,
  PHOENIX_MARKET_PLURAL,
  VERSION,
  parseMonitoringStack,
  parsePhoenixMarket,
} from '../../../src/api/index.ts';
import { waitUntil } from '../../../src/local/process.ts';
import {
  INVALID_CASES,
  invalidResource,
  validMarket,
  type InvalidCase,
} from '../../fixtures/api/invalid-cases.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';
import { loadExampleSecrets, loadSamples } from '../../fixtures/api/samples.ts';
import { kubeConfig, kubeconfigPath, useNamespace } from '../../support/kube.ts';

const KUBECTL = '/usr/bin/kubectl';

type Obj = Record<string, unknown>;

function pluralOf(kind: unknown): string {
  return kind === 'PhoenixMarket' ? PHOENIX_MARKET_PLURAL : MONITORING_STACK_PLURAL;
}

interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  const child = execFile(KUBECTL, ['--kubeconfig', kubeconfigPath(), ...args], { timeout: 60_000 });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()));
  child.stdin?.end(input ?? '');
  const code = await new Promise<number>((resolve) =>
    child.on('close', (c) => {
      resolve(c ?? -1);
    }),
  );
  return { code, ...out };
}

/** The status code and message of a rejected request, or undefined when it was accepted. */
async function rejection(request: Promise<unknown>): Promise<{ code: number; message: string } | undefined> {
  try {
    await request;
    return undefined;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    const body: unknown = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code ?? 0, message: (body as { message?: string } | undefined)?.message ?? String(err) };
  }
}

describe('PhoenixMarket and MonitoringStack CRDs on a real API server', () => {
  const ns = useNamespace('api');
  const kc = kubeConfig();
  const custom = kc.makeApiClient(CustomObjectsApi);

  const create = (body: Obj, fieldValidation: 'Strict' | 'Ignore' = 'Strict', dryRun?: 'All') =>
    custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: pluralOf(body.kind),
      body,
      fieldValidation,
      ...(dryRun ? { dryRun } : {}),
    }) as Promise<Obj>;

  const get = (plural: string, name: string) =>
    custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural,
      name,
    }) as Promise<Obj>;

  beforeAll(async () => {
    expect(existsSync(KUBECTL)).toBe(true);
    await installCrds(kc);
  });

  describe('samples', () => {
    it('accepts the example Secrets and every sample, with the same defaults as in-process parsing', async () => {
      const core = kc.makeApiClient(CoreV1Api);
      for (const secret of loadExampleSecrets()) {
        await core.createNamespacedSecret({ namespace: ns.name, body: secret.object });
      }
      const samples = loadSamples();
      expect(samples.filter((s) => s.object.kind === 'PhoenixMarket')).toHaveLength(10);
      expect(samples.filter((s) => s.object.kind === 'MonitoringStack')).toHaveLength(1);
      for (const sample of samples) {
        const stored = await create(sample.object);
        const parsed =
          sample.object.kind === 'PhoenixMarket'
            ? parsePhoenixMarket(sample.object)
            : parseMonitoringStack(sample.object);
        expect(parsed.ok, sample.file).toBe(true);
        if (parsed.ok) expect(stored.spec, sample.file).toEqual(parsed.value.spec);
      }
    });

    it('lists both kinds under the phoenix category', async () => {
      const result = await kubectl(['get', 'phoenix', '-n', ns.name, '-o', 'name']);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('phoenixmarket.realestate.phoenix.io/phoenix');
      expect(result.stdout).toContain('phoenixmarket.realestate.phoenix.io/goodyear');
      expect(result.stdout).toContain('monitoringstack.realestate.phoenix.io/phoenix-metro');
      const short = await kubectl(['get', 'pm,mstack', '-n', ns.name, '--no-headers']);
      expect(short.stdout.trim().split('\n')).toHaveLength(11);
    });

    it('kubectl scale pm phoenix --replicas=5 scales the Phoenix sample', async () => {
      const result = await kubectl(['scale', 'pm', 'phoenix', '-n', ns.name, '--replicas=5']);
      expect(result.stderr).toBe('');
      const scale = await kubectl([
        'get',
        'pm',
        'phoenix',
        '-n',
        ns.name,
        '--subresource=scale',
        '-o',
        'json',
      ]);
      expect((JSON.parse(scale.stdout) as { spec: unknown }).spec).toEqual({ replicas: 5 });
    });
  });

  describe('invalid resources', () => {
    it('has at least 20 cases', () => {
      expect(INVALID_CASES.length).toBeGreaterThanOrEqual(20);
    });

    it.each(INVALID_CASES.map((c) => [c.name, c] as [string, InvalidCase]))(
      '%s is rejected naming the field (client-node, Strict and Ignore)',
      async (_name, c) => {
        const strict = await rejection(create(invalidResource(c), 'Strict', 'All'));
        expect(strict, 'accepted under Strict').toBeDefined();
        expect([400, 422]).toContain(strict?.code);
        expect(strict?.message).toContain(c.strictField ?? c.field);

        const lenient = await rejection(create(invalidResource(c), 'Ignore', 'All'));
        if (c.strictOnly) {
          // Without Strict the API server prunes an unknown field instead of rejecting it.
          expect(lenient).toBeUndefined();
        } else {
          expect(lenient?.code).toBe(422);
          expect(lenient?.message).toContain(c.field);
        }
      },
    );

    it('kubectl reports every case with the field named', async () => {
      const unnamed: string[] = [];
      for (const c of INVALID_CASES) {
        const result = await kubectl(
          ['create', '-n', ns.name, '-f', '-'],
          JSON.stringify(invalidResource(c)),
        );
        if (result.code === 0 || !result.stderr.includes(c.strictField ?? c.field)) {
          unnamed.push(`${c.name}: exit ${result.code}: ${result.stderr.trim()}`);
        }
      }
      expect(unnamed).toEqual([]);
    });

    it('a pruned unknown field does not reach storage when the client ignores field validation', async () => {
      const typo = INVALID_CASES.find((c) => c.strictOnly)!;
      const stored = await create(invalidResource(typo), 'Ignore');
      expect(Object.keys(stored.spec as Obj)).not.toContain('zipcode');
    });
  });

  describe('defaults', () => {
    it('fills the defaults of a minimal PhoenixMarket exactly as in-process parsing does', async () => {
      const minimal = validMarket('minimal');
      const stored = await create(minimal);
      const parsed = parsePhoenixMarket(minimal);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(stored.spec).toEqual(parsed.value.spec);
      expect(stored.spec).toMatchObject({
        timeZone: 'America/Phoenix',
        schedule: '0 */6 * * *',
        paused: false,
        budget: { monthlyUSD: 25 },
        llm: { enabled: true, endpoint: 'http://ollama:11434', model: 'llama3.2:3b', timeoutSeconds: 30 },
        collector: { size: 'medium', autoscaling: { minReplicas: 1, maxReplicas: 5 } },
        mongodb: { database: 'phoenix_real_estate' },
      });
    });

    it("fills the design's thresholds into a MonitoringStack without spec", async () => {
      const empty = {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'MonitoringStack',
        metadata: { name: 'empty' },
      };
      const stored = await create(empty);
      const parsed = parseMonitoringStack(empty);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(stored.spec).toEqual(parsed.value.spec);
      expect((stored.spec as { thresholds: unknown }).thresholds).toMatchObject({
        errorRate: 0.25,
        budgetCritical: 0.95,
        budgetWarning: 0.8,
        dataFreshness: '6h',
      });
    });
  });

  describe('subresources', () => {
    it('kubectl scale writes spec.collector.replicas through the scale subresource', async () => {
      await create(validMarket('scaled'));
      const result = await kubectl(['scale', 'pm', 'scaled', '-n', ns.name, '--replicas=5']);
      expect(result.stderr).toBe('');
      const stored = await get(PHOENIX_MARKET_PLURAL, 'scaled');
      expect((stored.spec as { collector: { replicas: number } }).collector.replicas).toBe(5);
    });

    it('the scale endpoint reports status replicas and the selector an HPA needs', async () => {
      const target = validMarket('hpa-target');
      (target.spec as { collector?: unknown }).collector = { size: 'small', replicas: 1 };
      await create(target);
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace: ns.name,
          plural: PHOENIX_MARKET_PLURAL,
          name: 'hpa-target',
          body: {
            status: { replicas: 2, readyReplicas: 2, selector: 'app.kubernetes.io/instance=hpa-target' },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const scale = (await custom.getNamespacedCustomObjectScale({
        group: GROUP,
        version: VERSION,
        namespace: ns.name,
        plural: PHOENIX_MARKET_PLURAL,
        name: 'hpa-target',
      })) as { kind: string; spec: unknown; status: unknown };
      expect(scale.kind).toBe('Scale');
      expect(scale.spec).toEqual({ replicas: 1 });
      expect(scale.status).toEqual({ replicas: 2, selector: 'app.kubernetes.io/instance=hpa-target' });
    });

    it('kubectl wait --for=condition=Ready sees a Ready condition in status', async () => {
      await create(validMarket('ready'));
      const waiting = kubectl(['wait', '--for=condition=Ready', 'pm/ready', '-n', ns.name, '--timeout=30s']);
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace: ns.name,
          plural: PHOENIX_MARKET_PLURAL,
          name: 'ready',
          body: {
            status: {
              observedGeneration: 1,
              conditions: [
                {
                  type: 'Ready',
                  status: 'True',
                  reason: 'CollectorAvailable',
                  message: 'all replicas ready',
                  lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
                  observedGeneration: 1,
                },
              ],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const result = await waiting;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const table = await kubectl(['get', 'pm', 'ready', '-n', ns.name]);
      expect(table.stdout).toMatch(
        /^NAME\s+ZIPS\s+DESIRED\s+AVAILABLE\s+READY\s+LAST COLLECTION\s+COLLECTED\s+AGE/,
      );
      expect(table.stdout).toMatch(/\nready\s+.*True/);
    });
  });

  describe('kubectl explain', () => {
    async function explain(path: string): Promise<string> {
      let last: KubectlResult = { code: -1, stdout: '', stderr: '' };
      // The OpenAPI document is republished a few seconds after a CRD changes.
      await waitUntil(async () => {
        last = await kubectl(['explain', path]);
        return last.code === 0;
      }, 30_000);
      return last.stdout;
    }

    it('documents pm.spec.collector and its fields', async () => {
      const out = await explain('pm.spec.collector');
      expect(out).toContain('The per-market collector workload.');
      expect(out).toContain('Size preset of the scaling plan');
      expect(out).toContain('Horizontal autoscaling of the collector.');
      expect(out).toMatch(/enum: small, medium, large/);
    });

    it('documents secret references and MonitoringStack thresholds', async () => {
      expect(await explain('pm.spec.mongodb.uriSecretRef')).toContain(
        'Secrets are referenced, never written inline.',
      );
      const thresholds = await explain('mstack.spec.thresholds');
      expect(thresholds).toContain('Alert thresholds; defaults follow the monitoring design.');
      expect(thresholds).toContain('Data quality score below which an alert fires.');
    });
  });
});
