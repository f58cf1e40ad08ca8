/**
 * AWS schedule expressions (shared/src/schedules.ts): what EventBridge
 * Scheduler accepts and refuses, and the fire times, checked against
 * aws-cron-parser (an independent AWS cron implementation) over many
 * generated expressions, and against the time zone database for at() and DST.
 */
process.env.TZ = 'UTC'; // aws-cron-parser computes in the process's local time
import { describe, expect, it } from 'vitest';
import awsCronParser from 'aws-cron-parser';
import {
  isOneTime,
  nextFireTime,
  nextFireTimes,
  parseScheduleExpression,
  previousFireTime,
  RATE_UNIT_MS,
  ScheduleExpressionError,
  validateTimezone,
  type ParsedSchedule,
} from '../src/schedules.ts';

function parsed(expression: string, timezone: string | null = null): ParsedSchedule {
  const r = parseScheduleExpression(expression, timezone);
  if (!r.ok) throw new Error(`${expression}: ${r.message}`);
  return r.schedule;
}

function refusal(expression: string, timezone: string | null = null): { problem: string; message: string } {
  const r = parseScheduleExpression(expression, timezone);
  if (r.ok) throw new Error(`${expression} was accepted`);
  return r;
}

/** Local wall-clock time of an instant in a zone, from the runtime's time zone database. */
function wall(t: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(t);
}

describe('rate(value unit)', () => {
  it('accepts a positive whole number with the singular unit for 1 and the plural otherwise', () => {
    for (const [e, ms] of [
      ['rate(1 minute)', 60_000],
      ['rate(5 minutes)', 300_000],
      ['rate(1 hour)', 3_600_000],
      ['rate(12 hours)', 43_200_000],
      ['rate(1 day)', 86_400_000],
      ['rate(7 days)', 604_800_000],
    ] as const) {
      const s = parsed(e);
      expect(s.kind).toBe('rate');
      expect(s.kind === 'rate' && s.intervalMs).toBe(ms);
    }
  });

  it('refuses what AWS refuses, saying what to write', () => {
    expect(refusal('rate(5 minute)').message).toContain('rate(5 minutes)');
    expect(refusal('rate(1 minutes)').message).toContain('rate(1 minute)');
    expect(refusal('rate(2 day)').message).toContain('rate(2 days)');
    expect(refusal('rate(1 hours)').message).toContain('rate(1 hour)');
    expect(refusal('rate(0 minutes)').message).toMatch(/1 or more/);
    expect(refusal('rate(-5 minutes)').message).toMatch(/positive whole number/);
    expect(refusal('rate(1.5 hours)').message).toMatch(/positive whole number/);
    expect(refusal('rate(05 minutes)').message).toContain('rate(5 minutes)');
    expect(refusal('rate(1 week)').message).toContain('rate(7 days)');
    expect(refusal('rate(30 seconds)').message).toMatch(/minute/);
    expect(refusal('rate(5  minutes)').message).toMatch(/one space/);
    expect(refusal('rate(5minutes)').message).toMatch(/one space/);
    expect(refusal('rate()').message).toMatch(/rate\(value unit\)/);
    expect(refusal('Rate(5 minutes)').message).toMatch(/lower case/);
    expect(refusal('rate(99999999999999999999 days)').message).toMatch(/too large/);
    expect(refusal('rate(999999999999999 days)').message).toMatch(/too long/);
  });

  it('fires at the anchor, then every interval (AWS starts a rate schedule at creation)', () => {
    const anchor = new Date('2026-01-01T10:00:00Z');
    const times = nextFireTimes('rate(15 minutes)', null, new Date('2026-01-01T09:00:00Z'), 4, { anchor });
    expect(times.map((t) => t.getTime() - anchor.getTime())).toEqual([0, 1, 2, 3].map((k) => k * 15 * RATE_UNIT_MS.minute));
    // strictly after `after`, on the anchor's grid
    const later = nextFireTimes('rate(15 minutes)', null, new Date('2026-01-01T10:20:00Z'), 2, { anchor });
    expect(later.map((t) => t.toISOString())).toEqual(['2026-01-01T10:30:00.000Z', '2026-01-01T10:45:00.000Z']);
    const onGrid = nextFireTime(parsed('rate(15 minutes)'), new Date('2026-01-01T10:30:00Z'), { anchor });
    expect(onGrid?.toISOString()).toBe('2026-01-01T10:45:00.000Z');
  });

  it('counts a day as 24 hours across a DST change (AWS), whatever the time zone', () => {
    const anchor = new Date('2026-03-28T12:00:00Z');
    const [a, b] = nextFireTimes('rate(1 day)', 'Europe/Berlin', new Date(anchor.getTime() - 1), 2, { anchor });
    expect(a.getTime()).toBe(anchor.getTime());
    expect(b.getTime() - a.getTime()).toBe(86_400_000);
    expect(wall(a, 'Europe/Berlin').slice(11)).not.toBe(wall(b, 'Europe/Berlin').slice(11)); // 13:00 CET then 14:00 CEST
  });

  it('previousFireTime is the last grid point before, and needs the anchor', () => {
    const anchor = new Date('2026-01-01T10:00:00Z');
    const s = parsed('rate(1 hour)');
    expect(previousFireTime(s, new Date('2026-01-01T12:30:00Z'), { anchor })?.toISOString()).toBe('2026-01-01T12:00:00.000Z');
    expect(previousFireTime(s, new Date('2026-01-01T12:00:00Z'), { anchor })?.toISOString()).toBe('2026-01-01T11:00:00.000Z');
    expect(previousFireTime(s, anchor, { anchor })).toBeNull();
    expect(previousFireTime(s, new Date('2026-01-01T12:30:00Z'))).toBeNull();
  });
});

