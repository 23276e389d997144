import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from '../../../../src/operator/kube/client.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { Informer, type InformerOptions } from '../../../../src/operator/runtime/informer.ts';
import { createRuntimeMetrics, type RuntimeMetrics } from '../../../../src/operator/runtime/metrics.ts';
import { FakeApiServer, openStream, sendEvent, sendGone } from './fake-apiserver.ts';

const GVK = { apiVersion: 'v1', kind: 'ConfigMap' };

interface Recorded {
  type: 'add' | 'update' | 'delete';
  name: string;
  data?: unknown;
}

let server: FakeApiServer;
let client: KubeClient;
let metrics: RuntimeMetrics;
let informer: Informer | undefined;
let events: Recorded[];

beforeEach(async () => {
  server = new FakeApiServer();
  await server.start();
  metrics = createRuntimeMetrics(new Registry());
  client = new KubeClient({ kubeConfig: server.kubeConfig(), metrics });
  events = [];
});

afterEach(async () => {
  await informer?.stop();
  informer = undefined;
  await client.close();
  await server.close();
});

function startInformer(options: Partial<InformerOptions> = {}): Informer {
  const inf = new Informer({
    client,
    gvk: GVK,
    namespace: 'ns',
    metrics,
    backoff: { initialMs: 20, maxMs: 100 },
    ...options,
  });
  const name = (o: KubeObject): string => o.metadata?.name ?? '';
  inf.addHandlers({
    onAdd: (o) => events.push({ type: 'add', name: name(o), data: o.data }),
    onUpdate: (_old, o) => events.push({ type: 'update', name: name(o), data: o.data }),
    onDelete: (o) => events.push({ type: 'delete', name: name(o) }),
  });
  inf.start();
  informer = inf;
  return inf;
}

