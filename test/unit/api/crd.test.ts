import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  GENERATED_HEADER,
  KIND_DEFINITIONS,
  MONITORING_STACK_DEFINITION,
  PHOENIX_MARKET_DEFINITION,
  buildCrd,
  type CustomResourceDefinition,
} from '../../../src/api/crd.ts';
import { renderApiDocs } from '../../../src/api/docs.ts';
import { driftedFiles, generatedFiles } from '../../../src/api/generate.ts';
import { walkOpenApi, type OpenApiSchema } from '../../../src/api/openapi.ts';
import { repoRoot } from '../../../src/shared/tools.ts';

const pm = buildCrd(PHOENIX_MARKET_DEFINITION);
const mstack = buildCrd(MONITORING_STACK_DEFINITION);

function root(crd: CustomResourceDefinition): OpenApiSchema {
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

function nodeAt(schema: OpenApiSchema, path: string): OpenApiSchema {
  let found: OpenApiSchema | undefined;
  walkOpenApi(schema, (node, p) => {
    if (p === path) found = node;
  });
  if (!found) throw new Error(`no schema node at ${path}`);
  return found;
}

describe.each([
  ['PhoenixMarket', pm],
  ['MonitoringStack', mstack],
])('%s CRD', (_kind, crd) => {
  it('is a structural schema: every node typed, objects have fields, anyOf only for int-or-string', () => {
    const problems: string[] = [];
    walkOpenApi(root(crd), (node, path) => {
      const intOrString = node['x-kubernetes-int-or-string'] === true;
      if (!intOrString && node.type === undefined) problems.push(`${path}: no type`);
      if (node.anyOf && !intOrString) problems.push(`${path}: anyOf`);
      const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
      if (
        node.type === 'object' &&
        !preserve &&
        !node.properties &&
        !node.additionalProperties &&
        path !== 'metadata'
      ) {
        problems.push(`${path}: object without properties`);
      }
      if (node.properties && node.additionalProperties)
        problems.push(`${path}: properties and additionalProperties`);
    });
    expect(problems).toEqual([]);
  });

  it('describes every field (kubectl explain documents everything)', () => {
    const missing: string[] = [];
    walkOpenApi(root(crd), (node, path) => {
      const isMapValue = path.endsWith('.*');
      const isAnonymousScalarItem = path.endsWith('[]') && node.type !== 'object';
      if (path !== 'metadata' && !isMapValue && !isAnonymousScalarItem && !node.description)
        missing.push(path);
    });
    expect(missing).toEqual([]);
  });

  it('preserves unknown fields only for pass-through Kubernetes objects', () => {
    const preserved: string[] = [];
    walkOpenApi(root(crd), (node, path) => {
      if (node['x-kubernetes-preserve-unknown-fields']) preserved.push(path);
    });
    expect(preserved).toEqual(
      crd === pm ? ['spec.collector.affinity', 'spec.collector.topologySpreadConstraints[]'] : [],
    );
  });

  it('is namespaced, in the phoenix category, with status subresource and printer columns', () => {
    expect(crd.spec.group).toBe('realestate.phoenix.io');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.categories).toEqual(['phoenix']);
    const version = crd.spec.versions[0]!;
    expect(version.name).toBe('v1alpha1');
    expect(version.subresources.status).toEqual({});
    expect(version.additionalPrinterColumns.map((c) => c.name)).toContain('Ready');
    expect(version.additionalPrinterColumns.at(-1)).toMatchObject({ name: 'Age', type: 'date' });
  });
});

