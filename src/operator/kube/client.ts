import type { KubeConfigSource } from './config.ts';
import type { RuntimeMetrics } from '../runtime/metrics.ts';
import { KubeError, isKubeError, kubeErrorFromStatus, type KubeStatus } from './errors.ts';
import { Transport } from './transport.ts';
import type {
  GroupVersionKind,
  KubeObject,
  ListResult,
  ObjectRef,
  WatchEvent,
  WritableObject,
} from './types.ts';

/**
 * The only code that talks to the API server. Objects go in and come out as plain JSON.
 *
 * ```ts
 * const client = new KubeClient({ kubeConfig, metrics });
 * await client.apply(deployment, { fieldManager: 'phoenix-operator' });          // server-side apply
 * await client.apply(statusOnly, { fieldManager: 'phoenix-operator', subresource: 'status' });
 * const cm = await client.getOrUndefined({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
 * await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
 * ```
 *
 * Kinds are resolved to their plural through API discovery (cached per apiVersion, refreshed
 * once on a miss so a CRD installed after start is found). Errors are KubeErrors with codes.
 */
export interface KubeClientOptions {
  kubeConfig: KubeConfigSource;
  metrics?: RuntimeMetrics;
  /** Deadline of ordinary requests. Default 30 s. */
  requestTimeoutMs?: number;
  userAgent?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  /** Server-side timeout: the server ends the stream cleanly after this long. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take over fields owned by other managers. Default true (controllers own their objects). */
  force?: boolean;
  subresource?: 'status' | 'scale';
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface WriteOptions {
  fieldManager?: string;
  subresource?: 'status' | 'scale';
  signal?: AbortSignal;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Only delete this exact object (guards against deleting a re-created namesake). */
  uid?: string;
  signal?: AbortSignal;
}

interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

interface DiscoveryList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

export class KubeClient {
  readonly transport: Transport;
  private readonly discovery = new Map<string, Map<string, ResourceInfo>>();

  constructor(options: KubeClientOptions) {
    this.transport = new Transport(options);
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef, signal?: AbortSignal): Promise<T> {
    const path = await this.path(ref, ref.namespace, ref.name);
    return (await this.transport.json({ method: 'GET', path, ...sig(signal) })) as T;
  }