async function restarts(reason: string): Promise<number> {
  const m = await metrics.informerRestarts.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

// The failures here (a 410 event on demand, a silent stream) cannot be produced on demand by the
// real API server, so a loopback server speaking the watch wire protocol plays it.
describe('Informer against a scripted API server', () => {
  it('lists in pages, syncs, then applies watch adds, updates, deletes and bookmarks', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) server.put(n, { v: '1' });
    const inf = startInformer({ pageSize: 2 });
    await inf.waitForSync();
    expect(inf.hasSynced()).toBe(true);
    expect(server.lists.map((q) => q.get('continue'))).toEqual([null, '2', '4']);
    expect(inf.keys().sort()).toEqual(['ns/a', 'ns/b', 'ns/c', 'ns/d', 'ns/e']);
    expect(inf.get('ns/a')?.kind).toBe('ConfigMap');
    expect(events.filter((e) => e.type === 'add')).toHaveLength(5);

    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(1);
    });
    const watch = server.watches[0]!;
    expect(watch.query.get('resourceVersion')).toBe('105');
    expect(watch.query.get('allowWatchBookmarks')).toBe('true');
    sendEvent(watch.res, 'MODIFIED', server.put('a', { v: '2' }));
    sendEvent(watch.res, 'ADDED', server.put('f', { v: '1' }));
    sendEvent(watch.res, 'DELETED', server.remove('b'));
    sendEvent(watch.res, 'BOOKMARK', {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: '200' },
    });
    await vi.waitFor(() => {
      expect(inf.lastResourceVersion()).toBe('200');
    });
    expect(events.slice(5)).toEqual([
      { type: 'update', name: 'a', data: { v: '2' } },
      { type: 'add', name: 'f', data: { v: '1' } },
      { type: 'delete', name: 'b' },
    ]);
    expect(inf.get('ns/a')?.data).toEqual({ v: '2' });
    expect(inf.get('ns/b')).toBeUndefined();
  });

  it('relists on a 410 ERROR event and emits what changed meanwhile', async () => {
    server.put('keep', { v: '1' });
    server.put('gone', { v: '1' });
    server.watchScript = (call, i) => {
      openStream(call.res);
      if (i === 0) {
        // Meanwhile: one object changed, one deleted, one created; then the RV expires.
        server.put('keep', { v: '2' });
        server.remove('gone');
        server.put('new', { v: '1' });
        sendGone(call.res);
      }
    };
    const inf = startInformer();
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(2);
    });
    expect(server.lists).toHaveLength(2);
    expect(events.slice(2).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { type: 'delete', name: 'gone' },
      { type: 'update', name: 'keep', data: { v: '2' } },
      { type: 'add', name: 'new', data: { v: '1' } },
    ]);
    expect(server.watches[1]!.query.get('resourceVersion')).toBe(inf.lastResourceVersion());
    expect(await restarts('gone')).toBe(1);
  });

  it('does not spin when every fresh watch is gone at once: backs off from the second 410', async () => {
    server.put('a', { v: '1' });
    server.watchScript = (call) => {
      openStream(call.res);
      sendGone(call.res);
    };
    startInformer({ backoff: { initialMs: 200, maxMs: 400 } });
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.lists.length).toBeGreaterThanOrEqual(2);
    expect(server.lists.length).toBeLessThanOrEqual(6);
  });

  it('a re-delivered event with the same resourceVersion calls no handler', async () => {
    const a = server.put('a', { v: '1' });
    startInformer();
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(1);
    });
    sendEvent(server.watches[0]!.res, 'MODIFIED', a);
    sendEvent(server.watches[0]!.res, 'MODIFIED', server.put('a', { v: '2' }));
    await vi.waitFor(() => {
      expect(events).toHaveLength(2);
    });
    expect(events[1]).toEqual({ type: 'update', name: 'a', data: { v: '2' } });
  });

  it('relists when the watch request itself answers HTTP 410', async () => {
    server.put('a', { v: '1' });
    server.watchScript = (call, i) => {
      if (i === 0) {
        call.res.writeHead(410, { 'content-type': 'application/json' });
        call.res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }));
        return;
      }
      openStream(call.res);
    };
    startInformer();
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(2);
    });
    expect(server.lists).toHaveLength(2);
  });

  it('re-watches from the last resourceVersion with backoff after any other error', async () => {
    server.put('a', { v: '1' });
    server.watchScript = (call, i) => {
      if (i < 2) {
        call.res.writeHead(500, { 'content-type': 'application/json' });
        call.res.end(JSON.stringify({ kind: 'Status', code: 500, message: 'etcd unavailable' }));
        return;
      }
      openStream(call.res);
      if (i === 2) sendEvent(call.res, 'MODIFIED', server.put('a', { v: '2' }));
      if (i === 2) setTimeout(() => call.res.destroy(new Error('connection reset')), 50);
    };
    const inf = startInformer();
    await vi.waitFor(() => {
      expect(server.watches.length).toBeGreaterThanOrEqual(4);
    });
    // No relist for ordinary errors: the informer resumes where it was.
    expect(server.lists).toHaveLength(1);
    expect(server.watches[1]!.query.get('resourceVersion')).toBe('101');
    expect(server.watches[3]!.query.get('resourceVersion')).toBe('102');
    expect(inf.get('ns/a')?.data).toEqual({ v: '2' });
    expect(await restarts('error')).toBeGreaterThanOrEqual(3);
  });

  it('the watchdog restarts a watch that stays silent', async () => {
    server.put('a', { v: '1' });
    startInformer({ watchdogMs: 300 });
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(1);
    });
    const opened = Date.now();
    await vi.waitFor(
      () => {
        expect(server.watches).toHaveLength(2);
      },
      { timeout: 3000 },
    );
    expect(Date.now() - opened).toBeGreaterThanOrEqual(250);
    expect(await restarts('stalled')).toBe(1);
    expect(server.watches[1]!.query.get('resourceVersion')).toBe('101');
  });

  it('the watchdog also covers a watch whose response headers never come', async () => {
    server.put('a', { v: '1' });
    server.watchScript = (call, i) => {
      if (i > 0) openStream(call.res);
      // i === 0: accept the connection and say nothing at all
    };
    startInformer({ watchdogMs: 300 });
    await vi.waitFor(
      () => {
        expect(server.watches).toHaveLength(2);
      },
      { timeout: 3000 },
    );
    expect(await restarts('stalled')).toBe(1);
  });

  it('bookmarks keep the watchdog quiet', async () => {
    server.put('a', { v: '1' });
    const timers: NodeJS.Timeout[] = [];
    server.watchScript = (call) => {
      openStream(call.res);
      let rv = 1000;
      timers.push(
        setInterval(() => {
          rv += 1;
          sendEvent(call.res, 'BOOKMARK', { metadata: { resourceVersion: String(rv) } });
        }, 100),
      );
    };
    // Without the bookmarks a 1 s watchdog would fire twice in 2.5 s.
    startInformer({ watchdogMs: 1000 });
    await new Promise((r) => setTimeout(r, 2500));
    for (const t of timers) clearInterval(t);
    expect(server.watches).toHaveLength(1);
    expect(await restarts('stalled')).toBe(0);
  });

  it('re-watches at once when the server ends the stream cleanly', async () => {
    server.put('a', { v: '1' });
    server.watchScript = (call, i) => {
      openStream(call.res);
      if (i === 0) setTimeout(() => call.res.end(), 1100);
    };
    startInformer();
    await vi.waitFor(
      () => {
        expect(server.watches).toHaveLength(2);
      },
      { timeout: 3000 },
    );
    expect(server.lists).toHaveLength(1);
    expect(await restarts('closed')).toBe(1);
  });

  it('retries a failing initial list and only then reports synced', async () => {
    server.put('a', { v: '1' });
    server.listFailure = (i) => (i < 2 ? 503 : undefined);
    const inf = startInformer();
    await new Promise((r) => setTimeout(r, 10));
    expect(inf.hasSynced()).toBe(false);
    await inf.waitForSync();
    expect(server.lists).toHaveLength(3);
    expect(inf.keys()).toEqual(['ns/a']);
  });

  it('a periodic relist finds drift a watch missed', async () => {
    server.put('a', { v: '1' });
    server.put('b', { v: '1' });
    const inf = startInformer({ relistIntervalMs: 300 });
    await inf.waitForSync();
    server.put('a', { v: 'drifted' });
    server.remove('b');
    await vi.waitFor(
      () => {
        expect(inf.get('ns/a')?.data).toEqual({ v: 'drifted' });
      },
      { timeout: 3000 },
    );
    expect(inf.get('ns/b')).toBeUndefined();
    expect(events.slice(2)).toEqual([
      { type: 'update', name: 'a', data: { v: 'drifted' } },
      { type: 'delete', name: 'b' },
    ]);
    expect(await restarts('relist')).toBeGreaterThanOrEqual(1);
  });

  it('a relist requested while backing off is not lost', async () => {
    server.put('a', { v: '1' });
    server.watchScript = (call, i) => {
      if (i === 0) {
        call.res.writeHead(500).end();
        return;
      }
      openStream(call.res);
    };
    const inf = startInformer({ backoff: { initialMs: 300, maxMs: 300 } });
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(1);
    });
    inf.requestRelist();
    await vi.waitFor(
      () => {
        expect(server.watches).toHaveLength(2);
      },
      { timeout: 3000 },
    );
    expect(server.lists).toHaveLength(2);
  });

  it('a relist with nothing changed emits nothing', async () => {
    server.put('a', { v: '1' });
    const inf = startInformer();
    await inf.waitForSync();
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(1);
    });
    inf.requestRelist();
    await vi.waitFor(() => {
      expect(server.lists).toHaveLength(2);
    });
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(2);
    });
    expect(events).toEqual([{ type: 'add', name: 'a', data: { v: '1' } }]);
  });

  it('handlers added after sync see every cached object; managedFields are not cached', async () => {
    const obj = server.put('a', { v: '1' });
    obj.metadata!.managedFields = [{ manager: 'kubectl' }];
    const inf = startInformer();
    await inf.waitForSync();
    const late: string[] = [];
    inf.addHandlers({ onAdd: (o) => late.push(o.metadata?.name ?? '') });
    expect(late).toEqual(['a']);
    expect(inf.get('ns/a')?.metadata?.managedFields).toBeUndefined();
  });

  it('stop() ends the loop and the open watch', async () => {
    server.put('a', { v: '1' });
    const inf = startInformer();
    await vi.waitFor(() => {
      expect(server.watches).toHaveLength(1);
    });
    await inf.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(server.watches).toHaveLength(1);
    expect(
      server.watches[0]!.res.writableEnded ||
        server.watches[0]!.res.destroyed ||
        server.watches[0]!.res.socket?.destroyed,
    ).toBeTruthy();
  });
});
