/**
 * The local Step Functions API: the operations over one platform database and
 * one execution service, served as an AWS JSON 1.0 protocol handler of the
 * platform's HTTP server.
 *
 * @example
 * ```ts
 * const api = createStepFunctionsApi({ database: openPlatformDatabase(dataDir), runner, bus: new EventBus() });
 * await startHttpServer(routes, { protocolHandlers: [api.protocolHandler] });
 * ```
 */
import { openPlatformDatabase, type PlatformDatabase } from '../store/database.ts';
import { createRunner, type DefinitionRunner, type LocalRunner, type RunnerOptions } from '../engine/runner.ts';
import { EventBus } from '../events/bus.ts';
import type { ProtocolHandler } from '../server/httpServer.ts';
import { SfnStore } from './store.ts';
import { ExecutionService, type TaskResourceResolver } from './ExecutionService.ts';
import { stepFunctionsProtocolHandler, type Operation } from './protocol.ts';
import type { SfnContext } from './context.ts';
import * as machines from './stateMachines.ts';
import * as versions from './versionsAndAliases.ts';
import * as executions from './executions.ts';
import * as activities from './activities.ts';

export { ExecutionService, INTERRUPTED_CAUSE, INTERRUPTED_ERROR } from './ExecutionService.ts';
export { SfnStore } from './store.ts';
export { UNSUPPORTED_OPERATIONS, ERROR_TYPE_PREFIX } from './protocol.ts';

export interface StepFunctionsApiOptions {
  database: PlatformDatabase;
  runner: DefinitionRunner;
  bus: EventBus;
  /** Extra Task resources (e.g. the Lambda API's functions). */
  taskResources?: TaskResourceResolver;
  /** Skip Wait states and Retry intervals. @default false */
  fastWaits?: boolean;
  /** Keep execution history (see ExecutionServiceOptions.recordHistory). @default true */
  recordHistory?: boolean;
}

export interface StepFunctionsApi {
  readonly protocolHandler: ProtocolHandler;
  readonly executions: ExecutionService;
  readonly store: SfnStore;
  /** Every implemented operation by name (the SDK's operation names). */
  readonly operations: Readonly<Record<string, Operation>>;
  /** Aborts running executions (they stay redrivable) and writes their history; the database stays open. */
  close(): Promise<void>;
}

/** Builds the API; executions RUNNING in the store (the platform stopped under them) become ABORTED now. */
export function createStepFunctionsApi(options: StepFunctionsApiOptions): StepFunctionsApi {
  const store = new SfnStore(options.database);
  const service = new ExecutionService({
    store,
    runner: options.runner,
    bus: options.bus,
    taskResources: options.taskResources,
    fastWaits: options.fastWaits,
    recordHistory: options.recordHistory,
  });
  const ctx: SfnContext = { store, executions: service };
  const op =
    <I, O>(fn: (ctx: SfnContext, input: I, signal: AbortSignal) => O): Operation =>
    (input: never, signal: AbortSignal) =>
      fn(ctx, input as I, signal);
  const operations: Record<string, Operation> = {
    CreateStateMachine: op(machines.createStateMachine),
    UpdateStateMachine: op(machines.updateStateMachine),
    DescribeStateMachine: op(machines.describeStateMachine),
    ListStateMachines: op(machines.listStateMachines),
    DeleteStateMachine: op(machines.deleteStateMachine),
    ValidateStateMachineDefinition: op(machines.validateStateMachineDefinition),
    TagResource: op(machines.tagResource),
    UntagResource: op(machines.untagResource),
    ListTagsForResource: op(machines.listTagsForResource),
    PublishStateMachineVersion: op(versions.publishStateMachineVersion),
    ListStateMachineVersions: op(versions.listStateMachineVersions),
    DeleteStateMachineVersion: op(versions.deleteStateMachineVersion),
    CreateStateMachineAlias: op(versions.createStateMachineAlias),
    UpdateStateMachineAlias: op(versions.updateStateMachineAlias),
    DescribeStateMachineAlias: op(versions.describeStateMachineAlias),
    ListStateMachineAliases: op(versions.listStateMachineAliases),
    DeleteStateMachineAlias: op(versions.deleteStateMachineAlias),
    StartExecution: op(executions.startExecution),
    DescribeExecution: op(executions.describeExecution),
    ListExecutions: op(executions.listExecutions),
    StopExecution: op(executions.stopExecution),
    GetExecutionHistory: op(executions.getExecutionHistory),
    DescribeStateMachineForExecution: op(executions.describeStateMachineForExecution),
    RedriveExecution: op(executions.redriveExecution),
    CreateActivity: op(activities.createActivity),
    DescribeActivity: op(activities.describeActivity),
    DeleteActivity: op(activities.deleteActivity),
    ListActivities: op(activities.listActivities),
    GetActivityTask: op(activities.getActivityTask),
    SendTaskSuccess: op(activities.sendTaskSuccess),
    SendTaskFailure: op(activities.sendTaskFailure),
    SendTaskHeartbeat: op(activities.sendTaskHeartbeat),
  };
  return {
    protocolHandler: stepFunctionsProtocolHandler(operations),
    executions: service,
    store,
    operations,
    close: () => service.close(),
  };
}

/** Options of {@link createLocalExecutions}: the runner's, and whether history is kept. */
export interface LocalExecutionsOptions extends RunnerOptions {
  /** Keep execution history (see ExecutionServiceOptions.recordHistory). @default false (nobody reads it) */
  recordHistory?: boolean;
}

/** A runner with an execution service over it, in memory (see {@link createLocalExecutions}). */
export interface LocalExecutions {
  /** Runs compiled projects' state machines: `executions.run(manifest, options)`. */
  readonly executions: ExecutionService;
  readonly runner: LocalRunner;
  /** Aborts what still runs, stops the workers and closes the in-memory database. */
  close(): Promise<void>;
}

/**
 * The execution service of a `fluxio run`-style process: a new runner (its warm Python workers) and an in-memory
 * Step Functions API over it with its own event bus, so executions run the one way they run locally.
 *
 * @example
 * ```ts
 * const local = await createLocalExecutions({ projectDir: 'examples/looping-counter' });
 * const result = await local.executions.run(manifest, { input: { increment: 3 }, fastWaits: true });
 * await local.close();
 * ```
 */
export async function createLocalExecutions(options: LocalExecutionsOptions): Promise<LocalExecutions> {
  const { recordHistory = false, ...runnerOptions } = options;
  const runner = await createRunner(runnerOptions);
  const database = openPlatformDatabase();
  const api = createStepFunctionsApi({ database, runner, bus: new EventBus(), recordHistory });
  return {
    executions: api.executions,
    runner,
    async close() {
      await api.close();
      await runner.close();
      database.close();
    },
  };
}