describe('PhoenixMarket CRD', () => {
  it('has its names, the scale subresource and the columns of the issue', () => {
    expect(pm.metadata.name).toBe('phoenixmarkets.realestate.phoenix.io');
    expect(pm.spec.names).toMatchObject({
      kind: 'PhoenixMarket',
      plural: 'phoenixmarkets',
      shortNames: ['pm'],
    });
    const version = pm.spec.versions[0]!;
    expect(version.subresources.scale).toEqual({
      specReplicasPath: '.spec.collector.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    });
    const columns = Object.fromEntries(version.additionalPrinterColumns.map((c) => [c.name, c.jsonPath]));
    expect(columns).toMatchObject({
      Zips: '.status.zipCodeCount',
      Desired: '.status.replicas',
      Available: '.status.readyReplicas',
      Ready: '.status.conditions[?(@.type=="Ready")].status',
      'Last Collection': '.status.lastCollection.outcome',
      Age: '.metadata.creationTimestamp',
    });
  });

  it('validates zip codes as a non-empty set of 5-digit strings', () => {
    const zips = nodeAt(root(pm), 'spec.zipCodes');
    expect(zips).toMatchObject({ type: 'array', minItems: 1, 'x-kubernetes-list-type': 'set' });
    expect(zips.items).toMatchObject({ type: 'string', pattern: '^[0-9]{5}$' });
    expect(root(pm).required).toEqual(['spec']);
  });

  it('keeps secrets as references: objects with required name and key, no string fallback', () => {
    for (const path of ['spec.sources.assessor.tokenSecretRef', 'spec.mongodb.uriSecretRef']) {
      const ref = nodeAt(root(pm), path);
      expect(ref.type).toBe('object');
      expect(ref.required).toEqual(['name', 'key']);
      expect(Object.keys(ref.properties ?? {})).toEqual(['name', 'key']);
    }
  });

  it('writes expanded defaults that satisfy the CEL rules of their object', () => {
    expect(nodeAt(root(pm), 'spec.collector').default).toEqual({
      imagePullPolicy: 'IfNotPresent',
      size: 'medium',
      autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
      logLevel: 'info',
    });
    expect(nodeAt(root(pm), 'spec.collector.autoscaling')['x-kubernetes-validations']).toEqual([
      {
        rule: 'self.minReplicas <= self.maxReplicas',
        message: 'minReplicas must be less than or equal to maxReplicas',
        fieldPath: '.minReplicas',
      },
    ]);
    expect(nodeAt(root(pm), 'spec.timeZone').default).toBe('America/Phoenix');
  });

  it('bounds every list so CEL cost estimation stays within budget', () => {
    const unbounded: string[] = [];
    walkOpenApi(root(pm), (node, path) => {
      if (node.type === 'array' && node.maxItems === undefined) unbounded.push(path);
    });
    expect(unbounded).toEqual([]);
  });
});

describe('MonitoringStack CRD', () => {
  it("has the design's threshold defaults and the cross-field rules", () => {
    expect(mstack.spec.names).toMatchObject({
      kind: 'MonitoringStack',
      plural: 'monitoringstacks',
      shortNames: ['mstack'],
    });
    expect(nodeAt(root(mstack), 'spec.thresholds').default).toEqual({
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
    const messages = (path: string): string[] =>
      ((nodeAt(root(mstack), path)['x-kubernetes-validations'] ?? []) as { message: string }[]).map(
        (r) => r.message,
      );
    expect(messages('spec.thresholds')).toEqual(['budgetWarning must be less than budgetCritical']);
    expect(messages('spec.alerting')).toHaveLength(6);
    expect(messages('spec.grafana')).toEqual([
      'instanceSelector is required when delivery is GrafanaDashboard',
    ]);
  });
});

describe('generated files', () => {
  it('carry the do-not-edit header and parse back to the built CRDs', () => {
    const files = generatedFiles();
    for (const def of KIND_DEFINITIONS) {
      const text = files.get(`crds/realestate.phoenix.io_${def.plural}.yaml`)!;
      expect(text.startsWith(GENERATED_HEADER)).toBe(true);
      expect(load(text)).toEqual(buildCrd(def));
      expect(files.get(`helm/phoenix-operator/crds/realestate.phoenix.io_${def.plural}.yaml`)).toBe(text);
    }
    expect(files.get('docs/api.md')).toBe(renderApiDocs());
  });

  it('match the files on disk (run `npm run generate` after changing src/api)', () => {
    expect(driftedFiles(repoRoot)).toEqual([]);
  });

  it('document every spec field in docs/api.md', () => {
    const docs = renderApiDocs();
    walkOpenApi(root(pm).properties!.spec!, (_node, path) => {
      if (path && !path.endsWith('.*')) expect(docs).toContain(`\`spec.${path}\``);
    });
    expect(docs).toContain('| `large` | 3 | 1 | 2Gi |');
  });
});
