import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A probe verdict: ok, or not with the reasons (shown in the 503 body). */
export interface CheckResult {
  ok: boolean;
  reasons?: string[];
}

export interface ProbeServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 0.0.0.0 (in a pod the kubelet and Prometheus connect from outside). */
  host?: string;
  /** Serve /metrics from this registry; no /metrics when omitted. */
  registry?: Registry;
  /** Serve /healthz and /readyz from these checks; not served when omitted. */
  healthz?: () => CheckResult;
  readyz?: () => CheckResult;
}

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

/** The operator's HTTP endpoints: /metrics (Prometheus text), /healthz, /readyz (200 or 503). */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    void handle(options, req, res);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function handle(options: ProbeServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  try {
    if (path === '/metrics' && options.registry !== undefined) {
      const body = await options.registry.metrics();
      res.writeHead(200, { 'content-type': options.registry.contentType }).end(body);
      return;
    }
    const check = path === '/healthz' ? options.healthz : path === '/readyz' ? options.readyz : undefined;
    if (check === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const result = check();
    const body = result.ok ? 'ok\n' : `not ok: ${(result.reasons ?? []).join('; ')}\n`;
    res.writeHead(result.ok ? 200 : 503, { 'content-type': 'text/plain' }).end(body);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${String(err)}\n`);
  }
}
