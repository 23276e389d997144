/**
 * Collection schedule and time zone. The API server checks the shape of a 5-field cron expression
 * with a pattern (CEL cannot parse cron); in process, croner parses it fully, and Intl checks the
 * IANA time zone.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { CEL_KEY, type CelRule } from './common.ts';

const STEP = '/[0-9]{1,2}';

/** One cron field: `*`, `*\/n`, values, ranges and stepped ranges, comma-separated. */
function cronField(value: string): string {
  const item = `(\\*(${STEP})?|(${value})(-(${value})(${STEP})?)?)`;
  return `${item}(,${item})*`;
}

const MINUTE = '[0-5]?[0-9]';
const HOUR = '[01]?[0-9]|2[0-3]';
const DAY_OF_MONTH = '0?[1-9]|[12][0-9]|3[01]';
const MONTH = '0?[1-9]|1[0-2]|[A-Za-z]{3}';
const DAY_OF_WEEK = '[0-7]|[A-Za-z]{3}';
const MACRO = '@(yearly|annually|monthly|weekly|daily|midnight|hourly)';

/** The OpenAPI pattern of a 5-field cron expression (minute hour day-of-month month day-of-week). */
export const CRON_PATTERN = `^(${MACRO}|${[MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK].map(cronField).join(' ')})$`;

/** IANA time zone name shape (e.g. America/Phoenix, UTC, Etc/GMT+7). */
export const TIME_ZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$';

/**
 * Remembers the answers of an expensive check (an Intl formatter or a cron parse per market
 * per reconcile adds up at a thousand markets). Few distinct values occur; the map is cleared
 * if that ever stops being true.
 */
function memoise<T>(check: (value: string) => T): (value: string) => T {
  const answers = new Map<string, T>();
  return (value) => {
    if (answers.has(value)) return answers.get(value) as T;
    if (answers.size >= 1000) answers.clear();
    const answer = check(value);
    answers.set(value, answer);
    return answer;
  };
}

/** Why `expression` is not a cron expression croner accepts, or undefined when it is. */
export const cronError = memoise((expression: string): string | undefined => {
  try {
    new Cron(expression, { paused: true, mode: '5-part' }).stop();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
});

export const isTimeZone = memoise((name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
});

export function cronSchedule(description: string) {
  return z
    .string()
    .max(128)
    .regex(new RegExp(CRON_PATTERN), {
      error:
        'must be a 5-field cron expression (minute hour day-of-month month day-of-week) or a macro such as @daily',
    })
    .superRefine((value, ctx) => {
      const reason = cronError(value);
      if (reason !== undefined && new RegExp(CRON_PATTERN).test(value)) {
        ctx.addIssue({ code: 'custom', message: `is not a valid cron expression: ${reason}` });
      }
    })
    .describe(description);
}

/**
 * CEL has no time zone list, but converting a timestamp to an unknown zone is an evaluation
 * error, which the API server reports as a validation failure of the field.
 */
const TIME_ZONE_RULE: CelRule = {
  rule: "timestamp('2000-01-01T00:00:00Z').getHours(self) >= 0",
  message: 'must be a known IANA time zone',
};

export function timeZone(description: string) {
  return z
    .string()
    .max(64)
    .regex(new RegExp(TIME_ZONE_PATTERN), { error: 'must be an IANA time zone name such as America/Phoenix' })
    .superRefine((value, ctx) => {
      if (new RegExp(TIME_ZONE_PATTERN).test(value) && !isTimeZone(value)) {
        ctx.addIssue({ code: 'custom', message: TIME_ZONE_RULE.message });
      }
    })
    .meta({ description, [CEL_KEY]: [TIME_ZONE_RULE] });
}
