/**
 * The trigger service's ports (DESIGN.md §2): one adapter per target behind
 * each. Step Functions, Lambda and DynamoDB have one adapter each (the AWS SDK
 * v3 clients, pointed at AWS or at the local platform's Step Functions and
 * Lambda APIs and dynalite); Scheduler, SNS and CloudFormation exports have an
 * AWS adapter and an embedded one (the local platform's in-process scheduler,
 * topic bus and export registry), and the embedded ones invoke the same
 * handlers with AWS's own event shapes.
 *
 * This file is the contract between the trigger domain (src/), its AWS
 * adapters (src/adapters/) and the local platform's embedded adapters
 * (local/src/triggers/). Change it additively.
 */

/**
 * The `Input` of a schedule's target (EventBridge Scheduler → the schedule
 * Lambda). Scheduler replaces `<aws.scheduler.scheduled-time>` in it with the
 * scheduled time (ISO 8601, UTC, second precision); the local scheduler does
 * the same before it calls the handler.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
 */
export interface ScheduleEvent {
  project: string;
  /** State machine function name (`main`). */
  stateMachine: string;
  /** The schedule's name in its group. */
  schedule: string;
  /** ISO 8601 UTC, e.g. `2026-12-01T10:00:00Z`. */
  scheduledTime: string;
  /** `@schedule(input_data=...)`, or null for `{}`. */
  inputData: Record<string, unknown> | null;
}

/** The placeholder Scheduler substitutes with the scheduled time. */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

/** One schedule as the deployer asks for it. */
export interface ScheduleDefinition {
  /** Schedule group: one per project, `fluxio-<stage>-<project>`. */
  group: string;
  /** Unique in the group: the state machine function name. */
  name: string;
  /** `rate(...)`, `cron(...)` (AWS six-field dialect) or `at(...)`. */
  expression: string;
  /** IANA time zone (`ScheduleExpressionTimezone`); null = UTC. */
  timezone: string | null;
  /** The target input, `scheduledTime` being {@link SCHEDULED_TIME_PLACEHOLDER}. */
  input: ScheduleEvent;
}

/** EventBridge Scheduler (AWS) or the local platform's in-process scheduler. */
export interface Schedules {
  /**
   * Make `group` hold exactly `schedules`: the group is created when absent,
   * schedules created or updated, and schedules of the group not listed deleted.
   */
  replaceGroup(group: string, schedules: ScheduleDefinition[]): Promise<void>;
  /** Delete the group and every schedule in it; an absent group is not an error. */
  deleteGroup(group: string): Promise<void>;
  /** The schedules of `group` (empty when the group is absent). */
  list(group: string): Promise<ScheduleDefinition[]>;
}

/** A message attribute of a published result (SNS `MessageAttributes`, `String` type). */
export type MessageAttributes = Record<string, string>;

/** SNS (AWS) or the local platform's in-process topic bus. */
export interface Topics {
  /** CreateTopic (idempotent) with `tags`; returns the topic ARN. */
  ensure(name: string, tags: Record<string, string>): Promise<string>;
  /** DeleteTopic; an absent topic is not an error. */
  delete(topicArn: string): Promise<void>;
  /** Publish one message (at most 256 KB with its attributes). */
  publish(topicArn: string, message: string, attributes: MessageAttributes): Promise<{ messageId: string }>;
  /** Subscribe the trigger's subscribe function to `topicArn` (idempotent: at most one subscription per topic). */
  subscribe(topicArn: string): Promise<void>;
  /** Remove the subscribe function's subscription to `topicArn`; absent is not an error. */
  unsubscribe(topicArn: string): Promise<void>;
}

/** CloudFormation exports (AWS) or the local platform's export registry. */
export interface Exports {
  /** The value of export `name`, or `undefined` when nothing exports it. */
  resolve(name: string): Promise<string | undefined>;
}

import type { ExecutionEventType } from '@fluxio/contracts/eventProcessors';

