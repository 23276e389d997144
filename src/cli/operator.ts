import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parseOperatorConfig } from '../operator/config.ts';
import { loadKubeConfig } from '../operator/kube/config.ts';
import { createOperator } from '../operator/main.ts';
import { stopOnSignals, type Manager } from '../operator/runtime/manager.ts';
import type { Command } from './command.ts';

export const operatorCommand: Command = {
  name: 'operator',
  summary: 'run the operator (PhoenixMarket and MonitoringStack controllers); settings from the environment',
  usage: 'phoenix operator   (KUBECONFIG or in-cluster credentials; see docs for the environment variables)',
  async run() {
    const config = parseOperatorConfig(process.env);
    const logger = pino({ level: config.logLevel, base: { component: 'phoenix-operator' } });
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    let exitCode = 0;
    const manager: Manager = createOperator(config, {
      kubeConfig: loadKubeConfig(),
      logger,
      registry,
      // As controller-runtime does: a replica that lost the lease stops and exits non-zero, and
      // its restart joins the election afresh.
      onLeadershipLost: () => {
        logger.error('leadership lost; exiting so that a new leader takes over');
        exitCode = 1;
        void manager.stop();
      },
    });
    stopOnSignals(manager, logger);
    await manager.start();
    logger.info({ ports: manager.ports() }, 'operator started');
    await manager.done();
    return exitCode;
  },
};
