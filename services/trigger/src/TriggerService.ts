/**
 * The trigger service's event-driven core (issue 9), plain code over the
 * ports (src/ports.ts), the same on AWS and on the local platform:
 *
 * - {@link TriggerService.onSchedule}: a schedule fired → start the state
 *   machine's `live` alias, named from the schedule and the scheduled time;
 * - {@link TriggerService.onStatusChange}: a "Step Functions Execution Status
 *   Change" event → run the state machine's event processor (if any), and for
 *   a terminal status publish the result once on its success or failure topic;
 * - {@link TriggerService.onSubscriptionMessage}: a message of a subscribed
 *   topic → start every downstream state machine, named from the SNS MessageId;
 * - {@link TriggerService.activate} / {@link TriggerService.deactivate}: what
 *   the deployer calls (through its trigger port) to create a project's result
 *   topics, schedules, subscriptions and exports, and to remove them.
 *
 * Every start is idempotent by execution name (DESIGN.md §5b): a redelivered
 * event finds its execution already there (`exists`) and starts nothing new.
 *
 * Result messages (JSON, what subscribers of a result topic receive):
 * - success: `{"project", "stateMachine", "executionArn", "status": "SUCCEEDED", "output", "__trace"}`
 * - failure: `{"project", "stateMachine", "executionArn", "status": "FAILED"|"TIMED_OUT"|"ABORTED", "error", "cause", "input", "__trace"}`
 *
 * with message attributes `project`, `stateMachine`, `status` and the event
 * processor's tags. A message above SNS's limit ({@link SNS_MAX_MESSAGE_BYTES},
 * attributes included) is not cut: its largest parts (`output`, `input`,
 * `cause`) are stored as state data items of the upstream execution (in the
 * platform table, under the upstream project's local key
 * `<project>:<execution>:__fluxio_result_<field>`, the default item lifetime)
 * and replaced by `{"__offloaded": {"table_name", "partition_key", "key"}}`;
 * the message lists them in `"offloaded": ["output"]`. Read one back with the
 * state data API (`get_global_item(table_name, partition_key)`). The subscribe
 * handler resolves such pointers itself when the value fits a downstream
 * execution's input with room to spare (DOWNSTREAM_INPUT_BUDGET_BYTES), so a
 * Fluxio downstream sees the real output; else it passes the pointer on.
 */
import { createHash } from 'node:crypto';
import { logger as platformLogger } from '@fluxio/contracts/observability';
import {
  functionName,
  parseStateMachineName,
  resultTopicExportName,
  resultTopicName,
  scheduleGroupName,
  scheduleName,
  type ResultStatus,
} from '@fluxio/contracts/names';
import { isValidProjectName } from '@fluxio/contracts/projectName';
import { eventTypeOfStatus } from '@fluxio/contracts/eventProcessors';
import { TriggerError, stateMachineNotFound } from './errors.ts';
import {
  SCHEDULED_TIME_PLACEHOLDER,
  type AppliedTriggers,
  type Downstream,
  type Executions,
  type ExportRegistry,
  type MessageAttributes,
  type OffloadPointer,
  type ProcessorEventType,
  type Processors,
  type ResultStore,
  type ScheduleDefinition,
  type ScheduleEvent,
  type Schedules,
  type StartOutcome,
  type StateMachineTriggers,
  type Topics,
  type Trace,
  type TriggerRecords,
} from './ports.ts';

/**
 * SNS's largest message, in bytes, message attributes (names, types and
 * values) included: 256 KiB.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** Step Functions' largest execution input, in bytes (256 KiB). @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html */
export const MAX_EXECUTION_INPUT_BYTES = 262_144;

/**
 * Largest downstream input, in bytes, with offloaded parts read back into it:
 * 8 KiB under Step Functions' 256 KiB, leaving the downstream state machine
 * room for its own envelope (its first states' inputs add the trace and the
 * task result), so an input read back at the limit does not fail its first
 * state. A bigger one gets the pointers instead (read them with
 * `get_global_item(table_name, partition_key)`).
 */
export const DOWNSTREAM_INPUT_BUDGET_BYTES = MAX_EXECUTION_INPUT_BYTES - 8 * 1024;

/** Step Functions execution names: 1–80 characters; Fluxio uses `[A-Za-z0-9_-]` only (DESIGN.md §5b). */
export const MAX_EXECUTION_NAME_LENGTH = 80;

/** SNS message attribute names: `[A-Za-z0-9_.-]`, at most 256, no leading/trailing `.`, no `..`, not `AWS.`/`Amazon.`. @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html */
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)(?!aws\.)(?!amazon\.)[A-Za-z0-9_.-]{1,256}$/i;

/** The result topic of each terminal execution status. */
const TERMINAL: Record<string, ResultStatus> = { SUCCEEDED: 'success', FAILED: 'failure', TIMED_OUT: 'failure', ABORTED: 'failure' };

