import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateInZone } from '../../../src/collector/costs.ts';
import { startCollector, type RunningCollector } from '../../../src/collector/main.ts';
import { collectorSetup, loadTestConfig } from '../../support/collector.ts';
import { useFerretDb } from '../../support/ferretdb.ts';
import { startFakeAssessor, type FakeAssessor } from '../../support/fakes/assessor.ts';
import { startFakeSmtp, type FakeSmtp } from '../../support/fakes/smtp.ts';

describe('collector: daily report email over SMTP', () => {
  const ferret = useFerretDb();
  let assessor: FakeAssessor;
  let smtp: FakeSmtp;
  let collector: RunningCollector;

  beforeAll(async () => {
    assessor = await startFakeAssessor({ token: 't', parcelsPerZip: { '85250': 12 }, log: () => undefined });
    smtp = await startFakeSmtp();
    const setup = collectorSetup(
      {
        market: { name: 'scottsdale', zipCodes: ['85250'], schedule: '0 0 1 1 *' },
        sources: { assessor: { baseUrl: assessor.url, requestsPerSecond: 100 } },
        mongodb: { database: 'email' },
        llm: { enabled: false },
        collection: { catchUp: false },
        reportEmail: {
          enabled: true,
          to: ['ops@example.com', 'data@example.com'],
          from: 'collector@example.com',
          smarthost: smtp.smarthost,
          username: 'relay-user',
        },
      },
      { PHOENIX_ASSESSOR_TOKEN: 't', PHOENIX_MONGODB_URI: ferret.db.uri, PHOENIX_SMTP_PASSWORD: 's3cret' },
    );
    collector = await startCollector(loadTestConfig(setup, 'scottsdale-0'), {
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await collector.stop();
    await assessor.close();
    await smtp.close();
  });

  it("sends the day's numbers once, authenticated with the password from the environment", async () => {
    const result = await collector.runNow(new Date('2026-01-01T07:00:00Z'));
    expect(result.summary.propertiesStored).toBe(12);
    const date = dateInZone(result.completedAt, 'America/Phoenix');
    expect(await collector.sendDailyReport(date)).toBe('sent');
    expect(await collector.sendDailyReport(date)).toBe('already-sent');
    expect(await collector.sendDailyReport('1999-01-01')).toBe('no-report');
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.from).toBe('collector@example.com');
    expect(mail.to).toEqual(['ops@example.com', 'data@example.com']);
    expect(mail.auth).toEqual({ username: 'relay-user', password: 's3cret' });
    expect(mail.data).toContain(`Subject: [phoenix] scottsdale daily report ${date}`);
    expect(mail.data).toMatch(/Properties stored:\s+12 \(12 new, 0 updated, 0 unchanged\)/);
    expect(mail.data).toMatch(/Runs:\s+1 \(0 failed; last Succeeded\)/);
  });

  it('reports the relay in /health', async () => {
    const body = (await (await fetch(`http://127.0.0.1:${collector.port}/health`)).json()) as {
      checks: { name: string; status: string; message: string }[];
    };
    expect(body.checks.find((c) => c.name === 'email_relay')).toMatchObject({
      status: 'healthy',
      message: `${smtp.smarthost} greeted`,
    });
  });
});
