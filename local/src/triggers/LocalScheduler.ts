/**
 * The local platform's in-process scheduler: the embedded adapter of the
 * trigger service's {@link Schedules} port (EventBridge Scheduler on AWS).
 *
 * - Schedules persist in the platform's SQLite database (`trigger_schedules`),
 *   with the time each was created (the anchor of a `rate(...)` schedule, and
 *   the earliest time it may fire) and the last scheduled time delivered.
 * - Fire times are those of EventBridge Scheduler, computed by croner through
 *   the AWS dialect translation of `@fluxio/contracts/schedules` (time zone
 *   honoured). At each fire time the target input is delivered to the schedule
 *   function with {@link SCHEDULED_TIME_PLACEHOLDER} replaced by the scheduled
 *   time (ISO 8601, UTC, second precision), as Scheduler does.
 * - A failed delivery is retried with backoff and then reported on stderr
 *   (Scheduler's retry policy; it would then go to the dead-letter queue).
 * - Restarts: when the scheduler starts (and whenever a timer wakes late), a
 *   schedule whose fire time passed unseen fires ONCE, for the most recent
 *   such time, if that is within {@link LocalSchedulerOptions.missedWindowSeconds}
 *   (Scheduler's default retry window, 24 h); older ones are reported and
 *   skipped. The last delivered time is written after each delivery, so a crash
 *   mid-delivery fires that time again on start, which the schedule function's
 *   idempotent start (the execution name comes from the schedule and the
 *   scheduled time) turns into nothing new. An `at(...)` that fired never fires again.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-retry-policy.html
 */
import type { ScheduleDefinition, ScheduleEvent, Schedules } from '@fluxio/trigger/ports';
import { SCHEDULED_TIME_PLACEHOLDER } from '@fluxio/trigger/ports';
import type { PlatformDatabase } from '../store/database.ts';
import { Deliveries, type DeliveryReporter, type RetryPolicy } from './deliveries.ts';
import { recurrenceOf, type Recurrence } from './recurrence.ts';

/** setTimeout's longest delay (2^31 − 1 ms, about 24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/** Scheduler's default `MaximumEventAgeInSeconds` (24 h): how far back a missed fire time is still delivered. */
export const DEFAULT_MISSED_WINDOW_SECONDS = 86_400;

export interface LocalSchedulerOptions {
  database: PlatformDatabase;
  /** The schedule function (`services/trigger/src/handlers/schedule.ts`); a throw is a failed delivery (retried). */
  deliver: (event: ScheduleEvent) => Promise<unknown>;
  /** @default 3 attempts, 1 s then 2 s apart */
  retry?: RetryPolicy;
  /** @default stderr */
  report?: DeliveryReporter;
  /** Missed fire times older than this (seconds before now) are skipped and reported. @default 86,400 (24 h) */
  missedWindowSeconds?: number;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** A schedule with what the scheduler knows of it. */
export interface LocalScheduleState extends ScheduleDefinition {
  /** When it was created (or its expression or time zone last changed), ISO 8601. */
  createdAt: string;
  /** The last scheduled time delivered (ISO 8601, UTC, seconds), or null. */
  lastFiredTime: string | null;
  /** The next fire time, or null when it will not fire again (an `at(...)` that fired). */
  nextFireTime: string | null;
}

interface ScheduleRow {
  group_name: string;
  name: string;
  expression: string;
  timezone: string | null;
  input: string;
  anchor: number;
  last_fired: number | null;
}

interface Armed {
  row: ScheduleRow;
  recurrence: Recurrence;
  timer?: NodeJS.Timeout;
}

/** ISO 8601, UTC, second precision (`2026-12-01T10:00:00Z`): Scheduler's `<aws.scheduler.scheduled-time>`. */
export const scheduledTimeText = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The embedded {@link Schedules} adapter (see the module comment). */
export class LocalScheduler implements Schedules {
  private readonly db: PlatformDatabase['db'];
  private readonly deliveries: Deliveries;
  private readonly armed = new Map<string, Armed>();
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly report: DeliveryReporter;
  private started = false;
  private closed = false;

