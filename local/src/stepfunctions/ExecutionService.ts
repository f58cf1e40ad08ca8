/**
 * The one way an execution runs locally: each execution of the Step Functions
 * API runs on the existing engine (the patched aws-local-stepfunctions through
 * `engine/runner.ts` `runDefinition`, Python tasks in the warm worker pool),
 * with its record and history persisted in the platform database and every
 * status change published on the event bus as "Step Functions Execution
 * Status Change".
 *
 * STANDARD workflow rules (StartExecution API reference): an execution name is
 * unique per state machine; the same name and input while RUNNING returns the
 * same execution, anything else `ExecutionAlreadyExists`.
 */
import { randomUUID } from 'node:crypto';
import type { AslDefinition, AslState, Manifest } from '@fluxio/contracts/manifest';
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { RunInputError, RunUsageError, type DefinitionRunner, type RunOptions, type RunResult, type Runner } from '../engine/runner.ts';
import { taskFailedEvent, type RunEvent, type RunEventOrigin } from '../engine/events.ts';
import type { PythonTaskError } from '../workers/workerPool.ts';
import type { JSONValue, TaskStateResourceLocalHandlerInfo } from '../engine/engine.ts';
import { allStates, createTaskHandler, functionTaskHandler, taskTargetOf, TaskError, type LocalFunctionInvoker, type LocalTaskHandler, type TaskHandlerContext } from '../engine/taskHandlers.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, localStateMachineArn, localStateMachineName, resolvePlaceholders } from '../engine/placeholders.ts';
import { EXECUTION_STATUS_CHANGE, type EventBus, type ExecutionStatusChangeDetail } from '../events/bus.ts';
import { SfnError, checkName } from './errors.ts';
import { executionArn as makeExecutionArn, parseActivityArn, parseExecutionArn, parseStateMachineArn, stateMachineArn, versionArn, aliasArn } from './arns.ts';
import { CallbackRegistry } from './callbacks.ts';
import { toDate } from './context.ts';
import { HISTORY_EVENT_LIMIT, HISTORY_LIMIT_CAUSE, HISTORY_LIMIT_ERROR, executionInputProblem } from '../engine/limits.ts';
import { HistoryRecorder, taskFamilyOf } from './history.ts';
import { splitHistory, type ExecutionRow, type ExecutionStatus, type SfnStore } from './store.ts';

/** Largest execution input / task output (the service's quota: 256 KiB of UTF-8). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** How many closed executions' rows are kept in memory (DescribeExecution right after they close reads no database). */
const RECENTLY_CLOSED = 1000;

/** How often history of running executions is written (milliseconds). */
const FLUSH_INTERVAL_MS = 100;

/** Error and cause of executions that were RUNNING when the platform stopped. */
export const INTERRUPTED_ERROR = 'Fluxio.PlatformStopped';
export const INTERRUPTED_CAUSE =
  'The local platform stopped while this execution was running, so it was aborted when the platform started again. Redrive it (RedriveExecution) to continue from the state it was in.';

/** A Task state handler supplied by another part of the platform (e.g. the Lambda API for function ARNs), or undefined. */
export type TaskResourceResolver = (stateName: string, state: AslState) => LocalTaskHandler | undefined;

/** Options of {@link ExecutionService}. */
export interface ExecutionServiceOptions {
  store: SfnStore;
  runner: DefinitionRunner;
  bus: EventBus;
  callbacks?: CallbackRegistry;
  /** Extra Task resources, tried after activities and registered Fluxio projects' functions. */
  taskResources?: TaskResourceResolver;
  /** The local Lambda API, for Task states calling a Lambda function ARN or `lambda:invoke` (no registered project's task). */
  functions?: LocalFunctionInvoker;
  /** Skip Wait states and Retry intervals in every execution. @default false */
  fastWaits?: boolean;
  /**
   * Keep execution history. false: events are counted (ids, the 25,000-event quota, redrive's restart state) but
   * not stored, and GetExecutionHistory answers only what was stored — for `fluxio run`, whose in-memory service
   * nobody asks for history. @default true
   */
  recordHistory?: boolean;
}

/** Who follows one execution's events (`runManifest`: `fluxio run`'s progress, `/v1/runs`' counts). */
interface Listener {
  onEvent(event: RunEvent): void;
  origin: RunEventOrigin;
  /** The first state that failed (and was not caught or retried), like the runner reports it. */
  failedState?: string;
  /** Skip Wait states and Retry intervals in this execution and its children. */
  fastWaits?: boolean;
}

/** A registered project's state machine: its manifest, function name and unresolved states. */
interface ProjectMachine {
  manifest: Manifest;
  fn: string;
  states: Map<string, AslState>;
}

