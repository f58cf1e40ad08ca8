/**
 * The executions service the executions handlers use: injected by the local
 * platform ({@link setExecutionsService}) or built once per Lambda container
 * from the environment (executions/config.ts).
 */
import type { ExecutionsService } from './executions/ExecutionsService.ts';
import { createAwsExecutionsService } from './executions/config.ts';

let current: ExecutionsService | undefined;

/** Make the handlers use `service` (the local platform's); `undefined` resets to the environment. */
export function setExecutionsService(service: ExecutionsService | undefined): void {
  current = service;
}

/** The service of this process (built from env on first use). @throws Error naming a missing variable */
export function getExecutionsService(): ExecutionsService {
  return (current ??= createAwsExecutionsService().service);
}