  constructor(private readonly options: LocalSchedulerOptions) {
    options.database.migrate(`
      CREATE TABLE IF NOT EXISTS trigger_schedules (
        group_name TEXT NOT NULL,
        name TEXT NOT NULL,
        expression TEXT NOT NULL,
        timezone TEXT,
        input TEXT NOT NULL,
        anchor INTEGER NOT NULL,
        last_fired INTEGER,
        PRIMARY KEY (group_name, name)
      );`);
    this.db = options.database.db;
    this.report = options.report ?? ((m) => void process.stderr.write(`${m}\n`));
    this.deliveries = new Deliveries('scheduler', options.retry, this.report, 'it fires again when the platform starts');
    this.now = options.now ?? Date.now;
    this.windowMs = (options.missedWindowSeconds ?? DEFAULT_MISSED_WINDOW_SECONDS) * 1000;
  }

  /**
   * Arms every stored schedule; a schedule that missed fire times while the platform was down fires once now.
   * Call once the schedule function can start executions.
   */
  start(): void {
    if (this.closed) throw new Error('The scheduler is closed; start a new platform.');
    if (this.started) return;
    this.started = true;
    for (const row of this.db.prepare('SELECT * FROM trigger_schedules').all() as ScheduleRow[]) this.arm(row);
  }

  /**
   * Make `group` hold exactly `schedules` (create, update, delete), persisted in one transaction.
   * A schedule keeps its creation time (and so its `rate` anchor and what it already fired)
   * unless its expression or time zone changes.
   * @throws Error naming the schedule when an expression or time zone is invalid (nothing is changed)
   */
  async replaceGroup(group: string, schedules: ScheduleDefinition[]): Promise<void> {
    const names = new Set<string>();
    for (const s of schedules) {
      if (s.group !== group) throw new Error(`Schedule ${s.name} names group ${s.group}, not ${group}: replaceGroup takes the schedules of one group.`);
      if (names.has(s.name)) throw new Error(`Schedule ${s.name} is listed twice for group ${group}; schedule names are unique in their group.`);
      names.add(s.name);
      recurrenceOf(s.expression, s.timezone, this.now()); // validates (throws saying what is wrong)
    }
    const now = Math.floor(this.now() / 1000) * 1000; // Scheduler's times have second precision
    const existing = new Map((this.db.prepare('SELECT * FROM trigger_schedules WHERE group_name = ?').all(group) as ScheduleRow[]).map((r) => [r.name, r]));
    const rows: ScheduleRow[] = schedules.map((s) => {
      const old = existing.get(s.name);
      const same = old && old.expression === s.expression && old.timezone === (s.timezone ?? null);
      return {
        group_name: group,
        name: s.name,
        expression: s.expression,
        timezone: s.timezone ?? null,
        input: JSON.stringify(s.input),
        anchor: same ? old.anchor : now,
        last_fired: same ? old.last_fired : null,
      };
    });
    const upsert = this.db.prepare(
      `INSERT INTO trigger_schedules (group_name, name, expression, timezone, input, anchor, last_fired)
       VALUES (@group_name, @name, @expression, @timezone, @input, @anchor, @last_fired)
       ON CONFLICT(group_name, name) DO UPDATE SET expression = excluded.expression, timezone = excluded.timezone,
         input = excluded.input, anchor = excluded.anchor, last_fired = excluded.last_fired`,
    );
    const remove = this.db.prepare('DELETE FROM trigger_schedules WHERE group_name = ? AND name = ?');
    this.db.transaction(() => {
      for (const name of existing.keys()) if (!names.has(name)) remove.run(group, name);
      for (const row of rows) upsert.run(row);
    })();
    for (const name of existing.keys()) if (!names.has(name)) this.disarm(key(group, name));
    if (this.started) for (const row of rows) this.arm(row);
  }

  /** Delete the group and every schedule in it (timers stopped); an absent group is not an error. */
  async deleteGroup(group: string): Promise<void> {
    this.db.prepare('DELETE FROM trigger_schedules WHERE group_name = ?').run(group);
    for (const k of [...this.armed.keys()]) if (k.startsWith(`${group}\u0000`)) this.disarm(k);
  }

  /** The schedules of `group`, by name (empty when the group is absent). */
  async list(group: string): Promise<ScheduleDefinition[]> {
    return this.states(group).map(({ group, name, expression, timezone, input }) => ({ group, name, expression, timezone, input }));
  }

