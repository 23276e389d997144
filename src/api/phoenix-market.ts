/**
 * PhoenixMarket: one real-estate market (a city and its zip codes) whose data a per-market
 * collector gathers on a schedule. This schema is the single source of the CRD, the TypeScript
 * types and the in-process validation.
 */
import { z } from 'zod';
import {
  API_VERSION,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  conditionsSchema,
  httpUrl,
  labelMap,
  objectMetaSchema,
  resourceRequirementsSchema,
  secretRef,
  uniqueBy,
  uniqueItems,
  withRule,
} from './common.ts';
import { cronSchedule, timeZone } from './schedule.ts';
import { COLLECTOR_SIZES } from './size-presets.ts';

export const PHOENIX_MARKET_KIND = 'PhoenixMarket';
export const PHOENIX_MARKET_PLURAL = 'phoenixmarkets';
export const PHOENIX_MARKET_SINGULAR = 'phoenixmarket';
export const PHOENIX_MARKET_SHORT_NAMES = ['pm'] as const;

export const DEFAULT_SCHEDULE = '0 */6 * * *';
export const DEFAULT_TIME_ZONE = 'America/Phoenix';

const zipCodes = uniqueItems(
  z
    .array(
      z
        .string()
        .regex(/^[0-9]{5}$/, { error: 'must be 5 digits' })
        .describe('A 5-digit US zip code.'),
    )
    .min(1)
    .max(200),
).describe('Zip codes of the market, each 5 digits; unique, at least one.');

export const assessorSourceSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Collect from the Maricopa County Assessor API.'),
    baseUrl: httpUrl('Base URL of the Assessor API.').default('https://mcassessor.maricopa.gov'),
    tokenSecretRef: secretRef('Secret key holding the Assessor API token.'),
    requestsPerSecond: z
      .number()
      .gt(0)
      .max(50)
      .default(1)
      .describe('Request-rate limit towards the Assessor API, per collector pod (requests per second).'),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(300)
      .default(30)
      .describe('Timeout of one API request, in seconds.'),
  })
  .describe('The Maricopa County Assessor API, the primary source.');

export const listingSourceSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(DNS_LABEL)
      .describe('Name of the listing source (unique in the market).'),
    enabled: z.boolean().default(false).describe('Collect from this source.'),
    baseUrl: httpUrl('Base URL of the listing source.'),
    proxySecretRef: secretRef(
      'Secret key holding the proxy URL (with credentials) to reach this source through.',
    )
      .optional()
      .describe('Secret key holding the proxy URL (with credentials); direct connection when unset.'),
    requestsPerSecond: z
      .number()
      .gt(0)
      .max(10)
      .default(0.5)
      .describe('Request-rate limit towards this source, per collector pod (requests per second).'),
  })
  .describe('An optional listing web source.');

export const sourcesSchema = z
  .strictObject({
    assessor: assessorSourceSchema,
    listings: uniqueBy(z.array(listingSourceSchema).max(10), 'name')
      .optional()
      .describe('Optional listing sources, in addition to the Assessor API.'),
  })
  .describe('Where property data comes from.');

export const mongodbSchema = z
  .strictObject({
    uriSecretRef: secretRef('Secret key holding the MongoDB connection URI (mongodb:// or mongodb+srv://).'),
    database: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9_-]+$/, { error: 'must contain only letters, digits, _ and -' })
      .default('phoenix_real_estate')
      .describe('Database that properties are stored in.'),
  })
  .describe('MongoDB connection; the URI is read from a Secret.');

export const llmSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Enrich records with a local LLM (Ollama).'),
    endpoint: httpUrl('Ollama endpoint URL.').default('http://ollama:11434'),
    model: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, { error: 'must be an Ollama model name such as llama3.2:3b' })
      .default('llama3.2:3b')
      .describe('Ollama model name.'),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(600)
      .default(30)
      .describe('Timeout of one LLM request, in seconds.'),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('Records sent to the LLM per request batch.'),
  })
  .describe('LLM enrichment of collected records.');

export const budgetSchema = z
  .strictObject({
    monthlyUSD: z
      .number()
      .min(0)
      .max(1_000_000)
      .default(25)
      .describe('Monthly spending budget in US dollars; budget alerts compare the monthly cost to it.'),
  })
  .describe('Spending budget of the market.');

