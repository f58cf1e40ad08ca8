/**
 * Schedule expressions of `@schedule(expression=..., timezone=...)`, in the
 * dialect of Amazon EventBridge Scheduler (the target the deployer creates
 * schedules on): `rate(value unit)`, `cron(minutes hours day-of-month month
 * day-of-week year)` and `at(yyyy-mm-ddThh:mm:ss)`, each evaluated in an IANA
 * time zone (`ScheduleExpressionTimezone`; none = UTC).
 * Source of every rule: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 *
 * One module serves the compiler (validation at compile time, so a schedule
 * AWS would refuse, or one that can never fire, is a compile error), the local
 * scheduler (fire times) and the CLI (`fluxio schedules`: next fire times).
 * Cron fire times come from the `croner` library after translating the AWS
 * dialect (there is no hand-written cron evaluator here):
 *
 * | AWS | croner (7 fields, `alternativeWeekdays`, `domAndDow`) |
 * | --- | --- |
 * | no seconds field | `0` seconds prepended |
 * | day-of-week `1-7` = `SUN-SAT` | Quartz numbering (`alternativeWeekdays: true`) |
 * | exactly one of day-of-month / day-of-week is `?` | `?` → `*`, both fields ANDed (`domAndDow: true`) |
 * | `a/n` (start `a`, every `n`) | `a-<max>/n` |
 * | year `*` and `* /n` count from 1970 | `1970-2199`, `1970-2199/n` |
 * | day-of-week `L` alone (the last day of the week, Saturday) | `7` |
 * | `L`, `LW`, `nW`, `nL`, `n#k`, `JAN-DEC`, `SUN-SAT`, lists, ranges | the same |
 *
 * What does not translate: day-of-month `L-n` (n days before the last day),
 * which AWS's documentation does not list and croner has no form of: it is
 * refused with a message. `nW` for a day the month lacks (`31W` in April)
 * does not fire in that month (croner's reading; AWS does not document the
 * case, and other implementations move to the 30th). Daylight saving time follows AWS, not croner's Vixie
 * rules: a local time that does not exist (spring forward) is skipped and a
 * local time that occurs twice (fall back) fires once, at its first occurrence
 * (EventBridge Scheduler, "Daylight saving time"); croner's candidates are
 * filtered to that. An `at()` local time inside a spring-forward gap is
 * resolved by croner to the instant one hour later in wall-clock terms
 * (AWS does not document this case).
 *
 * Precision: AWS invokes within the minute of a fire time; the times returned
 * here are the exact scheduled instants (whole minutes for cron, the given
 * second for `at()`, anchor + k × interval for rate).
 */
import { Cron, type CronOptions } from 'croner';

/** Unit of a rate expression, singular. AWS: `minute(s)`, `hour(s)`, `day(s)`; a day is 24 hours. */
export type RateUnit = 'minute' | 'hour' | 'day';

/** Milliseconds per rate unit (AWS: "days represents a 24-hour duration", whatever the time zone's DST). */
export const RATE_UNIT_MS: Readonly<Record<RateUnit, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The six fields of an AWS cron expression, as written. */
export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

interface ScheduleBase {
  /** The expression exactly as written (what the deployer sends as `ScheduleExpression`). */
  expression: string;
  /** IANA time zone name (`ScheduleExpressionTimezone`), or null for UTC. */
  timezone: string | null;
}

/** `rate(value unit)`: every `intervalMs`, counted from the schedule's start (see {@link FireTimeOptions.anchor}). */
export interface RateSchedule extends ScheduleBase {
  kind: 'rate';
  /** Positive integer. */
  value: number;
  unit: RateUnit;
  /** value × unit, in milliseconds. */
  intervalMs: number;
}

/** `cron(minutes hours day-of-month month day-of-week year)` in AWS's dialect. */
export interface CronSchedule extends ScheduleBase {
  kind: 'cron';
  fields: CronFields;
  /** The translated croner pattern (7 fields: seconds … year), for diagnostics. */
  pattern: string;
}

