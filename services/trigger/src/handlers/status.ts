/**
 * Function `triggerStatus`: the target of the platform's EventBridge rule on
 * "Step Functions Execution Status Change" events of the stage's state
 * machines (TriggerService.onStatusChange: event processor, then the result
 * published once). The local Step Functions API's event bus calls the same
 * handler with the same event shape.
 */
import type { Context } from 'aws-lambda';
import type { ExecutionStatusEvent } from '../TriggerService.ts';
import { getTriggerService } from '../triggerRegistry.ts';
import { eventHandler } from './eventEdge.ts';

export const handler = eventHandler('status', (event: ExecutionStatusEvent, _context: Context) => getTriggerService().onStatusChange(event));
