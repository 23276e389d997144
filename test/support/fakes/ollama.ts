/**
 * A fake Ollama on a loopback port: `POST /api/chat` (non-streaming, JSON `format`) and
 * `GET /api/tags`. Answers are scripted per request: `valid` extracts the fields from the legal
 * descriptions with rules, `invalid-json` and `wrong-schema` are what a small model sometimes says.
 */
import { createServer, type Server } from 'node:http';

export type ScriptedAnswer = 'valid' | 'invalid-json' | 'wrong-schema' | 'http-500';

export interface FakeOllama {
  url: string;
  server: Server;
  /** Answers to give, in order; `valid` once the script is used up. */
  script: ScriptedAnswer[];
  requests: { model: string; temperature: unknown; hasFormat: boolean; messages: number }[];
  close(): Promise<void>;
}

function validAnswer(userContent: string): string {
  const input = JSON.parse(userContent) as { items: { apn: string; text: string }[] };
  const items = input.items.map(({ apn, text }) => ({
    apn,
    subdivision: text.split(/\b(LOT|UNIT)\b/)[0]?.trim() ?? null,
    lot: /\bLOT (\S+)/.exec(text)?.[1] ?? null,
    unit: /\bUNIT (\S+)/.exec(text)?.[1] ?? null,
    isCondo: /UNDIV/.test(text),
    tags: ['llm'],
  }));
  return JSON.stringify({ items });
}

export async function startFakeOllama(model = 'llama3.2:3b'): Promise<FakeOllama> {
  const fake = { script: [], requests: [] } as unknown as FakeOllama;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/api/tags') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ models: [{ name: model, model }] }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/api/chat') {
        res.writeHead(404).end();
        return;
      }
      const request = JSON.parse(body) as {
        model: string;
        messages: { role: string; content: string }[];
        format?: unknown;
        options?: { temperature?: unknown };
      };
      fake.requests.push({
        model: request.model,
        temperature: request.options?.temperature,
        hasFormat: typeof request.format === 'object',
        messages: request.messages.length,
      });
      const answer = fake.script.shift() ?? 'valid';
      if (answer === 'http-500') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"model crashed"}');
        return;
      }
      const firstUser = request.messages.find((m) => m.role === 'user')?.content ?? '{"items":[]}';
      const content =
        answer === 'valid'
          ? validAnswer(firstUser)
          : answer === 'invalid-json'
            ? '{"items": [ {"apn": '
            : JSON.stringify({ result: 'I think it is a house' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          model: request.model,
          created_at: new Date().toISOString(),
          message: { role: 'assistant', content },
          done: true,
          done_reason: 'stop',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  fake.url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  fake.server = server;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return fake;
}
