/**
 * Public API of the local runner (`fluxio run`, and `POST /v1/runs` of the
 * local platform).
 *
 * @example
 * ```ts
 * import { createRunner, createProgressReporter } from 'fluxio/run/index';
 * const runner = await createRunner({ projectDir: 'examples/looping-counter' });
 * const result = await runner.run(manifest, { input: { increment: 3 }, onEvent: createProgressReporter({ manifest }) });
 * await runner.close();
 * ```
 */
export { createRunner, RunUsageError, type Runner, type RunnerOptions, type RunOptions, type RunResult, type RunStatus } from './runner.ts';
export type { RunEvent, TaskOutputEvent, TaskFailedEvent, EngineRunEvent, RunEventOrigin } from './events.ts';
export type { StateDataOption, StateDataEndpoint, ExecutionRegistryLike } from './stateData.ts';
export { createProgressReporter, type ProgressReporterOptions } from './progress.ts';
export { PythonWorkerPool, PythonTaskError, type WorkerRequest } from './workerPool.ts';
export { resolvePlaceholders, localPlaceholderValue } from './placeholders.ts';
