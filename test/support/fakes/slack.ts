/**
 * A fake Slack incoming webhook on a loopback port: every POST is recorded (path and JSON body)
 * and answered `200 ok`, as Slack answers a message it accepted.
 */
import { createServer, type Server } from 'node:http';

export interface SlackAttachment {
  title?: string;
  text?: string;
  color?: string;
  [field: string]: unknown;
}

export interface SlackMessage {
  path: string;
  channel?: string;
  attachments?: SlackAttachment[];
  [field: string]: unknown;
}

export interface FakeSlack {
  /** The webhook URL to configure (`api_url`). */
  url: string;
  server: Server;
  messages: SlackMessage[];
  close(): Promise<void>;
}

export async function startFakeSlack(path = '/services/T000/B000/phoenix'): Promise<FakeSlack> {
  const messages: SlackMessage[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== path) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
        return;
      }
      try {
        messages.push({ ...(JSON.parse(body) as Record<string, unknown>), path: req.url });
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    server,
    messages,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