interface Running {
  listener?: Listener;
  /** The execution reached the service's 25,000-event history quota: it fails. */
  historyFull?: boolean;
  /** Closed, waiting for the group commit (its last events go with its final row). */
  closing?: boolean;
  row: ExecutionRow;
  recorder: HistoryRecorder;
  abort: AbortController;
  stopInfo?: { error?: string; cause?: string };
  done: Promise<void>;
}

/** What StartExecution resolved its state machine ARN to. */
interface Target {
  name: string;
  definition: string;
  roleArn: string;
  revisionId: string | null;
  versionArn: string | null;
  aliasArn: string | null;
}

const epoch = (ms: number) => ms / 1000;
const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');
const CLOSED: ReadonlySet<ExecutionStatus> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export class ExecutionService implements Runner {
  readonly callbacks: CallbackRegistry;
  private readonly store: SfnStore;
  private readonly runner: DefinitionRunner;
  private readonly bus: EventBus;
  private readonly running = new Map<string, Running>();
  /** The rows of the last executions that closed (a client polling DescribeExecution asks for them next), as stored. */
  private readonly recentlyClosed = new Map<string, ExecutionRow>();
  /** Executions started since the last group commit (their rows are not written yet), and who waits for them. */
  private pendingStarts: ExecutionRow[] = [];
  private startWaiters: Array<() => void> = [];
  private commitScheduled = false;
  /** Executions that closed and wait for the next group commit. */
  private closing: Array<{ entry: Running; closed: ExecutionRow; resolve(): void }> = [];
  private readonly parsed = new Map<string, AslDefinition>();
  private readonly projects: Manifest[] = [];
  private readonly projectMachines = new Map<string, ProjectMachine>();
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ExecutionServiceOptions) {
    this.store = options.store;
    this.runner = options.runner;
    this.bus = options.bus;
    this.callbacks = options.callbacks ?? new CallbackRegistry();
    this.abortInterrupted();
  }

  /**
   * Lets Task states whose Resource is a local Lambda function ARN of this
   * project (`arn:aws:lambda:us-east-1:000000000000:function:<project>-<Task>`,
   * what `resolvePlaceholders` makes of `${LambdaFunction<Task>}`) run the
   * task's Python code in the worker pool.
   */
  registerProject(manifest: Manifest): void {
    const i = this.projects.findIndex((m) => m.project === manifest.project);
    if (i >= 0) this.projects.splice(i, 1);
    this.projects.unshift(manifest);
    // Its state machines, `<project>-<fn>` with placeholders resolved, created or brought up to date; their Task
    // states run the project's tasks as `fluxio run` does (Lambda, ECS, ecs:worker, nested state machines).
    const now = Date.now() / 1000;
    for (const [fn, sm] of Object.entries(manifest.stateMachines)) {
      const name = localStateMachineName(manifest.project, fn);
      this.projectMachines.set(name, { manifest, fn, states: new Map(allStates(sm.definition)) });
      const definition = JSON.stringify(resolvePlaceholders(sm.definition, manifest.project));
      const existing = this.store.getMachine(name);
      if (!existing) {
        this.store.insertMachine({ name, definition, role_arn: 'arn:aws:iam::000000000000:role/fluxio-local', type: 'STANDARD', description: null, logging: null, tracing: null, revision_id: randomUUID(), created: now, updated: now });
      } else if (existing.definition !== definition) {
        this.store.updateMachine({ name, definition, role_arn: existing.role_arn, logging: existing.logging, tracing: existing.tracing, revision_id: randomUUID(), updated: now });
      }
    }
  }

  /** {@link runManifest} under the {@link Runner} contract's name: an ExecutionService is a `Runner`. */
  run(manifest: Manifest, options: RunOptions = {}): Promise<RunResult> {
    return this.runManifest(manifest, options);
  }

  /**
   * Runs state machine `options.stateMachine` (default `main`) of a compiled project
   * as an execution of this API (the one way an execution runs locally: `fluxio run`
   * and `POST /v1/runs` use it), with the runner's {@link RunResult} and events.
   * @throws RunUsageError when the manifest has no such state machine; RunInputError when the input is not a JSON
   *   object or is over 262,144 bytes (limits.ts); SfnError as StartExecution does (e.g. ExecutionAlreadyExists)
   */

  async runManifest(manifest: Manifest, options: RunOptions = {}): Promise<RunResult> {
    const fn = options.stateMachine ?? 'main';
    if (!manifest.stateMachines[fn]) {
      throw new RunUsageError(`No state machine named "${fn}". State machines in this project: ${Object.keys(manifest.stateMachines).join(', ') || '(none)'}.`);
    }
    const problem = executionInputProblem(options.input ?? {});
    if (problem) throw new RunInputError(problem);
    this.registerProject(manifest);
    const executionName = options.executionName ?? randomUUID();
    const listener: Listener = { onEvent: options.onEvent ?? (() => undefined), origin: { executionName, stateMachine: fn, depth: 0 }, fastWaits: options.fastWaits };
    const { executionArn } = this.start({ stateMachineArn: localStateMachineArn(manifest.project, fn), name: executionName, input: JSON.stringify(options.input ?? {}) }, listener);
    const onAbort = () => {
      const reason = options.signal?.reason;
      void this.stop(executionArn, undefined, reason instanceof Error && reason.name !== 'AbortError' ? reason.message : 'The caller stopped this execution.');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    try {
      const d = await this.waitFor(executionArn);
      const failedState = listener.failedState;
      const line = failedState ? manifest.stateMachines[fn]?.states?.[failedState]?.line : undefined;
      return {
        status: d.status as RunResult['status'],
        output: d.output === undefined ? null : JSON.parse(d.output),
        error: d.error ?? null,
        cause: d.cause ?? null,
        executionName,
        executionArn,
        ...(d.status !== 'SUCCEEDED' && failedState ? { failedState, ...(line ? { failedLine: line } : {}) } : {}),
      };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Executions RUNNING when the platform last stopped become ABORTED, with a cause that says so (and stay redrivable). */
  private abortInterrupted(): void {
    const now = Date.now();
    for (const row of this.store.runningExecutions()) {
      const definition = this.definitionOf(row.definition);
      const top = new Set(Object.keys(definition.States ?? {}));
      const last = this.lastTopLevelEntered(row.seq!, top);
      // History was written in batches while it ran: continue after the last event stored.
      const recorder = new HistoryRecorder(Math.max(row.last_event_id, this.store.lastEventId(row.seq!)), top);
      recorder.add('ExecutionAborted', { executionAbortedEventDetails: { error: INTERRUPTED_ERROR, cause: INTERRUPTED_CAUSE } }, now);
      Object.assign(row, {
        status: 'ABORTED',
        error: INTERRUPTED_ERROR,
        cause: INTERRUPTED_CAUSE,
        stop_date: epoch(now),
        failed_state: last?.name ?? null,
        failed_input: last ? JSON.stringify(last.input) : null,
        last_event_id: recorder.lastId,
      });
      this.store.transaction(() => {
        this.writeHistory(row.seq!, recorder);
        this.store.updateExecution(row);
      });
      this.publish(row);
    }
  }

  private lastTopLevelEntered(seq: number, top: ReadonlySet<string>): { name: string; input: unknown } | undefined {
    let before = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const page = this.store.historyPage(seq, true, before, 500);
      if (page.count === 0) return undefined;
      for (const text of splitHistory(page.text)) {
        const e = JSON.parse(text) as { id: number; type: string; stateEnteredEventDetails?: { name: string; input: string } };
        before = e.id;
        if (e.type.endsWith('StateEntered') && e.stateEnteredEventDetails && top.has(e.stateEnteredEventDetails.name)) {
          return { name: e.stateEnteredEventDetails.name, input: JSON.parse(e.stateEnteredEventDetails.input) };
        }
      }
    }
  }

  /** The parsed definition of a definition text (cached: the runner keeps one engine per parsed definition). */
  private definitionOf(text: string): AslDefinition {
    let d = this.parsed.get(text);
    if (!d) {
      d = JSON.parse(text) as AslDefinition;
      if (this.parsed.size >= 200) this.parsed.delete(this.parsed.keys().next().value!);
      this.parsed.set(text, d);
    }
    return d;
  }

  /** Resolves a state machine, version or alias ARN (alias routing: a version chosen at random by weight). */
  private resolveTarget(arn: unknown): Target {
    const ref = parseStateMachineArn(arn);
    const missing = () => new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    if (!ref) throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}' is not a state machine, version or alias ARN (arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:NAME[:VERSION|:ALIAS]).`);
    const machine = this.store.getMachine(ref.name);
    if (!machine) throw missing();
    if (ref.kind === 'stateMachine') {
      return { name: ref.name, definition: machine.definition, roleArn: machine.role_arn, revisionId: machine.revision_id, versionArn: null, aliasArn: null };
    }
    let version = ref.kind === 'version' ? ref.version : 0;
    let alias: string | null = null;
    if (ref.kind === 'alias') {
      const row = this.store.getAlias(ref.name, ref.alias);
      if (!row) throw new SfnError('ResourceNotFound', `Resource Not Found: alias '${String(arn)}' does not exist.`);
      const routing = JSON.parse(row.routing) as Array<{ stateMachineVersionArn: string; weight: number }>;
      let pick = Math.random() * 100;
      let chosen = routing[routing.length - 1]!;
      for (const r of routing) {
        pick -= r.weight;
        if (pick < 0) {
          chosen = r;
          break;
        }
      }
      const v = parseStateMachineArn(chosen.stateMachineVersionArn);
      version = v?.kind === 'version' ? v.version : 0;
      alias = aliasArn(ref.name, ref.alias);
    }
    const row = this.store.getVersion(ref.name, version);
    if (!row) throw missing();
    return { name: ref.name, definition: row.definition, roleArn: row.role_arn, revisionId: row.revision_id, versionArn: versionArn(ref.name, version), aliasArn: alias };
  }

  /**
   * StartExecution.
   * @throws SfnError InvalidArn, StateMachineDoesNotExist, InvalidName, InvalidExecutionInput, ExecutionAlreadyExists
   */
  start(request: { stateMachineArn?: string; name?: string; input?: string }, listener?: Listener): { executionArn: string; startDate: number } {
    if (this.closed) throw new SfnError('ServiceUnavailable', 'The local platform is stopping; start the execution after it restarted.', 503);
    const target = this.resolveTarget(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    checkName(name, 'execution');
    const input = request.input ?? '{}';
    if (byteLength(input) > MAX_PAYLOAD_BYTES) {
      throw new SfnError('InvalidExecutionInput', `Invalid Execution Input: the input is ${byteLength(input)} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes (256 KiB). Pass a reference (e.g. an S3 key) instead.`);
    }
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch (err) {
      throw new SfnError('InvalidExecutionInput', `Invalid Execution Input: input is not valid JSON (${(err as Error).message}).`);
    }
    const arn = makeExecutionArn(target.name, name);
    // A name the service made up (a random UUID) cannot exist yet: only a caller's name is looked up.
    const existing = request.name === undefined ? undefined : (this.running.get(arn)?.row ?? this.recentlyClosed.get(arn) ?? this.store.getExecution(arn));
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: existing.start_date };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'${existing.status === 'RUNNING' ? ' (running, with a different input)' : ` (${existing.status})`}; start it with another name.`);
    }
    const now = Date.now();
    const row: ExecutionRow = {
      arn,
      state_machine: target.name,
      name,
      status: 'RUNNING',
      input,
      output: null,
      error: null,
      cause: null,
      start_date: epoch(now),
      stop_date: null,
      version_arn: target.versionArn,
      alias_arn: target.aliasArn,
      definition: target.definition,
      role_arn: target.roleArn,
      revision_id: target.revisionId,
      redrive_count: 0,
      redrive_date: null,
      failed_state: null,
      failed_input: null,
      last_event_id: 0,
    };
    const definition = this.definitionOf(target.definition);
    const recorder = new HistoryRecorder(0, new Set(Object.keys(definition.States ?? {})), this.options.recordHistory !== false);
    recorder.add(
      'ExecutionStarted',
      {
        executionStartedEventDetails: {
          input,
          inputDetails: { truncated: false },
          roleArn: target.roleArn,
          stateMachineArn: stateMachineArn(target.name),
          ...(target.versionArn ? { stateMachineVersionArn: target.versionArn } : {}),
          ...(target.aliasArn ? { stateMachineAliasArn: target.aliasArn } : {}),
        },
      },
      now,
    );
    // Its row is written with the next group commit (see commit), in one transaction with the other executions
    // started or closed in this turn of the event loop; StartExecution answers once it is committed (startsCommitted).
    this.pendingStarts.push(row);
    this.commitSoon();
    this.launch(row, recorder, definition, parsedInput, listener);
    return { executionArn: arn, startDate: row.start_date };
  }

  /** Runs `row` on the engine from `definition.StartAt` (a redrive passes a definition starting at the failed state). */
  private launch(row: ExecutionRow, recorder: HistoryRecorder, definition: AslDefinition, input: unknown, listener?: Listener): void {
    const abort = new AbortController();
    const entry: Running = { row, recorder, abort, done: Promise.resolve(), listener };
    this.running.set(row.arn, entry);
    this.publish(row);
    this.scheduleFlush();
    entry.done = this.runner
      .runDefinition({
        definition,
        input,
        executionName: row.name,
        executionArn: row.arn,
        stateMachineArn: stateMachineArn(row.state_machine),
        stateMachineName: row.state_machine,
        roleArn: row.role_arn,
        fastWaits: this.options.fastWaits || listener?.fastWaits,
        signal: abort.signal,
        onEvent: listener
          ? (event) => {
              recorder.onEngineEvent(event);
              if (recorder.lastId >= HISTORY_EVENT_LIMIT) this.historyFull(entry);
              if (event.type === 'StateFailed') listener.failedState ??= event.state.name;
              else if (event.type === 'StateCaught' || event.type === 'StateRetried') listener.failedState = undefined;
              // The engine creates a fresh object per event: tag it in place, as the runner does.
              Object.assign(event, listener.origin);
              listener.onEvent(event as RunEvent);
            }
          : (event) => {
              recorder.onEngineEvent(event);
              if (recorder.lastId >= HISTORY_EVENT_LIMIT) this.historyFull(entry);
            },
        taskHandler: (stateName, state) => this.taskHandler(entry, stateName, state),
      })
      .then(
        (r) => this.finish(entry, r.status, r.output, entry.stopInfo?.error ?? r.error, entry.stopInfo?.cause ?? r.cause),
        (err: Error) => this.finish(entry, 'FAILED', null, 'States.Runtime', `The local engine could not run this definition: ${err.message}`),
      );
  }

  /** Step Functions fails an execution at 25,000 history events (States.Runtime). */
  private historyFull(entry: Running): void {
    if (entry.historyFull) return;
    entry.historyFull = true;
    queueMicrotask(() => entry.abort.abort(new Error(HISTORY_LIMIT_CAUSE)));
  }

  private finish(entry: Running, status: ExecutionStatus, output: unknown, error: string | null, cause: string | null): Promise<void> {
    const { row, recorder } = entry;
    if (entry.historyFull) {
      status = 'FAILED';
      error = HISTORY_LIMIT_ERROR;
      cause = HISTORY_LIMIT_CAUSE;
    }
    const now = Date.now();
    let outputText: string | null = null;
    if (status === 'SUCCEEDED') {
      outputText = JSON.stringify(output ?? null);
      if (byteLength(outputText) > MAX_PAYLOAD_BYTES) {
        status = 'FAILED';
        error = 'States.DataLimitExceeded';
        cause = `The execution output is ${byteLength(outputText)} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes (256 KiB).`;
        outputText = null;
      }
    }
    const ec = { ...(error ? { error } : {}), ...(cause ? { cause } : {}) };
    if (status === 'SUCCEEDED') recorder.add('ExecutionSucceeded', { executionSucceededEventDetails: { output: outputText, outputDetails: { truncated: false } } }, now);
    else if (status === 'FAILED') recorder.add('ExecutionFailed', { executionFailedEventDetails: ec }, now);
    else if (status === 'TIMED_OUT') recorder.add('ExecutionTimedOut', { executionTimedOutEventDetails: ec }, now);
    else recorder.add('ExecutionAborted', { executionAbortedEventDetails: ec }, now);
    const last = status === 'SUCCEEDED' ? undefined : recorder.lastTopLevel;
    // The closed row becomes visible (DescribeExecution, the bus) only once it and its history are committed.
    const closed: ExecutionRow = {
      ...row,
      status,
      output: outputText,
      error,
      cause,
      stop_date: epoch(now),
      failed_state: last?.name ?? null,
      failed_input: last ? JSON.stringify(last.input) : null,
      last_event_id: recorder.lastId,
    };
    entry.closing = true;
    return new Promise<void>((resolve) => {
      this.closing.push({ entry, closed, resolve });
      this.commitSoon();
    });
  }

  /** Resolves once the executions started so far are committed (StartExecution answers then: durable when answered). */
  startsCommitted(): Promise<void> {
    if (this.pendingStarts.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push(resolve));
  }

  private commitSoon(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => this.commit());
  }

  /**
   * Group commit: the executions started and those that closed since the last turn of the event loop are
   * written in one transaction (new rows; the closed ones' last events and final rows), then the closed ones
   * are shown closed and published. Runs at the next turn, or at once when something needs the rows.
   */
  private commit(): void {
    this.commitScheduled = false;
    const starts = this.pendingStarts.splice(0);
    const waiters = this.startWaiters.splice(0);
    const batch = this.closing.splice(0);
    if (starts.length === 0 && batch.length === 0) {
      for (const resolve of waiters) resolve();
      return;
    }
    this.store.transaction(() => {
      for (const row of starts) this.store.insertExecution(row);
      for (const { entry, closed } of batch) {
        closed.seq = entry.row.seq;
        this.writeHistory(closed.seq!, entry.recorder);
        this.store.updateExecution(closed);
      }
    });
    for (const resolve of waiters) resolve();
    for (const { entry, closed, resolve } of batch) {
      Object.assign(entry.row, closed);
      this.running.delete(entry.row.arn);
      this.recentlyClosed.delete(entry.row.arn);
      if (this.recentlyClosed.size >= RECENTLY_CLOSED) this.recentlyClosed.delete(this.recentlyClosed.keys().next().value!);
      this.recentlyClosed.set(entry.row.arn, entry.row);
      this.publish(entry.row);
      resolve();
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
      if (this.running.size) this.scheduleFlush();
    }, FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
  }

  /** Writes the buffered history of running executions (one transaction). */
  flush(): void {
    if (this.pendingStarts.length) this.commit();
    this.store.transaction(() => {
      for (const { row, recorder, closing } of this.running.values()) {
        if (recorder.pendingCount === 0 || closing) continue;
        this.writeHistory(row.seq!, recorder);
      }
    });
  }

  /** Stores what `recorder` buffered as one history row of execution `seq` (inside the caller's transaction). */
  private writeHistory(seq: number, recorder: HistoryRecorder): void {
    const { firstId, events } = recorder.drain();
    this.store.insertHistory(seq, firstId, events);
  }

  private publish(row: ExecutionRow): void {
    const detail: ExecutionStatusChangeDetail = {
      executionArn: row.arn,
      stateMachineArn: stateMachineArn(row.state_machine),
      name: row.name,
      status: row.status,
      startDate: Math.round(row.start_date * 1000),
      stopDate: row.stop_date === null ? null : Math.round(row.stop_date * 1000),
      input: row.input,
      inputDetails: { included: true },
      output: row.output,
      outputDetails: row.output === null ? null : { included: true },
      error: row.error,
      cause: row.cause,
      redriveCount: row.redrive_count,
      redriveDate: row.redrive_date === null ? null : Math.round(row.redrive_date * 1000),
      redriveStatus: this.redriveStatus(row).status,
      redriveStatusReason: this.redriveStatus(row).reason ?? null,
      stateMachineVersionArn: row.version_arn,
      stateMachineAliasArn: row.alias_arn,
    };
    this.bus.publish('aws.states', EXECUTION_STATUS_CHANGE, [row.arn], detail);
  }

  /** @throws SfnError InvalidArn / ExecutionDoesNotExist */
  private get(arn: unknown): ExecutionRow {
    if (!parseExecutionArn(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}' is not an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME).`);
    const row = this.running.get(arn as string)?.row ?? this.recentlyClosed.get(arn as string) ?? this.store.getExecution(arn as string);
    if (!row) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return row;
  }

  private redriveStatus(row: ExecutionRow): { status: 'REDRIVABLE' | 'NOT_REDRIVABLE'; reason?: string } {
    if (row.status === 'RUNNING') return { status: 'NOT_REDRIVABLE', reason: 'Execution is RUNNING and cannot be redriven' };
    if (row.status === 'SUCCEEDED') return { status: 'NOT_REDRIVABLE', reason: 'Execution is SUCCEEDED and cannot be redriven' };
    return { status: 'REDRIVABLE' };
  }

  /** DescribeExecution (dates as `Date`, the SDK's shape; the protocol layer sends epoch seconds). */
  describe(arn: unknown): DescribeExecutionOutput {
    const row = this.get(arn);
    const redrive = this.redriveStatus(row);
    return {
      executionArn: row.arn,
      stateMachineArn: stateMachineArn(row.state_machine),
      name: row.name,
      status: row.status,
      startDate: toDate(row.start_date),
      ...(row.stop_date !== null ? { stopDate: toDate(row.stop_date) } : {}),
      input: row.input,
      inputDetails: { included: true },
      ...(row.output !== null ? { output: row.output, outputDetails: { included: true } } : {}),
      ...(row.error ? { error: row.error } : {}),
      ...(row.cause ? { cause: row.cause } : {}),
      ...(row.version_arn ? { stateMachineVersionArn: row.version_arn } : {}),
      ...(row.alias_arn ? { stateMachineAliasArn: row.alias_arn } : {}),
      redriveCount: row.redrive_count,
      ...(row.redrive_date !== null ? { redriveDate: toDate(row.redrive_date) } : {}),
      redriveStatus: redrive.status,
      ...(redrive.reason ? { redriveStatusReason: redrive.reason } : {}),
    };
  }

  /** The row of an execution (for DescribeStateMachineForExecution). */
  row(arn: unknown): ExecutionRow {
    return this.get(arn);
  }

  /** StopExecution: a running execution is aborted with `error`/`cause`; a closed one is left as it is. */
  async stop(arn: unknown, error?: string, cause?: string): Promise<{ stopDate: number }> {
    const row = this.get(arn);
    const entry = this.running.get(row.arn);
    if (entry) {
      entry.stopInfo ??= { error, cause };
      entry.abort.abort(new Error(cause ?? 'StopExecution'));
      await entry.done;
    }
    const after = this.running.get(row.arn)?.row ?? this.store.getExecution(row.arn)!;
    return { stopDate: after.stop_date ?? epoch(Date.now()) };
  }

  /** Writes what is buffered for `arn` so a history read sees every event so far. */
  flushOne(arn: string): void {
    const entry = this.running.get(arn);
    if (!entry) return;
    if (entry.row.seq === undefined) this.commit();
    if (!entry.closing && entry.recorder.pendingCount) this.store.transaction(() => this.writeHistory(entry.row.seq!, entry.recorder));
  }

  /** @throws SfnError InvalidArn / ExecutionDoesNotExist */
  exists(arn: unknown): ExecutionRow {
    return this.get(arn);
  }

  /**
   * RedriveExecution: a FAILED, ABORTED or TIMED_OUT execution runs again from the
   * top-level state it failed in, with the input that state had (a Map or Parallel
   * state re-runs whole); history continues with ExecutionRedriven.
   * @throws SfnError ExecutionNotRedrivable
   */
  redrive(arn: unknown): { redriveDate: number } {
    const row = this.get(arn);
    const why = this.redriveStatus(row);
    if (why.status !== 'REDRIVABLE') throw new SfnError('ExecutionNotRedrivable', `Execution Not Redrivable: ${why.reason}.`);
    const now = Date.now();
    const definition = this.definitionOf(row.definition);
    const startAt = row.failed_state ?? definition.StartAt;
    const input = row.failed_state ? JSON.parse(row.failed_input ?? 'null') : JSON.parse(row.input);
    const redriven = startAt === definition.StartAt ? definition : ({ ...definition, StartAt: startAt } as AslDefinition);
    const recorder = new HistoryRecorder(row.last_event_id, new Set(Object.keys(definition.States ?? {})), this.options.recordHistory !== false);
    Object.assign(row, { status: 'RUNNING', output: null, error: null, cause: null, stop_date: null, redrive_count: row.redrive_count + 1, redrive_date: epoch(now), failed_state: null, failed_input: null });
    recorder.add('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: row.redrive_count } }, now);
    row.last_event_id = recorder.lastId;
    this.store.updateExecution(row);
    this.launch(row, recorder, redriven, input);
    return { redriveDate: row.redrive_date! };
  }

  /** Waits until `arn` is no longer running (tests, `fluxio run`, `/v1/runs`). */
  async waitFor(arn: string): Promise<DescribeExecutionOutput> {
    const entry = this.running.get(arn);
    if (entry) await entry.done;
    return this.describe(arn);
  }

  /** Whether `arn` is running now. */
  isRunning(arn: string): boolean {
    return this.running.has(arn);
  }

  /** The handler of one Task state of one execution. */
  private taskHandler(entry: Running, stateName: string, state: AslState): LocalTaskHandler {
    const resource = String(state.Resource ?? '');
    const family = taskFamilyOf(resource);
    const rec = entry.recorder;
    const timeoutSeconds = Number((state as { TimeoutSeconds?: number }).TimeoutSeconds ?? 0) || undefined;
    const heartbeatSeconds = Number((state as { HeartbeatSeconds?: number }).HeartbeatSeconds ?? 0) || 0;
    const wrap = (inner: LocalTaskHandler): LocalTaskHandler => async (input, info) => {
      rec.taskScheduled(stateName, family, input, timeoutSeconds, heartbeatSeconds || undefined);
      rec.taskStarted(stateName);
      const output = await inner(input, info);
      rec.taskSucceeded(stateName, output);
      return output;
    };

    const activity = parseActivityArn(resource);
    if (activity !== undefined) {
      return async (input, info) => {
        if (!this.store.getActivity(activity)) throw new TaskError('States.Runtime', `Activity Does Not Exist: '${resource}' (create it with CreateActivity).`);
        rec.taskScheduled(stateName, family, input, timeoutSeconds, heartbeatSeconds || undefined);
        const taskToken = CallbackRegistry.newToken();
        const result = this.callbacks.waitFor(taskToken, entry.row.arn, info, heartbeatSeconds);
        this.callbacks.enqueue(activity, { taskToken, input: JSON.stringify(input), onStarted: (worker) => rec.taskStarted(stateName, worker) });
        try {
          const output = await result;
          rec.taskSucceeded(stateName, output);
          return output;
        } finally {
          this.callbacks.dequeue(activity, taskToken);
        }
      };
    }

    const project = this.projectMachines.get(entry.row.state_machine);
    const unresolved = project?.states.get(stateName);
    if (project && unresolved) {
      const target = taskTargetOf(unresolved);
      if (target.kind !== 'unsupported' && target.kind !== 'function') {
        const listener = entry.listener;
        const origin = listener?.origin;
        const hooks: Pick<TaskHandlerContext, 'startChild' | 'onOutput' | 'onTaskFailed'> = {
          startChild: (childFn, childInput, signal) =>
            this.startChild(localStateMachineArn(project.manifest.project, childFn), childInput, undefined, signal, listener && origin ? { onEvent: listener.onEvent, origin: { executionName: '', stateMachine: childFn, depth: origin.depth + 1 }, fastWaits: listener.fastWaits } : undefined),
          onOutput: (state, line) => listener?.onEvent({ type: 'TaskOutput', timestamp: Date.now(), state, line, ...origin! }),
          onTaskFailed: (state, error: PythonTaskError) =>
            listener?.onEvent(taskFailedEvent(state, error, project.manifest.stateMachines[project.fn]?.states?.[state]?.line, origin!)),
        };
        return wrap(this.runner.projectTaskHandler(project.manifest, project.fn, target, hooks));
      }
    }

    if (family.kind === 'lambdaFunction' || resource === 'arn:aws:states:::lambda:invoke') {
      const functionArn = family.kind === 'lambdaFunction' ? resource : String((state.Parameters as Record<string, unknown> | undefined)?.FunctionName ?? '');
      const fn = /:function:([^:]+)/.exec(functionArn)?.[1] ?? functionArn;
      for (const manifest of this.projects) {
        const prefix = `${manifest.project}-`;
        if (fn.startsWith(prefix) && manifest.tasks[fn.slice(prefix.length)]) {
          const python = this.runner.pythonTaskHandler(manifest, fn.slice(prefix.length));
          if (family.kind === 'lambdaFunction') return wrap(python);
          return wrap(async (input, info) => {
            const payload = await python(((input ?? {}) as Record<string, JSONValue>).Payload ?? {}, info);
            return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 } as JSONValue;
          });
        }
      }
    }

    const external = this.options.taskResources?.(stateName, state);
    if (external) return wrap(external);

    if (resource.endsWith('.waitForTaskToken')) {
      return async (input, info: TaskStateResourceLocalHandlerInfo) => {
        const token = (info.context as { Task?: { Token?: string } }).Task?.Token;
        if (!token) throw new TaskError('States.Runtime', 'The engine gave this .waitForTaskToken state no $$.Task.Token.');
        rec.taskScheduled(stateName, family, input, timeoutSeconds, heartbeatSeconds || undefined);
        rec.taskStarted(stateName);
        const result = this.callbacks.waitFor(token, entry.row.arn, info, heartbeatSeconds);
        // The integration's request (SQS message, SNS publish, ...) is not sent anywhere locally: it is
        // published on the event bus, and the token is in this state's TaskScheduled parameters.
        this.bus.publish('fluxio.local', 'Task Token Issued', [entry.row.arn], { executionArn: entry.row.arn, state: stateName, resource, taskToken: token, parameters: input });
        rec.taskSubmitted(stateName, input);
        const output = await result;
        rec.taskSucceeded(stateName, output);
        return output;
      };
    }

    const fnHandler = functionTaskHandler({ Resource: resource }, this.options.functions);
    if (fnHandler) return wrap(fnHandler);

    if (resource.startsWith('arn:aws:states:::states:startExecution')) {
      const mode = resource.endsWith('.sync:2') ? 'sync:2' : resource.endsWith('.sync') ? 'sync' : 'async';
      return wrap(async (input, info) => {
        const params = (input ?? {}) as Record<string, unknown>;
        const ctx = {
          manifest: { project: '', tasks: {}, stateMachines: {} },
          startChild: (childArn: string, childInput: unknown, signal: AbortSignal) => this.startChild(childArn, childInput, params.Name, signal),
        } as unknown as TaskHandlerContext;
        return createTaskHandler(ctx, { kind: 'stateMachine', name: String(params.StateMachineArn ?? ''), mode })(input, info);
      });
    }

    return wrap(async () => {
      throw new TaskError('Fluxio.UnsupportedLocally', `The local platform has no implementation of Task Resource ${resource} (state ${stateName}); supported: activity ARNs, .waitForTaskToken, local Lambda functions, states:startExecution.`);
    });
  }

  /** A child execution of `states:startExecution[.sync[:2]]`: a real execution of this API, stopped with its parent. */
  private startChild(childArn: string, input: unknown, name: unknown, signal: AbortSignal, listener?: Listener) {
    let started: { executionArn: string; startDate: number };
    const childName = typeof name === 'string' ? name : randomUUID();
    if (listener) listener.origin.executionName = childName;
    try {
      started = this.start({ stateMachineArn: childArn, input: JSON.stringify(input ?? {}), name: childName }, listener);
    } catch (err) {
      if (err instanceof SfnError) throw new TaskError(`StepFunctions.${err.name}Exception`, err.message);
      throw err;
    }
    const onAbort = () => void this.stop(started.executionArn, 'States.Aborted', 'The parent execution was stopped.');
    signal.addEventListener('abort', onAbort, { once: true });
    const done = this.waitFor(started.executionArn).then((d) => {
      signal.removeEventListener('abort', onAbort);
      return {
        executionArn: started.executionArn,
        stateMachineArn: d.stateMachineArn!,
        name: d.name!,
        status: d.status as 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED',
        input,
        output: d.output === undefined ? null : JSON.parse(d.output),
        error: d.error,
        cause: d.cause,
        startDate: d.startDate!.getTime(),
        stopDate: d.stopDate!.getTime(),
      };
    });
    return { executionArn: started.executionArn, startDate: started.startDate * 1000, done };
  }

  /**
   * Platform shutdown: stops accepting executions, aborts the running ones with
   * the "platform stopped" cause (they stay redrivable from the state they were
   * in), writes their history and ends activity polls. After a crash the next
   * start does the same from the store.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.flushTimer);
    const entries = [...this.running.values()];
    for (const entry of entries) {
      entry.stopInfo ??= { error: INTERRUPTED_ERROR, cause: INTERRUPTED_CAUSE };
      entry.abort.abort(new Error(INTERRUPTED_CAUSE));
    }
    this.callbacks.close();
    await Promise.allSettled(entries.map((e) => e.done));
    this.flush();
  }

  /** Closed statuses (ListExecutions filters). */
  static isClosed(status: ExecutionStatus): boolean {
    return CLOSED.has(status);
  }
}