const autoscalingBase = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Create a HorizontalPodAutoscaler for the collector.'),
    minReplicas: z.number().int().min(1).max(100).default(1).describe('Lower bound of the replica count.'),
    maxReplicas: z.number().int().min(1).max(100).default(5).describe('Upper bound of the replica count.'),
    targetCPUUtilizationPercentage: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(70)
      .describe('Target average CPU utilisation, in percent of requests.'),
    targetMemoryUtilizationPercentage: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Target average memory utilisation, in percent of requests; CPU only when unset.'),
  })
  .describe('Horizontal autoscaling of the collector.');

export const autoscalingSchema = withRule(
  autoscalingBase,
  {
    rule: 'self.minReplicas <= self.maxReplicas',
    message: 'minReplicas must be less than or equal to maxReplicas',
    fieldPath: '.minReplicas',
  },
  (a) => a.minReplicas <= a.maxReplicas,
);

export const tolerationSchema = z
  .strictObject({
    key: z
      .string()
      .max(316)
      .optional()
      .describe('Taint key the toleration applies to; empty matches all keys.'),
    operator: z.enum(['Exists', 'Equal']).default('Equal').describe('Relation between key and value.'),
    value: z.string().max(63).optional().describe('Taint value the toleration matches (operator Equal).'),
    effect: z
      .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
      .optional()
      .describe('Taint effect to match; empty matches all effects.'),
    tolerationSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('For NoExecute: how long the pod stays bound after the taint appears.'),
  })
  .describe('A Kubernetes toleration.');

const IMAGE = /^[a-z0-9]+([._/:@-][A-Za-z0-9_.-]+)*$/;

export const collectorSchema = z
  .strictObject({
    image: z
      .string()
      .max(512)
      .regex(IMAGE, { error: 'must be a container image reference such as ghcr.io/org/collector:1.0.0' })
      .optional()
      .describe("Collector container image; the operator's default collector image when unset."),
    imagePullPolicy: z
      .enum(['Always', 'IfNotPresent', 'Never'])
      .default('IfNotPresent')
      .describe('Image pull policy.'),
    size: z
      .enum(COLLECTOR_SIZES)
      .default('medium')
      .describe(
        'Size preset of the scaling plan: small = 1 replica of 250m CPU / 512Mi, medium = 2 replicas of 500m / 1Gi, large = 3 replicas of 1 CPU / 2Gi.',
      ),
    replicas: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe(
        "Replica count; overrides the size preset's. Read and written by the scale subresource (`kubectl scale`, an external HorizontalPodAutoscaler); reading the scale of a market needs it set.",
      ),
    resources: resourceRequirementsSchema
      .optional()
      .describe('Per-pod resources; each value set here overrides the size preset.'),
    autoscaling: autoscalingSchema.prefault({}),
    logLevel: z
      .enum(['debug', 'info', 'warn', 'error'])
      .default('info')
      .describe('Log level of the collector.'),
    nodeSelector: labelMap('Node labels the collector pods must run on.').optional(),
    tolerations: z.array(tolerationSchema).max(32).optional().describe('Tolerations of the collector pods.'),
    affinity: z
      .looseObject({})
      .meta({
        description:
          'Affinity of the collector pods (a Kubernetes Affinity object, passed through unchanged).',
        'x-kubernetes-preserve-unknown-fields': true,
      })
      .optional(),
    topologySpreadConstraints: z
      .array(
        z.looseObject({}).meta({
          description: 'A Kubernetes TopologySpreadConstraint (passed through unchanged).',
          'x-kubernetes-preserve-unknown-fields': true,
        }),
      )
      .max(8)
      .optional()
      .describe(
        'Topology spread constraints of the collector pods; the operator adds a hostname spread when unset.',
      ),
    priorityClassName: z
      .string()
      .max(253)
      .regex(DNS_SUBDOMAIN)
      .optional()
      .describe('PriorityClass of the collector pods.'),
    serviceAccountName: z
      .string()
      .max(253)
      .regex(DNS_SUBDOMAIN)
      .optional()
      .describe(
        'ServiceAccount of the collector pods; the operator creates `<market>-collector` when unset.',
      ),
  })
  .describe('The per-market collector workload.');

