/**
 * The collector's configuration file (`collector.yaml`, ConfigMap `<market>-collector`, mounted at
 * /etc/phoenix/collector.yaml). The operator writes it from a PhoenixMarket with
 * `collectorConfigFromMarket`; the collector parses it once at start-up. Secrets are never in
 * this file: they arrive as environment variables from secretKeyRefs.
 */
import { z } from 'zod';
import { DNS_LABEL, DNS_SUBDOMAIN, httpUrl } from './common.ts';
import { cronSchedule, timeZone } from './schedule.ts';
import type { PhoenixMarket } from './phoenix-market.ts';

export const COLLECTOR_CONFIG_KEY = 'collector.yaml';
export const COLLECTOR_CONFIG_PATH = '/etc/phoenix/collector.yaml';
export const COLLECTOR_CONFIG_VERSION = 1;

/** Environment variables the operator sets from Secrets and the downward API. */
export const COLLECTOR_ENV = {
  configFile: 'PHOENIX_CONFIG_FILE',
  assessorToken: 'PHOENIX_ASSESSOR_TOKEN',
  mongodbUri: 'PHOENIX_MONGODB_URI',
  listingsProxyUrl: 'PHOENIX_LISTINGS_PROXY_URL',
  smtpPassword: 'PHOENIX_SMTP_PASSWORD',
  market: 'PHOENIX_MARKET',
  podName: 'POD_NAME',
  podNamespace: 'POD_NAMESPACE',
  cpuLimitCores: 'PHOENIX_CPU_LIMIT_CORES',
  memoryLimitBytes: 'PHOENIX_MEMORY_LIMIT_BYTES',
} as const;

const zipCode = z.string().regex(/^[0-9]{5}$/, { error: 'must be 5 digits' });
const positiveSeconds = (max: number) => z.number().gt(0).max(max);

const assessorSchema = z.strictObject({
  enabled: z.boolean().default(true),
  baseUrl: httpUrl('Base URL of the Assessor API.').default('https://mcassessor.maricopa.gov'),
  requestsPerSecond: z.number().gt(0).max(10_000).default(1),
  timeoutSeconds: positiveSeconds(300).default(30),
  maxRetries: z.number().int().min(0).max(10).default(4),
  retryBaseSeconds: positiveSeconds(60).default(0.5),
  retryMaxSeconds: positiveSeconds(600).default(30),
  concurrency: z.number().int().min(1).max(64).default(2),
});

const listingSchema = z.strictObject({
  name: z.string().min(1).max(63).regex(DNS_LABEL),
  enabled: z.boolean().default(false),
  baseUrl: httpUrl('Base URL of the listing source.'),
  useProxy: z.boolean().default(false),
  requestsPerSecond: z.number().gt(0).max(100).default(0.5),
  timeoutSeconds: positiveSeconds(300).default(30),
});

const llmSchema = z.strictObject({
  enabled: z.boolean().default(true),
  endpoint: httpUrl('Ollama endpoint URL.').default('http://ollama:11434'),
  model: z.string().min(1).max(128).default('llama3.2:3b'),
  timeoutSeconds: positiveSeconds(600).default(30),
  batchSize: z.number().int().min(1).max(100).default(10),
});

const collectionSchema = z.strictObject({
  /** Join the latest due schedule occurrence at start-up when it is not complete. */
  catchUp: z.boolean().default(true),
  leaseSeconds: positiveSeconds(3600).default(60),
  /** How often a waiting replica looks for zip codes to take over. */
  pollSeconds: positiveSeconds(600).default(5),
  maxZipAttempts: z.number().int().min(1).max(20).default(3),
  /** Zip codes one replica collects at the same time (fetching one while storing another). */
  zipConcurrency: z.number().int().min(1).max(16).default(2),
});

const costsSchema = z.strictObject({
  perAssessorRequestUSD: z.number().min(0).default(0),
  perListingRequestUSD: z.number().min(0).default(0),
  perLlmRequestUSD: z.number().min(0).default(0),
  perCpuHourUSD: z.number().min(0).default(0.035),
});

const reportEmailSchema = z.strictObject({
  enabled: z.boolean().default(false),
  to: z.array(z.email()).min(1),
  from: z.email(),
  smarthost: z.string().regex(/^[^\s:]+:[0-9]{1,5}$/, { error: 'must be host:port' }),
  username: z.string().min(1).optional(),
  requireTLS: z.boolean().default(false),
  schedule: cronSchedule('When the daily report is sent.').default('55 23 * * *'),
});

export const collectorConfigFileSchema = z.strictObject({
  version: z.literal(COLLECTOR_CONFIG_VERSION).default(COLLECTOR_CONFIG_VERSION),
  market: z.strictObject({
    name: z.string().min(1).max(253).regex(DNS_SUBDOMAIN),
    namespace: z.string().min(1).max(63).regex(DNS_LABEL).optional(),
    displayName: z.string().max(63).optional(),
    zipCodes: z.array(zipCode).min(1).max(200),
    timeZone: timeZone('IANA time zone of the schedule.').default('America/Phoenix'),
    schedule: cronSchedule('When collections start.').default('0 */6 * * *'),
    paused: z.boolean().default(false),
  }),
  sources: z.strictObject({
    assessor: assessorSchema.prefault({}),
    listings: z.array(listingSchema).max(10).default([]),
  }),
  mongodb: z.strictObject({
    database: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/)
      .default('phoenix_real_estate'),
  }),
  llm: llmSchema.prefault({}),
  budget: z.strictObject({ monthlyUSD: z.number().min(0).default(25) }).prefault({}),
  collection: collectionSchema.prefault({}),
  costs: costsSchema.prefault({}),
  reportEmail: reportEmailSchema.optional(),
  /** Write status.lastCollection of the market (needs market.namespace and Kubernetes credentials). */
  reportStatus: z.boolean().default(false),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  port: z.number().int().min(1).max(65535).default(9090),
});

export type CollectorConfigFile = z.output<typeof collectorConfigFileSchema>;
export type CollectorConfigFileInput = z.input<typeof collectorConfigFileSchema>;

/** The configuration file a market's collector receives (pure: the operator writes it as YAML). */
export function collectorConfigFromMarket(market: PhoenixMarket): CollectorConfigFileInput {
  const { spec, metadata } = market;
  const assessor = spec.sources.assessor;
  return {
    version: COLLECTOR_CONFIG_VERSION,
    market: {
      name: metadata.name ?? '',
      ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
      ...(spec.displayName === undefined ? {} : { displayName: spec.displayName }),
      zipCodes: [...spec.zipCodes],
      timeZone: spec.timeZone,
      schedule: spec.schedule,
      paused: spec.paused,
    },
    sources: {
      assessor: {
        enabled: assessor.enabled,
        baseUrl: assessor.baseUrl,
        requestsPerSecond: assessor.requestsPerSecond,
        timeoutSeconds: assessor.timeoutSeconds,
      },
      listings: (spec.sources.listings ?? []).map((l) => ({
        name: l.name,
        enabled: l.enabled,
        baseUrl: l.baseUrl,
        useProxy: l.proxySecretRef !== undefined,
        requestsPerSecond: l.requestsPerSecond,
      })),
    },
    mongodb: { database: spec.mongodb.database },
    llm: { ...spec.llm },
    budget: { monthlyUSD: spec.budget.monthlyUSD },
    reportStatus: metadata.namespace !== undefined,
    logLevel: spec.collector.logLevel,
  };
}
