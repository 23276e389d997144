/**
 * A fake SMTP relay on a loopback port that speaks enough SMTP to receive a message: greeting,
 * EHLO with AUTH PLAIN LOGIN, AUTH, MAIL FROM, RCPT TO, DATA (dot-unstuffed) and QUIT.
 */
import { createServer, type Server } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  auth: { username: string; password: string } | undefined;
}

export interface FakeSmtp {
  smarthost: string;
  server: Server;
  messages: ReceivedMail[];
  close(): Promise<void>;
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const messages: ReceivedMail[] = [];
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current: ReceivedMail = { from: '', to: [], data: '', auth: undefined };
    const reply = (line: string): void => {
      socket.write(`${line}\r\n`);
    };
    reply('220 fake-smtp ESMTP ready');
    const commands: Record<string, (line: string) => void> = {
      EHLO: () => socket.write('250-fake-smtp\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n'),
      AUTH: (line) => {
        const decoded = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8');
        const [, username = '', password = ''] = decoded.split('\0');
        current.auth = { username, password };
        reply('235 2.7.0 authenticated');
      },
      MAIL: (line) => {
        current.from = /<(.*)>/.exec(line)?.[1] ?? '';
        reply('250 OK');
      },
      RCPT: (line) => {
        current.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
        reply('250 OK');
      },
      DATA: () => {
        inData = true;
        reply('354 end with <CRLF>.<CRLF>');
      },
      QUIT: () => {
        reply('221 bye');
        socket.end();
      },
    };
    const onData = (line: string): void => {
      if (line !== '.') {
        current.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
        return;
      }
      inData = false;
      messages.push(current);
      current = { from: '', to: [], data: '', auth: current.auth };
      reply('250 2.0.0 queued');
    };
    const onLine = (line: string): void => {
      if (inData) {
        onData(line);
        return;
      }
      const handler = commands[line.split(' ')[0]?.toUpperCase() ?? ''];
      if (handler) handler(line);
      else reply('502 not implemented');
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        onLine(buffer.slice(0, index));
        buffer = buffer.slice(index + 2);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    smarthost: `127.0.0.1:${port}`,
    server,
    messages,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
