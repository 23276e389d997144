/**
 * The MonitoringStack reconciler's I/O on the objects it manages: list them by the stack's
 * labels across namespaces, apply what differs, prune what is no longer wanted, and keep the
 * finalizer that cleans up where owner references cannot reach (other namespaces).
 */
import {
  MANAGED_KINDS,
  PROMETHEUS_KIND,
  prometheusSelectionStatus,
  selectionTargets,
  type KubeObject as BuiltObject,
  type PrometheusObject,
  type PrometheusSelectionStatus,
} from '../../monitoring/index.ts';
import { needsApply } from '../../resources/drift.ts';
import { FIELD_MANAGER } from '../../resources/labels.ts';
import type { KubeClient } from '../kube/client.ts';
import type { GroupVersionKind, KubeObject } from '../kube/types.ts';
import { sameJson } from '../runtime/predicates.ts';
import { isServed } from './served-kinds.ts';

export const STACK_FINALIZER = 'realestate.phoenix.io/monitoring-cleanup';

type Identified = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

/** `apiVersion/Kind/namespace/name`: identity of a managed object. */
export function objectId(obj: Identified): string {
  const m = obj.metadata ?? {};
  return `${obj.apiVersion ?? ''}/${obj.kind ?? ''}/${m.namespace ?? ''}/${m.name ?? ''}`;
}

function refOf(obj: Identified): GroupVersionKind & { namespace: string; name: string } {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

/** Every object of a served managed kind that carries the stack's labels, by objectId. */
export async function inventory(
  client: KubeClient,
  served: ReadonlySet<string>,
  selector: string,
  signal: AbortSignal,
): Promise<Map<string, KubeObject>> {
  const observed = new Map<string, KubeObject>();
  for (const kind of MANAGED_KINDS) {
    if (!isServed(served, kind)) continue;
    for await (const page of client.listPages(kind, { labelSelector: selector, limit: 250, signal })) {
      for (const item of page.items) {
        const obj = { ...item, apiVersion: kind.apiVersion, kind: kind.kind };
        observed.set(objectId(obj), obj);
      }
    }
  }
  return observed;
}

/** Applies the desired objects that differ from what is observed; returns how many were written. */
export async function applyDesired(
  client: KubeClient,
  desired: readonly BuiltObject[],
  observed: ReadonlyMap<string, KubeObject>,
  signal: AbortSignal,
): Promise<number> {
  let writes = 0;
  for (const obj of desired) {
    const current = observed.get(objectId(obj)) as BuiltObject | undefined;
    if (!needsApply(obj, current)) continue;
    await client.apply(obj, { fieldManager: FIELD_MANAGER, force: true, signal });
    writes++;
  }
  return writes;
}

/** Deletes observed objects that are not desired (a dashboard dropped, alerting turned off, ...). */
export async function prune(
  client: KubeClient,
  keep: readonly BuiltObject[],
  observed: ReadonlyMap<string, KubeObject>,
  signal: AbortSignal,
): Promise<number> {
  const wanted = new Set(keep.map(objectId));
  let deleted = 0;
  for (const [id, obj] of observed) {
    if (wanted.has(id)) continue;
    if (await client.delete(refOf(obj), { uid: obj.metadata?.uid ?? '', signal })) deleted++;
  }
  return deleted;
}

/** Adds or removes the cleanup finalizer, with optimistic locking on the resourceVersion. */
export async function setFinalizer(
  client: KubeClient,
  stack: KubeObject,
  present: boolean,
  signal: AbortSignal,
): Promise<void> {
  const current = stack.metadata?.finalizers ?? [];
  const next = present
    ? [...new Set([...current, STACK_FINALIZER])]
    : current.filter((f) => f !== STACK_FINALIZER);
  if (sameJson(current, next)) return;
  await client.mergePatch(
    refOf(stack),
    { metadata: { finalizers: next, resourceVersion: stack.metadata?.resourceVersion } },
    { fieldManager: FIELD_MANAGER, signal },
  );
}

/**
 * For each Prometheus in the cluster (at most 32), whether it selects the stack's ServiceMonitor
 * and PrometheusRule; undefined when the cluster does not serve the Prometheus kind.
 */
export async function selectionReport(
  client: KubeClient,
  input: {
    served: ReadonlySet<string>;
    stackNamespace: string;
    desired: readonly BuiltObject[];
    signal: AbortSignal;
  },
): Promise<PrometheusSelectionStatus[] | undefined> {
  const { served, stackNamespace, desired, signal } = input;
  if (!isServed(served, PROMETHEUS_KIND)) return undefined;
  const page = await client.list<KubeObject & PrometheusObject>(PROMETHEUS_KIND, { limit: 32, signal });
  if (page.items.length === 0) return [];
  const ns = await client.getOrUndefined(
    { apiVersion: 'v1', kind: 'Namespace', name: stackNamespace },
    signal,
  );
  const targets = selectionTargets(desired);
  return page.items.map((p) =>
    prometheusSelectionStatus(p as PrometheusObject, targets, ns?.metadata?.labels ?? {}),
  );
}