/** `at(yyyy-mm-ddThh:mm:ss)`: one fire time, a local date-time in `timezone`. */
export interface AtSchedule extends ScheduleBase {
  kind: 'at';
  /** `yyyy-mm-ddThh:mm:ss` as written (local time in `timezone`). */
  localDateTime: string;
  /** The instant it denotes, as an ISO-8601 UTC string (`2030-01-23T08:00:00.000Z`). */
  fireTime: string;
}

/** A valid schedule expression with its time zone. Plain JSON data (safe to store). */
export type ParsedSchedule = RateSchedule | CronSchedule | AtSchedule;

/**
 * Result of {@link parseScheduleExpression}. On failure, `problem` says which
 * argument is wrong (the compiler reports `DSL.ScheduleExpression` or
 * `DSL.ScheduleTimezone` on it) and `message` says what is wrong and what to
 * write instead.
 */
export type ParseScheduleResult =
  | { ok: true; schedule: ParsedSchedule }
  | { ok: false; problem: 'expression' | 'timezone'; message: string };

/** Options of the fire-time functions. */
export interface FireTimeOptions {
  /**
   * Rate schedules only: when the schedule started (its creation or
   * `StartDate`). AWS fires a rate schedule at once when it is created without
   * a `StartDate`, then every interval: fire times are `anchor + k × interval`
   * for k = 0, 1, 2, … Default: `after` itself when absent (so the first fire
   * time returned is `after + interval`); a scheduler must pass the real start.
   */
  anchor?: Date;
}

/** Thrown by {@link nextFireTimes} for an invalid expression or time zone; `message` is the same as parseScheduleExpression's. */
export class ScheduleExpressionError extends Error {
  override name = 'ScheduleExpressionError';
  constructor(
    message: string,
    readonly problem: 'expression' | 'timezone',
  ) {
    super(message);
  }
}

/** What a schedule expression looks like, appended to messages about the form. */
export const SCHEDULE_EXPRESSION_FORMS =
  'rate(value unit) such as rate(5 minutes), cron(minutes hours day-of-month month day-of-week year) such as cron(0 9 ? * MON-FRI *), or at(yyyy-mm-ddThh:mm:ss) such as at(2030-01-23T09:00:00)';

/** AWS cron year range (EventBridge Scheduler: "Year 1970-2199"). */
export const CRON_YEAR_MIN = 1970;
export const CRON_YEAR_MAX = 2199;

/**
 * Validates an IANA time zone name for `ScheduleExpressionTimezone`.
 * Accepts what the runtime's time zone database knows (`Intl`), spelled
 * exactly (case matters: `europe/berlin` is refused with the right spelling);
 * refuses UTC offsets such as `+01:00` (AWS takes zone names only).
 * null/undefined/"" → null (UTC).
 */
export function validateTimezone(timezone: string | null | undefined): { ok: true; timezone: string | null } | { ok: false; message: string } {
  if (timezone === null || timezone === undefined) return { ok: true, timezone: null };
  if (timezone.trim() === '') return { ok: false, message: 'timezone is empty: write an IANA time zone name such as "Europe/Berlin", or leave timezone out for UTC' };
  if (/^[+\-\u2212]\d|^(UTC|GMT)[+\-]\d/i.test(timezone)) {
    return { ok: false, message: `timezone ${JSON.stringify(timezone)} is a UTC offset: write an IANA time zone name such as "Europe/Berlin" (offsets change with daylight saving time; the name keeps up), or "Etc/GMT-1" for a fixed offset` };
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return { ok: false, message: `unknown time zone ${JSON.stringify(timezone)}: write an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"` };
  }
  if (resolved !== timezone && resolved.toLowerCase() === timezone.toLowerCase()) {
    return { ok: false, message: `time zone names are case-sensitive: write ${JSON.stringify(resolved)}, not ${JSON.stringify(timezone)}` };
  }
  return { ok: true, timezone };
}