/*
 * The handlers (src/handlers/), each a thin middy Lambda entry point over the
 * trigger service (built once per container from the environment, or injected
 * by the local platform with `setTriggerService`):
 * - `schedule.ts`  `handler(event: ScheduleEvent)` — Scheduler's target;
 * - `subscribe.ts` `handler(event: SNSEvent)` — `Records[].Sns` of a result topic;
 * - `status.ts`    `handler(event: EventBridgeEvent<'Step Functions Execution Status Change', detail>)`;
 * - `executions.ts` — the executions routes (API Gateway HTTP API v2 events).
 * The embedded adapters call the first three with the event shapes AWS sends.
 */

/** Where an execution start came from: `__trace.source` (DESIGN.md §5b). */
export type TraceSource = 'http' | 'schedule' | `subscription:${string}/${string}` | 'direct';

/** The execution trace every start puts in the input (DESIGN.md §5.3, §5b). */
export interface Trace {
  /** Trace id: the execution name for a new trace, the upstream trace id across subscriptions. */
  id: string;
  source: TraceSource;
}

/** An execution start, idempotent by name (Step Functions STANDARD rules). */
export interface StartRequest {
  /** The alias (`…:stateMachine:<name>:live`), version or state machine ARN. */
  stateMachineArn: string;
  /** 1–80 characters of `[A-Za-z0-9_-]` (Step Functions' execution name rule). */
  name: string;
  /** The execution input (a JSON object with its `__trace`). */
  input: Record<string, unknown>;
}

/** What a start did. */
export type StartOutcome =
  /** A new execution (or the running one of that name and input: Step Functions returns it again). */
  | { kind: 'started'; executionArn: string; startDate: Date }
  /** An execution of that name exists (closed, or with other input): nothing new was started. */
  | { kind: 'exists'; executionArn: string; startDate: Date; sameInput: boolean };

/**
 * Step Functions executions (one adapter, `@aws-sdk/client-sfn`, against AWS
 * or the local platform's Step Functions API).
 */
export interface Executions {
  /**
   * StartExecution; `ExecutionAlreadyExists` becomes `{kind: 'exists'}` (found
   * with DescribeExecution, its input compared with `input`).
   * @throws TriggerError `Trigger.StateMachineNotFound` when the ARN names nothing
   */
  start(request: StartRequest): Promise<StartOutcome>;
}

// ------------------------------------------------------------------------------------------------
// The event-driven core (issue 9): result topics, the trigger records, event processors, offload.

/**
 * CloudFormation exports (AWS) or the local platform's export registry: the
 * writing side. Fluxio publishes the ARNs of every deployed state machine's
 * result topics as exports of the project ({@link resultTopicExportName}), so
 * that teams outside Fluxio (`!ImportValue` in their own stacks) and other
 * Fluxio projects (`@subscribe(topic_arn_import_value=...)`) find them by name.
 * AWS: one stack per project, `fluxio-<stage>-<project>-exports`, holding only
 * `Outputs` with `Export` names (adapters/CloudFormationExports.ts; exports can
 * only come from a stack).
 */
export interface ExportRegistry extends Exports {
  /**
   * Make the exports owned by `owner` (a project) exactly `values` (export
   * name → value): new ones added, changed ones updated, missing ones removed.
   * @throws TriggerError `Trigger.ExportTaken` when another owner exports one of the names
   */
  publish(owner: string, values: Record<string, string>): Promise<void>;
  /** Remove every export of `owner`; none is not an error. */
  remove(owner: string): Promise<void>;
}

/** What the deployer recorded about one deployed first-class state machine. */
export interface StateMachineTriggers {
  project: string;
  /** State machine function name (`main`). */
  stateMachine: string;
  /** The `live` alias ARN every trigger starts. */
  aliasArn: string;
  successTopicArn: string;
  failureTopicArn: string;
  /** `@process_events(processor=X)`: the EventProcessor class whose function tags its status events, or null. */
  eventProcessor: string | null;
  /**
   * The processor function to invoke, version-qualified (`…:function:fluxio-<stage>-<project>-<X>:<version>`),
   * so a rollback rolls the tagging code back with the state machine; absent: the unqualified function name.
   */
  eventProcessorFunction?: string | null;
}

