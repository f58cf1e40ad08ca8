/**
 * The trigger service's error family. Domain code and adapters throw these
 * with a stable `code` and the HTTP status it maps to; the executions handlers
 * turn them into HTTP errors at the edge, the event handlers log them.
 *
 * Codes (additive: other parts of the service add theirs here):
 *
 * | code | status | when |
 * | --- | --- | --- |
 * | `Trigger.StateMachineNotFound` | 404 | the project has no deployed state machine of that name (its alias `live` is absent) |
 * | `Execution.NotFound` | 404 | the project's state machine has no execution of that name |
 * | `Execution.AlreadyExists` | 409 | an execution of that name exists with other input (Step Functions' `ExecutionAlreadyExists`) |
 * | `Execution.NotRedrivable` | 409 | RedriveExecution refused (Step Functions' `ExecutionNotRedrivable`; the reason in the message) |
 * | `Execution.InvalidInput` | 400 | the input is not a JSON object, or Step Functions refused it |
 * | `Execution.InputTooLarge` | 413 | the input with its `__trace` is above 256 KiB (Step Functions' payload quota) |
 * | `Execution.InvalidName` | 400 | the execution name breaks Step Functions' rule (1–80 of `[A-Za-z0-9_-]`) |
 * | `Trigger.InvalidScheduleEvent` | 400 | a schedule event that is not a schedule's Input, or whose `scheduledTime` is not a time (not retried) |
 * | `Trigger.InvalidStatusEvent` | 400 | a status event that is not a "Step Functions Execution Status Change" (not retried) |
 * | `Trigger.InvalidSubscriptionEvent` | 400 | a subscribe event that is not an SNS event (not retried) |
 * | `Trigger.InvalidSubscription` | 400 | a `@subscribe` naming no upstream, an invalid project or state machine, or a state machine not deployed (fails the deployment) |
 * | `Trigger.ExportNotFound` | 400 | `topic_arn_import_value` names an export nothing exports (fails the deployment) |
 * | `Trigger.ExportTaken` | 409 | an export name the project would publish is another owner's |
 * | `Trigger.TooManyExports` | 400 | more result topic exports than one exports stack holds (200 outputs) |
 * | `Trigger.ProcessorFailed` | 502 | an event processor function raised or answered no tags object (logged; the result is published without tags) |
 * | `Trigger.MessageTooLarge` | 500 | a result message still above SNS's 256 KiB after offloading (processor tags too big) |
 */
import { ServiceError, isServiceErrorNamed } from '@fluxio/contracts/errors';

/** A trigger service error: `code`, HTTP `statusCode`, a message saying what to do, optional `details`. */
export class TriggerError extends ServiceError {
  override name = 'TriggerError';
}

/** True for a {@link TriggerError}, even across duplicate module copies. */
export const isTriggerError = (e: unknown): e is TriggerError => isServiceErrorNamed<TriggerError>(e, 'TriggerError');

/** 404 `Trigger.StateMachineNotFound`: `stateMachine` of `project` is not deployed (no alias `live`). */
export const stateMachineNotFound = (project: string, stateMachine: string, arn?: string) =>
  new TriggerError(
    'Trigger.StateMachineNotFound',
    404,
    `Project ${project} has no deployed state machine ${stateMachine}; deploy it first (fluxio deploy), or check the names with GET /v1/projects/${project}.`,
    { project, stateMachine, ...(arn ? { arn } : {}) },
  );

/** 404 `Execution.NotFound`. */
export const executionNotFound = (project: string, stateMachine: string, name: string) =>
  new TriggerError(
    'Execution.NotFound',
    404,
    `State machine ${stateMachine} of project ${project} has no execution ${name}; list them with GET /v1/projects/${project}/state-machines/${stateMachine}/executions.`,
    { project, stateMachine, name },
  );

/** 409 `Execution.AlreadyExists`: the name is taken by an execution with other input. */
export const executionAlreadyExists = (name: string, executionArn: string, status?: string) =>
  new TriggerError(
    'Execution.AlreadyExists',
    409,
    `An execution named ${name} already exists with other input${status ? ` (${status})` : ''}; start with another name, or send the same input to get that execution back.`,
    { name, executionArn, ...(status ? { status } : {}) },
  );

/** 409 `Execution.NotRedrivable`, with Step Functions' reason. */
export const executionNotRedrivable = (name: string, reason: string) =>
  new TriggerError('Execution.NotRedrivable', 409, `Execution ${name} cannot be redriven: ${reason}. Only FAILED, ABORTED and TIMED_OUT executions can be redriven (within 14 days of their start).`, {
    name,
    reason,
  });

/** 400 `Execution.InvalidInput`. */
export const invalidInput = (message: string) => new TriggerError('Execution.InvalidInput', 400, message);

/** 400 `Execution.InvalidName`. */
export const invalidExecutionName = (name: string) =>
  new TriggerError('Execution.InvalidName', 400, `Execution name ${JSON.stringify(name)} is invalid: use 1 to 80 characters of A-Z, a-z, 0-9, "-" and "_" (Step Functions' execution name rule).`, {
    name,
  });