/**
 * Parses and validates an EventBridge Scheduler schedule expression and its
 * time zone. Never throws.
 *
 * Rules (AWS EventBridge Scheduler, "Schedule types"):
 * - `rate(value unit)`: value a positive integer written without leading
 *   zeros; unit `minute`/`hour`/`day` when value is 1, else `minutes`/`hours`/`days`
 *   (AWS refuses `rate(5 minute)` and `rate(1 minutes)`).
 * - `cron(…)`: six fields separated by single spaces; day-of-month or
 *   day-of-week is `?`, exactly one of them; the field values, wildcards and
 *   names of the table above; year 1970–2199; it must fire at least once
 *   (`cron(0 0 30 2 ? *)` never does).
 * - `at(yyyy-mm-ddThh:mm:ss)`: a real calendar date and time, year 1970–2199
 *   (a past instant is valid: whether it is still due is the scheduler's
 *   business, so compiling does not depend on the clock).
 *
 * @param expression e.g. `"rate(1 hour)"`, `"cron(0 9 ? * MON-FRI *)"`, `"at(2030-01-23T09:00:00)"`.
 * @param timezone IANA name such as `"Europe/Berlin"`; null/absent = UTC. Ignored by nothing: a rate schedule keeps it too (AWS accepts it; it has no effect on rates).
 */
