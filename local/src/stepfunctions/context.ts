/** What every Step Functions operation works on. */
import type { ExecutionService } from './ExecutionService.ts';
import type { SfnStore } from './store.ts';

export interface SfnContext {
  store: SfnStore;
  executions: ExecutionService;
}

/** Seconds since the epoch, as the store keeps dates. */
export const nowSeconds = () => Date.now() / 1000;
/**
 * A `Date` that JSON writes as epoch seconds (`JSON.stringify` calls `toJSON`), the AWS JSON 1.0 timestamp form,
 * so a response is serialised without a replacer walking every value. Every date of a response must be one
 * ({@link toDate}); a plain `Date` would be written as ISO 8601 text, which the SDKs do not read as a timestamp.
 */
export class EpochSecondsDate extends Date {}
// Date's own toJSON is typed to return a string: the number is set on the prototype, outside the class body.
Object.defineProperty(EpochSecondsDate.prototype, 'toJSON', {
  value(this: Date): number {
    return this.getTime() / 1000;
  },
});

/** A stored date (epoch seconds) as the SDK's `Date` (written back as epoch seconds). */
export const toDate = (seconds: number): Date => new EpochSecondsDate(seconds * 1000);
