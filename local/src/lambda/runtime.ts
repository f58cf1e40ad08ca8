/**
 * Runs one invocation of a stored function version in the warm Python worker
 * pool (shared/python/fluxio_task/lambda_runtime.py does the Python side) and
 * shapes the outcome as the Lambda service does: the payload, `Unhandled`
 * function errors with the runtime's `{errorMessage, errorType, stackTrace}`,
 * `Sandbox.Timedout` after the function's `Timeout`, and the log lines
 * (`START`/`END`/`REPORT` around what the code printed) for `LogType: Tail`.
 */
import { randomUUID } from 'node:crypto';
import { PYTHON_RUNTIME_DIR, PythonTaskError, WorkerExitedError, type PythonWorkerPool } from '../workers/workerPool.ts';
import { LOCAL_REGION } from '../engine/placeholders.ts';
import type { StoredVersion } from './store.ts';

/** Largest synchronous response payload: 6 MB (Lambda quotas, "Invocation payload"). */
export const MAX_RESPONSE_BYTES = 6_291_456;
/** Bytes of log returned in `X-Amz-Log-Result` (Lambda API reference, Invoke `LogType`). */
export const LOG_TAIL_BYTES = 4096;

/** What one invocation produced. */
export interface InvocationOutcome {
  /** The response payload as JSON text (the error object when `functionError` is set). */
  payload: string;
  /** `Unhandled` when the function raised, timed out or its runtime exited. */
  functionError?: 'Unhandled';
  /** The version that ran (`$LATEST`, `3`). */
  executedVersion: string;
  /** The invocation's log (START, output, END, REPORT lines). */
  log: string;
  requestId: string;
}

/** Options of one invocation. */
export interface RunOptions {
  /** The ARN the caller used (context.invoked_function_arn). */
  invokedArn: string;
  /** Decoded `X-Amz-Client-Context` (context.client_context). */
  clientContext?: unknown;
  /** Aborting ends the invocation early (the worker is killed). */
  signal?: AbortSignal;
}

const RESERVED = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

/**
 * Environment variable names a function may not set (Lambda developer guide,
 * "Defined runtime environment variables": reserved keys).
 */
export const isReservedVariable = (key: string) => RESERVED.has(key);

class TimedOut extends Error {}

const isoLog = () => new Date().toISOString();

/** Runs function versions on a worker pool. */
export class FunctionRuntime {
  /** Variables every function sees unless it sets them itself (e.g. FLUXIO_STATE_DATA_URL). */
  defaultEnvironment: Record<string, string> = {};

  /**
   * @param pool the worker pool the functions run on
   * @param codeDirOf where a version's package is unpacked
   * @param onLog receives every log line of every invocation (Event invocations included)
   */
  constructor(
    private readonly pool: PythonWorkerPool,
    private readonly codeDirOf: (v: StoredVersion) => string,
    private readonly onLog?: (functionName: string, line: string) => void,
  ) {}

  /**
   * Runs `version` with `payload` (JSON text; empty means `{}`).
   * Never throws for the function's own failures (they are `functionError`
   * outcomes, as Lambda reports them); rejects only with `signal.reason`.
   */
  async run(version: StoredVersion, payload: string, options: RunOptions): Promise<InvocationOutcome> {
    const c = version.configuration;
    const name = c.FunctionName!;
    const requestId = randomUUID();
    const timeoutSeconds = c.Timeout ?? 3;
    const memory = c.MemorySize ?? 128;
    const lines: string[] = [];
    const log = (line: string) => {
      lines.push(line);
      this.onLog?.(name, line);
    };
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    const logStreamName = `${day}/[${version.version}]${requestId.replace(/-/g, '')}`;
    const codeDir = this.codeDirOf(version);
    const environment: Record<string, string> = {
      ...this.defaultEnvironment,
      ...(c.Environment?.Variables ?? {}),
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: version.version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_EXECUTION_ENV: `AWS_Lambda_${c.Runtime}`,
      LAMBDA_TASK_ROOT: codeDir,
      LAMBDA_RUNTIME_DIR: PYTHON_RUNTIME_DIR,
      _HANDLER: c.Handler ?? '',
      TZ: ':UTC',
    };
    log(`START RequestId: ${requestId} Version: ${version.version}`);
    const timeout = new AbortController();
    // The Timeout counts from when a worker takes the invocation (Lambda does not queue synchronous invocations).
    let timer: NodeJS.Timeout | undefined;
    let started = performance.now();
    const onStart = () => {
      started = performance.now();
      timer = setTimeout(() => timeout.abort(new TimedOut()), timeoutSeconds * 1000);
    };
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    let result: { payload?: string; error?: Record<string, unknown> };
    try {
      result = (await this.pool.invoke(
        {
          kind: 'lambda',
          event: null,
          meta: {},
          lambda: {
            codeDir,
            handler: c.Handler ?? '',
            environmentKey: `${name}:${version.version}:${c.RevisionId}:${version.codeHash}`,
            payload,
            environment,
            functionName: name,
            functionVersion: version.version,
            invokedFunctionArn: options.invokedArn,
            memoryLimitInMB: memory,
            requestId,
            // Read when the request is written to the worker (onStart follows at once).
            get deadlineMs() {
              return Date.now() + timeoutSeconds * 1000;
            },
            logGroupName: `/aws/lambda/${name}`,
            logStreamName,
            clientContext: options.clientContext,
          },
        },
        { signal, onOutput: log, onStart },
      )) as typeof result;
    } catch (err) {
      if (err instanceof TimedOut) {
        const message = `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
        log(`${isoLog()} ${requestId} ${message}`);
        result = { error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: ${message}` } };
      } else if (err instanceof WorkerExitedError) {
        result = { error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason` } };
        log(err.message);
      } else if (err instanceof PythonTaskError) {
        result = { error: { errorType: err.name, errorMessage: err.message, requestId, stackTrace: [] } };
        log(err.traceback);
      } else {
        throw err;
      }
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - started;
    log(`END RequestId: ${requestId}`);
    log(`REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.ceil(ms)} ms\tMemory Size: ${memory} MB\tMax Memory Used: 0 MB\t`);
    const base = { executedVersion: version.version, log: lines.join('\n') + '\n', requestId };
    if (result.error) return { ...base, payload: JSON.stringify(result.error), functionError: 'Unhandled' };
    const text = result.payload ?? 'null';
    if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES) {
      const error = { errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'Function.ResponseSizeTooLarge' };
      return { ...base, payload: JSON.stringify(error), functionError: 'Unhandled' };
    }
    return { ...base, payload: text };
  }
}

/** The last {@link LOG_TAIL_BYTES} of a log, base64 (`X-Amz-Log-Result`). */
export function logTail(log: string): string {
  const bytes = Buffer.from(log);
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}
