import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { MARKET_PHASES } from '../api/index.ts';
import { MANAGED_SELECTOR } from '../resources/labels.ts';
import { MARKET_CHILD_KINDS } from '../resources/phoenix-market/index.ts';
import type { OperatorConfig } from './config.ts';
import type { KubeConfigSource } from './kube/config.ts';
import { gvkString } from './kube/types.ts';
import { STACK_GVK, monitoringStackReconciler } from './reconcilers/monitoring-stack.ts';
import { MARKET_GVK, phoenixMarketReconciler } from './reconcilers/phoenix-market.ts';
import { CRD_GVK, MONITORING_GROUPS, crdGroup, slimCrd } from './reconcilers/served-kinds.ts';
import type { Informer } from './runtime/informer.ts';
import { Manager, type InformerScope } from './runtime/manager.ts';
import { objectKey, type KubeObject } from './kube/types.ts';
import { sameJson } from './runtime/predicates.ts';

export interface OperatorDeps {
  kubeConfig: KubeConfigSource;
  logger: Logger;
  registry: Registry;
  /** Called when leadership is lost: the entry point exits non-zero, as controller-runtime does. */
  onLeadershipLost?: () => void;
}

/** phoenix_operator_markets{phase}: markets per status phase, from the cache at scrape time. */
function registerMarketGauge(registry: Registry, markets: Informer): void {
  new Gauge({
    name: 'phoenix_operator_markets',
    help: 'PhoenixMarkets known to the operator, by status phase.',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>([...MARKET_PHASES, 'Unknown'].map((p) => [p, 0]));
      for (const m of markets.list()) {
        const phase = (m.status as { phase?: string } | undefined)?.phase ?? 'Unknown';
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, n] of counts) this.set({ phase }, n);
    },
  });
}

/** A market's labels or pause flag decide which stacks cover it; its status does not. */
function marketMembershipChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const paused = (o: KubeObject): unknown => (o as { spec?: { paused?: unknown } }).spec?.paused;
  return (
    !sameJson(oldObj.metadata?.labels ?? {}, newObj.metadata?.labels ?? {}) ||
    paused(oldObj) !== paused(newObj)
  );
}

function addMonitoringStackController(
  manager: Manager,
  config: Readonly<OperatorConfig>,
  scope: InformerScope,
  markets: Informer,
): void {
  const stacks = manager.informer(STACK_GVK, scope);
  // Cluster-scoped, whatever the watch namespace: CRDs are. Only what presence checks need is kept.
  const crds = manager.informer(CRD_GVK, {}, { transform: slimCrd });
  const stacksIn = (namespace: string | undefined): string[] =>
    stacks
      .list()
      .filter((s) => namespace === undefined || s.metadata?.namespace === namespace)
      .map(objectKey);
  manager
    .addController({
      name: 'monitoringstack',
      maxConcurrentReconciles: Math.min(2, config.maxConcurrentReconciles),
      resyncPeriodMs: config.resyncPeriodMs,
      reconcile: monitoringStackReconciler({
        client: manager.client,
        stacks,
        markets,
        crds,
        recorder: manager.eventRecorder('phoenix-operator', config.podName),
      }),
    })
    .watchPrimary(stacks)
    .watch(markets, (m) => stacksIn(m.metadata?.namespace), marketMembershipChanged)
    .watch(crds, (crd) => (MONITORING_GROUPS.includes(crdGroup(crd)) ? stacksIn(undefined) : []));
}

/** Builds the manager with the PhoenixMarket and MonitoringStack controllers; the caller starts and stops it. */
export function createOperator(config: Readonly<OperatorConfig>, deps: OperatorDeps): Manager {
  const manager = new Manager({
    kubeConfig: deps.kubeConfig,
    logger: deps.logger,
    registry: deps.registry,
    metricsPort: config.metricsPort,
    healthPort: config.healthPort,
    host: config.metricsHost,
    ...(config.leaderElection
      ? {
          leaderElection: {
            namespace: config.podNamespace,
            name: config.leaderElectionId,
            ...(config.podName === undefined ? {} : { identity: config.podName }),
          },
        }
      : {}),
    ...(deps.onLeadershipLost === undefined ? {} : { onLeadershipLost: deps.onLeadershipLost }),
  });
  const scope = config.watchNamespace === undefined ? {} : { namespace: config.watchNamespace };
  const markets = manager.informer(MARKET_GVK, scope);
  const children = new Map<string, Informer>();
  for (const gvk of MARKET_CHILD_KINDS) {
    children.set(gvkString(gvk), manager.informer(gvk, { ...scope, labelSelector: MANAGED_SELECTOR }));
  }
  const controller = manager
    .addController({
      name: 'phoenixmarket',
      maxConcurrentReconciles: config.maxConcurrentReconciles,
      resyncPeriodMs: config.resyncPeriodMs,
      reconcile: phoenixMarketReconciler({
        client: manager.client,
        markets,
        children,
        recorder: manager.eventRecorder('phoenix-operator', config.podName),
        build: { collectorImage: config.collectorImage },
      }),
    })
    .watchPrimary(markets);
  for (const informer of children.values()) controller.watchOwned(informer, MARKET_GVK);
  addMonitoringStackController(manager, config, scope, markets);
  registerMarketGauge(deps.registry, markets);
  return manager;
}
