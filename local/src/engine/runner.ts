/**
 * The local runner: the engine side of local executions. It runs ASL
 * definitions on the patched aws-local-stepfunctions engine (`runDefinition`)
 * and builds the Task handlers of compiled projects (real Python tasks in the
 * warm worker pool, the state data service for `context.state_data_client` /
 * `context.stop_execution`). Executions themselves — compiled projects'
 * included, with their child executions — go through the execution service
 * (`stepfunctions/ExecutionService.ts`), the one way an execution runs locally.
 */
import { join, resolve } from 'node:path';
import type { AslDefinition, AslState, Manifest } from '@fluxio/contracts/manifest';
import {
  StateMachine,
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type EventLog,
  type StateMachineDefinition,
} from './engine.ts';
import { PythonWorkerPool } from '../workers/workerPool.ts';
import { allStates, createTaskHandler, TaskError, type LocalTaskHandler, type TaskHandlerContext, type TaskTarget } from './taskHandlers.ts';
import { openStateData, type StateDataEndpoint, type StateDataOption } from '../stateData/stateData.ts';
import { projectOfLocalStateMachine } from '@fluxio/state-data/stateMachineNames';
import type { RunEvent } from './events.ts';
import { capCause, type ExecutionInputProblem } from './limits.ts';

/** Final status of an execution (Step Functions' execution statuses). */
export type RunStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The result of one run: DESIGN.md §6's `{status, output, error, cause}` plus identifiers. */
export interface RunResult {
  status: RunStatus;
  /** The execution output (null unless SUCCEEDED). */
  output: unknown;
  /** ASL error name (e.g. `KeyError`, `States.Timeout`), null on success. */
  error: string | null;
  cause: string | null;
  executionName: string;
  executionArn: string;
  /** The state whose failure ended the execution, when known. */
  failedState?: string;
  /** project.py line of that state (manifest `states[name].line`). */
  failedLine?: number;
}

/** Options of {@link createRunner}. */
export interface RunnerOptions {
  /** Directory of project.py: workers run there and import `ecs:worker` specs from it. */
  projectDir: string;
  /** project.py path, for tracebacks and messages. @default `<projectDir>/project.py` */
  projectFile?: string;
  /** State data service. @default `{ embedded: true }` (in memory) */
  stateData?: StateDataOption;
  /** Python worker processes. @default os.availableParallelism() */
  workers?: number;
  /** Python executable. @default env FLUXIO_PYTHON or `python3` */
  python?: string;
  /** Worker output outside any task (e.g. `on_cleanup` prints). @default written to process.stderr */
  onWorkerOutput?: (line: string) => void;
  /** Extra environment of the Python workers, e.g. `{ FLUXIO_LOG_LEVEL: 'DEBUG' }` (`fluxio run --log-level`). */
  taskEnv?: Record<string, string>;
}

/** Options of one run. */
export interface RunOptions {
  /** State machine function name in project.py. @default "main" */
  stateMachine?: string;
  /** Execution input: a JSON object of at most 262,144 bytes (see limits.ts). @default {} */
  input?: unknown;
  /** Skip Wait states and Retry intervals (both take no time). @default false */
  fastWaits?: boolean;
  /** Receives every event as it happens (synchronously). */
  onEvent?: (event: RunEvent) => void;
  /** Execution name. @default a random UUID */
  executionName?: string;
  /** Aborting stops the execution (status ABORTED). */
  signal?: AbortSignal;
}

/**
 * What runs a compiled project's state machine to completion: the local Step Functions API's execution service
 * (`stepfunctions/ExecutionService.ts` `run`, the one way an execution runs locally — `fluxio run`, `POST /v1/runs`).
 */
export interface Runner {
  /**
   * Runs `stateMachine` of `manifest` to completion.
   * @throws RunUsageError for caller mistakes (unknown state machine; RunInputError for an input that is not a JSON
   *   object or is over 262,144 bytes); execution failures are results (FAILED `States.Runtime` at the 25,000-event
   *   history quota, `States.DataLimitExceeded` for a state payload over 256 KiB)
   */
  run(manifest: Manifest, options?: RunOptions): Promise<RunResult>;
}

/** The engine side of local executions: keeps its Python worker pool warm across executions. */
export interface LocalRunner extends DefinitionRunner {
  /** The state data service URL the tasks use (undefined when disabled). */
  readonly stateDataUrl: string | undefined;
  /** Aborts the executions still running, stops the workers (TaskWorker on_cleanup runs) and the embedded state data service. */
  close(): Promise<void>;
}

