/**
 * The trigger service the schedule, status and subscribe handlers use:
 * injected by the local platform ({@link setTriggerService}) or built once
 * per Lambda container from the environment (config.ts).
 */
import type { TriggerService } from './TriggerService.ts';
import { readTriggerHandlersConfig } from './config.ts';
import { createAwsHandlersTriggerService } from './createTriggerService.ts';

let current: TriggerService | undefined;

/** Make the handlers use `service` (the local platform's); `undefined` resets to the environment. */
export function setTriggerService(service: TriggerService | undefined): void {
  current = service;
}

/** The service of this process (built from the environment on first use). @throws Error naming a missing variable */
export function getTriggerService(): TriggerService {
  return (current ??= createAwsHandlersTriggerService(readTriggerHandlersConfig()).service);
}
