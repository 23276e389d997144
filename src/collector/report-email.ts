/**
 * The optional daily report email of a market: a minimal SMTP client over node:net / node:tls
 * speaking real SMTP (EHLO, STARTTLS when required, AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO,
 * DATA, QUIT) and the pure rendering of the day's numbers. The password comes from the
 * environment (a Secret), never from the configuration file, and is never logged.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { PhoenixError } from '../shared/errors.ts';
import type { Logger } from 'pino';
import type { CollectorConfig } from './config.ts';
import { costTotals } from './storage/ledger.ts';
import type { Database } from './storage/mongo.ts';
import { claimReportEmail, getReport, releaseReportEmail, type DailyReportDoc } from './storage/reports.ts';

export class SmtpError extends PhoenixError {
  override readonly name = 'SmtpError';
  constructor(message: string, cause?: unknown) {
    super('PHOENIX_SMTP', message, { kind: 'transient', cause });
  }
}

export interface SmtpOptions {
  smarthost: string;
  from: string;
  to: string[];
  username?: string | undefined;
  password?: string | undefined;
  requireTLS: boolean;
  heloName: string;
  timeoutMs?: number;
}

export interface MailMessage {
  subject: string;
  text: string;
}

/** Reads SMTP replies (multi-line `250-...` up to the `250 ...` line) from a socket. */
class ReplyReader {
  #buffer = '';
  #waiters: ((reply: { code: number; lines: string[] }) => void)[] = [];
  #replies: { code: number; lines: string[] }[] = [];
  #lines: string[] = [];

