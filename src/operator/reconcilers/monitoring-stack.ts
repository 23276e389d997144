import {
  API_VERSION,
  MONITORING_STACK_KIND,
  parseMonitoringStack,
  type CreatedObject,
  type MonitoringStack,
  type MonitoringStackStatus,
} from '../../api/index.ts';
import {
  buildMonitoringObjects,
  kindString,
  monitoredMarkets,
  requiredKinds,
  stackObjectsSelectorFor,
  type KubeObject as BuiltObject,
} from '../../monitoring/index.ts';
import { withAppliedHash } from '../../resources/drift.ts';
import type { KubeClient } from '../kube/client.ts';
import { isKubeError } from '../kube/errors.ts';
import type { GroupVersionKind, KubeObject } from '../kube/types.ts';
import type { ReconcileContext, ReconcileFn, Request } from '../runtime/controller.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import { isServed, servedKinds } from './served-kinds.ts';
import {
  STACK_FINALIZER,
  applyDesired,
  inventory,
  prune,
  selectionReport,
  setFinalizer,
} from './stack-objects.ts';
import { applyStatusIfChanged } from './conditions.ts';
import { computeStackStatus, type StackObservation } from './stack-status.ts';

export const STACK_GVK: GroupVersionKind = { apiVersion: API_VERSION, kind: MONITORING_STACK_KIND };

export interface MonitoringStackReconcilerDeps {
  client: KubeClient;
  stacks: Informer;
  /** PhoenixMarkets (the stack's selection). */
  markets: Informer;
  /** CustomResourceDefinitions, slimmed (served-kinds.ts): the discovery check. */
  crds: Informer;
  recorder: EventRecorder;
  now?: () => Date;
}

type StackObject = KubeObject & { status?: MonitoringStackStatus };
type Observation = Omit<StackObservation, 'now'>;

function namespaceOf(obj: KubeObject): string {
  return obj.metadata?.namespace ?? '';
}

/** Deletion: delete every object carrying the stack's labels, then release the finalizer. */
async function finalize(
  deps: MonitoringStackReconcilerDeps,
  raw: StackObject,
  signal: AbortSignal,
): Promise<void> {
  if (!(raw.metadata?.finalizers ?? []).includes(STACK_FINALIZER)) return;
  const selector = stackObjectsSelectorFor(raw.metadata?.name ?? '', namespaceOf(raw));
  const observed = await inventory(deps.client, servedKinds(deps.crds.list()), selector, signal);
  const deleted = await prune(deps.client, [], observed, signal);
  await setFinalizer(deps.client, raw, false, signal);
  deps.recorder.event(raw, 'Normal', 'CleanedUp', `deleted ${deleted} monitoring objects`);
}

function createdRef(obj: BuiltObject): CreatedObject {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
  };
}

interface Plan {
  markets: string[];
  /** Desired objects of kinds the cluster serves, with their applied-hash. */
  applicable: BuiltObject[];
  missing: string[];
  served: ReadonlySet<string>;
}

function plan(deps: MonitoringStackReconcilerDeps, stack: MonitoringStack): Plan {
  const markets = monitoredMarkets(stack, deps.markets.list());
  const served = servedKinds(deps.crds.list());
  const missing = requiredKinds(stack)
    .filter((k) => !isServed(served, k))
    .map(kindString);
  const applicable = buildMonitoringObjects(stack, markets)
    .filter((o) => isServed(served, o))
    .map((o) => withAppliedHash(o));
  return { markets, applicable, missing, served };
}

/** Applies and prunes; a refusal (terminal error) becomes applyError rather than a retry. */
async function sync(
  deps: MonitoringStackReconcilerDeps,
  raw: StackObject,
  p: Plan,
  signal: AbortSignal,
): Promise<string | undefined> {
  const ns = namespaceOf(raw);
  // Owner references cannot cross namespaces: a finalizer cleans up objects elsewhere, and
  // is in place before the first of them is created.
  const crossNamespace = p.applicable.some((o) => o.metadata.namespace !== ns);
  if (crossNamespace) await setFinalizer(deps.client, raw, true, signal);
  try {
    const selector = stackObjectsSelectorFor(raw.metadata?.name ?? '', ns);
    const observed = await inventory(deps.client, p.served, selector, signal);
    await applyDesired(deps.client, p.applicable, observed, signal);
    await prune(deps.client, p.applicable, observed, signal);
  } catch (err) {
    if (!isKubeError(err) || err.kind !== 'terminal') throw err;
    return err.message;
  }
  if (!crossNamespace) await setFinalizer(deps.client, raw, false, signal);
  return undefined;
}

async function reconcileValid(
  deps: MonitoringStackReconcilerDeps,
  raw: StackObject,
  stack: MonitoringStack,
  signal: AbortSignal,
): Promise<Observation> {
  const p = plan(deps, stack);
  const applyError = await sync(deps, raw, p, signal);
  const selection = await selectionReport(deps.client, {
    served: p.served,
    stackNamespace: namespaceOf(raw),
    desired: p.applicable,
    signal,
  });
  return {
    stack: raw,
    selectedMarkets: p.markets.length,
    created: p.applicable.map(createdRef),
    missing: p.missing,
    ...(selection === undefined ? {} : { selection }),
    ...(applyError === undefined ? {} : { applyError }),
  };
}

function recordTransitions(
  deps: MonitoringStackReconcilerDeps,
  raw: StackObject,
  next: MonitoringStackStatus,
): void {
  for (const type of ['Ready', 'Degraded'] as const) {
    const before = raw.status?.conditions?.find((c) => c.type === type);
    const after = next.conditions?.find((c) => c.type === type);
    if (after === undefined || (before?.status === after.status && before.reason === after.reason)) continue;
    if (type === 'Degraded' && after.status !== 'True') continue;
    const normal = type === 'Ready' && after.status === 'True';
    deps.recorder.event(raw, normal ? 'Normal' : 'Warning', after.reason, after.message);
  }
}

/**
 * The MonitoringStack reconciler: get from the cache; on deletion, clean up and release the
 * finalizer; parse (an invalid spec is a condition, not a retry); select the markets; build the
 * ServiceMonitor, PrometheusRule, AlertmanagerConfig and dashboards; apply those whose kinds the
 * cluster serves (the rest are reported as missing prerequisites and applied when their CRDs
 * appear); prune objects no longer wanted; report which Prometheuses select the stack; write the
 * status only when it changed.
 */
export function monitoringStackReconciler(deps: MonitoringStackReconcilerDeps): ReconcileFn {
  const now = deps.now ?? (() => new Date());
  return async (req: Request, ctx: ReconcileContext) => {
    const raw = deps.stacks.get(req.key) as StackObject | undefined;
    if (raw === undefined) return;
    if (raw.metadata?.deletionTimestamp !== undefined) {
      await finalize(deps, raw, ctx.signal);
      return;
    }
    const parsed = parseMonitoringStack(raw);
    const observation: Observation = parsed.ok
      ? await reconcileValid(deps, raw, parsed.value, ctx.signal)
      : { stack: raw, parseErrors: parsed.errors };
    const stamp = now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const status = computeStackStatus({ ...observation, now: stamp });
    const update = { current: raw.status, status, signal: ctx.signal };
    if (await applyStatusIfChanged(deps.client, raw, update)) recordTransitions(deps, raw, status);
    if (observation.applyError !== undefined) {
      ctx.logger.error({ err: observation.applyError }, 'a monitoring object was refused');
      return { requeueAfter: 5 * 60_000 };
    }
    return undefined;
  };
}
