/**
 * Public API of the local platform (`@fluxio/local`): the execution runner
 * (patched aws-local-stepfunctions + warm Python workers), the embedded state
 * data wiring and the HTTP server that `fluxio run` and `fluxio serve` use.
 *
 * @example
 * ```ts
 * import { createLocalExecutions } from '@fluxio/local';
 * const local = await createLocalExecutions({ projectDir: 'examples/looping-counter' });
 * const result = await local.executions.run(manifest, { input: { increment: 3 } });
 * await local.close();
 * ```
 */
export { createRunner, RunUsageError, type Runner, type LocalRunner, type RunnerOptions, type RunOptions, type RunResult, type RunStatus } from './engine/runner.ts';
export type { RunEvent, TaskOutputEvent, TaskFailedEvent, EngineRunEvent, RunEventOrigin } from './engine/events.ts';
export type { StateDataOption, StateDataEndpoint, ExecutionRegistryLike } from './stateData/stateData.ts';
export { PythonWorkerPool, PythonTaskError, type WorkerRequest } from './workers/workerPool.ts';
export { resolvePlaceholders, localPlaceholderValue } from './engine/placeholders.ts';
export { startPlatform, DEFAULT_PORT } from './server/platform.ts';
export { createStepFunctionsApi, createLocalExecutions, ExecutionService, type StepFunctionsApi, type StepFunctionsApiOptions, type LocalExecutions } from './stepfunctions/index.ts';
export { EventBus, EXECUTION_STATUS_CHANGE, type BusEvent, type ExecutionStatusChangeDetail } from './events/bus.ts';
export { openPlatformDatabase, type PlatformDatabase } from './store/database.ts';
export { createLambdaApi, type LambdaApi, type LambdaApiOptions } from './lambda/index.ts';
export {
  createLocalTriggers,
  LocalScheduler,
  LocalTopics,
  LocalExports,
  localTopicArn,
  EXPORTS_FILE,
  type LocalTriggers,
  type LocalTriggersOptions,
  type PublishedMessage,
  type LocalScheduleState,
} from './triggers/index.ts';
