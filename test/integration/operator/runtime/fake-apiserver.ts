import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';

/**
 * A loopback HTTP server that speaks just enough of the Kubernetes API for informer tests:
 * discovery of core/v1 ConfigMaps, paginated lists, and watch streams in the real wire format
 * (chunked JSON lines). Tests script each watch connection to produce failures the real API
 * server cannot be made to produce on demand (a 410 event, a silent stream).
 */
export interface WatchCall {
  query: URLSearchParams;
  res: ServerResponse;
}

export type WatchScript = (call: WatchCall, index: number) => void;

export class FakeApiServer {
  readonly objects = new Map<string, KubeObject>();
  readonly lists: URLSearchParams[] = [];
  readonly watches: WatchCall[] = [];
  rv = 100;
  /** Per watch connection (0-based). Default: send headers and keep the stream open. */
  watchScript: WatchScript = (call) => {
    openStream(call.res);
  };
  /** Return a status code to fail the n-th list request (0-based), or undefined to serve it. */
  listFailure: (index: number) => number | undefined = () => undefined;
  private server: Server | undefined;

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/api/v1') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }] }));
      } else if (
        url.pathname === '/api/v1/namespaces/ns/configmaps' &&
        url.searchParams.get('watch') === 'true'
      ) {
        const call = { query: url.searchParams, res };
        this.watches.push(call);
        this.watchScript(call, this.watches.length - 1);
      } else if (url.pathname === '/api/v1/namespaces/ns/configmaps') {
        this.list(url.searchParams, res);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  kubeConfig(): KubeConfig {
    const port = (this.server?.address() as AddressInfo).port;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'fake-token' }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** Creates or updates an object in the fake store (no watch event is sent). */
  put(name: string, data: Record<string, string>): KubeObject {
    this.rv += 1;
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'ns', resourceVersion: String(this.rv), uid: `uid-${name}` },
      data,
    };
    this.objects.set(name, obj);
    return obj;
  }

  remove(name: string): KubeObject | undefined {
    this.rv += 1;
    const obj = this.objects.get(name);
    this.objects.delete(name);
    return obj;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.res.destroy();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => {
        resolve();
      });
    });
  }

  private list(query: URLSearchParams, res: ServerResponse): void {
    const index = this.lists.length;
    this.lists.push(query);
    const failure = this.listFailure(index);
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: failure, message: 'scripted failure' }));
      return;
    }
    const all = [...this.objects.values()].sort((a, b) =>
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
    const start = Number(query.get('continue') ?? '0');
    const limit = Number(query.get('limit') ?? '0') || all.length;
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    // Real list items carry no apiVersion/kind.
    const items = page.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv), ...(next === undefined ? {} : { continue: next }) },
        items,
      }),
    );
  }
}

export function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
}

export function sendEvent(res: ServerResponse, type: string, object: unknown): void {
  res.write(`${JSON.stringify({ type, object })}\n`);
}

export function sendGone(res: ServerResponse): void {
  sendEvent(res, 'ERROR', {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: 'too old resource version: 1 (100)',
    reason: 'Expired',
    code: 410,
  });
}