export function parseScheduleExpression(expression: string, timezone?: string | null): ParseScheduleResult {
  const tz = validateTimezone(timezone);
  if (!tz.ok) return { ok: false, problem: 'timezone', message: tz.message };
  const fail = (message: string): ParseScheduleResult => ({ ok: false, problem: 'expression', message });
  if (typeof expression !== 'string' || expression.trim() === '') return fail(`the schedule expression is empty: write ${SCHEDULE_EXPRESSION_FORMS}`);
  if (expression !== expression.trim()) return fail(`remove the spaces around the schedule expression: write ${JSON.stringify(expression.trim())}`);
  const m = /^(rate|cron|at)\((.*)\)$/s.exec(expression);
  if (!m) {
    const lower = /^(rate|cron|at)\(/i.exec(expression);
    if (lower && lower[1] !== lower[1].toLowerCase()) return fail(`write ${lower[1].toLowerCase()}(...) in lower case`);
    return fail(`${JSON.stringify(expression)} is not a schedule expression: write ${SCHEDULE_EXPRESSION_FORMS}`);
  }
  const [, kind, body] = m;
  const r = kind === 'rate' ? parseRate(body, expression, tz.timezone) : kind === 'cron' ? parseCron(body, expression, tz.timezone) : parseAt(body, expression, tz.timezone);
  return typeof r === 'string' ? fail(r) : { ok: true, schedule: r };
}

/**
 * The first fire time strictly after `after`, or null when the schedule
 * never fires again (an `at()` in the past, a cron whose years are over).
 */
export function nextFireTime(schedule: ParsedSchedule, after: Date, options: FireTimeOptions = {}): Date | null {
  if (schedule.kind === 'at') {
    const t = new Date(schedule.fireTime);
    return t.getTime() > after.getTime() ? t : null;
  }
  if (schedule.kind === 'rate') {
    const anchor = (options.anchor ?? after).getTime();
    const a = after.getTime();
    if (a < anchor) return new Date(anchor);
    const k = Math.floor((a - anchor) / schedule.intervalMs) + 1;
    return new Date(anchor + k * schedule.intervalMs);
  }
  const cron = cronFor(schedule);
  let cursor = after;
  // croner's candidates, filtered to AWS's DST rules; at most a few per DST transition are dropped
  for (let i = 0; i < 1000; i++) {
    const t = cron.nextRun(cursor);
    if (!t) return null;
    if (awsKeeps(cron, schedule.timezone, t)) return t;
    cursor = t;
  }
  return null;
}

/**
 * The last fire time strictly before `before`, or null when there is none
 * (e.g. for the local scheduler: the one missed fire to run on start).
 * Rate schedules need `options.anchor` (no fire time precedes it).
 */
export function previousFireTime(schedule: ParsedSchedule, before: Date, options: FireTimeOptions = {}): Date | null {
  if (schedule.kind === 'at') {
    const t = new Date(schedule.fireTime);
    return t.getTime() < before.getTime() ? t : null;
  }
  if (schedule.kind === 'rate') {
    if (!options.anchor) return null;
    const anchor = options.anchor.getTime();
    const b = before.getTime();
    if (b <= anchor) return null;
    const k = Math.ceil((b - anchor) / schedule.intervalMs) - 1;
    return new Date(anchor + k * schedule.intervalMs);
  }
  const cron = cronFor(schedule);
  let cursor = before;
  for (let i = 0; i < 1000; i++) {
    const [t] = cron.previousRuns(1, cursor);
    if (!t || t.getTime() < Date.UTC(CRON_YEAR_MIN, 0, 1) - 86_400_000) return null;
    if (t.getTime() >= cursor.getTime()) return null;
    if (awsKeeps(cron, schedule.timezone, t)) return t;
    cursor = t;
  }
  return null;
}

/**
 * Up to `count` fire times strictly after `after`, in order (fewer when the
 * schedule ends). Throws {@link ScheduleExpressionError} when the expression
 * or time zone is invalid (same message as {@link parseScheduleExpression}).
 *
 * @param expression a schedule expression, or an already parsed schedule (its own time zone then wins).
 * @param timezone IANA name or null (UTC).
 * @param count how many, 0 or more.
 */
export function nextFireTimes(expression: string | ParsedSchedule, timezone: string | null, after: Date, count: number, options: FireTimeOptions = {}): Date[] {
  let schedule: ParsedSchedule;
  if (typeof expression === 'string') {
    const r = parseScheduleExpression(expression, timezone);
    if (!r.ok) throw new ScheduleExpressionError(r.message, r.problem);
    schedule = r.schedule;
  } else schedule = expression;
  const anchor = schedule.kind === 'rate' ? (options.anchor ?? after) : undefined;
  const out: Date[] = [];
  let cursor = after;
  while (out.length < count) {
    const t = nextFireTime(schedule, cursor, { anchor });
    if (!t) break;
    out.push(t);
    cursor = t;
  }
  return out;
}

/** True for a schedule that fires once (`at()`); AWS calls it a one-time schedule. */
export function isOneTime(schedule: ParsedSchedule): schedule is AtSchedule {
  return schedule.kind === 'at';
}

// ---------------------------------------------------------------- rate

function parseRate(body: string, expression: string, timezone: string | null): RateSchedule | string {
  const m = /^(\S+) (\S+)$/.exec(body);
  if (!m) return `${expression}: write rate(value unit) with one space between a whole number and minute(s), hour(s) or day(s), e.g. rate(5 minutes) or rate(1 hour)`;
  const [, v, u] = m;
  if (!/^\d+$/.test(v)) return `${expression}: the rate value must be a positive whole number, e.g. rate(5 minutes)`;
  const value = Number(v);
  if (value === 0) return `${expression}: the rate value must be 1 or more (a rate of 0 never fires), e.g. rate(1 minute)`;
  if (!Number.isSafeInteger(value)) return `${expression}: the rate value is too large`;
  if (v !== String(value)) return `${expression}: write the value without leading zeros: rate(${value} ${u})`;
  const singular = u.replace(/s$/, '');
  if (singular !== 'minute' && singular !== 'hour' && singular !== 'day') {
    const hint = /^(second|sec|s)$/i.test(singular) ? ' (AWS schedules have one-minute precision)' : /^week/i.test(singular) ? ' (a week is rate(7 days))' : '';
    return `${expression}: the unit must be minute, minutes, hour, hours, day or days${hint}`;
  }
  const unit: RateUnit = singular;
  if (value === 1 && u !== unit) return `${expression}: AWS wants the singular unit for a value of 1: write rate(1 ${unit})`;
  if (value !== 1 && u === unit) return `${expression}: AWS wants the plural unit for a value other than 1: write rate(${value} ${unit}s)`;
  const intervalMs = value * RATE_UNIT_MS[unit];
  // beyond JavaScript's date range (±8.64e15 ms) no second fire time exists
  if (intervalMs > 8.64e15) return `${expression}: the rate is too long to ever fire twice; write a smaller value`;
  return { kind: 'rate', expression, timezone, value, unit, intervalMs };
}

// ---------------------------------------------------------------- at

function parseAt(body: string, expression: string, timezone: string | null): AtSchedule | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) return `${expression}: write at(yyyy-mm-ddThh:mm:ss), a local date and time without offset or Z (the time zone is the timezone option), e.g. at(2030-01-23T09:00:00)`;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  if (y < CRON_YEAR_MIN || y > CRON_YEAR_MAX) return `${expression}: the year must be ${CRON_YEAR_MIN} to ${CRON_YEAR_MAX}`;
  if (mo < 1 || mo > 12) return `${expression}: there is no month ${m[2]}; months are 01 to 12`;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return `${expression}: ${monthName(mo)} ${y} has no day ${m[3]} (it has ${days} days), so this schedule could never fire`;
  if (h > 23 || mi > 59 || s > 59) return `${expression}: ${m[4]}:${m[5]}:${m[6]} is not a time of day; write hh:mm:ss from 00:00:00 to 23:59:59`;
  const once = new Cron(body, { paused: true, timezone: timezone ?? 'UTC' }).getOnce();
  if (!once) return `${expression}: the date could not be resolved in ${timezone ?? 'UTC'}`;
  return { kind: 'at', expression, timezone, localDateTime: body, fireTime: once.toISOString() };
}

