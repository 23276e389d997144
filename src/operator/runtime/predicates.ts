import { objectKey, type GroupVersionKind, type KubeObject, type ObjectMeta } from '../kube/types.ts';

/** Decides whether an update event should enqueue anything. */
export type UpdatePredicate<T extends KubeObject = KubeObject> = (oldObj: T, newObj: T) => boolean;

/**
 * For the primary kind: pass an update only when something the reconciler acts on changed,
 * so the controller's own status writes never requeue it. That is: generation (the spec), or
 * labels, annotations, finalizers, ownerReferences or deletionTimestamp. Kinds without a
 * generation (ConfigMap, Secret) pass any change outside metadata.resourceVersion/managedFields
 * and status.
 */
export const specOrMetadataChanged: UpdatePredicate = (oldObj, newObj) => {
  const a = oldObj.metadata ?? {};
  const b = newObj.metadata ?? {};
  if (!metadataEqual(a, b)) return true;
  if (a.generation !== undefined || b.generation !== undefined) return a.generation !== b.generation;
  return !sameJson(withoutStatus(oldObj), withoutStatus(newObj));
};

/** Any real change (a new resourceVersion). For owned kinds: child status changes must requeue the owner. */
export const resourceVersionChanged: UpdatePredicate = (oldObj, newObj) =>
  oldObj.metadata?.resourceVersion !== newObj.metadata?.resourceVersion;

function metadataEqual(a: ObjectMeta, b: ObjectMeta): boolean {
  return (
    a.deletionTimestamp === b.deletionTimestamp &&
    sameJson(a.labels ?? {}, b.labels ?? {}) &&
    sameJson(a.annotations ?? {}, b.annotations ?? {}) &&
    sameJson(a.finalizers ?? [], b.finalizers ?? []) &&
    sameJson(a.ownerReferences ?? [], b.ownerReferences ?? [])
  );
}

function withoutStatus(obj: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = obj;
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** Structural equality with key order ignored (API servers may reorder map keys). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson(ra[k], rb[k]));
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Maps an owned object to its controlling owner's key: the ownerReference with
 * `controller: true` whose kind and API group match `owner` (any version), in the object's
 * namespace. Objects without such a reference map to nothing.
 */
export function mapToControllerOwner(owner: GroupVersionKind): (obj: KubeObject) => string[] {
  const group = groupOf(owner.apiVersion);
  return (obj) => {
    const ref = obj.metadata?.ownerReferences?.find(
      (r) => r.controller === true && r.kind === owner.kind && groupOf(r.apiVersion) === group,
    );
    if (ref === undefined) return [];
    return [objectKey({ metadata: { name: ref.name, namespace: obj.metadata?.namespace ?? '' } })];
  };
}

/** Maps an object to its own key (the primary kind). */
export function mapToSelf(obj: KubeObject): string[] {
  return [objectKey(obj)];
}
