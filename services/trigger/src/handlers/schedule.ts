/**
 * Function `triggerSchedule`: EventBridge Scheduler's target. The event is the
 * schedule's `Input` ({@link ScheduleEvent}, `scheduledTime` filled in by
 * Scheduler); the state machine's alias `live` is started once per firing
 * (TriggerService.onSchedule). The local scheduler calls the same handler.
 */
import type { Context } from 'aws-lambda';
import type { ScheduleEvent } from '../ports.ts';
import { getTriggerService } from '../triggerRegistry.ts';
import { eventHandler } from './eventEdge.ts';

export const handler = eventHandler('schedule', (event: ScheduleEvent, _context: Context) => getTriggerService().onSchedule(event));
