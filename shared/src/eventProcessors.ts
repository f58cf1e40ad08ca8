/**
 * EventProcessor classes (`@process_events(processor=MyEvents)`, the original
 * Fluxio's custom tagging, spec §2.4/§2.6): the names the compiler, the
 * deployer, the trigger service and the Python runtime share.
 *
 * A processor class holds `async def get_custom_tags_<EventType>(message,
 * input_data, state_data_client)` methods. For each execution status event
 * of a state machine that names the processor, the trigger service invokes
 * the processor's function with an {@link EventProcessorRequest}; the method
 * for that event type returns a dict of tags, added to the published result
 * message as SNS message attributes (and to a structured log line).
 *
 * Event types are the execution status changes Step Functions reports
 * ("Step Functions Execution Status Change" events, `detail.status`), named
 * like the execution history event types of the same transitions
 * (`ExecutionStarted`, `ExecutionSucceeded`, …; Step Functions API reference,
 * HistoryEvent `type`).
 */

/** Execution status (`detail.status` of a status change event, DescribeExecution `status`) → event type. */
export const EVENT_TYPE_BY_STATUS = {
  RUNNING: 'ExecutionStarted',
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
} as const;

/** An execution status an event processor hears about. */
export type ProcessedExecutionStatus = keyof typeof EVENT_TYPE_BY_STATUS;

/** Event types of `get_custom_tags_<EventType>` methods, in the order of an execution's life. */
export const EXECUTION_EVENT_TYPES = ['ExecutionStarted', 'ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted'] as const;

/** One of {@link EXECUTION_EVENT_TYPES}. */
export type ExecutionEventType = (typeof EXECUTION_EVENT_TYPES)[number];

/** Event type → execution status (the inverse of {@link EVENT_TYPE_BY_STATUS}). */
export const STATUS_BY_EVENT_TYPE: Readonly<Record<ExecutionEventType, ProcessedExecutionStatus>> = {
  ExecutionStarted: 'RUNNING',
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** Prefix of every method of an EventProcessor class (spec §2.4). */
export const CUSTOM_TAGS_METHOD_PREFIX = 'get_custom_tags_';

/** The positional parameters of a `get_custom_tags_*` method, as a set: any order, no `self` (spec §2.4). */
export const CUSTOM_TAGS_PARAMETERS = ['message', 'input_data', 'state_data_client'] as const;

/** The base class name a processor class must inherit from directly (spec §2.1, §2.6). */
export const EVENT_PROCESSOR_BASE = 'EventProcessor';

/** The Lambda handler of every event processor function (shared/python/fluxio_task/entry.py). */
export const EVENT_PROCESSOR_HANDLER = 'fluxio_task.entry.event_processor_handler';

/**
 * File of a processor function's code the handler reads the class source from
 * (its default `FLUXIO_EVENT_PROCESSOR_SOURCE_FILE`): the manifest's
 * `eventProcessors[Class].source`, preceded by `line - 1` blank lines so that
 * tracebacks give `project.py`'s line numbers. The project's exception classes
 * go beside it as `fluxio_exceptions.json`, as for a task function.
 */
export const EVENT_PROCESSOR_SOURCE_FILE = 'fluxio_event_processor.py';

/** True when `s` is one of {@link EXECUTION_EVENT_TYPES}. */
export function isExecutionEventType(s: string): s is ExecutionEventType {
  return (EXECUTION_EVENT_TYPES as readonly string[]).includes(s);
}

/** The event type of an execution status, or undefined for one that has none (e.g. `PENDING_REDRIVE`). */
export function eventTypeOfStatus(status: string): ExecutionEventType | undefined {
  return (EVENT_TYPE_BY_STATUS as Record<string, ExecutionEventType>)[status];
}

/** The method a processor defines for an event type: `get_custom_tags_ExecutionSucceeded`. */
export function customTagsMethod(eventType: ExecutionEventType): string {
  return `${CUSTOM_TAGS_METHOD_PREFIX}${eventType}`;
}

/**
 * The request an event processor function gets (Lambda Invoke payload).
 * `message` is the result message being published (for `ExecutionStarted`,
 * the same fields with `input`); `inputData` the execution's input (parsed
 * JSON). With `project` and `execution` (an execution name or ARN), the
 * method's `state_data_client` reads and writes that execution's state data,
 * as the execution's own tasks do.
 */
export interface EventProcessorRequest {
  processor: string;
  eventType: ExecutionEventType;
  message: Record<string, unknown>;
  inputData: unknown;
  project?: string;
  execution?: string;
}

/**
 * The answer: the method's dict with every key and value a string (a string
 * stays as is, anything else is its JSON text). `{}` when the class has no
 * method for the event type or the method returns None.
 */
export interface EventProcessorResponse {
  tags: Record<string, string>;
}
