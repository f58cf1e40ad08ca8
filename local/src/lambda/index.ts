/**
 * The local Lambda API: functions (Python runtimes, code as a zip) stored in
 * the platform database and under `<dataDir>/lambda/`, run on a warm pool of
 * Python workers, served over Lambda's REST-JSON protocol on the platform's
 * port, and callable from Task states (see {@link LambdaApi.invoker}).
 *
 * @example
 * ```ts
 * const database = openPlatformDatabase(dataDir);
 * const lambda = createLambdaApi({ database, dataDir });
 * const server = await startHttpServer(routes, { protocolHandlers: [lambda.protocolHandler] });
 * // ... new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials })
 * await lambda.close();
 * ```
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformDatabase } from '../store/database.ts';
import type { ProtocolHandler } from '../server/httpServer.ts';
import { PythonWorkerPool } from '../workers/workerPool.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import { functionTaskHandler, type LocalFunctionInvoker, type LocalTaskHandler } from '../engine/taskHandlers.ts';
import { LambdaFunctions } from './functions.ts';
import { CODE_DOWNLOAD_PREFIX, lambdaProtocolHandler } from './protocol.ts';
import { parseFunctionRef } from './names.ts';
import { FunctionRuntime } from './runtime.ts';
import { FunctionStore } from './store.ts';

export { LambdaFunctions, PYTHON_RUNTIMES } from './functions.ts';
export { LambdaApiError } from './errors.ts';
export { MAX_CODE_REQUEST_BYTES, LAMBDA_MAX_BUFFERED_BYTES } from './protocol.ts';

/** Options of {@link createLambdaApi}. */
export interface LambdaApiOptions {
  /** The platform database (the Lambda tables are created in it). */
  database: PlatformDatabase;
  /** Code packages go to `<dataDir>/lambda/`; without it, a temporary directory removed by close(). */
  dataDir?: string;
  /** Python worker processes for functions. @default 2 */
  workers?: number;
  /** Python executable. @default env FLUXIO_PYTHON or `python3` */
  python?: string;
  /** Every log line of every invocation (what CloudWatch Logs would get). @default discarded */
  onLog?: (functionName: string, line: string) => void;
  /** Delays before the two retries of a failed Event invocation. @default [60_000, 120_000] (Lambda's) */
  eventRetryDelaysMs?: readonly [number, number];
}

/** A running local Lambda API. */
export interface LambdaApi {
  readonly functions: LambdaFunctions;
  /** Serves the Lambda REST-JSON protocol (give it to `startHttpServer`'s `protocolHandlers`). */
  readonly protocolHandler: ProtocolHandler;
  /** What Task states call (`arn:aws:lambda:...:function:name`, `arn:aws:states:::lambda:invoke`). */
  readonly invoker: LocalFunctionInvoker;
  /**
   * The Step Functions API's Task resource hook: a handler for a Task state
   * whose Resource is the ARN of a function this API has (plain or qualified),
   * or `arn:aws:states:::lambda:invoke` naming one (or naming it with
   * `FunctionName.$`); undefined for anything else, so other resolvers
   * (e.g. registered Fluxio projects) get their turn.
   */
  taskResource(stateName: string, state: AslState): LocalTaskHandler | undefined;
  /** Variables every function sees unless it sets them (e.g. `FLUXIO_STATE_DATA_URL`). */
  setDefaultEnvironment(env: Record<string, string>): void;
  /** Drops scheduled retries, waits for running Event invocations, stops the workers (the database stays open: its owner closes it). */
  close(): Promise<void>;
}

/** Starts the local Lambda API over `options.database`. */
export function createLambdaApi(options: LambdaApiOptions): LambdaApi {
  const temporary = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'fluxio-lambda-')) : undefined;
  const root = join(options.dataDir ?? temporary!, 'lambda');
  const workDir = join(root, 'runtime');
  mkdirSync(workDir, { recursive: true });
  const store = new FunctionStore(options.database, join(root, 'functions'));
  const pool = new PythonWorkerPool({
    projectDir: workDir,
    size: options.workers ?? 2,
    python: options.python,
    onStrayOutput: (line) => options.onLog?.('(worker)', line),
  });
  const runtime = new FunctionRuntime(pool, (v) => store.codeDir(v.name, v.codeHash), options.onLog);
  const functions = new LambdaFunctions({
    store,
    runtime,
    codeLocation: (name, hash) => `${CODE_DOWNLOAD_PREFIX}${encodeURIComponent(name)}/${hash}.zip`,
    eventRetryDelaysMs: options.eventRetryDelaysMs,
    onEventError: (name, outcome, attempt, retryInMs) =>
      options.onLog?.(
        name,
        `Event invocation failed (attempt ${attempt}): ${outcome instanceof Error ? outcome.message : outcome.payload}` +
          (retryInMs === undefined ? '; not retried further' : `; retrying in ${Math.round(retryInMs / 1000)} s`),
      ),
  });
  const invoker: LocalFunctionInvoker = {
    async invoke(request, signal) {
      return functions.invoke({ ...request, Payload: Buffer.from(request.Payload ?? '') }, signal);
    },
  };
  const hasFunction = (functionName: unknown): boolean => {
    if (typeof functionName !== 'string') return false;
    try {
      return store.getFunction(parseFunctionRef(functionName).name) !== undefined;
    } catch {
      return false;
    }
  };
  const taskResource = (_stateName: string, state: AslState): LocalTaskHandler | undefined => {
    const resource = String(state.Resource ?? '');
    const params = (state.Parameters ?? {}) as Record<string, unknown>;
    const claimed = resource === 'arn:aws:states:::lambda:invoke' ? 'FunctionName.$' in params || hasFunction(params.FunctionName) : hasFunction(resource);
    return claimed ? functionTaskHandler(state, invoker) : undefined;
  };
  let closing: Promise<void> | undefined;
  return {
    functions,
    protocolHandler: lambdaProtocolHandler(functions, store),
    invoker,
    taskResource,
    setDefaultEnvironment(env) {
      runtime.defaultEnvironment = { ...env };
    },
    close: () =>
      (closing ??= (async () => {
        const dropped = functions.cancelRetries();
        if (dropped > 0) options.onLog?.('(platform)', `${dropped} retries of failed Event invocations were dropped: the platform is stopping.`);
        // Event invocations still running get 3 s; then the workers are stopped (killed 2 s later).
        await Promise.race([functions.drain(), new Promise((r) => setTimeout(r, 3000).unref())]);
        await pool.close(2000);
        await functions.drain();
        if (temporary) rmSync(temporary, { recursive: true, force: true });
      })()),
  };
}