function monthName(m: number): string {
  return ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][m - 1];
}

// ---------------------------------------------------------------- cron

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Wildcards AWS allows in the field besides digits, `,` and `-` and `*`. */
  step: boolean;
  question: boolean;
  names?: readonly string[];
  /** Special single elements: L, LW, nW (day-of-month); L, nL, n#k (day-of-week). */
  special?: RegExp;
  example: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** AWS EventBridge Scheduler, "Cron expressions": fields, values and wildcards. */
const FIELDS: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59, step: true, question: false, example: '0, 15, 0/15 or */5' },
  { name: 'hours', min: 0, max: 23, step: true, question: false, example: '9, 9-17 or */2' },
  { name: 'day-of-month', min: 1, max: 31, step: true, question: true, special: /^(L|LW|\d+W)$/i, example: '1, 1-15, L, LW, 15W or ?' },
  { name: 'month', min: 1, max: 12, step: true, question: false, names: MONTHS, example: '1, JAN-MAR or *' },
  { name: 'day-of-week', min: 1, max: 7, step: false, question: true, names: WEEKDAYS, special: /^(L|\w+L|\w+#\d+)$/i, example: 'MON-FRI, 2-6 (1 = SUN), 6L, MON#1 or ?' },
  { name: 'year', min: CRON_YEAR_MIN, max: CRON_YEAR_MAX, step: true, question: false, example: '*, 2030 or 2030-2035' },
];

function parseCron(body: string, expression: string, timezone: string | null): CronSchedule | string {
  const parts = body.split(' ');
  if (parts.length !== 6 || parts.some((p) => p === '')) {
    const n = body.trim() === '' ? 0 : body.trim().split(/\s+/).length;
    const form = 'cron(minutes hours day-of-month month day-of-week year), six fields separated by single spaces, e.g. cron(0 12 * * ? *)';
    if (n === 5) return `${expression}: AWS cron has six fields, the last one the year (write * for every year): ${form}`;
    return n === 6 ? `${expression}: separate the fields with single spaces: ${form}` : `${expression}: found ${n} field${n === 1 ? '' : 's'}; write ${form}`;
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts;
  const translated: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = translateField(parts[i], FIELDS[i]);
    if (r.error !== undefined) return `${expression}: ${r.error}`;
    translated.push(r.pattern);
  }
  if (dayOfMonth === '?' && dayOfWeek === '?') {
    return `${expression}: only one of day-of-month and day-of-week can be ?; give the other one, e.g. cron(${minutes} ${hours} * ${month} ? ${year}) for every day`;
  }
  if (dayOfMonth !== '?' && dayOfWeek !== '?') {
    return `${expression}: AWS needs ? in day-of-month or in day-of-week (one of them, not both): write cron(${minutes} ${hours} ${dayOfMonth} ${month} ? ${year}) to pick days of the month, or cron(${minutes} ${hours} ? ${month} ${dayOfWeek} ${year}) to pick days of the week`;
  }
  const pattern = `0 ${translated.join(' ')}`;
  let cron: Cron;
  try {
    cron = new Cron(pattern, cronOptions(timezone));
  } catch (e) {
    // croner refused a form the checks above let through; name the field it is in
    const field = FIELDS.findIndex((_, i) => {
      const probe = ['0', '*', '*', '*', '*', '*', '*'];
      probe[i + 1] = translated[i];
      try {
        new Cron(probe.join(' '), cronOptions(null));
        return false;
      } catch {
        return true;
      }
    });
    const where = field >= 0 ? ` in the ${FIELDS[field].name} field ${JSON.stringify(parts[field])} (write e.g. ${FIELDS[field].example})` : '';
    return `${expression}: not a valid cron expression${where}: ${(e as Error).message.replace(/^CronPattern: /, '')}`;
  }
  const schedule: CronSchedule = { kind: 'cron', expression, timezone, fields: { minutes, hours, dayOfMonth, month, dayOfWeek, year }, pattern };
  cronCache.set(cacheKey(schedule), cron);
  if (!nextFireTime(schedule, new Date(Date.UTC(CRON_YEAR_MIN, 0, 1) - 86_400_000))) {
    return `${expression}: no date from ${CRON_YEAR_MIN} to ${CRON_YEAR_MAX} matches it, so this schedule could never fire (e.g. day 30 of February, or a weekday that is never the given day); check the day-of-month, month, day-of-week and year fields`;
  }
  return schedule;
}

/** One field: checks AWS's wildcards and value ranges, returns croner's spelling. */
function translateField(text: string, rule: FieldRule): { pattern: string; error?: undefined } | { pattern?: undefined; error: string } {
  const bad = (why: string) => ({ error: `${rule.name} ${JSON.stringify(text)}: ${why} (write e.g. ${rule.example})` });
  if (text === '?') return rule.question ? { pattern: '*' } : bad('? is allowed only in day-of-month and day-of-week');
  if (rule.name === 'day-of-month' && /^L-\d+$/i.test(text)) {
    return bad('L-n (days before the last day of the month) is not supported by Fluxio\'s schedule evaluator; use L (the last day) or LW (the last weekday)');
  }
  if (rule.special?.test(text)) {
    if (rule.name === 'day-of-week') {
      if (text.toUpperCase() === 'L') return { pattern: '7' };
      const m = /^(\w+?)(L|#(\d+))$/i.exec(text)!;
      const day = value(m[1], rule);
      if (typeof day === 'string') return bad(day);
      if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 5)) return bad(`#${m[3]}: the occurrence in the month is 1 to 5 (MON#1 is the first Monday)`);
      return { pattern: m[2].toUpperCase() === 'L' ? `${day}#L` : `${day}#${Number(m[3])}` };
    }
    const w = /^(\d+)W$/i.exec(text);
    if (w) {
      const day = value(w[1], rule);
      if (typeof day === 'string') return bad(day);
      return { pattern: `${day}W` };
    }
    return { pattern: text.toUpperCase() };
  }
  if (/[LW#?]/i.test(text.replace(/[A-Z]{3}/gi, (n) => ((rule.names ?? []).includes(n.toUpperCase()) ? '0' : n)))) {
    const allowed = rule.name === 'day-of-month' ? 'L, LW and nW stand alone in day-of-month' : rule.name === 'day-of-week' ? 'L, nL and n#k stand alone in day-of-week' : `L, W, # and ? are not allowed in ${rule.name}`;
    return bad(allowed);
  }
  const out: string[] = [];
  for (const element of text.split(',')) {
    if (element === '') return bad('an empty list element');
    const m = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(.*))?$/.exec(element);
    if (!m) return bad(`${JSON.stringify(element)} is not a value, a range a-b, or a step a/n`);
    const [, range, step] = m;
    if (step !== undefined && !rule.step) return bad('steps (/) are not allowed in day-of-week; list the days instead, e.g. MON,WED,FRI');
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) return bad(`the step after / must be a positive whole number`);
    let from: number;
    let to: number;
    if (range === '*') {
      if (step === undefined) {
        out.push(rule.name === 'year' ? `${rule.min}-${rule.max}` : '*');
        continue;
      }
      from = rule.min;
      to = rule.max;
    } else {
      const [a, b] = range.split('-');
      const av = value(a, rule);
      if (typeof av === 'string') return bad(av);
      from = av;
      if (b === undefined) to = step === undefined ? av : rule.max;
      else {
        const bv = value(b, rule);
        if (typeof bv === 'string') return bad(bv);
        to = bv;
        if (from > to) return bad(`the range ${range} runs backwards; write the smaller value first`);
      }
      if (step === undefined) {
        out.push(b === undefined ? String(from) : `${from}-${to}`);
        continue;
      }
    }
    out.push(from === to ? String(from) : `${from}-${to}/${Number(step)}`);
  }
  return { pattern: out.join(',') };
}

