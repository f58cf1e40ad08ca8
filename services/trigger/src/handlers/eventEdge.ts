/**
 * The edge of the trigger's event handlers (schedule, status, subscribe):
 * middy with the Powertools logger's Lambda context (the platform logger of
 * shared/src/observability.ts: JSON lines on Lambda, errors only elsewhere).
 *
 * Retries: each of these functions is invoked asynchronously (by Scheduler,
 * EventBridge, SNS), and a thrown error makes the invoker retry. Errors a
 * retry cannot fix — a {@link TriggerError} with a 4xx status (an event of the
 * wrong shape, a state machine no longer deployed) — are logged and answered,
 * not thrown; everything else is thrown.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '@fluxio/contracts/observability';
import { isTriggerError } from '../errors.ts';

/** What a handler answers for an event it refused without retry. */
export interface RefusedEvent {
  refused: { code: string; message: string };
}

/** Wrap an event function as a middy Lambda handler (Powertools logger context; 4xx trigger errors answered, not thrown). */
export function eventHandler<E, R>(name: string, fn: (event: E, context: Context) => Promise<R>) {
  const base = async (event: E, context: Context): Promise<R | RefusedEvent> => {
    try {
      return await fn(event, context);
    } catch (e) {
      if (isTriggerError(e) && e.statusCode < 500) {
        logger.error(`${name}: event refused (not retried)`, { code: e.code, message: e.message, details: e.details });
        return { refused: { code: e.code, message: e.message } };
      }
      logger.error(`${name}: failed (the invoker retries)`, e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  };
  return middy(base).use(injectLambdaContext(logger, { resetKeys: true }));
}
