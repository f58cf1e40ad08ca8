/**
 * Function `triggerSubscribe`: the endpoint of every SNS subscription to a
 * subscribed topic. Each `Records[].Sns` message starts the topic's downstream
 * state machines (TriggerService.onSubscriptionMessage); every record is
 * handled, then the first failure is thrown (SNS retries the event; the
 * executions already started are not started again, their names being
 * derived from the MessageId). The local topic bus calls the same handler.
 */
import type { Context, SNSEvent } from 'aws-lambda';
import { TriggerError } from '../errors.ts';
import { getTriggerService } from '../triggerRegistry.ts';
import type { SubscriptionOutcome } from '../TriggerService.ts';
import { eventHandler } from './eventEdge.ts';

export const handler = eventHandler('subscribe', async (event: SNSEvent, _context: Context) => {
  if (!Array.isArray(event?.Records))
    throw new TriggerError('Trigger.InvalidSubscriptionEvent', 400, 'The subscribe function takes SNS events: {"Records": [{"EventSource": "aws:sns", "Sns": {...}}]}.');
  const outcomes: SubscriptionOutcome[] = [];
  let failure: unknown;
  for (const record of event.Records) {
    try {
      outcomes.push(await getTriggerService().onSubscriptionMessage(record.Sns));
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure) throw failure;
  return { records: outcomes };
});
