import { pino } from 'pino';
import { Registry } from 'prom-client';
import { parseOperatorConfig, type OperatorConfig } from '../../src/operator/config.ts';
import { loadKubeConfig } from '../../src/operator/kube/config.ts';
import { createOperator } from '../../src/operator/main.ts';
import type { Manager } from '../../src/operator/runtime/manager.ts';

export interface RunningOperator {
  manager: Manager;
  registry: Registry;
  stop(): Promise<void>;
}

/** Runs the operator in this process against the test cluster, scoped to one namespace. */
export async function startTestOperator(
  kubeconfigPath: string,
  overrides: Partial<OperatorConfig> & { watchNamespace: string },
): Promise<RunningOperator> {
  const config = {
    ...parseOperatorConfig({
      LEADER_ELECT: 'false',
      METRICS_PORT: '0',
      HEALTH_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      PHOENIX_COLLECTOR_IMAGE: 'phoenix-test/collector:dev',
    }),
    ...overrides,
  };
  const registry = new Registry();
  const manager = createOperator(config, {
    kubeConfig: loadKubeConfig({ path: kubeconfigPath }),
    logger: pino({ level: process.env['PHOENIX_TEST_LOG'] ?? 'silent' }),
    registry,
  });
  await manager.start();
  return { manager, registry, stop: () => manager.stop() };
}