/** DescribeExecution, in the fields the status handler reads (H4's `ExecutionsControl.describe` has this shape). */
export interface ExecutionReader {
  describe(executionArn: string): Promise<{ input?: string; output?: string; error?: string; cause?: string } | undefined>;
}

/** The detail of a "Step Functions Execution Status Change" event (dates epoch ms). @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html */
export interface ExecutionStatusDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate?: number | null;
  stopDate?: number | null;
  /** JSON text, or null when left out (`inputDetails.included: false`). */
  input?: string | null;
  inputDetails?: { included: boolean } | null;
  output?: string | null;
  outputDetails?: { included: boolean } | null;
  error?: string | null;
  cause?: string | null;
  redriveCount?: number | null;
  stateMachineVersionArn?: string | null;
  stateMachineAliasArn?: string | null;
}

/** An EventBridge event of that detail type (only `detail` is read). */
export interface ExecutionStatusEvent {
  'detail-type'?: string;
  source?: string;
  detail: ExecutionStatusDetail;
}

/** The `Sns` object of one `Records[]` entry of an SNS event. @see https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html */
export interface SnsMessage {
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** What {@link TriggerService.onSchedule} did. */
export type ScheduleOutcome = { kind: 'started' | 'exists'; executionName: string; executionArn: string };

/** What {@link TriggerService.onStatusChange} did. */
export type StatusOutcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'processed'; tags: Record<string, string> }
  | { kind: 'duplicate' }
  | { kind: 'published'; topicArn: string; messageId: string; offloaded: string[]; tags: Record<string, string> };

/** What {@link TriggerService.onSubscriptionMessage} did, per downstream. */
export type SubscriptionOutcome = Array<{ project: string; stateMachine: string; kind: 'started' | 'exists'; executionName: string; executionArn: string }>;

/** The deployer's request to activate a project's triggers (its whole set; what is not listed is removed). */
export interface TriggerActivation {
  /** Every deployed first-class state machine: its `live` alias, `@process_events` processor and that processor's version-qualified function ARN. */
  stateMachines: Record<string, { aliasArn: string; eventProcessor: string | null; eventProcessorFunction?: string | null }>;
  schedules: Array<{ stateMachine: string; expression: string; timezone: string | null; inputData: Record<string, unknown> | null }>;
  subscriptions: Array<{
    /** The downstream (this project's) state machine. */
    stateMachine: string;
    /** The upstream project (`@subscribe(project=...)`), or null with `topicArnImportValue`. */
    project: string | null;
    /** The upstream state machine (`state_machine=`, default `main`). */
    source: string;
    status: ResultStatus;
    /** `@subscribe(topic_arn_import_value=...)`; `${Environment}` stands for the stage. */
    topicArnImportValue: string | null;
  }>;
}

/** The result topics of one state machine, as activated. */
export interface ActivatedTopics {
  success: { topicArn: string; exportName: string };
  failure: { topicArn: string; exportName: string };
}

/** What {@link TriggerService.activate} did. */
export interface ActivationResult {
  topics: Record<string, ActivatedTopics>;
  /** One line per activated piece, for the deployment record's note. */
  note: string;
}

export interface TriggerServiceOptions {
  /** Resource names `fluxio-<stage>-…`; status events of other stages' state machines are ignored. */
  stage: string;
  executions: Executions & ExecutionReader;
  records: TriggerRecords;
  topics: Topics;
  schedules: Schedules;
  exports: ExportRegistry;
  processors: Processors;
  results: ResultStore;
  /** Structured logger. @default the platform's Powertools logger */
  logger?: Pick<typeof platformLogger, 'info' | 'warn' | 'error'>;
  /** @default {@link SNS_MAX_MESSAGE_BYTES} (tests lower it) */
  maxMessageBytes?: number;
}