  /** Like get, but undefined instead of KUBE_NOT_FOUND. */
  async getOrUndefined<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(ref, signal);
    } catch (err) {
      if (isKubeError(err, 'KUBE_NOT_FOUND')) return undefined;
      throw err;
    }
  }

  /** One page of a list (pass `limit` and the previous page's `continue` to page). */
  async list<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    options: ListOptions = {},
  ): Promise<ListResult<T>> {
    const path = await this.path(gvk, options.namespace);
    const query = {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit,
      continue: options.continue,
    };
    const body = (await this.transport.json({ method: 'GET', path, query, ...sig(options.signal) })) as {
      items?: T[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    return {
      items: body.items ?? [],
      resourceVersion: body.metadata?.resourceVersion ?? '',
      continue: body.metadata?.continue === '' ? undefined : body.metadata?.continue,
    };
  }

  /**
   * Every page of a list, in order (each page is `limit` items, default 500). The last page's
   * resourceVersion is the list's, to watch from.
   */
  async *listPages<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    options: Omit<ListOptions, 'continue'> = {},
  ): AsyncGenerator<ListResult<T>, void, undefined> {
    let cont: string | undefined;
    do {
      const page: ListResult<T> = await this.list<T>(gvk, {
        limit: 500,
        ...options,
        ...(cont === undefined ? {} : { continue: cont }),
      });
      yield page;
      cont = page.continue;
    } while (cont !== undefined);
  }

  /**
   * Streams watch events (bookmarks included) to `onEvent` until the server ends the stream
   * (resolves) or it fails (rejects: an ERROR event becomes a KubeError, 410 is KUBE_GONE).
   * Aborting `signal` rejects with the signal's reason.
   */
  async watch(
    gvk: GroupVersionKind,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<void> {
    const path = await this.path(gvk, options.namespace);
    const query = {
      watch: 'true',
      allowWatchBookmarks: 'true',
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      resourceVersion: options.resourceVersion,
      timeoutSeconds: options.timeoutSeconds,
    };
    const res = await this.transport.send({
      method: 'GET',
      path,
      query,
      stream: true,
      ...sig(options.signal),
    });
    if (res.body === null) return;
    const lines = new LineSplitter();
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        for (const line of lines.push(chunk)) dispatchLine(line, onEvent);
      }
    } catch (err) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      if (err instanceof KubeError) throw err;
      throw new KubeError('KUBE_UNAVAILABLE', `watch ${path}: stream failed: ${String(err)}`, { cause: err });
    }
  }

  /** Server-side apply (application/apply-patch+yaml with a JSON body). */
  async apply<T extends KubeObject = KubeObject>(
    obj: WritableObject | KubeObject,
    options: ApplyOptions,
  ): Promise<T> {
    const path = await this.objectPath(obj, options.subresource);
    return (await this.transport.json({
      method: 'PATCH',
      path,
      query: {
        fieldManager: options.fieldManager,
        force: options.force ?? true,
        dryRun: options.dryRun === true ? 'All' : undefined,
      },
      body: obj,
      contentType: 'application/apply-patch+yaml',
      ...sig(options.signal),
    })) as T;
  }

  async create<T extends KubeObject = KubeObject>(
    obj: WritableObject | KubeObject,
    options: WriteOptions = {},
  ): Promise<T> {
    const gvk = { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' };
    const path = await this.path(gvk, obj.metadata?.namespace);
    const query = { fieldManager: options.fieldManager };
    return (await this.transport.json({
      method: 'POST',
      path,
      query,
      body: obj,
      ...sig(options.signal),
    })) as T;
  }

  /** PUT; fails with KUBE_CONFLICT when metadata.resourceVersion is stale. */
  async replace<T extends KubeObject = KubeObject>(
    obj: WritableObject | KubeObject,
    options: WriteOptions = {},
  ): Promise<T> {
    const path = await this.objectPath(obj, options.subresource);
    const query = { fieldManager: options.fieldManager };
    return (await this.transport.json({
      method: 'PUT',
      path,
      query,
      body: obj,
      ...sig(options.signal),
    })) as T;
  }

  /** JSON merge patch (RFC 7386), e.g. to remove a finalizer. */
  async mergePatch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    options: WriteOptions = {},
  ): Promise<T> {
    const path = await this.path(ref, ref.namespace, ref.name, options.subresource);
    return (await this.transport.json({
      method: 'PATCH',
      path,
      query: { fieldManager: options.fieldManager },
      body: patch,
      contentType: 'application/merge-patch+json',
      ...sig(options.signal),
    })) as T;
  }

  /** Deletes; resolves false if it was already gone. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const path = await this.path(ref, ref.namespace, ref.name);
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(options.propagationPolicy === undefined ? {} : { propagationPolicy: options.propagationPolicy }),
      ...(options.uid === undefined ? {} : { preconditions: { uid: options.uid } }),
    };
    try {
      await this.transport.json({ method: 'DELETE', path, body, ...sig(options.signal) });
      return true;
    } catch (err) {
      if (isKubeError(err, 'KUBE_NOT_FOUND')) return false;
      throw err;
    }
  }

  /** Plural and scope of a kind, from API discovery. */
  async resource(gvk: GroupVersionKind): Promise<ResourceInfo> {
    const cached = this.discovery.get(gvk.apiVersion)?.get(gvk.kind);
    if (cached !== undefined) return cached;
    const base = gvk.apiVersion.includes('/') ? `/apis/${gvk.apiVersion}` : `/api/${gvk.apiVersion}`;
    const list = (await this.transport.json({ method: 'GET', path: base })) as DiscoveryList;
    const kinds = new Map<string, ResourceInfo>();
    for (const r of list.resources ?? []) {
      if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
    }
    this.discovery.set(gvk.apiVersion, kinds);
    const found = kinds.get(gvk.kind);
    if (found === undefined) {
      throw new KubeError('KUBE_NOT_FOUND', `kind ${gvk.kind} is not served by ${gvk.apiVersion}`, {
        status: 404,
      });
    }
    return found;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async objectPath(obj: WritableObject, subresource?: string): Promise<string> {
    const name = obj.metadata?.name;
    if (name === undefined || name === '') throw new KubeError('KUBE_INVALID', 'metadata.name is required');
    const gvk = { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' };
    return this.path(gvk, obj.metadata?.namespace, name, subresource);
  }

  private async path(
    gvk: GroupVersionKind,
    namespace?: string,
    name?: string,
    sub?: string,
  ): Promise<string> {
    if (gvk.apiVersion === '' || gvk.kind === '') {
      throw new KubeError('KUBE_INVALID', 'apiVersion and kind are required');
    }
    const info = await this.resource(gvk);
    const base = gvk.apiVersion.includes('/') ? `/apis/${gvk.apiVersion}` : `/api/${gvk.apiVersion}`;
    const ns =
      info.namespaced && namespace !== undefined && namespace !== '' ? `/namespaces/${enc(namespace)}` : '';
    const obj = name === undefined ? '' : `/${enc(name)}`;
    const subPath = sub === undefined ? '' : `/${sub}`;
    return `${base}${ns}/${info.plural}${obj}${subPath}`;
  }
}

/** Splits a byte stream into non-empty lines (a watch sends one JSON event per line). */
class LineSplitter {
  private readonly decoder = new TextDecoder();
  private buffered = '';

  push(chunk: Uint8Array): string[] {
    this.buffered += this.decoder.decode(chunk, { stream: true });
    const parts = this.buffered.split('\n');
    this.buffered = parts.pop() ?? '';
    return parts.map((l) => l.trim()).filter((l) => l !== '');
  }
}

function dispatchLine(line: string, onEvent: (event: WatchEvent) => void): void {
  const event = JSON.parse(line) as { type: string; object: unknown };
  if (event.type === 'ERROR') {
    const status = event.object as KubeStatus;
    throw kubeErrorFromStatus('watch', status.code ?? 500, status);
  }
  onEvent(event as WatchEvent);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