  feed(chunk: string): void {
    this.#buffer += chunk;
    let index: number;
    while ((index = this.#buffer.indexOf('\r\n')) >= 0) {
      const line = this.#buffer.slice(0, index);
      this.#buffer = this.#buffer.slice(index + 2);
      this.#lines.push(line.slice(4));
      if (line[3] !== '-') {
        const reply = { code: Number(line.slice(0, 3)), lines: this.#lines };
        this.#lines = [];
        const waiter = this.#waiters.shift();
        if (waiter) waiter(reply);
        else this.#replies.push(reply);
      }
    }
  }

  next(): Promise<{ code: number; lines: string[] }> {
    const ready = this.#replies.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

class SmtpSession {
  socket: Socket;
  reader = new ReplyReader();
  readonly #timeoutMs: number;

  constructor(socket: Socket, timeoutMs: number) {
    this.socket = socket;
    this.#timeoutMs = timeoutMs;
    this.#attach(socket);
  }

  #attach(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.reader.feed(chunk);
    });
  }

  upgrade(socket: Socket): void {
    this.socket = socket;
    this.reader = new ReplyReader();
    this.#attach(socket);
  }

  async expect(codes: number[], what: string): Promise<string[]> {
    const timeout = new Promise<never>((_, reject) => {
      setTimeout(() => {
        reject(new SmtpError(`no SMTP reply to ${what} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs).unref();
    });
    const reply = await Promise.race([this.reader.next(), timeout]);
    if (!codes.includes(reply.code)) {
      throw new SmtpError(`SMTP ${what} refused: ${reply.code} ${reply.lines.join(' ')}`);
    }
    return reply.lines;
  }

  async command(line: string, codes: number[], what = line.split(' ')[0] ?? line): Promise<string[]> {
    this.socket.write(`${line}\r\n`);
    return this.expect(codes, what);
  }
}

/** The message as SMTP DATA: CRLF line ends, dot-stuffed, headers first (pure). */
export function formatMessage(
  options: Pick<SmtpOptions, 'from' | 'to' | 'heloName'>,
  message: MailMessage,
  now: Date,
): string {
  const headers = [
    `From: ${options.from}`,
    `To: ${options.to.join(', ')}`,
    `Subject: ${message.subject.replace(/[\r\n]+/g, ' ')}`,
    `Date: ${now.toUTCString()}`,
    `Message-ID: <${now.getTime()}.${Math.random().toString(36).slice(2)}@${options.heloName}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = message.text
    .replace(/\r?\n/g, '\r\n')
    .split('\r\n')
    .map((line) => (line.startsWith('.') ? `.${line}` : line))
    .join('\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n.\r\n`;
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port }, () => {
      resolve(socket);
    });
    socket.once('error', (err) => {
      reject(new SmtpError(`cannot connect to ${host}:${port}: ${err.message}`, err));
    });
  });
}

async function startTls(session: SmtpSession, host: string, options: SmtpOptions): Promise<string[]> {
  await session.command('STARTTLS', [220]);
  const secure = tlsConnect({ socket: session.socket, servername: host });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  session.upgrade(secure);
  return session.command(`EHLO ${options.heloName}`, [250]);
}

async function authenticate(
  session: SmtpSession,
  capabilities: string[],
  options: SmtpOptions,
): Promise<void> {
  if (options.username === undefined) return;
  if (options.password === undefined)
    throw new SmtpError('SMTP username set but PHOENIX_SMTP_PASSWORD is empty');
  const auth = capabilities.find((c) => c.toUpperCase().startsWith('AUTH')) ?? '';
  if (/\bPLAIN\b/i.test(auth)) {
    const token = Buffer.from(`\0${options.username}\0${options.password}`).toString('base64');
    await session.command(`AUTH PLAIN ${token}`, [235], 'AUTH PLAIN');
    return;
  }
  if (/\bLOGIN\b/i.test(auth)) {
    await session.command('AUTH LOGIN', [334]);
    await session.command(Buffer.from(options.username).toString('base64'), [334], 'AUTH LOGIN username');
    await session.command(Buffer.from(options.password).toString('base64'), [235], 'AUTH LOGIN password');
    return;
  }
  throw new SmtpError('SMTP server offers neither AUTH PLAIN nor AUTH LOGIN');
}

/** Sends one message; resolves when the relay accepted it (250 after DATA). */
export async function sendMail(options: SmtpOptions, message: MailMessage): Promise<void> {
  const separator = options.smarthost.lastIndexOf(':');
  const host = options.smarthost.slice(0, separator);
  const port = Number(options.smarthost.slice(separator + 1));
  const session = new SmtpSession(await open(host, port), options.timeoutMs ?? 15_000);
  try {
    await session.expect([220], 'greeting');
    let capabilities = await session.command(`EHLO ${options.heloName}`, [250]);
    if (options.requireTLS) {
      if (!capabilities.some((c) => c.toUpperCase() === 'STARTTLS'))
        throw new SmtpError('SMTP server does not offer STARTTLS and requireTLS is set');
      capabilities = await startTls(session, host, options);
    }
    await authenticate(session, capabilities, options);
    await session.command(`MAIL FROM:<${options.from}>`, [250], 'MAIL FROM');
    for (const to of options.to) await session.command(`RCPT TO:<${to}>`, [250, 251], 'RCPT TO');
    await session.command('DATA', [354]);
    session.socket.write(formatMessage(options, message, new Date()));
    await session.expect([250], 'message');
    await session.command('QUIT', [221]).catch(() => undefined);
  } finally {
    session.socket.destroy();
  }
}

/** The day's report as a message (pure). */
export function renderDailyReport(
  market: string,
  report: DailyReportDoc,
  costs: { dailyUSD: number; monthlyUSD: number; budgetUSD: number },
): MailMessage {
  const quality = report.qualityCount > 0 ? (report.qualitySum / report.qualityCount).toFixed(3) : 'n/a';
  const lines = [
    `Phoenix real-estate collection: ${market}, ${report.date}`,
    '',
    `Runs:                 ${report.runs} (${report.runsFailed} failed; last ${report.lastOutcome})`,
    `Zip codes completed:  ${report.zipCodesCompleted} (${report.zipCodesFailed} failed)`,
    `Records fetched:      ${report.propertiesFetched}`,
    `Properties stored:    ${report.propertiesStored} (${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged)`,
    `Records rejected:     ${report.recordsRejected}`,
    `Mean data quality:    ${quality}`,
    `Cost today:           $${costs.dailyUSD.toFixed(4)}`,
    `Cost this month:      $${costs.monthlyUSD.toFixed(4)} of $${costs.budgetUSD.toFixed(2)}`,
  ];
  return { subject: `[phoenix] ${market} daily report ${report.date}`, text: lines.join('\n') };
}

export interface DailyEmailContext {
  db: Database;
  config: CollectorConfig;
  logger: Logger;
}

export type DailyEmailOutcome = 'sent' | 'already-sent' | 'no-report' | 'disabled';

/** Emails the day's report once per market and date, whichever replica gets there first. */
export async function emailDailyReport(ctx: DailyEmailContext, date: string): Promise<DailyEmailOutcome> {
  const email = ctx.config.file.reportEmail;
  if (email?.enabled !== true) return 'disabled';
  const market = ctx.config.file.market.name;
  const report = await getReport(ctx.db, market, date);
  if (report === null) return 'no-report';
  if (!(await claimReportEmail(ctx.db, market, date))) return 'already-sent';
  try {
    const costs = await costTotals(ctx.db, market, date);
    const message = renderDailyReport(market, report, {
      ...costs,
      budgetUSD: ctx.config.file.budget.monthlyUSD,
    });
    await sendMail(
      {
        smarthost: email.smarthost,
        from: email.from,
        to: [...email.to],
        username: email.username,
        password: ctx.config.secrets.smtpPassword,
        requireTLS: email.requireTLS,
        heloName: ctx.config.instance,
      },
      message,
    );
    ctx.logger.info({ date, to: email.to.length }, 'daily report emailed');
    return 'sent';
  } catch (err) {
    await releaseReportEmail(ctx.db, market, date).catch(() => undefined);
    throw err;
  }
}