export const phoenixMarketSpecSchema = z
  .strictObject({
    displayName: z.string().min(1).max(63).optional().describe('Human-readable market name, e.g. "Phoenix".'),
    zipCodes,
    timeZone: timeZone('IANA time zone the schedule is interpreted in.').default(DEFAULT_TIME_ZONE),
    schedule: cronSchedule(
      'When collections start: a 5-field cron expression (minute hour day-of-month month day-of-week) or a macro such as @daily.',
    ).default(DEFAULT_SCHEDULE),
    sources: sourcesSchema,
    mongodb: mongodbSchema,
    llm: llmSchema.prefault({}),
    budget: budgetSchema.prefault({}),
    collector: collectorSchema.prefault({}),
    paused: z
      .boolean()
      .default(false)
      .describe(
        'Pause reconciliation: the operator leaves the collector and its objects exactly as they are (no applies, no repairs) and reports phase Paused until this is false again.',
      ),
  })
  .describe('Desired state of the market.');

/** Condition types of a PhoenixMarket (kstatus: Ready is the summary, Progressing and Degraded explain it). */
export const MARKET_CONDITIONS = ['Ready', 'Progressing', 'Degraded'] as const;
export type MarketConditionType = (typeof MARKET_CONDITIONS)[number];

export const COLLECTION_OUTCOMES = ['Running', 'Succeeded', 'PartiallySucceeded', 'Failed'] as const;

const count = (description: string) => z.number().int().min(0).optional().describe(description);

export const lastCollectionSchema = z
  .object({
    startTime: z.iso.datetime({ offset: true }).optional().describe('When the collection started.'),
    completionTime: z.iso.datetime({ offset: true }).optional().describe('When the collection finished.'),
    outcome: z.enum(COLLECTION_OUTCOMES).describe('Outcome of the collection.'),
    zipCodesTotal: count('Zip codes the collection covers.'),
    zipCodesCompleted: count('Zip codes collected successfully.'),
    propertiesStored: count('Property records inserted or updated.'),
    recordsRejected: count('Records rejected by validation.'),
    message: z.string().max(1024).optional().describe('Summary or the error of the collection.'),
  })
  .describe('Outcome of the latest collection, reported by the collector.');

export const MARKET_PHASES = ['Pending', 'Ready', 'Progressing', 'Degraded', 'Paused', 'Invalid'] as const;

export const phoenixMarketStatusSchema = z
  .object({
    observedGeneration: count('metadata.generation the status was computed from.'),
    phase: z.enum(MARKET_PHASES).optional().describe('One-word summary of the conditions.'),
    conditions: conditionsSchema('Ready, Progressing and Degraded (kstatus-compatible).').optional(),
    replicas: count('Desired collector replicas (the scale subresource reads this).'),
    readyReplicas: count('Collector replicas that are ready.'),
    selector: z
      .string()
      .max(1024)
      .optional()
      .describe('Label selector of the collector pods, for the scale subresource.'),
    zipCodeCount: count('Number of zip codes in spec.zipCodes.'),
    lastCollection: lastCollectionSchema.optional(),
  })
  .describe('Observed state of the market.');

export const phoenixMarketSchema = z
  .object({
    apiVersion: z.literal(API_VERSION).describe('API version of the resource.'),
    kind: z.literal(PHOENIX_MARKET_KIND).describe('Kind of the resource.'),
    metadata: objectMetaSchema,
    spec: phoenixMarketSpecSchema,
    status: phoenixMarketStatusSchema.optional(),
  })
  .describe('A real-estate market of the Phoenix metro area and the collector that gathers its data.');

export type PhoenixMarket = z.output<typeof phoenixMarketSchema>;
export type PhoenixMarketInput = z.input<typeof phoenixMarketSchema>;
export type PhoenixMarketSpec = z.output<typeof phoenixMarketSpecSchema>;
export type PhoenixMarketStatus = z.output<typeof phoenixMarketStatusSchema>;
export type CollectorSpec = z.output<typeof collectorSchema>;
export type AssessorSource = z.output<typeof assessorSourceSchema>;
export type ListingSource = z.output<typeof listingSourceSchema>;
export type MongoDbSpec = z.output<typeof mongodbSchema>;
export type LlmSpec = z.output<typeof llmSchema>;
export type AutoscalingSpec = z.output<typeof autoscalingSchema>;
export type LastCollection = z.output<typeof lastCollectionSchema>;
export type CollectionOutcome = (typeof COLLECTION_OUTCOMES)[number];
export type MarketPhase = (typeof MARKET_PHASES)[number];