/**
 * One execution of a raw ASL definition (the local Step Functions API's path,
 * `stepfunctions/ExecutionService.ts`): the caller names the execution and
 * decides what every Task state does; the runner never calls AWS.
 */
export interface DefinitionRunOptions {
  /** The definition to run, placeholders already resolved. */
  definition: AslDefinition;
  input: unknown;
  executionName: string;
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  /** `$$.Execution.RoleArn`. @default the local role */
  roleArn?: string;
  /** The handler of each Task state (Map/Parallel bodies included), by state name and definition. */
  taskHandler(stateName: string, state: AslState): LocalTaskHandler;
  /** Skip Wait states and Retry intervals. @default false */
  fastWaits?: boolean;
  /** Every engine event, synchronously, as it happens. */
  onEvent?: (event: EventLog) => void;
  /** Aborting stops the execution (status ABORTED; an Error reason's message is the cause). */
  signal?: AbortSignal;
}

/** Result of {@link DefinitionRunner.runDefinition}; dates in epoch milliseconds. */
export interface DefinitionRunResult {
  status: RunStatus;
  output: unknown;
  error: string | null;
  cause: string | null;
  startDate: number;
  stopDate: number;
}

/** The runner's extra entry points for the local Step Functions API (additive to {@link Runner}). */
export interface DefinitionRunner {
  /**
   * Runs a raw ASL definition to completion.
   * @throws Error when the definition is not valid ASL for the engine
   */
  runDefinition(options: DefinitionRunOptions): Promise<DefinitionRunResult>;
  /** A Task handler that runs task class `task` of `manifest` (its `run(event, context)`) in the warm worker pool, like a Lambda task. */
  pythonTaskHandler(manifest: Manifest, task: string, onOutput?: (state: string, line: string) => void): LocalTaskHandler;
  /**
   * The handler of a Task state of a compiled Fluxio project (any {@link TaskTarget}: Lambda, ECS, `ecs:worker`,
   * nested state machine), as `run(manifest)` builds it; `hooks` start child executions and receive task output.
   */
  projectTaskHandler(manifest: Manifest, stateMachine: string, target: TaskTarget, hooks: Pick<TaskHandlerContext, 'startChild' | 'onOutput' | 'onTaskFailed'>): LocalTaskHandler;
}

interface Prepared {
  engine: StateMachine;
  waitStates: string[];
  retryStates: string[];
}

/** Error when a run is asked for something the manifest does not have. */
export class RunUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunUsageError';
  }
}

/**
 * The execution input is refused before the run (Step Functions' StartExecution
 * `InvalidExecutionInput`): not a JSON object, or over 262,144 bytes.
 */
export class RunInputError extends RunUsageError {
  readonly code: ExecutionInputProblem['code'];
  constructor(problem: ExecutionInputProblem) {
    super(problem.message);
    this.name = 'RunInputError';
    this.code = problem.code;
  }
}

/**
 * Creates the engine side of local executions for one project directory. Executions run through the execution
 * service over it (`stepfunctions/index.ts` `createStepFunctionsApi`, or {@link createLocalExecutions}).
 *
 * @example
 * ```ts
 * const runner = await createRunner({ projectDir: 'examples/looping-counter' });
 * const api = createStepFunctionsApi({ database: openPlatformDatabase(), runner, bus: new EventBus() });
 * const result = await api.executions.run(manifest, { input: { increment: 3 }, fastWaits: true });
 * await api.close();
 * await runner.close();
 * ```
 */