const sha = (text: string, length = 8) => createHash('sha256').update(text).digest('hex').slice(0, length);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Parse JSON text; text that is not JSON stays the text. */
const parseJson = (text: string | null | undefined): unknown => {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
const NAME_UNSAFE = /[^A-Za-z0-9_-]/g;
/** A part of a result message replaced by its state data pointer (`{"__offloaded": {...}}`). */
const isOffloaded = (v: unknown): v is { __offloaded: OffloadPointer } => isObject(v) && isObject(v.__offloaded) && typeof v.__offloaded.partition_key === 'string';
/** A state machine function name: a Python identifier (names.ts). */
const PYTHON_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The execution name of a schedule's firing: `<schedule>-<yyyymmddThhmmssZ>`
 * (at most 80 characters of `[A-Za-z0-9_-]`; a long schedule name is cut and
 * a hash of it kept), so Scheduler's redelivery of one firing starts nothing new.
 * @throws TriggerError `Trigger.InvalidScheduleEvent` when `scheduledTime` is not an ISO 8601 time
 */
export function scheduleExecutionName(schedule: string, scheduledTime: string): string {
  const ms = Date.parse(scheduledTime);
  if (!scheduledTime || scheduledTime === SCHEDULED_TIME_PLACEHOLDER || Number.isNaN(ms))
    throw new TriggerError(
      'Trigger.InvalidScheduleEvent',
      400,
      `The schedule event's scheduledTime is ${JSON.stringify(scheduledTime)}, not an ISO 8601 time; EventBridge Scheduler fills it from ${SCHEDULED_TIME_PLACEHOLDER} (send e.g. "2026-12-01T10:00:00Z" when invoking by hand).`,
    );
  const time = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const base = schedule.replace(NAME_UNSAFE, '_') || 'schedule';
  const room = MAX_EXECUTION_NAME_LENGTH - time.length - 1;
  const head = base.length <= room ? base : `${base.slice(0, room - 9)}-${sha(schedule)}`;
  return `${head}-${time}`;
}

/**
 * The execution name of a downstream start: `sns-<MessageId>-<hash of the
 * downstream>` (at most 80 characters of `[A-Za-z0-9_-]`), so SNS's
 * redelivery of one message starts nothing new.
 */
export function subscriptionExecutionName(messageId: string, project: string, stateMachine: string): string {
  const id = messageId.replace(NAME_UNSAFE, '_').slice(0, MAX_EXECUTION_NAME_LENGTH - 4 - 9);
  return `sns-${id}-${sha(`${project}/${stateMachine}`)}`;
}

/** SNS's size of a message with its attributes (UTF-8 bytes of the body, and of each name, type `String` and value). */
export function snsMessageBytes(message: string, attributes: MessageAttributes): number {
  let n = Buffer.byteLength(message);
  for (const [k, v] of Object.entries(attributes)) n += Buffer.byteLength(k) + 'String'.length + Buffer.byteLength(v);
  return n;
}

/** The trigger service domain. */
export class TriggerService {
  readonly stage: string;
  private readonly log: NonNullable<TriggerServiceOptions['logger']>;
  private readonly maxMessageBytes: number;

  constructor(private readonly o: TriggerServiceOptions) {
    this.stage = o.stage;
    this.log = o.logger ?? platformLogger;
    this.maxMessageBytes = o.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES;
  }

  // ---------------------------------------------------------------- schedules

  /**
   * A schedule fired: start `live` of the scheduled state machine, named by
   * {@link scheduleExecutionName}, with input `inputData` (or `{}`) and
   * `__trace = {"id": <execution name>, "source": "schedule"}`. A redelivered
   * event finds the execution and starts nothing (`exists`, logged).
   * @throws TriggerError `Trigger.InvalidScheduleEvent` (400) for an event that is not a schedule's;
   *   `Trigger.StateMachineNotFound` (404) when the state machine is not deployed (Scheduler retries, then the DLQ keeps the event)
   */
  async onSchedule(event: ScheduleEvent): Promise<ScheduleOutcome> {
    if (!isObject(event) || typeof event.project !== 'string' || typeof event.stateMachine !== 'string' || typeof event.schedule !== 'string')
      throw new TriggerError('Trigger.InvalidScheduleEvent', 400, 'A schedule event is {"project", "stateMachine", "schedule", "scheduledTime", "inputData"} (the Input the deployer gives each schedule).');
    if (event.inputData != null && !isObject(event.inputData))
      throw new TriggerError('Trigger.InvalidScheduleEvent', 400, `The schedule's inputData must be a JSON object or null, not ${JSON.stringify(event.inputData)}.`);
    const name = scheduleExecutionName(event.schedule, event.scheduledTime);
    const sm = await this.o.records.getStateMachine(event.project, event.stateMachine);
    if (!sm) throw stateMachineNotFound(event.project, event.stateMachine);
    const trace: Trace = { id: name, source: 'schedule' };
    const outcome = await this.o.executions.start({ stateMachineArn: sm.aliasArn, name, input: { ...(event.inputData ?? {}), __trace: trace } });
    this.logStart(outcome, { trigger: 'schedule', project: event.project, stateMachine: event.stateMachine, schedule: event.schedule, scheduledTime: event.scheduledTime, executionName: name });
    return { kind: outcome.kind, executionName: name, executionArn: outcome.executionArn };
  }

  private logStart(outcome: StartOutcome, fields: Record<string, unknown>): void {
    if (outcome.kind === 'started') this.log.info('Execution started', { ...fields, executionArn: outcome.executionArn });
    else this.log.info('Execution exists already: redelivered event, nothing started', { ...fields, executionArn: outcome.executionArn, sameInput: outcome.sameInput });
  }

  // ---------------------------------------------------------------- status events

  /**
   * An execution's status changed. Events of state machines that are not this
   * stage's (`fluxio-<stage>-<project>-<fn>`), or not deployed with triggers,
   * are ignored. When the state machine has an event processor, it runs for
   * every status (RUNNING → `ExecutionStarted`, …) and its tags are logged.
   * A terminal status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) is published
   * once per (execution ARN, status, redrive count): claimed with a
   * conditional write first; a failed publish gives the claim back and throws,
   * so EventBridge's retry publishes it. Output or input the event left out is
   * read with DescribeExecution; a message too big for SNS is offloaded.
   * @throws the publish or DescribeExecution error (after releasing the claim)
   */
  async onStatusChange(event: ExecutionStatusEvent): Promise<StatusOutcome> {
    const d = event?.detail;
    if (!isObject(d) || typeof d.executionArn !== 'string' || typeof d.stateMachineArn !== 'string' || typeof d.status !== 'string')
      throw new TriggerError('Trigger.InvalidStatusEvent', 400, 'A status event is an EventBridge "Step Functions Execution Status Change" event with detail {executionArn, stateMachineArn, name, status, ...}.');
    const smName = d.stateMachineArn.split(':')[6] ?? '';
    const parts = parseStateMachineName(smName, this.stage);
    if (!parts) return { kind: 'ignored', reason: `state machine ${smName} is not one of stage ${this.stage}` };
    const topic = TERMINAL[d.status];
    const eventType: ProcessorEventType | undefined = eventTypeOfStatus(d.status);
    if (!eventType) return { kind: 'ignored', reason: `status ${d.status} is neither a start nor terminal` };
    const sm = await this.o.records.getStateMachine(parts.project, parts.fn);
    if (!sm) return { kind: 'ignored', reason: `${parts.project}/${parts.fn} has no triggers recorded (not deployed by this platform's deployer)` };
    const executionName = d.name || d.executionArn.split(':').pop()!;
    if (!topic) {
      // RUNNING: only the event processor runs (nothing is published on a start).
      if (!sm.eventProcessor) return { kind: 'ignored', reason: 'RUNNING and no event processor' };
      const input = await this.readParts(d, false);
      const message = { project: parts.project, stateMachine: parts.fn, executionArn: d.executionArn, status: d.status, input: input.input, __trace: traceOf(input.input, null, executionName) };
      const tags = await this.runProcessor(sm, eventType, message, input.input);
      return { kind: 'processed', tags };
    }
    const claimKey = d.redriveCount ? `${d.status}#redrive${d.redriveCount}` : d.status;
    if (!(await this.o.records.claimPublication(d.executionArn, claimKey))) {
      this.log.info('Result already published: redelivered status event, nothing published', { executionArn: d.executionArn, status: d.status });
      return { kind: 'duplicate' };
    }
    try {
      const read = await this.readParts(d, topic === 'success');
      const message: Record<string, unknown> = { project: parts.project, stateMachine: parts.fn, executionArn: d.executionArn, status: d.status };
      if (topic === 'success') message.output = read.output;
      else Object.assign(message, { error: read.error ?? null, cause: read.cause ?? null, input: read.input });
      message.__trace = traceOf(read.input, read.output, executionName);
      const tags = sm.eventProcessor ? await this.runProcessor(sm, eventType, message, read.input) : {};
      const attributes: MessageAttributes = { ...tags, project: parts.project, stateMachine: parts.fn, status: d.status };
      const { text, offloaded } = await this.fit(message, attributes, parts.project, executionName);
      const topicArn = topic === 'success' ? sm.successTopicArn : sm.failureTopicArn;
      const { messageId } = await this.o.topics.publish(topicArn, text, attributes);
      this.log.info('Result published', { project: parts.project, stateMachine: parts.fn, executionArn: d.executionArn, status: d.status, topicArn, messageId, offloaded });
      return { kind: 'published', topicArn, messageId, offloaded, tags };
    } catch (e) {
      await this.o.records.releasePublication(d.executionArn, claimKey).catch((err: unknown) => this.log.error('Could not release the publication claim', err as Error));
      throw e;
    }
  }

  /** Input (and output, error, cause) of the event, read with DescribeExecution when the event left them out. */
  private async readParts(d: ExecutionStatusDetail, needOutput: boolean) {
    const inputMissing = d.inputDetails?.included === false || d.input == null;
    const outputMissing = needOutput && (d.outputDetails?.included === false || d.output == null);
    let { input, output, error, cause } = d;
    if (inputMissing || outputMissing) {
      const described = await this.o.executions.describe(d.executionArn);
      if (!described) throw new TriggerError('Execution.NotFound', 404, `DescribeExecution found no execution ${d.executionArn}; the status event's output cannot be read.`);
      if (inputMissing) input = described.input ?? null;
      if (outputMissing) output = described.output ?? null;
      error ??= described.error ?? null;
      cause ??= described.cause ?? null;
    }
    return { input: parseJson(input), output: parseJson(output), error, cause };
  }

  /**
   * Run the state machine's EventProcessor function; its tags as message
   * attribute strings. Tags whose name SNS refuses are dropped (logged); a
   * processor that fails is logged and the message goes out without tags
   * (a result is never held back by tagging code).
   */
  private async runProcessor(sm: StateMachineTriggers, eventType: ProcessorEventType, message: Record<string, unknown>, inputData: unknown): Promise<Record<string, string>> {
    const fn = sm.eventProcessorFunction || functionName({ stage: this.stage, project: sm.project, fn: sm.eventProcessor! });
    let raw: Record<string, unknown>;
    try {
      raw = await this.o.processors.invoke(fn, { processor: sm.eventProcessor!, eventType, message, inputData, project: sm.project, execution: String(message.executionArn) });
    } catch (e) {
      this.log.error('Event processor failed; the event goes on without its tags', { project: sm.project, stateMachine: sm.stateMachine, processor: sm.eventProcessor, eventType, error: (e as Error).message });
      return {};
    }
    const tags: Record<string, string> = {};
    const dropped: string[] = [];
    for (const [k, v] of Object.entries(raw)) {
      const value = typeof v === 'string' ? v : JSON.stringify(v);
      if (!ATTRIBUTE_NAME.test(k) || value === undefined || value === '') dropped.push(k);
      else tags[k] = value;
    }
    if (dropped.length)
      this.log.warn('Event processor tags dropped: SNS message attribute names are 1-256 of A-Z a-z 0-9 _ - . (no AWS./Amazon. prefix) with a non-empty value', { processor: sm.eventProcessor, dropped });
    this.log.info('Execution status event', { project: sm.project, stateMachine: sm.stateMachine, executionArn: message.executionArn, status: message.status, eventType, processor: sm.eventProcessor, tags });
    return tags;
  }

  /** The message text, its largest parts offloaded until it fits SNS. @throws TriggerError `Trigger.MessageTooLarge` when it cannot */
  private async fit(message: Record<string, unknown>, attributes: MessageAttributes, project: string, executionName: string): Promise<{ text: string; offloaded: string[] }> {
    let text = JSON.stringify(message);
    const offloaded: string[] = [];
    const candidates = ['output', 'input', 'cause'].filter((k) => message[k] != null).sort((a, b) => JSON.stringify(message[b]).length - JSON.stringify(message[a]).length);
    for (const field of candidates) {
      if (snsMessageBytes(text, attributes) <= this.maxMessageBytes) break;
      const pointer = await this.o.results.put(project, executionName, `__fluxio_result_${field}`, JSON.stringify(message[field]));
      message[field] = { __offloaded: pointer };
      offloaded.push(field);
      message.offloaded = offloaded;
      text = JSON.stringify(message);
    }
    const size = snsMessageBytes(text, attributes);
    if (size > this.maxMessageBytes)
      throw new TriggerError('Trigger.MessageTooLarge', 500, `The result message is ${size} bytes with its attributes after offloading ${offloaded.join(', ') || 'nothing'}; SNS takes ${this.maxMessageBytes}. Return fewer or shorter event processor tags.`);
    return { text, offloaded };
  }

  // ---------------------------------------------------------------- subscriptions

  /**
   * A message of a subscribed topic arrived: start every downstream state
   * machine of `TopicArn` on its alias, named by {@link subscriptionExecutionName}.
   * Input: a success result's `output` (an object; any other value as
   * `{"output": value}`), a failure result's `{"error", "cause", "input",
   * "execution"}`; a message of a topic outside Fluxio is the input when it
   * is a JSON object, else `{"message": <text>}`. `__trace` keeps the upstream
   * trace id and says `subscription:<project>/<state machine>` (outside
   * Fluxio: the MessageId and `subscription:sns/<topic name>`). Offloaded
   * parts are read back when the input then stays within
   * {@link DOWNSTREAM_INPUT_BUDGET_BYTES}; otherwise the downstream gets the
   * pointers (`{"__offloaded": {...}}`, the success output's pointer at the top level).
   * Every downstream is tried; then the first failure is thrown (SNS retries;
   * the ones started already are not started again).
   */
  async onSubscriptionMessage(sns: SnsMessage): Promise<SubscriptionOutcome> {
    if (!isObject(sns) || typeof sns.MessageId !== 'string' || typeof sns.TopicArn !== 'string' || typeof sns.Message !== 'string')
      throw new TriggerError('Trigger.InvalidSubscriptionEvent', 400, 'A subscription event is an SNS event: {"Records": [{"Sns": {"MessageId", "TopicArn", "Message", ...}}]}.');
    const downstreams = await this.o.records.downstreams(sns.TopicArn);
    if (!downstreams.length) {
      this.log.warn('Message of a topic without downstream state machines ignored', { topicArn: sns.TopicArn, messageId: sns.MessageId });
      return [];
    }
    const { input, trace } = await this.downstreamInput(sns);
    const outcomes: SubscriptionOutcome = [];
    let failure: unknown;
    for (const d of downstreams) {
      const name = subscriptionExecutionName(sns.MessageId, d.project, d.stateMachine);
      try {
        const outcome = await this.o.executions.start({ stateMachineArn: d.aliasArn, name, input: { ...input, __trace: trace } });
        this.logStart(outcome, { trigger: trace.source, project: d.project, stateMachine: d.stateMachine, messageId: sns.MessageId, executionName: name });
        outcomes.push({ project: d.project, stateMachine: d.stateMachine, kind: outcome.kind, executionName: name, executionArn: outcome.executionArn });
      } catch (e) {
        this.log.error('Downstream start failed', { project: d.project, stateMachine: d.stateMachine, messageId: sns.MessageId, error: (e as Error).message });
        failure ??= e;
      }
    }
    if (failure) throw failure;
    return outcomes;
  }

  private async downstreamInput(sns: SnsMessage): Promise<{ input: Record<string, unknown>; trace: Trace }> {
    const parsed = parseJson(sns.Message);
    const isResult = isObject(parsed) && typeof parsed.executionArn === 'string' && typeof parsed.project === 'string' && typeof parsed.stateMachine === 'string' && typeof parsed.status === 'string';
    if (!isResult) {
      const topic = sns.TopicArn.split(':').pop() || 'topic';
      return { input: isObject(parsed) ? parsed : { message: sns.Message }, trace: { id: sns.MessageId, source: `subscription:sns/${topic}` } };
    }
    const m = parsed as Record<string, unknown> & { project: string; stateMachine: string; executionArn: string; status: string };
    const upstreamTrace = isObject(m.__trace) && typeof m.__trace.id === 'string' ? m.__trace.id : sns.MessageId;
    const trace: Trace = { id: upstreamTrace, source: `subscription:${m.project}/${m.stateMachine}` };
    // The input with the offloaded parts read back, unless that no longer fits an execution input: then the pointers.
    const build = (read: (v: unknown) => unknown): Record<string, unknown> => {
      if (m.status === 'SUCCEEDED') {
        const output = read(m.output);
        const { __trace: _dropped, ...rest } = isObject(output) ? output : { output };
        return rest;
      }
      return { error: m.error ?? null, cause: read(m.cause), input: read(m.input), execution: m.executionArn };
    };
    const parts = new Map<unknown, unknown>();
    for (const v of [m.output, m.cause, m.input]) if (isOffloaded(v)) parts.set(v, await this.readOffloaded(v));
    const resolved = build((v) => (parts.has(v) ? parts.get(v) : v));
    if (!parts.size || Buffer.byteLength(JSON.stringify({ ...resolved, __trace: trace })) <= DOWNSTREAM_INPUT_BUDGET_BYTES) return { input: resolved, trace };
    this.log.info('Offloaded result parts passed on as pointers: read back they would not leave the downstream room under 256 KiB', { executionArn: m.executionArn });
    return { input: build((v) => v), trace };
  }

  /** An offloaded part's value, read back; the pointer itself when it cannot be read (logged). */
  private async readOffloaded(value: { __offloaded: OffloadPointer }): Promise<unknown> {
    try {
      return JSON.parse(await this.o.results.get(value.__offloaded));
    } catch (e) {
      this.log.warn('Offloaded result part could not be read back; the pointer is passed on', { pointer: value.__offloaded, error: (e as Error).message });
      return value;
    }
  }

  // ---------------------------------------------------------------- activation (deployer)

  /**
   * Activate a project's triggers (the deployer, after the aliases moved):
   * result topics for every state machine (recorded with its alias and event
   * processor, their ARNs published as exports), the schedule group, the
   * subscriptions (downstream records, then one SNS subscription per
   * upstream topic); then what the previous activation had and this one does
   * not is removed. Subscriptions are resolved before anything changes.
   * @throws TriggerError 400 `Trigger.ExportNotFound` for a `topic_arn_import_value` nothing exports;
   *   400 `Trigger.InvalidSubscription` for a subscription naming neither a project nor an export
   */
  async activate(project: string, request: TriggerActivation): Promise<ActivationResult> {
    // 1. Resolve every subscription's topic first: a bad one fails the deployment before anything changed.
    const subscriptions: Array<Downstream> = [];
    for (const s of request.subscriptions) {
      const target = request.stateMachines[s.stateMachine];
      if (!target) throw new TriggerError('Trigger.InvalidSubscription', 400, `@subscribe on ${s.stateMachine}: it is not a deployed first-class state machine of ${project}.`);
      if (s.project) {
        if (!isValidProjectName(s.project) || !PYTHON_NAME.test(s.source))
          throw new TriggerError(
            'Trigger.InvalidSubscription',
            400,
            `@subscribe(project=${JSON.stringify(s.project)}, state_machine=${JSON.stringify(s.source)}) on ${s.stateMachine}: name a Fluxio project (letters, digits, - and _, starting with a letter) and one of its state machine functions (a Python name).`,
          );
        const topicArn = await this.o.topics.ensure(resultTopicName({ stage: this.stage, project: s.project, fn: s.source }, s.status), topicTags(this.stage, s.project, s.source, s.status));
        subscriptions.push({ topicArn, project, stateMachine: s.stateMachine, aliasArn: target.aliasArn, status: s.status, upstream: { project: s.project, stateMachine: s.source } });
      } else if (s.topicArnImportValue) {
        const exportName = s.topicArnImportValue.replaceAll('${Environment}', this.stage);
        const topicArn = await this.o.exports.resolve(exportName);
        if (!topicArn)
          throw new TriggerError(
            'Trigger.ExportNotFound',
            400,
            `@subscribe(topic_arn_import_value="${s.topicArnImportValue}") on ${s.stateMachine}: nothing exports ${exportName} (\${Environment} is the stage, ${this.stage}). ` +
              'Deploy the stack or project that exports it first, or fix the name (Fluxio result topics are exported as fluxio-<stage>-<project>-<fn>-success-topic-arn / -failure-topic-arn).',
            { exportName },
          );
        subscriptions.push({ topicArn, project, stateMachine: s.stateMachine, aliasArn: target.aliasArn, status: s.status, upstream: { exportName } });
      } else throw new TriggerError('Trigger.InvalidSubscription', 400, `@subscribe on ${s.stateMachine} names neither project= nor topic_arn_import_value=; name the upstream.`);
    }
    const previous = await this.o.records.getApplied(project);
    // 2. Result topics, recorded for the status handler; their ARNs exported.
    const topics: Record<string, ActivatedTopics> = {};
    const exportValues: Record<string, string> = {};
    for (const [fn, sm] of Object.entries(request.stateMachines).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const parts = { stage: this.stage, project, fn };
      const arns = {} as Record<ResultStatus, string>;
      for (const status of ['success', 'failure'] as const) arns[status] = await this.o.topics.ensure(resultTopicName(parts, status), topicTags(this.stage, project, fn, status));
      await this.o.records.putStateMachine({
        project,
        stateMachine: fn,
        aliasArn: sm.aliasArn,
        successTopicArn: arns.success,
        failureTopicArn: arns.failure,
        eventProcessor: sm.eventProcessor,
        ...(sm.eventProcessor && sm.eventProcessorFunction ? { eventProcessorFunction: sm.eventProcessorFunction } : {}),
      });
      topics[fn] = {
        success: { topicArn: arns.success, exportName: resultTopicExportName(parts, 'success') },
        failure: { topicArn: arns.failure, exportName: resultTopicExportName(parts, 'failure') },
      };
      exportValues[topics[fn].success.exportName] = arns.success;
      exportValues[topics[fn].failure.exportName] = arns.failure;
    }
    await this.o.exports.publish(project, exportValues);
    // 3. Schedules: the project's group holds exactly these.
    const group = scheduleGroupName(this.stage, project);
    if (request.schedules.length) {
      const definitions: ScheduleDefinition[] = request.schedules.map((s) => ({
        group,
        name: scheduleName(s.stateMachine),
        expression: s.expression,
        timezone: s.timezone,
        input: { project, stateMachine: s.stateMachine, schedule: scheduleName(s.stateMachine), scheduledTime: SCHEDULED_TIME_PLACEHOLDER, inputData: s.inputData },
      }));
      await this.o.schedules.replaceGroup(group, definitions);
    } else if (previous?.scheduleGroup) await this.o.schedules.deleteGroup(previous.scheduleGroup);
    // 4. Subscriptions: downstream record first (a message arriving then finds it), then the SNS subscription.
    for (const d of subscriptions) {
      await this.o.records.putDownstream(d);
      await this.o.topics.subscribe(d.topicArn);
    }
    // 5. What the previous activation had and this one does not.
    const applied: AppliedTriggers = {
      project,
      stateMachines: Object.keys(request.stateMachines).sort(),
      topics: Object.values(topics).flatMap((t) => [t.success.topicArn, t.failure.topicArn]),
      subscriptions: subscriptions.map((d) => ({ topicArn: d.topicArn, stateMachine: d.stateMachine })),
      scheduleGroup: request.schedules.length ? group : null,
      exports: Object.keys(exportValues).sort(),
    };
    const kept: string[] = [];
    if (previous) {
      const key = (s: { topicArn: string; stateMachine: string }) => `${s.topicArn}\n${s.stateMachine}`;
      const now = new Set(applied.subscriptions.map(key));
      for (const s of previous.subscriptions) if (!now.has(key(s))) await this.dropSubscription(project, s);
      for (const fn of previous.stateMachines) if (!request.stateMachines[fn]) await this.o.records.deleteStateMachine(project, fn);
      for (const arn of previous.topics) if (!applied.topics.includes(arn) && !(await this.dropTopic(arn))) kept.push(arn);
    }
    await this.o.records.putApplied(applied);
    return { topics, note: activationNote(request, topics, subscriptions, kept) };
  }

  /**
   * Remove every trigger of `project` (destroy): its subscriptions, schedule
   * group, exports, recorded state machines and result topics. A topic
   * other projects still subscribe to is kept (their subscriptions go on
   * working; it is deleted once the last of them is gone and the project is
   * destroyed or redeployed).
   */
  async deactivate(project: string): Promise<{ keptTopics: string[] }> {
    const previous = await this.o.records.getApplied(project);
    await this.o.schedules.deleteGroup(previous?.scheduleGroup ?? scheduleGroupName(this.stage, project));
    await this.o.exports.remove(project);
    const kept: string[] = [];
    if (previous) {
      for (const s of previous.subscriptions) await this.dropSubscription(project, s);
      for (const fn of previous.stateMachines) await this.o.records.deleteStateMachine(project, fn);
      for (const arn of previous.topics) if (!(await this.dropTopic(arn))) kept.push(arn);
      await this.o.records.deleteApplied(project);
    }
    return { keptTopics: kept };
  }

  /**
   * Delete a downstream record; unsubscribe from its topic when it was the last one.
   * Known race: another project subscribing to the same topic between the
   * emptiness check and the Unsubscribe loses the SNS subscription until its
   * next deployment (deployments of different projects do not share a lease).
   */
  private async dropSubscription(project: string, s: { topicArn: string; stateMachine: string }): Promise<void> {
    await this.o.records.deleteDownstream(s.topicArn, project, s.stateMachine);
    if (!(await this.o.records.downstreams(s.topicArn)).length) await this.o.topics.unsubscribe(s.topicArn);
  }

  /** Delete a result topic unless some state machine still subscribes to it; false when kept. */
  private async dropTopic(topicArn: string): Promise<boolean> {
    if ((await this.o.records.downstreams(topicArn)).length) return false;
    await this.o.topics.delete(topicArn);
    return true;
  }
}

/** Tags of a result topic (CreateTopic is idempotent only with the same tags, so they depend on the name's parts only). */
export const topicTags = (stage: string, project: string, stateMachine: string, status: ResultStatus): Record<string, string> => ({
  'fluxio:stage': stage,
  'fluxio:project': project,
  'fluxio:stateMachine': stateMachine,
  'fluxio:result': status,
});

/** The trace of an execution: its input's `__trace`, else its output's, else a new one from its name. */
function traceOf(input: unknown, output: unknown, executionName: string): Trace {
  for (const v of [input, output]) if (isObject(v) && isObject(v.__trace) && typeof v.__trace.id === 'string') return v.__trace as unknown as Trace;
  return { id: executionName, source: 'direct' };
}

/** The deployment record's note: what is active now, one sentence per kind. */
function activationNote(request: TriggerActivation, topics: Record<string, ActivatedTopics>, subscriptions: Downstream[], kept: string[]): string {
  const lines: string[] = [];
  const fns = Object.keys(topics);
  lines.push(
    `Active: result topics of ${fns.length} state machine(s)` +
      (fns.length ? ` (${fns.map((fn) => `${fn}: ${topics[fn]!.success.topicArn} exported as ${topics[fn]!.success.exportName}, ${topics[fn]!.failure.topicArn} exported as ${topics[fn]!.failure.exportName}`).join('; ')})` : '') +
      '.',
  );
  if (request.schedules.length)
    lines.push(`${request.schedules.length} schedule(s): ${request.schedules.map((s) => `${s.stateMachine} ${s.expression}${s.timezone ? ` (${s.timezone})` : ' (UTC)'}`).join(', ')}.`);
  if (subscriptions.length)
    lines.push(
      `${subscriptions.length} subscription(s): ${subscriptions
        .map((d) => `${d.stateMachine} ← ${'project' in d.upstream ? `${d.upstream.project}/${d.upstream.stateMachine}` : d.upstream.exportName} ${d.status}`)
        .join(', ')}.`,
    );
  const processors = Object.entries(request.stateMachines).filter(([, sm]) => sm.eventProcessor);
  if (processors.length) lines.push(`Event processors: ${processors.map(([fn, sm]) => `${fn} → ${sm.eventProcessor}`).join(', ')}.`);
  if (kept.length) lines.push(`Kept (other projects subscribe to them): ${kept.join(', ')}.`);
  return lines.join(' ');
}