/** A number or name in a field, as a number within the field's range, or why not. */
function value(text: string, rule: FieldRule): number | string {
  const idx = rule.names?.indexOf(text.toUpperCase() as never) ?? -1;
  if (idx >= 0) return idx + 1;
  if (!/^\d+$/.test(text)) {
    return rule.names ? `${JSON.stringify(text)} is neither a number (${rule.min}-${rule.max}) nor one of ${rule.names[0]}-${rule.names[rule.names.length - 1]}` : `${JSON.stringify(text)} is not a number`;
  }
  const n = Number(text);
  if (n < rule.min || n > rule.max) {
    const zero = rule.name === 'day-of-week' && n === 0 ? '; AWS numbers the days 1 = SUN to 7 = SAT, so Sunday is 1 or SUN' : '';
    return `${n} is out of range: ${rule.name} values are ${rule.min} to ${rule.max}${zero}`;
  }
  return n;
}

function cronOptions(timezone: string | null): CronOptions {
  return { paused: true, mode: '7-part', alternativeWeekdays: true, domAndDow: true, timezone: timezone ?? 'UTC' };
}

const cronCache = new Map<string, Cron>();
const CRON_CACHE_MAX = 1000;

function cacheKey(s: CronSchedule): string {
  return `${s.pattern}|${s.timezone ?? 'UTC'}`;
}

