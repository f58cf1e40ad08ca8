/**
 * Asynchronous delivery with retries, shared by the local platform's embedded
 * trigger adapters (topic bus, scheduler, status feed). Each stands in for an
 * AWS service that invokes a Lambda asynchronously and retries on failure
 * (SNS → Lambda, EventBridge Scheduler's retry policy, an EventBridge rule's
 * target), so a delivery that keeps failing is retried with exponential
 * backoff and then reported on stderr — never dropped silently.
 */

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

  /** @param label names the service in reports, e.g. `topic bus`. */
  constructor(
    private readonly label: string,
    policy: RetryPolicy = {},
    private readonly report: DeliveryReporter = stderrReporter,
  ) {
    this.attempts = Math.max(1, policy.attempts ?? 3);
    this.baseDelayMs = Math.max(0, policy.baseDelayMs ?? 1000);
  }

  /**
   * Runs `deliver` asynchronously; when it throws, retries it after
   * `baseDelayMs`, `2 × baseDelayMs`, … up to `attempts` in all, then reports
   * `what` and the last error. After {@link close}, refuses new deliveries.
   * @param what what is delivered, for the report (`message 1f2… of topic arn:…`)
   * @param settled called once with true when delivered, false when given up (after the report)
   * @throws Error when the queue is closed (the platform is shutting down)
   */
  dispatch(what: string, deliver: () => Promise<void>, settled?: (delivered: boolean) => void): void {
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
   * Refuses new deliveries, cancels waiting retries (each reported as not
   * delivered) and waits for the attempts in progress.
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

  /** @returns true when delivered, false when given up */
  private async run(what: string, deliver: () => Promise<void>): Promise<boolean> {
    await new Promise<void>((r) => setImmediate(r));
    for (let attempt = 1; ; attempt++) {
      try {
        await deliver();
        return true;
      } catch (err) {
        const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (attempt >= this.attempts) {
          this.report(`[${this.label}] ${what} failed after ${attempt} attempt(s) and was not delivered: ${reason}`);
          return false;
        }
        const delay = this.baseDelayMs * 2 ** (attempt - 1);
        const waited = await this.sleep(delay);
        if (!waited) {
          this.report(`[${this.label}] ${what} was not delivered: the platform shut down while a retry was waiting (last error: ${reason})`);
          return false;
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
