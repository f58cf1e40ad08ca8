/**
 * Execution history: the service's `HistoryEvent`s (types and `*EventDetails`
 * of https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html)
 * built from the engine's event log (`engine/engine.ts` EventLog) and from the
 * Task handlers (scheduled/started/succeeded), numbered from 1, each pointing at
 * the previous one.
 *
 * Events are kept as JSON text (timestamps in epoch seconds, the AWS JSON 1.0
 * form) and buffered until {@link HistoryRecorder.drain}, so the execution
 * service writes them in one transaction per batch.
 */
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { EventLog } from '../engine/engine.ts';

/** A history event on the wire: the SDK's shape with `timestamp` as epoch seconds. */
export type WireHistoryEvent = Omit<HistoryEvent, 'timestamp' | 'type'> & { timestamp: number; type: HistoryEventType | string };

/** How a Task state's resource appears in history (ASL: Task "Resource"). */
export type TaskFamily =
  | { kind: 'activity'; resource: string }
  | { kind: 'lambdaFunction'; resource: string }
  | { kind: 'task'; resourceType: string; resource: string };

/** Classifies a Task state's Resource for its history events. */
export function taskFamilyOf(resource: string): TaskFamily {
  if (/^arn:aws:states:[^:]*:[^:]*:activity:/.test(resource)) return { kind: 'activity', resource };
  if (/^arn:aws:lambda:[^:]*:[^:]*:function:/.test(resource)) return { kind: 'lambdaFunction', resource };
  const m = /^arn:aws:states:::([^:]+):(.+)$/.exec(resource);
  if (m) return { kind: 'task', resourceType: m[1]!, resource: m[2]! };
  return { kind: 'task', resourceType: 'unknown', resource };
}

const STATE_TYPE: Record<string, string> = {
  Pass: 'Pass',
  Task: 'Task',
  Choice: 'Choice',
  Wait: 'Wait',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Map: 'Map',
  Parallel: 'Parallel',
};

const json = (v: unknown) => JSON.stringify(v === undefined ? null : v);
const text = (v: unknown) => (typeof v === 'string' ? v : json(v));
/** `,"index":N` as JSON.stringify writes it (nothing when undefined). */
const indexJson = (index: number | undefined) => (index === undefined ? '' : `,"index":${JSON.stringify(index)}`);

/** Records one execution's history. */
export class HistoryRecorder {
  /** JSON texts of the events not yet stored: ids `lastId - pending.length + 1` … `lastId`. */
  private pending: string[] = [];
  /** The Task state each handler is in (Map iterations run handlers of the same state at once: keyed by state name). */
  private readonly families = new Map<string, TaskFamily>();
  /** The output of the last StateExited and its text in an event (a JSON string of its JSON). */
  private lastOutput: unknown;
  private lastOutputText = '';
  /** Top-level state names (redrive restarts at the last one entered). */
  lastTopLevel: { name: string; input: unknown } | undefined;

  /**
   * @param lastId id of the last event already stored (0 for a new execution; redrive continues the count)
   * @param topLevel names of the top-level states of the definition
   */
  /**
   * @param keep false: count events only (ids, the 25,000-event quota, the state a redrive restarts at) and keep
   *   none — for an execution service nobody reads history from (`fluxio run`)
   */
  constructor(
    public lastId: number,
    private readonly topLevel: ReadonlySet<string>,
    private readonly keep = true,
  ) {}

  /** Appends an event; returns its id. */
  add(type: string, details?: Record<string, unknown>, timestampMs = Date.now()): number {
    const id = ++this.lastId;
    if (!this.keep) return id;
    const event: Record<string, unknown> = { timestamp: timestampMs / 1000, type, id, previousEventId: id - 1 };
    if (details) Object.assign(event, details);
    this.pending.push(JSON.stringify(event));
    return id;
  }

  /**
   * Appends an event whose details are already JSON text (`"<key>":{...}`, or `''` for none): the same text
   * {@link add} would build (same keys, same order), without an object per event. `type` must need no escaping.
   */
  private addText(type: string, detailsJson: string, timestampMs: number | undefined): void {
    const id = ++this.lastId;
    this.pending.push(`{"timestamp":${(timestampMs ?? Date.now()) / 1000},"type":"${type}","id":${id},"previousEventId":${id - 1}${detailsJson}}`);
  }

