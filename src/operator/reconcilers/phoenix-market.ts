import {
  API_VERSION,
  PHOENIX_MARKET_KIND,
  parsePhoenixMarket,
  type PhoenixMarket,
  type PhoenixMarketStatus,
} from '../../api/index.ts';
import { needsApply, withAppliedHash } from '../../resources/drift.ts';
import { FIELD_MANAGER, selectorLabels, selectorString } from '../../resources/labels.ts';
import {
  MARKET_CHILD_KINDS,
  buildMarketObjects,
  collectorName,
  desiredReplicas,
  type DesiredObject,
  type MarketBuildOptions,
} from '../../resources/phoenix-market/index.ts';
import type { KubeClient } from '../kube/client.ts';
import { isKubeError } from '../kube/errors.ts';
import { gvkString, type GroupVersionKind, type KubeObject } from '../kube/types.ts';
import type { ReconcileContext, ReconcileFn, Request } from '../runtime/controller.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import {
  computeMarketStatus,
  operatorOwnedStatus,
  type DeploymentLike,
  type MarketObservation,
} from './market-status.ts';
import { applyStatusIfChanged } from './conditions.ts';

export const MARKET_GVK: GroupVersionKind = { apiVersion: API_VERSION, kind: PHOENIX_MARKET_KIND };

export interface PhoenixMarketReconcilerDeps {
  client: KubeClient;
  markets: Informer;
  /** One informer per child kind, keyed by gvkString (only operator-managed objects). */
  children: ReadonlyMap<string, Informer>;
  recorder: EventRecorder;
  build: MarketBuildOptions;
  now?: () => Date;
}

type MarketObject = KubeObject & { status?: PhoenixMarketStatus };

interface ApplyOutcome {
  deployment: DeploymentLike | undefined;
  restored: string[];
  error: string | undefined;
}

function cached(
  deps: PhoenixMarketReconcilerDeps,
  gvk: GroupVersionKind,
  key: string,
): KubeObject | undefined {
  return deps.children.get(gvkString(gvk))?.get(key);
}

function isOwnedBy(obj: KubeObject, market: KubeObject): boolean {
  return (
    obj.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === market.metadata?.uid) ??
    false
  );
}

/** Applies what changed, and deletes children the market no longer wants (an HPA turned off, ...). */
async function applyChildren(
  deps: PhoenixMarketReconcilerDeps,
  market: PhoenixMarket & MarketObject,
  desired: DesiredObject[],
  signal: AbortSignal,
): Promise<ApplyOutcome> {
  const ns = market.metadata.namespace ?? '';
  const outcome: ApplyOutcome = { deployment: undefined, restored: [], error: undefined };
  const seenBefore = market.status?.observedGeneration !== undefined;
  for (const obj of desired) {
    const key = `${ns}/${obj.metadata.name}`;
    const observed = cached(deps, obj, key);
    let current: KubeObject | undefined = observed;
    if (needsApply(obj, observed as DesiredObject | undefined)) {
      current = await deps.client.apply(obj, { fieldManager: FIELD_MANAGER, force: true, signal });
      if (observed === undefined && seenBefore) outcome.restored.push(`${obj.kind} ${obj.metadata.name}`);
    }
    if (obj.kind === 'Deployment') outcome.deployment = current;
  }
  const wanted = new Set(desired.map((d) => d.kind));
  const name = collectorName(market);
  for (const gvk of MARKET_CHILD_KINDS) {
    if (wanted.has(gvk.kind)) continue;
    const stale = cached(deps, gvk, `${ns}/${name}`);
    if (stale && isOwnedBy(stale, market)) {
      await deps.client.delete({ ...gvk, namespace: ns, name }, { uid: stale.metadata?.uid ?? '', signal });
    }
  }
  return outcome;
}

function recordTransitions(
  deps: PhoenixMarketReconcilerDeps,
  raw: MarketObject,
  next: PhoenixMarketStatus,
): void {
  const before = raw.status?.conditions?.find((c) => c.type === 'Ready');
  const after = next.conditions?.find((c) => c.type === 'Ready');
  if (after === undefined || (before?.status === after.status && before.reason === after.reason)) return;
  const type =
    after.status === 'True' || after.reason === 'Paused' || after.reason === 'CollectorsNotReady'
      ? 'Normal'
      : 'Warning';
  deps.recorder.event(raw, type, after.reason, after.message);
}