  /** The schedules of `group` (every group when omitted) with their creation, last fired and next fire times. */
  states(group?: string): LocalScheduleState[] {
    const rows = (group === undefined
      ? this.db.prepare('SELECT * FROM trigger_schedules ORDER BY group_name, name').all()
      : this.db.prepare('SELECT * FROM trigger_schedules WHERE group_name = ? ORDER BY name').all(group)) as ScheduleRow[];
    return rows.map((r) => {
      const next = recurrenceOf(r.expression, r.timezone, r.anchor).next(Math.max(this.now() - 1, r.last_fired ?? -Infinity, r.anchor - 1));
      return {
        group: r.group_name,
        name: r.name,
        expression: r.expression,
        timezone: r.timezone,
        input: JSON.parse(r.input) as ScheduleEvent,
        createdAt: new Date(r.anchor).toISOString(),
        lastFiredTime: r.last_fired === null ? null : scheduledTimeText(r.last_fired),
        nextFireTime: next === null ? null : scheduledTimeText(next),
      };
    });
  }

  /** Deliveries not yet settled. */
  get pending(): number {
    return this.deliveries.pending;
  }

  /** Resolves once every fire so far has been delivered (or reported undelivered). */
  idle(): Promise<void> {
    return this.deliveries.idle();
  }

  /** Stops every timer, cancels waiting retries (reported) and waits for deliveries in progress. */
  async close(): Promise<void> {
    this.closed = true;
    for (const k of [...this.armed.keys()]) this.disarm(k);
    await this.deliveries.close();
  }

  private arm(row: ScheduleRow): void {
    const k = key(row.group_name, row.name);
    this.disarm(k);
    let recurrence: Recurrence;
    try {
      recurrence = recurrenceOf(row.expression, row.timezone, row.anchor);
    } catch (err) {
      this.report(`[scheduler] schedule ${row.group_name}/${row.name} (${row.expression}) is not armed: ${(err as Error).message}`);
      return;
    }
    const armed: Armed = { row, recurrence };
    this.armed.set(k, armed);
    this.tick(k, armed);
  }

  private disarm(k: string): void {
    const armed = this.armed.get(k);
    if (armed?.timer) clearTimeout(armed.timer);
    this.armed.delete(k);
  }

  /** Fires the most recent fire time that passed unseen (if any, within the window), then waits for the next one. */
  private tick(k: string, armed: Armed): void {
    if (this.closed || this.armed.get(k) !== armed) return;
    const { row, recurrence } = armed;
    const now = this.now();
    const seen = Math.max(row.last_fired ?? -Infinity, row.anchor - 1);
    const windowStart = now - this.windowMs;
    let due: number | null = null;
    let skipped = 0;
    let t = recurrence.next(Math.max(seen, windowStart - 1));
    if (seen < windowStart - 1) {
      const first = recurrence.next(seen);
      if (first !== null && first < windowStart) skipped = 1; // at least one time older than the window
    }
    while (t !== null && t <= now) {
      due = t;
      t = recurrence.next(t);
    }
    if (skipped) {
      this.report(
        `[scheduler] schedule ${row.group_name}/${row.name} (${row.expression}) missed fire times more than ${this.windowMs / 1000} s ago while the platform was down; they are skipped (Scheduler's retry window).`,
      );
    }
    if (due !== null) this.fire(row, due);
    if (t === null) return; // nothing more to fire (an at(...) that fired)
    const next = t;
    armed.timer = setTimeout(() => this.tick(k, armed), Math.min(MAX_TIMER_MS, Math.max(0, next - this.now())));
    armed.timer.unref();
  }

  /** Delivers the target input of `row` for scheduled time `time` (ms), then records `time` as delivered. */
  private fire(row: ScheduleRow, time: number): void {
    row.last_fired = time; // in memory at once: a late timer must not fire it twice
    const scheduledTime = scheduledTimeText(time);
    const event = JSON.parse(row.input.replaceAll(SCHEDULED_TIME_PLACEHOLDER, scheduledTime)) as ScheduleEvent;
    const record = () => {
      this.db.prepare('UPDATE trigger_schedules SET last_fired = ? WHERE group_name = ? AND name = ? AND anchor = ? AND (last_fired IS NULL OR last_fired < ?)').run(time, row.group_name, row.name, row.anchor, time);
    };
    this.deliveries.dispatch(
      `schedule ${row.group_name}/${row.name} at ${scheduledTime}`,
      async () => {
        await this.options.deliver(event);
      },
      // Recorded when delivered, and when given up (reported: Scheduler would send it to the dead-letter queue);
      // a retry cancelled by shutdown is not: the next start fires that time again (the start is idempotent).
      (outcome) => {
        if (outcome === 'cancelled' || !this.options.database.db.open) return;
        record();
      },
    );
  }
}

const key = (group: string, name: string) => `${group}\u0000${name}`;