  /** Takes the events not yet stored: their JSON texts, the first one with id `firstId`, the others following. */
  drain(): { firstId: number; events: string[] } {
    const events = this.pending;
    this.pending = [];
    return { firstId: this.lastId - events.length + 1, events };
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Maps one engine event (ExecutionStarted/Succeeded/Failed/Terminated are recorded by the execution service). */
  onEngineEvent(event: EventLog): void {
    if (!this.keep) {
      this.countOnly(event);
      return;
    }
    switch (event.type) {
      case 'StateEntered': {
        const type = STATE_TYPE[event.state.type] ?? 'Pass';
        if (event.index === undefined && this.topLevel.has(event.state.name)) this.lastTopLevel = { name: event.state.name, input: event.state.input };
        // A state's input is the previous state's output (the same object): its text was made at that StateExited.
        const input = event.state.input === this.lastOutput && this.lastOutput !== undefined ? this.lastOutputText : JSON.stringify(json(event.state.input));
        this.addText(`${type}StateEntered`, `,"stateEnteredEventDetails":{"name":${JSON.stringify(event.state.name)},"input":${input},"inputDetails":{"truncated":false}}`, event.timestamp);
        if (type === 'Map') this.addText('MapStateStarted', ',"mapStateStartedEventDetails":{}', event.timestamp);
        if (type === 'Parallel') this.add('ParallelStateStarted', undefined, event.timestamp);
        return;
      }
      case 'StateExited': {
        const type = STATE_TYPE[event.state.type] ?? 'Pass';
        if (type === 'Map') this.add('MapStateSucceeded', undefined, event.timestamp);
        if (type === 'Parallel') this.add('ParallelStateSucceeded', undefined, event.timestamp);
        this.lastOutput = event.state.output;
        this.lastOutputText = JSON.stringify(json(event.state.output));
        this.addText(`${type}StateExited`, `,"stateExitedEventDetails":{"name":${JSON.stringify(event.state.name)},"output":${this.lastOutputText},"outputDetails":{"truncated":false}}`, event.timestamp);
        return;
      }
      case 'StateFailed': {
        const type = event.state.type as string;
        const error = event.Error;
        const cause = text(event.Cause);
        if (type === 'Map') this.add('MapStateFailed', undefined, event.timestamp);
        else if (type === 'Parallel') this.add('ParallelStateFailed', undefined, event.timestamp);
        else if (type === 'Task') this.taskFailed(event.state.name, error, cause, event.timestamp);
        return;
      }
      case 'MapIterationStarted':
        this.addText('MapIterationStarted', `,"mapIterationStartedEventDetails":{"name":${JSON.stringify(event.parentState.name)}${indexJson(event.index)}}`, event.timestamp);
        return;
      case 'MapIterationSucceeded':
        this.addText('MapIterationSucceeded', `,"mapIterationSucceededEventDetails":{"name":${JSON.stringify(event.parentState.name)}${indexJson(event.index)}}`, event.timestamp);
        return;
      case 'MapIterationFailed':
        this.addText('MapIterationFailed', `,"mapIterationFailedEventDetails":{"name":${JSON.stringify(event.parentState.name)}${indexJson(event.index)}}`, event.timestamp);
        return;
      default:
        return;
    }
  }

  /** The events {@link onEngineEvent} would record for `event`, counted. */
  private countOnly(event: EventLog): void {
    switch (event.type) {
      case 'StateEntered':
        if (event.index === undefined && this.topLevel.has(event.state.name)) this.lastTopLevel = { name: event.state.name, input: event.state.input };
        this.lastId += event.state.type === 'Map' || event.state.type === 'Parallel' ? 2 : 1;
        return;
      case 'StateExited':
        this.lastId += event.state.type === 'Map' || event.state.type === 'Parallel' ? 2 : 1;
        return;
      case 'StateFailed':
        if (event.state.type === 'Map' || event.state.type === 'Parallel' || event.state.type === 'Task') this.lastId += 1;
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.lastId += 1;
        return;
      default:
        return;
    }
  }

  /** TaskScheduled / ActivityScheduled / LambdaFunctionScheduled for a Task state about to run. */
  taskScheduled(state: string, family: TaskFamily, parameters: unknown, timeoutSeconds?: number, heartbeatSeconds?: number): void {
    this.families.set(state, family);
    const limits = { ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}), ...(heartbeatSeconds ? { heartbeatInSeconds: heartbeatSeconds } : {}) };
    if (family.kind === 'activity') {
      this.add('ActivityScheduled', { activityScheduledEventDetails: { resource: family.resource, input: json(parameters), inputDetails: { truncated: false }, ...limits } });
    } else if (family.kind === 'lambdaFunction') {
      this.add('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: family.resource, input: json(parameters), inputDetails: { truncated: false }, ...limits } });
    } else {
      this.add('TaskScheduled', {
        taskScheduledEventDetails: { resourceType: family.resourceType, resource: family.resource, region: 'us-east-1', parameters: json(parameters), ...limits },
      });
    }
  }

