/**
 * The HTTP server of the probes and metrics on one port (9090, `metrics`): `/healthz` (liveness:
 * answering at all proves the event loop turns), `/readyz` (MongoDB reachable and the schedule
 * running), `/health` (detailed, cached) and `/metrics`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { HealthChecker } from './health.ts';

export interface ServerDeps {
  registry: Registry;
  health: HealthChecker;
  /** Readiness and the reasons it is false. */
  ready: () => Promise<{ ready: boolean; reasons: string[] }>;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

interface Reply {
  status: number;
  body: string;
  type?: string;
}

async function route(deps: ServerDeps, req: IncomingMessage): Promise<Reply> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET') return { status: 405, body: JSON.stringify({ error: 'method not allowed' }) };
  switch (path) {
    case '/healthz':
      return {
        status: 200,
        body: JSON.stringify({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }),
      };
    case '/readyz': {
      const r = await deps.ready();
      return { status: r.ready ? 200 : 503, body: JSON.stringify({ ready: r.ready, reasons: r.reasons }) };
    }
    case '/health': {
      const report = await deps.health.report();
      return { status: report.status === 'unhealthy' ? 503 : 200, body: JSON.stringify(report) };
    }
    case '/metrics':
      return { status: 200, body: await deps.registry.metrics(), type: deps.registry.contentType };
    default:
      return { status: 404, body: JSON.stringify({ error: 'not found' }) };
  }
}

export async function startServer(
  deps: ServerDeps,
  port: number,
  host = '0.0.0.0',
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    route(deps, req).then(
      (reply) => {
        send(res, reply.status, reply.body, reply.type);
      },
      (err: unknown) => {
        send(res, 500, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve();
    });
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : port };
}