function cronFor(schedule: CronSchedule): Cron {
  const key = cacheKey(schedule);
  let cron = cronCache.get(key);
  if (!cron) {
    cron = new Cron(schedule.pattern, cronOptions(schedule.timezone));
    if (cronCache.size >= CRON_CACHE_MAX) cronCache.delete(cronCache.keys().next().value!);
    cronCache.set(key, cron);
  }
  return cron;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** Local wall-clock time `yyyy-mm-dd hh:mm:ss` of `t` in `timezone`. */
function wallClock(t: number, timezone: string): string {
  let f = wallFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallFormats.set(timezone, f);
  }
  return f.format(t);
}

/**
 * AWS's DST rules on a croner candidate: a run croner moved past a
 * spring-forward gap (its local time does not match the pattern) is skipped,
 * and the second occurrence of a repeated local time (fall back) is dropped.
 */
function awsKeeps(cron: Cron, timezone: string | null, t: Date): boolean {
  if (timezone === null || timezone === 'UTC') return true;
  if (!cron.match(t)) return false;
  const wall = wallClock(t.getTime(), timezone);
  // DST shifts are 30 minutes (Lord Howe), 1 hour or 2 hours (Troll)
  for (const back of [30, 60, 120]) if (wallClock(t.getTime() - back * 60_000, timezone) === wall) return false;
  return true;
}