  /** TaskStarted / ActivityStarted (with the worker's name) / LambdaFunctionStarted. */
  taskStarted(state: string, workerName?: string): void {
    const family = this.families.get(state);
    if (!family) return;
    if (family.kind === 'activity') this.add('ActivityStarted', { activityStartedEventDetails: workerName ? { workerName } : {} });
    else if (family.kind === 'lambdaFunction') this.add('LambdaFunctionStarted');
    else this.add('TaskStarted', { taskStartedEventDetails: { resourceType: family.resourceType, resource: family.resource } });
  }

  /** TaskSubmitted: a `.waitForTaskToken` request was handed over; the task now waits for its token. */
  taskSubmitted(state: string, output: unknown): void {
    const family = this.families.get(state);
    if (family?.kind !== 'task') return;
    this.add('TaskSubmitted', { taskSubmittedEventDetails: { resourceType: family.resourceType, resource: family.resource, output: json(output), outputDetails: { truncated: false } } });
  }

  /** TaskSucceeded / ActivitySucceeded / LambdaFunctionSucceeded. */
  taskSucceeded(state: string, output: unknown): void {
    const family = this.families.get(state);
    if (!family) return;
    const out = { output: json(output), outputDetails: { truncated: false } };
    if (family.kind === 'activity') this.add('ActivitySucceeded', { activitySucceededEventDetails: out });
    else if (family.kind === 'lambdaFunction') this.add('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: out });
    else this.add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: family.resourceType, resource: family.resource, ...out } });
  }

  /** TaskFailed / TaskTimedOut / ActivityFailed / ActivityTimedOut / LambdaFunctionFailed / LambdaFunctionTimedOut. */
  private taskFailed(state: string, error: string, cause: string, timestampMs: number): void {
    const family = this.families.get(state) ?? { kind: 'task', resourceType: 'unknown', resource: state };
    const timedOut = error === 'States.Timeout' || error === 'States.HeartbeatTimeout';
    const ec = { error, cause };
    if (family.kind === 'activity') this.add(timedOut ? 'ActivityTimedOut' : 'ActivityFailed', { [timedOut ? 'activityTimedOutEventDetails' : 'activityFailedEventDetails']: ec }, timestampMs);
    else if (family.kind === 'lambdaFunction') {
      this.add(timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', { [timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails']: ec }, timestampMs);
    } else {
      const details = { resourceType: family.resourceType, resource: family.resource, ...ec };
      this.add(timedOut ? 'TaskTimedOut' : 'TaskFailed', { [timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: details }, timestampMs);
    }
  }
}

/** Drops `input`/`output` from an event's details (GetExecutionHistory `includeExecutionData: false`). */
export function withoutExecutionData(eventJson: string): string {
  const event = JSON.parse(eventJson) as Record<string, unknown>;
  for (const [k, v] of Object.entries(event)) {
    if (k.endsWith('EventDetails') && v && typeof v === 'object') {
      const d = v as Record<string, unknown>;
      delete d.input;
      delete d.output;
      delete d.parameters;
    }
  }
  return JSON.stringify(event);
}