interface ValidMarket {
  raw: MarketObject;
  market: PhoenixMarket;
  desired: DesiredObject[];
  base: Omit<MarketObservation, 'now'>;
}

async function reconcileValid(
  deps: PhoenixMarketReconcilerDeps,
  { raw, market, desired, base }: ValidMarket,
  ctx: ReconcileContext,
): Promise<Omit<MarketObservation, 'now'>> {
  const selector = selectorString(selectorLabels(market));
  const replicas = desiredReplicas(market);
  const { autoscaling } = market.spec.collector;
  const minReplicas = autoscaling.enabled ? autoscaling.minReplicas : undefined;
  try {
    const applied = await applyChildren(
      deps,
      { ...market, status: raw.status } as PhoenixMarket & MarketObject,
      desired,
      ctx.signal,
    );
    for (const what of applied.restored)
      deps.recorder.event(raw, 'Normal', 'ChildRestored', `re-created ${what}`);
    return {
      ...base,
      ...(applied.deployment === undefined ? {} : { deployment: applied.deployment }),
      desiredReplicas: replicas,
      minReplicas,
      selector,
    };
  } catch (err) {
    if (!isKubeError(err) || err.kind !== 'terminal') throw err;
    return { ...base, applyError: err.message, desiredReplicas: replicas, selector };
  }
}

interface Prepared {
  version: string;
  parsed: ReturnType<typeof parsePhoenixMarket>;
  desired: DesiredObject[] | undefined;
}

/**
 * Parsing and building depend only on the market's identity and spec, so they are done once
 * per generation: child events and resyncs re-reconcile a market many times between edits.
 */
function preparer(
  build: MarketBuildOptions,
): (key: string, raw: MarketObject | undefined) => Prepared | undefined {
  const memo = new Map<string, Prepared>();
  return (key, raw) => {
    if (raw === undefined) {
      memo.delete(key);
      return undefined;
    }
    const version = `${raw.metadata?.uid ?? ''}/${String(raw.metadata?.generation ?? 0)}`;
    const cachedEntry = memo.get(key);
    if (cachedEntry?.version === version) return cachedEntry;
    const parsed = parsePhoenixMarket(raw);
    const desired = parsed.ok
      ? buildMarketObjects(parsed.value, build).map((o) => withAppliedHash(o))
      : undefined;
    const entry = { version, parsed, desired };
    memo.set(key, entry);
    return entry;
  };
}

/**
 * The PhoenixMarket reconciler: get from the cache, parse (an invalid spec becomes a condition,
 * not a retry), skip paused markets, build the desired children, server-side apply only what
 * differs from the cache, delete children no longer wanted, and write the status only when it
 * changed. Level-triggered: the same state always gives the same writes, and none when in sync.
 */
export function phoenixMarketReconciler(deps: PhoenixMarketReconcilerDeps): ReconcileFn {
  const now = deps.now ?? (() => new Date());
  const prepare = preparer(deps.build);
  return async (req: Request, ctx: ReconcileContext) => {
    const raw = deps.markets.get(req.key) as MarketObject | undefined;
    const prepared = prepare(req.key, raw);
    if (raw === undefined || prepared === undefined || raw.metadata?.deletionTimestamp !== undefined) return;
    const { parsed, desired } = prepared;
    let observation: Omit<MarketObservation, 'now'> = { market: raw };
    if (!parsed.ok) {
      observation = { ...observation, parseErrors: parsed.errors };
    } else if (parsed.value.spec.paused) {
      observation = { ...observation, paused: true };
    } else {
      const valid = { raw, market: parsed.value, desired: desired ?? [], base: observation };
      observation = await reconcileValid(deps, valid, ctx);
    }
    const status = computeMarketStatus({
      ...observation,
      now: now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    });
    const current = operatorOwnedStatus(raw.status);
    if (await applyStatusIfChanged(deps.client, raw, { current, status, signal: ctx.signal }))
      recordTransitions(deps, raw, status);
    if (observation.applyError !== undefined) {
      ctx.logger.error({ err: observation.applyError }, 'a child object was refused');
      return { requeueAfter: 5 * 60_000 };
    }
    return undefined;
  };
}
