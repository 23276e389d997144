/**
 * CustomResourceDefinitions assembled from the zod schemas: names, printer columns, subresources
 * and the structural schema. Pure: the generator (generate.ts) does the file I/O.
 */
import { dump } from 'js-yaml';
import type { z } from 'zod';
import { CATEGORY, GROUP, VERSION } from './common.ts';
import {
  MONITORING_STACK_KIND,
  MONITORING_STACK_PLURAL,
  MONITORING_STACK_SHORT_NAMES,
  MONITORING_STACK_SINGULAR,
  monitoringStackSchema,
  monitoringStackSpecSchema,
  monitoringStackStatusSchema,
} from './monitoring-stack.ts';
import { toOpenApi, type OpenApiSchema } from './openapi.ts';
import {
  PHOENIX_MARKET_KIND,
  PHOENIX_MARKET_PLURAL,
  PHOENIX_MARKET_SHORT_NAMES,
  PHOENIX_MARKET_SINGULAR,
  phoenixMarketSchema,
  phoenixMarketSpecSchema,
  phoenixMarketStatusSchema,
} from './phoenix-market.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: true;
      storage: true;
      schema: { openAPIV3Schema: OpenApiSchema };
      subresources: {
        status: Record<string, never>;
        scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
      };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  object: z.ZodObject;
  spec: z.ZodType;
  status: z.ZodType;
  specRequired: boolean;
  columns: PrinterColumn[];
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
}

const READY_COLUMN: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Status of the Ready condition.',
};

const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation.',
};

export const PHOENIX_MARKET_DEFINITION: KindDefinition = {
  kind: PHOENIX_MARKET_KIND,
  plural: PHOENIX_MARKET_PLURAL,
  singular: PHOENIX_MARKET_SINGULAR,
  shortNames: PHOENIX_MARKET_SHORT_NAMES,
  object: phoenixMarketSchema,
  spec: phoenixMarketSpecSchema,
  status: phoenixMarketStatusSchema,
  specRequired: true,
  columns: [
    {
      name: 'Size',
      type: 'string',
      jsonPath: '.spec.collector.size',
      description: 'Size preset.',
      priority: 1,
    },
    { name: 'Zips', type: 'integer', jsonPath: '.status.zipCodeCount', description: 'Number of zip codes.' },
    {
      name: 'Desired',
      type: 'integer',
      jsonPath: '.status.replicas',
      description: 'Desired collector replicas.',
    },
    {
      name: 'Available',
      type: 'integer',
      jsonPath: '.status.readyReplicas',
      description: 'Ready collector replicas.',
    },
    READY_COLUMN,
    {
      name: 'Last Collection',
      type: 'string',
      jsonPath: '.status.lastCollection.outcome',
      description: 'Outcome of the latest collection.',
    },
    {
      name: 'Collected',
      type: 'date',
      jsonPath: '.status.lastCollection.completionTime',
      description: 'When the latest collection finished.',
    },
    {
      name: 'Paused',
      type: 'boolean',
      jsonPath: '.spec.paused',
      description: 'Collection paused.',
      priority: 1,
    },
    AGE_COLUMN,
  ],
  scale: {
    specReplicasPath: '.spec.collector.replicas',
    statusReplicasPath: '.status.replicas',
    labelSelectorPath: '.status.selector',
  },
};

export const MONITORING_STACK_DEFINITION: KindDefinition = {
  kind: MONITORING_STACK_KIND,
  plural: MONITORING_STACK_PLURAL,
  singular: MONITORING_STACK_SINGULAR,
  shortNames: MONITORING_STACK_SHORT_NAMES,
  object: monitoringStackSchema,
  spec: monitoringStackSpecSchema,
  status: monitoringStackStatusSchema,
  specRequired: false,
  columns: [
    {
      name: 'Markets',
      type: 'integer',
      jsonPath: '.status.selectedMarkets',
      description: 'Markets selected.',
    },
    {
      name: 'Dashboards',
      type: 'string',
      jsonPath: '.spec.grafana.delivery',
      description: 'Dashboard delivery.',
    },
    READY_COLUMN,
    AGE_COLUMN,
  ],
};

export const KIND_DEFINITIONS: readonly KindDefinition[] = [
  PHOENIX_MARKET_DEFINITION,
  MONITORING_STACK_DEFINITION,
];

function describeOf(schema: z.ZodType): string {
  const description = schema.description;
  if (description === undefined) throw new Error(`schema lacks a description`);
  return description;
}

/** The root schema: apiVersion, kind, metadata (left to the API server), spec and status. */
export function rootSchema(def: KindDefinition): OpenApiSchema {
  const spec = toOpenApi(def.spec);
  const root: OpenApiSchema = {
    description: describeOf(def.object),
    type: 'object',
    properties: {
      apiVersion: {
        description: `APIVersion of the object: ${GROUP}/${VERSION}.`,
        type: 'string',
      },
      kind: { description: `Kind of the object: ${def.kind}.`, type: 'string' },
      metadata: { type: 'object' },
      spec: def.specRequired ? spec : { ...spec, default: {} },
      status: toOpenApi(def.status),
    },
  };
  if (def.specRequired) root.required = ['spec'];
  return root;
}

export function buildCrd(def: KindDefinition): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'phoenix-operator' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: rootSchema(def) },
          subresources: def.scale ? { status: {}, scale: { ...def.scale } } : { status: {} },
          additionalPrinterColumns: def.columns.map((c) => ({ ...c })),
        },
      ],
    },
  };
}

export const GENERATED_HEADER = [
  '# Code generated by `npm run generate` (src/api/generate.ts) from the zod schemas in src/api.',
  '# DO NOT EDIT: change the schemas and regenerate; `npm run generate:check` fails on drift.',
].join('\n');

export function crdFileName(def: KindDefinition): string {
  return `${GROUP}_${def.plural}.yaml`;
}

export function renderCrdYaml(crd: CustomResourceDefinition): string {
  return `${GENERATED_HEADER}\n---\n${dump(crd, { lineWidth: 100, noRefs: true })}`;
}
