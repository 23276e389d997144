/**
 * The plain JSON shapes the runtime reads. Objects travel as parsed JSON (timestamps stay
 * strings): no class instances, no serializer, so what the cache holds is exactly what the API
 * server sent (minus managedFields, see the informer's transform).
 */
export interface GroupVersionKind {
  /** `v1`, `apps/v1`, `realestate.phoenix.io/v1alpha1` */
  apiVersion: string;
  kind: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** What an object must carry to be written (apply, create, replace). */
export interface WritableObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/** Names one object. `namespace` is omitted for cluster-scoped kinds. */
export interface ObjectRef extends GroupVersionKind {
  name: string;
  namespace?: string;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
  continue: string | undefined;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key of caches and work queues. */
export function objectKey(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace;
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function gvkOf(obj: KubeObject): GroupVersionKind {
  return { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' };
}

export function gvkString(gvk: GroupVersionKind): string {
  return `${gvk.apiVersion}/${gvk.kind}`;
}
