/**
 * Asynchronous delivery with retries, shared by the local platform's embedded
 * trigger adapters (topic bus, scheduler, status feed). Each stands in for an
 * AWS service that invokes a Lambda asynchronously and retries on failure
 * (SNS → Lambda, EventBridge Scheduler's retry policy, an EventBridge rule's
 * target), so a delivery that keeps failing is retried with exponential
 * backoff and then reported on stderr — never dropped silently.
 */
import type { PlatformDatabase } from '../store/database.ts';

/** How a {@link Deliveries} queue retries. */
export interface RetryPolicy {
  /**
   * Attempts in all, the first included. @default 3 — Lambda's asynchronous
   * invocation (how SNS, Scheduler and EventBridge call a function) makes one
   * attempt and two retries on a function error.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
   */
  attempts?: number;
  /** Delay before the first retry, in milliseconds; doubled for each further retry. @default 1000 */
  baseDelayMs?: number;
}

/** Where a failed delivery is reported. @default a line on stderr */
export type DeliveryReporter = (message: string) => void;

/** How a delivery ended: delivered; given up after the last attempt (reported); cancelled by {@link Deliveries.close} while a retry waited. */
export type DeliveryOutcome = 'delivered' | 'given-up' | 'cancelled';

const stderrReporter: DeliveryReporter = (message) => void process.stderr.write(`${message}\n`);

/**
 * A set of in-flight deliveries. {@link dispatch} returns at once; the
 * delivery runs on a later turn of the event loop.
 */
export class Deliveries {
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  /**
   * @param label names the service in reports, e.g. `topic bus`.
   * @param cancelledNote what the report of a retry cancelled by {@link close} adds (what becomes of it)
   */
  constructor(
    private readonly label: string,
    policy: RetryPolicy = {},
    private readonly report: DeliveryReporter = stderrReporter,
    private readonly cancelledNote = 'it is lost',
  ) {
    this.attempts = Math.max(1, policy.attempts ?? 3);
    this.baseDelayMs = Math.max(0, policy.baseDelayMs ?? 1000);
  }

  /**
   * Runs `deliver` asynchronously; when it throws, retries it after
   * `baseDelayMs`, `2 × baseDelayMs`, … up to `attempts` in all, then reports
   * `what` and the last error. After {@link close}, refuses new deliveries.
   * @param what what is delivered, for the report (`message 1f2… of topic arn:…`)
   * @param settled called once with how it ended (after the report)
   * @throws Error when the queue is closed (the platform is shutting down)
   */
  dispatch(what: string, deliver: () => Promise<void>, settled?: (outcome: DeliveryOutcome) => void): void {
    if (this.closed) throw new Error(`The ${this.label} is closed (the platform is shutting down): ${what} was not delivered.`);
    const run = this.run(what, deliver)
      .then((delivered) => settled?.(delivered))
      .catch((err) => console.error(`[${this.label}] after ${what}:`, err))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** Deliveries dispatched and not yet settled. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves once every delivery dispatched so far has succeeded or been reported. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /**
   * Refuses new deliveries, cancels waiting retries (each reported, settled
   * `cancelled`) and waits for the attempts in progress.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
    await this.idle();
  }

  private async run(what: string, deliver: () => Promise<void>): Promise<DeliveryOutcome> {
    await new Promise<void>((r) => setImmediate(r));
    for (let attempt = 1; ; attempt++) {
      try {
        await deliver();
        return 'delivered';
      } catch (err) {
        const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (attempt >= this.attempts) {
          this.report(`[${this.label}] ${what} failed after ${attempt} attempt(s) and was not delivered: ${reason}`);
          return 'given-up';
        }
        const delay = this.baseDelayMs * 2 ** (attempt - 1);
        const waited = await this.sleep(delay);
        if (!waited) {
          this.report(`[${this.label}] ${what} was not delivered: the platform shut down while a retry was waiting, ${this.cancelledNote} (last error: ${reason})`);
          return 'cancelled';
        }
      }
    }
  }

  /** Resolves true after `ms`, or false when {@link close} cancels the wait. */
  private sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(true);
      }, ms);
      this.timers.set(timer, () => resolve(false));
    });
  }
}

/**
 * {@link Deliveries} whose payloads are recorded in the platform database
 * (`trigger_outbox`) before they are dispatched and removed once delivered or
 * given up: a payload the platform could not deliver before it stopped — a
 * crash, a retry cancelled by shutdown, or one {@link add}ed while paused — is
 * dispatched again by {@link resume} on the next start. The handlers it
 * delivers to are idempotent (execution names come from the event), so a
 * second delivery starts and publishes nothing new. (SNS, Scheduler and
 * EventBridge keep an event until it is delivered or its retries run out.)
 */
export class DurableDeliveries<P> {
  private readonly deliveries: Deliveries;
  private readonly dispatched = new Set<number>();
  private paused = true;

  /**
   * @param kind what the rows hold (`status`, `message`): each instance replays only its own
   * @param deliver the delivery (a throw is a failed attempt)
   */
  constructor(
    private readonly database: PlatformDatabase,
    private readonly kind: string,
    label: string,
    private readonly deliver: (payload: P) => Promise<unknown>,
    policy?: RetryPolicy,
    report?: DeliveryReporter,
  ) {
    database.migrate(`CREATE TABLE IF NOT EXISTS trigger_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      what TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );`);
    this.deliveries = new Deliveries(label, policy, report, 'it is kept and delivered when the platform starts again');
  }

  /** Records `payload` (committed at once) and, unless paused, dispatches it. */
  add(what: string, payload: P): void {
    if (!this.database.db.open) throw new Error(`The platform database is closed: ${what} cannot be recorded.`);
    const { lastInsertRowid } = this.database.db
      .prepare('INSERT INTO trigger_outbox (kind, what, payload, created_at) VALUES (?, ?, ?, ?)')
      .run(this.kind, what, JSON.stringify(payload), Date.now());
    if (!this.paused) this.dispatch(Number(lastInsertRowid), what, payload);
  }

  /** Dispatches from now on, starting with every recorded payload not delivered yet (a previous run's included). */
  resume(): void {
    this.paused = false;
    const rows = this.database.db.prepare('SELECT id, what, payload FROM trigger_outbox WHERE kind = ? ORDER BY id').all(this.kind) as Array<{ id: number; what: string; payload: string }>;
    for (const row of rows) if (!this.dispatched.has(row.id)) this.dispatch(row.id, row.what, JSON.parse(row.payload) as P);
  }

  /** Stops dispatching ({@link add} only records) and waits for the deliveries in progress; waiting retries are cancelled and kept. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.deliveries.close();
  }

  /** Deliveries not yet settled. */
  get pending(): number {
    return this.deliveries.pending;
  }

  /** Resolves once every dispatched delivery has settled. */
  idle(): Promise<void> {
    return this.deliveries.idle();
  }

  private dispatch(id: number, what: string, payload: P): void {
    this.dispatched.add(id);
    this.deliveries.dispatch(
      what,
      async () => {
        await this.deliver(payload);
      },
      (outcome) => {
        this.dispatched.delete(id);
        if (outcome !== 'cancelled' && this.database.db.open) this.database.db.prepare('DELETE FROM trigger_outbox WHERE id = ?').run(id);
      },
    );
  }
}