/** A downstream state machine of a topic (`@subscribe`). */
export interface Downstream {
  topicArn: string;
  project: string;
  stateMachine: string;
  /** The downstream's `live` alias ARN. */
  aliasArn: string;
  /** Which result the topic carries. */
  status: 'success' | 'failure';
  /** Where the topic came from: another project's state machine, or an export name (`topic_arn_import_value`, resolved). */
  upstream: { project: string; stateMachine: string } | { exportName: string };
}

/** What one project's last `apply` activated (so the next one can remove what is gone). */
export interface AppliedTriggers {
  project: string;
  stateMachines: string[];
  /** Topic ARNs the project's state machines own (its result topics). */
  topics: string[];
  /** `(topicArn, stateMachine)` pairs of the project's subscriptions. */
  subscriptions: Array<{ topicArn: string; stateMachine: string }>;
  /** The schedule group, when the project has schedules. */
  scheduleGroup: string | null;
  /** Export names the project publishes. */
  exports: string[];
}

/**
 * The trigger records table (DynamoDB on both targets; dynalite locally):
 * publication claims (exactly-once publishing), what the deployer recorded
 * per state machine, the downstream list of every subscribed topic, and what
 * each project's last deployment activated.
 */
export interface TriggerRecords {
  /**
   * Claim the publication of (executionArn, status): true for the first
   * caller, false when it was claimed before (a conditional write).
   */
  claimPublication(executionArn: string, status: string): Promise<boolean>;
  /** Give a claim back (its publish failed: the retried event publishes). */
  releasePublication(executionArn: string, status: string): Promise<void>;
  getStateMachine(project: string, stateMachine: string): Promise<StateMachineTriggers | undefined>;
  putStateMachine(item: StateMachineTriggers): Promise<void>;
  deleteStateMachine(project: string, stateMachine: string): Promise<void>;
  /** Every downstream of `topicArn` (all pages). */
  downstreams(topicArn: string): Promise<Downstream[]>;
  putDownstream(item: Downstream): Promise<void>;
  deleteDownstream(topicArn: string, project: string, stateMachine: string): Promise<void>;
  getApplied(project: string): Promise<AppliedTriggers | undefined>;
  putApplied(item: AppliedTriggers): Promise<void>;
  deleteApplied(project: string): Promise<void>;
}

/** The request an event processor function gets (`fluxio_task.entry.event_processor_handler`; `EventProcessorRequest` of shared/src/eventProcessors.ts). */
export interface ProcessorRequest {
  /** The EventProcessor class. */
  processor: string;
  /** `ExecutionStarted`, `ExecutionSucceeded`, `ExecutionFailed`, `ExecutionTimedOut`, `ExecutionAborted` (its `get_custom_tags_<eventType>` runs). */
  eventType: ProcessorEventType;
  /** The result message (what is published; for ExecutionStarted the same fields with `input`). */
  message: Record<string, unknown>;
  /** The execution's input (parsed JSON). */
  inputData: unknown;
  /** The project, and the execution's name: the processor's `state_data_client` works on that execution's state data. */
  project?: string;
  execution?: string;
}

/** Event types of an EventProcessor (the original's `get_custom_tags_<EventType>` methods, spec §2.4; shared/src/eventProcessors.ts). */
export type ProcessorEventType = ExecutionEventType;

/** Event processor functions (Lambda Invoke, on AWS or the local platform's Lambda API). */
export interface Processors {
  /**
   * Invoke `functionName` (RequestResponse) with `request`; its answer's `tags`.
   * @throws TriggerError `Trigger.ProcessorFailed` when the function raised or answered no `{"tags": {...}}` object
   */
  invoke(functionName: string, request: ProcessorRequest): Promise<Record<string, unknown>>;
}

/** Where an offloaded part of a result message is (a state data item pointer, spec §20.4). */
export interface OffloadPointer {
  table_name: string;
  partition_key: string;
  key: string;
}

/** Result parts too big for SNS, kept as state data items of the upstream project. */
export interface ResultStore {
  /** Store `json` (JSON text) as item `key` of execution `executionName` of `project`; its pointer. */
  put(project: string, executionName: string, key: string, json: string): Promise<OffloadPointer>;
  /** The JSON text at `pointer`. @throws when absent (expired) */
  get(pointer: OffloadPointer): Promise<string>;
}
