import { z } from 'zod';
import { PhoenixError } from '../shared/errors.ts';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);

/** The operator's settings, from the environment; parsed once at start-up and frozen. */
const operatorEnvSchema = z.object({
  PHOENIX_COLLECTOR_IMAGE: z.string().min(1).default('ghcr.io/phoenix-real-estate/phoenix:0.1.0'),
  WATCH_NAMESPACE: z.string().default(''),
  POD_NAMESPACE: z.string().min(1).default('phoenix-system'),
  POD_NAME: z.string().min(1).optional(),
  LEADER_ELECT: bool.default(true),
  LEADER_ELECTION_ID: z.string().min(1).default('phoenix-operator'),
  METRICS_HOST: z.string().default('0.0.0.0'),
  METRICS_PORT: port.default(8080),
  HEALTH_PORT: port.default(8081),
  MAX_CONCURRENT_RECONCILES: z.coerce.number().int().min(1).max(64).default(4),
  RESYNC_PERIOD_SECONDS: z.coerce.number().int().min(0).default(600),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export interface OperatorConfig {
  collectorImage: string;
  watchNamespace: string | undefined;
  podNamespace: string;
  podName: string | undefined;
  leaderElection: boolean;
  leaderElectionId: string;
  metricsHost: string;
  metricsPort: number;
  healthPort: number;
  maxConcurrentReconciles: number;
  resyncPeriodMs: number;
  logLevel: z.output<typeof operatorEnvSchema>['LOG_LEVEL'];
}

export class ConfigError extends PhoenixError {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super('PHOENIX_CONFIG_INVALID', message);
  }
}

export function parseOperatorConfig(env: NodeJS.ProcessEnv): Readonly<OperatorConfig> {
  const parsed = operatorEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid operator configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    collectorImage: e.PHOENIX_COLLECTOR_IMAGE,
    watchNamespace: e.WATCH_NAMESPACE === '' ? undefined : e.WATCH_NAMESPACE,
    podNamespace: e.POD_NAMESPACE,
    podName: e.POD_NAME,
    leaderElection: e.LEADER_ELECT,
    leaderElectionId: e.LEADER_ELECTION_ID,
    metricsHost: e.METRICS_HOST,
    metricsPort: e.METRICS_PORT,
    healthPort: e.HEALTH_PORT,
    maxConcurrentReconciles: e.MAX_CONCURRENT_RECONCILES,
    resyncPeriodMs: e.RESYNC_PERIOD_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
  });
}
