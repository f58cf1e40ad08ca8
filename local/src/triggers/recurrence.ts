/**
 * A schedule's fire times for the local scheduler, from the one schedule
 * module the compiler and the CLI use too (`@fluxio/contracts/schedules`:
 * AWS's dialect translated for croner, EventBridge Scheduler's rules).
 */
import { nextFireTime, parseScheduleExpression, ScheduleExpressionError } from '@fluxio/contracts/schedules';

/** The fire times of one schedule. */
export interface Recurrence {
  /** The first fire time strictly after `afterMs` (ms since the epoch), or null when it never fires again. */
  next(afterMs: number): number | null;
}

/**
 * The fire times of `expression` in `timezone` (null = UTC); a `rate(...)`
 * schedule fires at `anchorMs` (its creation: Scheduler starts a rate schedule
 * without `StartDate` at once) and every interval after.
 * @throws ScheduleExpressionError when the expression or time zone is invalid (the message says what to write)
 */
export function recurrenceOf(expression: string, timezone: string | null, anchorMs: number): Recurrence {
  const parsed = parseScheduleExpression(expression, timezone);
  if (!parsed.ok) throw new ScheduleExpressionError(parsed.message, parsed.problem);
  const anchor = new Date(anchorMs);
  return {
    next(afterMs) {
      const t = nextFireTime(parsed.schedule, new Date(afterMs), { anchor });
      return t === null ? null : t.getTime();
    },
  };
}
