/**
 * The collector's configuration: the mounted file (what the operator writes) plus environment
 * variables (Secrets and the downward API), parsed once by zod and frozen. A bad value stops
 * start-up with a message naming the setting and the rule.
 */
import { load as loadYaml } from 'js-yaml';
import { z } from 'zod';
import {
  COLLECTOR_CONFIG_PATH,
  COLLECTOR_ENV,
  collectorConfigFileSchema,
  type CollectorConfigFile,
} from '../api/collector-config.ts';
import { PhoenixError } from '../shared/errors.ts';

export class ConfigError extends PhoenixError {
  override readonly name = 'ConfigError';
  constructor(message: string, cause?: unknown) {
    super('PHOENIX_COLLECTOR_CONFIG', message, { kind: 'terminal', cause });
  }
}

const mongoUri = z.string().regex(/^mongodb(\+srv)?:\/\/\S+$/, {
  error: 'must be a mongodb:// or mongodb+srv:// URI',
});
const optionalUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional();
const nonNegative = z.coerce.number().min(0).default(0);

const envSchema = z.object({
  [COLLECTOR_ENV.assessorToken]: z
    .string()
    .min(1, { error: 'must be set (the Assessor API token)' })
    .optional(),
  [COLLECTOR_ENV.mongodbUri]: mongoUri,
  [COLLECTOR_ENV.listingsProxyUrl]: optionalUrl,
  [COLLECTOR_ENV.smtpPassword]: z.string().min(1).optional(),
  [COLLECTOR_ENV.market]: z.string().min(1).optional(),
  [COLLECTOR_ENV.podName]: z.string().min(1).optional(),
  [COLLECTOR_ENV.podNamespace]: z.string().min(1).optional(),
  [COLLECTOR_ENV.cpuLimitCores]: nonNegative,
  [COLLECTOR_ENV.memoryLimitBytes]: nonNegative,
  PHOENIX_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PHOENIX_VERSION: z.string().optional(),
});

export interface CollectorSecrets {
  readonly assessorToken: string | undefined;
  readonly mongodbUri: string;
  readonly listingsProxyUrl: string | undefined;
  readonly smtpPassword: string | undefined;
}

export interface CollectorConfig {
  readonly file: CollectorConfigFile;
  readonly secrets: CollectorSecrets;
  /** Identity of this replica (pod name, or host-pid outside Kubernetes). */
  readonly instance: string;
  readonly podNamespace: string | undefined;
  readonly port: number;
  readonly version: string;
  readonly limits: { readonly cpuCores: number; readonly memoryBytes: number };
}

function describeIssues(source: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${source}${path === '' ? '' : ` ${path}`}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses the file text (YAML or JSON); `label` names the file in errors. */
export function parseConfigFile(text: string, label: string): CollectorConfigFile {
  let raw: unknown;
  try {
    raw = loadYaml(text);
  } catch (err) {
    throw new ConfigError(`${label}: not valid YAML`, err);
  }
  const parsed = collectorConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${describeIssues(label, parsed.error)}`);
  return parsed.data;
}

export interface LoadConfigInput {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
  hostname: string;
  pid: number;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Reads and validates the whole configuration; throws ConfigError naming the setting. */
export function loadCollectorConfig(input: LoadConfigInput): CollectorConfig {
  const path = input.env[COLLECTOR_ENV.configFile] ?? COLLECTOR_CONFIG_PATH;
  let text: string;
  try {
    text = input.readFile(path);
  } catch (err) {
    throw new ConfigError(`${COLLECTOR_ENV.configFile}: cannot read ${path}`, err);
  }
  const file = parseConfigFile(text, path);
  const env = envSchema.safeParse(input.env);
  if (!env.success) throw new ConfigError(`invalid environment: ${describeIssues('env', env.error)}`);
  const e = env.data;
  const token = e[COLLECTOR_ENV.assessorToken];
  if (file.sources.assessor.enabled && token === undefined) {
    throw new ConfigError(
      `env ${COLLECTOR_ENV.assessorToken}: must be set when sources.assessor.enabled is true`,
    );
  }
  const marketEnv = e[COLLECTOR_ENV.market];
  if (marketEnv !== undefined && marketEnv !== file.market.name) {
    throw new ConfigError(
      `env ${COLLECTOR_ENV.market}: "${marketEnv}" does not match market.name "${file.market.name}" of ${path}`,
    );
  }
  return deepFreeze({
    file,
    secrets: {
      assessorToken: token,
      mongodbUri: e[COLLECTOR_ENV.mongodbUri],
      listingsProxyUrl: e[COLLECTOR_ENV.listingsProxyUrl],
      smtpPassword: e[COLLECTOR_ENV.smtpPassword],
    },
    instance: e[COLLECTOR_ENV.podName] ?? `${input.hostname}-${input.pid}`,
    podNamespace: e[COLLECTOR_ENV.podNamespace],
    port: e.PHOENIX_PORT ?? file.port,
    version: e.PHOENIX_VERSION ?? '0.1.0',
    limits: { cpuCores: e[COLLECTOR_ENV.cpuLimitCores], memoryBytes: e[COLLECTOR_ENV.memoryLimitBytes] },
  });
}
