/** What every Step Functions operation works on. */
import type { ExecutionService } from './ExecutionService.ts';
import type { SfnStore } from './store.ts';

export interface SfnContext {
  store: SfnStore;
  executions: ExecutionService;
}

/** Seconds since the epoch, as the store keeps dates. */
export const nowSeconds = () => Date.now() / 1000;
/** A stored date (epoch seconds) as the SDK's `Date`. */
export const toDate = (seconds: number) => new Date(seconds * 1000);