export async function createRunner(options: RunnerOptions): Promise<LocalRunner> {
  const projectDir = resolve(options.projectDir);
  const projectFile = resolve(options.projectFile ?? join(projectDir, 'project.py'));
  const stateData: StateDataEndpoint | undefined = await openStateData(options.stateData ?? { embedded: true });
  const pool = new PythonWorkerPool({
    projectDir,
    size: options.workers,
    python: options.python,
    env: options.taskEnv,
    onStrayOutput: options.onWorkerOutput ?? ((line) => void process.stderr.write(`[python worker] ${line}\n`)),
  });
  void pool.warm();
  let closed = false;
  /** Stop functions of the executions running now (close() aborts them). */
  const running = new Set<(error?: string, cause?: string) => void>();

  const definitionEngines = new WeakMap<AslDefinition, Prepared>();
  const prepareDefinition = (definition: AslDefinition): Prepared => {
    const cached = definitionEngines.get(definition);
    if (cached) return cached;
    // The Step Functions API validated the definition (asl-validator) when it was stored; a redrive starts at a
    // later state, which leaves earlier states unreachable: the engine must not validate again.
    const engine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    const waitStates: string[] = [];
    const retryStates: string[] = [];
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type === 'Wait') waitStates.push(stateName);
      if (Array.isArray(state.Retry)) retryStates.push(stateName);
    }
    const p: Prepared = { engine, waitStates, retryStates };
    definitionEngines.set(definition, p);
    return p;
  };

  const runDefinition = async (req: DefinitionRunOptions): Promise<DefinitionRunResult> => {
    if (closed) throw new RunUsageError('This runner is closed.');
    const p = prepareDefinition(req.definition);
    const handlers: Record<string, LocalTaskHandler> = {};
    for (const [stateName, state] of allStates(req.definition)) {
      if (state.Type === 'Task') handlers[stateName] = req.taskHandler(stateName, state);
    }
    const zeros = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));
    let stopInfo: { error?: string; cause?: string } | undefined;
    const startDate = Date.now();
    const execution = p.engine.run(req.input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        ...(req.fastWaits ? { waitTimeOverrides: zeros(p.waitStates), retryIntervalOverrides: zeros(p.retryStates) } : {}),
      },
      context: {
        Execution: { Id: req.executionArn, Name: req.executionName, RoleArn: req.roleArn ?? 'arn:aws:iam::000000000000:role/fluxio-local' },
        StateMachine: { Id: req.stateMachineArn, Name: req.stateMachineName },
      },
      onEvent: req.onEvent,
    });
    const abort = (error?: string, cause?: string) => {
      stopInfo ??= { error, cause };
      execution.abort();
    };
    running.add(abort);
    // The project that may stop it: fluxio-local-<project>-<fn> (deployed) or <project>-<fn> (a development run).
    const owner = projectOfLocalStateMachine(req.stateMachineName);
    if (owner !== undefined) stateData?.executions?.register(req.executionName, abort, owner);
    const onSignal = () => {
      const reason = req.signal?.reason;
      abort(undefined, reason instanceof Error && reason.name !== 'AbortError' ? reason.message : undefined);
    };
    req.signal?.addEventListener('abort', onSignal, { once: true });
    if (req.signal?.aborted) onSignal();
    try {
      const output = await execution.result;
      return { status: 'SUCCEEDED', output, error: null, cause: null, startDate, stopDate: Date.now() };
    } catch (err) {
      const stopDate = Date.now();
      if (err instanceof ExecutionAbortedError) return { status: 'ABORTED', output: null, error: stopInfo?.error ?? null, cause: capCause(stopInfo?.cause ?? null), startDate, stopDate };
      if (err instanceof ExecutionTimeoutError) {
        return { status: 'TIMED_OUT', output: null, error: 'States.Timeout', cause: 'The execution ran longer than the state machine TimeoutSeconds.', startDate, stopDate };
      }
      const inner = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : (err as Error);
      return { status: 'FAILED', output: null, error: inner.name ?? 'Error', cause: capCause(inner.message ?? String(inner)), startDate, stopDate };
    } finally {
      running.delete(abort);
      req.signal?.removeEventListener('abort', onSignal);
      if (owner !== undefined) stateData?.executions?.finish(req.executionName, owner);
    }
  };

  const projectTaskHandler: DefinitionRunner['projectTaskHandler'] = (manifest, stateMachine, target, hooks) =>
    createTaskHandler({ manifest, stateMachine, projectFile, pool, stateDataUrl: stateData?.url, ...hooks }, target);

  const pythonTaskHandler = (manifest: Manifest, task: string, onOutput?: (state: string, line: string) => void): LocalTaskHandler =>
    createTaskHandler(
      {
        manifest,
        stateMachine: '',
        projectFile,
        pool,
        stateDataUrl: stateData?.url,
        onOutput: onOutput ?? (() => undefined),
        onTaskFailed: () => undefined,
        startChild: () => {
          throw new TaskError('Fluxio.UnsupportedLocally', 'A Python task handler cannot start child executions.');
        },
      },
      { kind: 'lambda', task },
    );

  return {
    get stateDataUrl() {
      return stateData?.url;
    },
    runDefinition,
    pythonTaskHandler,
    projectTaskHandler,
    async close() {
      if (closed) return;
      closed = true;
      // Executions still running end now (ABORTED), tasks included: a Pass/Choice loop never ends by itself.
      for (const stop of running) stop('Fluxio.RunnerClosed', 'The local runner was closed (fluxio run or the local platform is stopping) while this execution ran.');
      await pool.close();
      await stateData?.close();
    },
  };
}
