import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parsePhoenixMarket, type PhoenixMarket } from '../../../src/api/index.ts';
import { needsApply, isSubset, withAppliedHash } from '../../../src/resources/drift.ts';
import { childName } from '../../../src/resources/names.ts';
import { buildMarketObjects, type DesiredObject } from '../../../src/resources/phoenix-market/index.ts';
import { repoRoot } from '../../../src/shared/tools.ts';

const samplesDir = join(repoRoot, 'manifests', 'samples', 'markets');
const goldenDir = join(repoRoot, 'test', 'unit', 'resources', 'golden');
const options = { collectorImage: 'ghcr.io/phoenix-real-estate/phoenix:0.1.0' };

function parsed(doc: unknown): PhoenixMarket {
  const result = parsePhoenixMarket(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const m = result.value;
  return { ...m, metadata: { ...m.metadata, namespace: 'markets', uid: 'uid-1', generation: 1 } };
}

function sample(file: string): PhoenixMarket {
  return parsed(load(readFileSync(join(samplesDir, file), 'utf8')));
}

function find(objects: DesiredObject[], kind: string): Record<string, any> {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind}`);
  return found as Record<string, any>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('PhoenixMarket builders: golden files of the ten sample markets', () => {
  for (const file of readdirSync(samplesDir).filter((f) => f.endsWith('.yaml'))) {
    it(file, () => {
      const rendered = buildMarketObjects(sample(file), options)
        .map((o) => dump(o, { lineWidth: 120, sortKeys: true }))
        .join('---\n');
      const golden = join(goldenDir, file);
      if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, rendered);
      expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(rendered).toBe(readFileSync(golden, 'utf8'));
    });
  }
});

describe('PhoenixMarket builders', () => {
  it('never mutates the market and is deterministic', () => {
    const market = deepFreeze(sample('01-phoenix.yaml'));
    expect(buildMarketObjects(market, options)).toEqual(buildMarketObjects(market, options));
  });

  it('sizes the collector by the scaling plan', () => {
    const large = find(buildMarketObjects(sample('01-phoenix.yaml'), options), 'Deployment');
    expect(large.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '1', memory: '2Gi' },
      limits: { cpu: '1', memory: '2Gi' },
    });
    const medium = find(buildMarketObjects(sample('02-scottsdale.yaml'), options), 'Deployment');
    expect(medium.spec.replicas).toBe(2);
    expect(medium.spec.template.spec.containers[0].resources.limits).toEqual({ cpu: '500m', memory: '1Gi' });
    const env = medium.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'PHOENIX_CPU_LIMIT_CORES')?.value).toBe('0.5');
    expect(env.find((e) => e.name === 'PHOENIX_MEMORY_LIMIT_BYTES')?.value).toBe(String(1024 ** 3));
  });

  it('passes the restricted Pod Security Standard and takes secrets only by reference', () => {
    const d = find(buildMarketObjects(sample('02-scottsdale.yaml'), options), 'Deployment');
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(c[probe]).toBeDefined();
    const secretEnv = (
      c.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }[]
    ).filter((e) => /TOKEN|URI|PASSWORD|PROXY/.test(e.name));
    expect(secretEnv.length).toBeGreaterThanOrEqual(2);
    for (const e of secretEnv) {
      expect(e.value).toBeUndefined();
      expect(e.valueFrom?.secretKeyRef).toBeDefined();
    }
  });

  it('rolls the pods when the configuration changes (config hash on the template)', () => {
    const base = sample('03-tempe.yaml');
    const edited = { ...base, spec: { ...base.spec, zipCodes: [...base.spec.zipCodes, '85287'] } };
    const hash = (m: PhoenixMarket) =>
      find(buildMarketObjects(m, options), 'Deployment').spec.template.metadata.annotations[
        'realestate.phoenix.io/config-hash'
      ];
    expect(hash(edited)).not.toBe(hash(base));
    expect(find(buildMarketObjects(edited, options), 'ConfigMap').data['collector.yaml']).toContain('85287');
  });

  it('leaves replicas to the autoscaler when autoscaling is on', () => {
    const base = sample('04-mesa.yaml');
    const scaled = {
      ...base,
      spec: {
        ...base.spec,
        collector: {
          ...base.spec.collector,
          autoscaling: { ...base.spec.collector.autoscaling, enabled: true, minReplicas: 2, maxReplicas: 6 },
        },
      },
    };
    const objects = buildMarketObjects(scaled, options);
    expect(find(objects, 'Deployment').spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(buildMarketObjects(base, options).some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });

  it('owns every child through a controller reference and labels it with the market', () => {
    for (const o of buildMarketObjects(sample('05-chandler.yaml'), options)) {
      expect(o.metadata['ownerReferences']).toEqual([
        expect.objectContaining({ kind: 'PhoenixMarket', name: 'chandler', uid: 'uid-1', controller: true }),
      ]);
      expect((o.metadata['labels'] as Record<string, string>)['realestate.phoenix.io/market']).toBe(
        'chandler',
      );
    }
  });

  it('grants the collector only get/patch on its own market status', () => {
    const role = find(buildMarketObjects(sample('06-gilbert.yaml'), options), 'Role');
    expect(role.rules).toEqual([
      {
        apiGroups: ['realestate.phoenix.io'],
        resources: ['phoenixmarkets/status'],
        resourceNames: ['gilbert'],
        verbs: ['get', 'patch'],
      },
    ]);
  });

  it('opens egress to the ports of the configured endpoints', () => {
    const base = sample('07-glendale.yaml');
    const custom = {
      ...base,
      spec: { ...base.spec, llm: { ...base.spec.llm, endpoint: 'http://ollama.ai:11500' } },
    };
    const np = find(buildMarketObjects(custom, options), 'NetworkPolicy');
    const ports = (np.spec.egress[1].ports as { port: number }[]).map((p) => p.port);
    expect(ports).toContain(11500);
    expect(ports).toContain(443);
    expect(np.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 9090 }] }]);
  });
});

describe('child names', () => {
  it('stay within 63 characters with a stable hash when trimmed', () => {
    const long = 'a'.repeat(60);
    const name = childName(long, 'collector');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^a+-[0-9a-f]{8}-collector$/);
    expect(childName(long, 'collector')).toBe(name);
    expect(childName(`${'a'.repeat(59)}b`, 'collector')).not.toBe(name);
    expect(childName('phoenix', 'collector')).toBe('phoenix-collector');
  });
});

describe('drift detection', () => {
  const desired = withAppliedHash({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'n' },
    spec: { ports: [{ port: 9090 }], resources: { cpu: '500m' } },
  });

  it('applies when the object is missing or was applied from another desired state', () => {
    expect(needsApply(desired, undefined)).toBe(true);
    const other = withAppliedHash({ ...desired, spec: { ports: [{ port: 9091 }] } });
    expect(needsApply(desired, other)).toBe(true);
  });

  it('does not apply when the server only added defaults or canonicalised quantities', () => {
    const observed = {
      ...desired,
      metadata: { ...desired.metadata, resourceVersion: '7', uid: 'x' },
      spec: { ports: [{ port: 9090, protocol: 'TCP' }], resources: { cpu: '0.5' }, clusterIP: '10.0.0.1' },
    };
    expect(needsApply(desired, observed)).toBe(false);
  });

  it('applies when someone edited a field the operator owns', () => {
    const edited = { ...desired, spec: { ports: [{ port: 1234 }], resources: { cpu: '500m' } } };
    expect(needsApply(desired, edited)).toBe(true);
    expect(isSubset({ a: [1, 2] }, { a: [1] })).toBe(false);
  });
});