describe('cron(minutes hours day-of-month month day-of-week year)', () => {
  it('accepts the AWS documentation examples', () => {
    for (const e of [
      'cron(0 10 * * ? *)',
      'cron(15 12 * * ? *)',
      'cron(0 18 ? * MON-FRI *)',
      'cron(0 8 1 * ? *)',
      'cron(0/15 * * * ? *)',
      'cron(0/10 * ? * MON-FRI *)',
      'cron(0/5 8-17 ? * MON-FRI *)',
      'cron(0 9 ? * 2#1 *)',
      'cron(15 10 ? * 6L 2019-2022)',
      'cron(0 0 L * ? *)',
      'cron(0 0 LW * ? *)',
      'cron(0 0 15W * ? *)',
      'cron(0 12 ? JAN-MAR SUN,SAT *)',
      'cron(0 0 ? * L *)',
    ]) {
      expect(parsed(e).kind, e).toBe('cron');
    }
  });

  it('refuses malformed expressions with the field and the fix', () => {
    const cases: Array<[string, RegExp]> = [
      ['cron(a b c d e f)', /minutes "a".*not a number/],
      ['cron(0 12 * * *)', /six fields.*year/],
      ['cron(0 12 * * ? * *)', /found 7 fields/],
      ['cron(0  12 * * ? *)', /single spaces/],
      ['cron(0 12 * * MON *)', /\? in day-of-month or in day-of-week.*cron\(0 12 \? \* MON \*\)/],
      ['cron(0 12 ? * ? *)', /only one of day-of-month and day-of-week can be \?/],
      ['cron(60 12 * * ? *)', /minutes "60".*0 to 59/],
      ['cron(0 24 * * ? *)', /hours "24".*0 to 23/],
      ['cron(0 12 0 * ? *)', /day-of-month "0".*1 to 31/],
      ['cron(0 12 * 13 ? *)', /month "13".*1 to 12/],
      ['cron(0 12 * FOO ? *)', /month "FOO".*JAN-DEC/],
      ['cron(0 12 ? * 0 *)', /Sunday is 1 or SUN/],
      ['cron(0 12 ? * 8 *)', /day-of-week "8"/],
      ['cron(0 12 ? * */2 *)', /steps.*not allowed in day-of-week/],
      ['cron(0 12 ? * MON#6 *)', /1 to 5/],
      ['cron(0 12 * * ? 1969)', /year "1969".*1970 to 2199/],
      ['cron(0 12 * * ? 2200)', /year "2200"/],
      ['cron(0 12 5-1 * ? *)', /runs backwards/],
      ['cron(0 12 ? * FRI-MON *)', /runs backwards/],
      ['cron(0 ? * * ? *)', /\? is allowed only in day-of-month and day-of-week/],
      ['cron(0 12 L-3 * ? *)', /L-n .* not supported/],
      ['cron(0 12 1W,15 * ? *)', /stand alone/],
      ['cron(0 12 * * L ?)', /year/],
      ['cron(0 12 1,,2 * ? *)', /empty list element/],
      ['cron(0 12 */0 * ? *)', /positive whole number/],
      ['cron()', /found 0 fields/],
    ];
    for (const [e, re] of cases) {
      const r = refusal(e);
      expect(r.problem, e).toBe('expression');
      expect(r.message, e).toMatch(re);
    }
  });

  it('refuses an expression that can never fire', () => {
    for (const e of ['cron(0 0 30 2 ? *)', 'cron(0 0 31 4,6,9,11 ? *)', 'cron(0 0 ? 2 1#5 2026)', 'cron(0 0 29 2 ? 2100)']) {
      expect(refusal(e).message, e).toMatch(/could never fire/);
    }
    // but a leap day, and a past year, are fine (whether it is still due is the scheduler's business)
    expect(parsed('cron(0 0 29 2 ? *)').kind).toBe('cron');
    expect(parsed('cron(0 0 1 1 ? 2020)').kind).toBe('cron');
    expect(nextFireTime(parsed('cron(0 0 1 1 ? 2020)'), new Date('2026-01-01T00:00:00Z'))).toBeNull();
  });

  describe('fire times equal aws-cron-parser (UTC)', () => {
    // A seeded generator of AWS cron expressions over every form both implement.
    let seed = 20260127;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[rnd(xs.length)];
    const MIN = ['0', '7', '*/15', '5/20', '0,30', '10-20', '*', '45', '0-30/10'];
    const HOUR = ['*', '9', '9-17', '*/6', '3/5', '0,12', '23', '8-18/2'];
    // days 29-31 stay out of the pool: the oracle returns Date.UTC(2026, 1, 31) (= 3 March) for them; they are tested below
    const DOM = ['*', '1', '15', 'L', '15W', '1W', '28W', '1-10', '*/9', '5/7', '28', '16W', '20-28/4'];
    const MONTH = ['*', 'JAN', 'FEB', '2', 'JAN-MAR', '*/3', '6,12', 'DEC', 'MAR-NOV/4'];
    const DOW = ['*', 'MON', 'MON-FRI', '2#1', '6#3', 'FRI#5', '6L', '2L', '1', '7', 'SAT,SUN', 'TUE-THU'];
    const YEAR = ['*', '*', '*', '2026-2030', '2027', '*/2', '2026,2028,2031'];
    const expressions = new Set<string>();
    while (expressions.size < 400) {
      const byDow = rnd(2) === 1;
      expressions.add(`cron(${pick(MIN)} ${pick(HOUR)} ${byDow ? '?' : pick(DOM)} ${pick(MONTH)} ${byDow ? pick(DOW) : '?'} ${pick(YEAR)})`);
    }
    const starts = ['2026-01-01T00:00:00Z', '2026-02-27T23:59:00Z', '2027-12-31T12:34:00Z', '2028-02-28T00:00:00Z'].map((s) => new Date(s));

    it('for 400 generated expressions from 4 start times, 5 fire times each', () => {
      let compared = 0;
      for (const e of expressions) {
        const body = e.slice(5, -1);
        const r = parseScheduleExpression(e);
        for (const start of starts) {
          let expected: Date[] = [];
          try {
            const c = awsCronParser.parse(body);
            let t: Date | null = start;
            for (let i = 0; i < 5; i++) {
              t = awsCronParser.next(c, t);
              if (!t) break;
              expected.push(t);
            }
          } catch {
            continue; // the oracle gives up on sparse schedules (its own recursion limit)
          }
          if (!r.ok) {
            // the only refusals are schedules that can never fire: the oracle must find nothing either
            expect(r.message, e).toMatch(/could never fire/);
            expect(expected, e).toEqual([]);
            continue;
          }
          expect(nextFireTimes(r.schedule, null, start, 5).map((d) => d.toISOString()), `${e} after ${start.toISOString()}`).toEqual(expected.map((d) => d.toISOString()));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(1200);
    });

    it('previousFireTime equals the oracle too', () => {
      let compared = 0;
      for (const e of [...expressions].slice(0, 150)) {
        const r = parseScheduleExpression(e);
        if (!r.ok) continue;
        for (const start of starts) {
          let expected: Date | null;
          try {
            const c = awsCronParser.parse(e.slice(5, -1));
            expected = awsCronParser.prev(c, start);
            // the oracle's prev picks day 31 of a 30-day month (= the 1st of the next, a month the schedule may not have)
            if (expected && !(c.months as number[]).includes(expected.getUTCMonth() + 1)) continue;
          } catch {
            continue;
          }
          if (!expected || expected.getUTCFullYear() < 2000) continue;
          expect(previousFireTime(r.schedule, start)?.toISOString(), `${e} before ${start.toISOString()}`).toBe(expected.toISOString());
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(300);
    });
  });

  it('day 29, 30 or 31 fires only in the months that have it', () => {
    for (const d of [29, 30, 31]) {
      const times = nextFireTimes(`cron(0 0 ${d} * ? *)`, null, new Date('2027-01-01T00:00:00Z'), 24);
      expect(times.length).toBe(24);
      expect(times.every((t) => t.getUTCDate() === d)).toBe(true);
      const inMonths = new Set(times.map((t) => t.getUTCMonth()));
      expect(inMonths.has(1)).toBe(d === 29); // February only in the leap year 2028
    }
  });

  it('nW for a day the month lacks (29W-31W) does not fire in that month (croner; AWS does not document the case)', () => {
    const days = nextFireTimes('cron(0 0 31W * ? 2027)', null, new Date('2027-01-01T00:00:00Z'), 12);
    expect(days.map((t) => t.getUTCMonth() + 1)).toEqual([1, 3, 5, 7, 8, 10, 12]);
  });

  it('LW is the last weekday and L in day-of-week is Saturday (forms the oracle lacks)', () => {
    for (const t of nextFireTimes('cron(0 12 LW * ? *)', null, new Date('2026-01-01T00:00:00Z'), 24)) {
      expect([0, 6]).not.toContain(t.getUTCDay());
      const following = new Date(t);
      // no weekday after it in the same month
      for (let d = t.getUTCDate() + 1; ; d++) {
        following.setUTCDate(d);
        if (following.getUTCMonth() !== t.getUTCMonth()) break;
        expect([0, 6]).toContain(following.getUTCDay());
      }
    }
    const sats = nextFireTimes('cron(0 12 ? * L *)', null, new Date('2026-01-01T00:00:00Z'), 10);
    expect(sats.every((t) => t.getUTCDay() === 6)).toBe(true);
    expect(sats.length).toBe(10);
  });

  it('evaluates in the time zone, skipping a local time that does not exist and firing once for one that occurs twice (AWS DST rules)', () => {
    const tz = 'Europe/Berlin';
    // 2026-03-29 02:00 → 03:00 in Berlin: 02:30 does not exist that day
    const spring = nextFireTimes('cron(30 2 * * ? *)', tz, new Date('2026-03-27T00:00:00Z'), 4);
    expect(spring.map((t) => wall(t, tz))).toEqual(['2026-03-27, 02:30:00', '2026-03-28, 02:30:00', '2026-03-30, 02:30:00', '2026-03-31, 02:30:00']);
    // 2026-10-25 03:00 → 02:00: 02:00 and 02:30 happen twice; each fires once
    const fall = nextFireTimes('cron(0/30 * * * ? *)', tz, new Date('2026-10-24T23:45:00Z'), 6);
    const walls = fall.map((t) => wall(t, tz));
    expect(new Set(walls).size).toBe(walls.length);
    expect(walls).toEqual(['2026-10-25, 02:00:00', '2026-10-25, 02:30:00', '2026-10-25, 03:00:00', '2026-10-25, 03:30:00', '2026-10-25, 04:00:00', '2026-10-25, 04:30:00']);
    // every fire time is 09:00 local, across both changes
    for (const t of nextFireTimes('cron(0 9 ? * MON-FRI *)', 'America/New_York', new Date('2026-03-01T00:00:00Z'), 200)) {
      expect(wall(t, 'America/New_York').slice(12)).toBe('09:00:00');
    }
  });
});

describe('at(yyyy-mm-ddThh:mm:ss)', () => {
  it('is one time, at the local time in the time zone', () => {
    for (const tz of [null, 'Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles', 'Australia/Lord_Howe']) {
      const s = parsed('at(2030-07-23T09:15:30)', tz);
      expect(isOneTime(s)).toBe(true);
      const [t, ...rest] = nextFireTimes(s, tz, new Date('2030-01-01T00:00:00Z'), 3);
      expect(rest).toEqual([]);
      expect(wall(t, tz ?? 'UTC')).toBe('2030-07-23, 09:15:30');
      expect(nextFireTime(s, t)).toBeNull();
      expect(previousFireTime(s, new Date(t.getTime() + 1))?.getTime()).toBe(t.getTime());
    }
    expect(isOneTime(parsed('rate(1 hour)'))).toBe(false);
  });

  it('refuses a date that does not exist, and other forms', () => {
    expect(refusal('at(2026-02-30T00:00:00)').message).toMatch(/February 2026 has no day 30.*never fire/);
    expect(refusal('at(2027-02-29T00:00:00)').message).toMatch(/no day 29/);
    expect(parsed('at(2028-02-29T00:00:00)').kind).toBe('at');
    expect(refusal('at(2026-04-31T00:00:00)').message).toMatch(/April/);
    expect(refusal('at(2026-13-01T00:00:00)').message).toMatch(/month/);
    expect(refusal('at(2026-01-01T24:00:00)').message).toMatch(/time of day/);
    expect(refusal('at(2026-01-01T12:60:00)').message).toMatch(/time of day/);
    expect(refusal('at(2026-01-01T12:00:00Z)').message).toMatch(/without offset or Z/);
    expect(refusal('at(2026-01-01 12:00:00)').message).toMatch(/yyyy-mm-ddThh:mm:ss/);
    expect(refusal('at(2026-01-01T12:00)').message).toMatch(/yyyy-mm-ddThh:mm:ss/);
    expect(refusal('at(1969-12-31T00:00:00)').message).toMatch(/1970/);
  });
});

describe('the expression as a whole and the time zone', () => {
  it('refuses what is not a schedule expression', () => {
    expect(refusal('').message).toMatch(/empty/);
    expect(refusal('every 5 minutes').message).toMatch(/rate\(value unit\).*cron\(.*at\(/);
    expect(refusal('0 12 * * ?').message).toMatch(/not a schedule expression/);
    expect(refusal(' rate(1 hour)').message).toMatch(/remove the spaces/);
  });

  it('validates the IANA time zone name', () => {
    expect(validateTimezone(null)).toEqual({ ok: true, timezone: null });
    for (const tz of ['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kolkata', 'Etc/GMT-1', 'Etc/GMT+5', 'EST', 'GMT']) expect(validateTimezone(tz)).toEqual({ ok: true, timezone: tz });
    const cases: Array<[string, RegExp]> = [
      ['Europe/Nowhere', /unknown time zone/],
      ['europe/berlin', /case-sensitive: write "Europe\/Berlin"/],
      ['+01:00', /UTC offset/],
      ['UTC+1', /UTC offset/],
      ['', /empty/],
    ];
    for (const [tz, re] of cases) {
      const r = parseScheduleExpression('cron(0 9 * * ? *)', tz);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.problem, tz).toBe('timezone');
        expect(r.message, tz).toMatch(re);
      }
    }
  });

  it('nextFireTimes throws ScheduleExpressionError with the same message', () => {
    expect(() => nextFireTimes('rate(5 minute)', null, new Date(), 1)).toThrow(ScheduleExpressionError);
    expect(() => nextFireTimes('rate(5 minute)', null, new Date(), 1)).toThrow(/rate\(5 minutes\)/);
    try {
      nextFireTimes('cron(0 9 * * ? *)', 'Mars/Olympus', new Date(), 1);
    } catch (e) {
      expect((e as ScheduleExpressionError).problem).toBe('timezone');
    }
    expect(nextFireTimes('cron(0 9 * * ? *)', null, new Date(), 0)).toEqual([]);
  });

  it('a parsed schedule is plain JSON: it survives a round trip and still computes the same times', () => {
    for (const e of ['rate(2 hours)', 'cron(0 9 ? * MON-FRI *)', 'at(2030-01-01T00:00:00)']) {
      const s = parsed(e, 'Europe/Berlin');
      const copy = JSON.parse(JSON.stringify(s)) as ParsedSchedule;
      const after = new Date('2029-12-01T00:00:00Z');
      expect(nextFireTimes(copy, null, after, 3, { anchor: after })).toEqual(nextFireTimes(s, null, after, 3, { anchor: after }));
    }
  });
});
