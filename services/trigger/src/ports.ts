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
