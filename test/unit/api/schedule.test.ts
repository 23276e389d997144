import { describe, expect, it } from 'vitest';
import { CRON_PATTERN, TIME_ZONE_PATTERN, cronError, isTimeZone } from '../../../src/api/index.ts';

const cron = new RegExp(CRON_PATTERN);

describe('collection schedule', () => {
  it.each([
    '0 */6 * * *',
    '*/15 * * * *',
    '5 1-23/6 * * *',
    '0 8 * * MON-FRI',
    '0 0 1,15 * *',
    '30 2 * jan,jul sun',
    '@daily',
    '@hourly',
  ])('accepts %s in the OpenAPI pattern and in croner', (expr) => {
    expect(cron.test(expr)).toBe(true);
    expect(cronError(expr)).toBeUndefined();
  });

  it.each([
    'every 6 hours',
    '0 25 * * *',
    '60 * * * *',
    '0 0 */6 * * *',
    '* * *',
    '0 0 32 * *',
    '5/5 * * * *',
    '',
  ])('rejects %s in the OpenAPI pattern', (expr) => {
    expect(cron.test(expr)).toBe(false);
  });

  it('leaves what the pattern cannot see to croner', () => {
    expect(cron.test('0 0 * foo *')).toBe(true);
    expect(cronError('0 0 * foo *')).toBeDefined();
  });
});

describe('time zone', () => {
  it.each(['America/Phoenix', 'UTC', 'Etc/GMT+7', 'America/Argentina/Buenos_Aires'])('accepts %s', (tz) => {
    expect(new RegExp(TIME_ZONE_PATTERN).test(tz)).toBe(true);
    expect(isTimeZone(tz)).toBe(true);
  });

  it('rejects unknown zones in process and malformed ones by pattern', () => {
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(new RegExp(TIME_ZONE_PATTERN).test('Phoenix, AZ')).toBe(false);
  });
});
