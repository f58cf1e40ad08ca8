/**
 * The state data service a run's tasks talk to (`context.state_data_client`,
 * `context.stop_execution`): an existing one (`{ url, executions }`, e.g. the
 * local platform's) or an embedded one started for the runner's lifetime on an
 * ephemeral 127.0.0.1 port (dynalite in memory, or on disk with `dataDir`).
 */

/**
 * The runner's side of stop-execution: the state data service's embedded
 * ExecutionController calls `abort(error, cause)` of a registered execution
 * (state-data's `InMemoryExecutionRegistry` has this shape). Executions are
 * registered with their project (the manifest's `project`): a project stops
 * only its own (issue 11).
 */
export interface ExecutionRegistryLike {
  register(executionName: string, abort: (error?: string, cause?: string) => void, project: string): void;
  finish(executionName: string, project: string): void;
}

/** A running state data endpoint. */
export interface StateDataEndpoint {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:4510`. */
  url: string;
  executions?: ExecutionRegistryLike;
  close(): Promise<void>;
}

/** How the runner gets its state data service. */
export type StateDataOption =
  | { url: string; executions?: ExecutionRegistryLike }
  | { embedded: true; dataDir?: string }
  | false;

interface EmbeddedModule {
  startEmbeddedStateData(options: { dataDir?: string }): Promise<StateDataEndpoint>;
}

/**
 * Starts (or wraps) the state data service.
 * @throws Error when the embedded service cannot start (the message says why)
 */
export async function openStateData(option: StateDataOption): Promise<StateDataEndpoint | undefined> {
  if (option === false) return undefined;
  if ('url' in option) return { url: option.url, executions: option.executions, close: async () => undefined };
  const mod = (await import('./embeddedStateData.ts')) as EmbeddedModule;
  return mod.startEmbeddedStateData({ dataDir: option.dataDir });
}
