/**
 * A pool of warm `python3` worker processes running `fluxio_task.worker`
 * (shared/python/fluxio_task/worker.py): JSON lines over stdin/stdout, one
 * task at a time per process, no process spawn per call once warm. A task
 * that is aborted (timeout, heartbeat timeout, execution stopped) kills its
 * process; the pool starts a fresh one on demand.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** Directory holding the `fluxio_task` package (put on PYTHONPATH). */
export const PYTHON_RUNTIME_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/python');

/** One task invocation sent to a worker (see the protocol in worker.py). */
export interface WorkerRequest {
  /**
   * `run`: an extracted `run(event, context)` source; `worker`: an `ecs:worker` TaskWorker `spec`;
   * `lambda`: a function of the local Lambda API (see {@link LambdaWorkerRequest}).
   */
  kind: 'run' | 'worker' | 'lambda';
  /** For `kind: 'lambda'`: what fluxio_task/lambda_runtime.py needs to run the handler. */
  lambda?: LambdaWorkerRequest;
  source?: string;
  /** File name and first line used for tracebacks (project.py and the `run` line). */
  filename?: string;
  firstLine?: number;
  spec?: string;
  event: unknown;
  /** Execution metadata (`sfn_execution_name`, `sfn_state_name`, …, `task_token`). */
  meta: Record<string, unknown>;
  project?: string;
  stateDataUrl?: string;
  /** `HeartbeatSeconds`: a TaskWorker sends heartbeats at a third of it. */
  heartbeat?: number;
}

/**
 * One Lambda invocation for a worker (shared/python/fluxio_task/lambda_runtime.py):
 * the worker imports `handler` from `codeDir` (kept imported while
 * `environmentKey` stays the same, forgotten when another function or version
 * comes) and replies `{payload}` (JSON text) or `{error: {errorMessage, errorType, requestId, stackTrace}}`.
 */
export interface LambdaWorkerRequest {
  /** The unpacked deployment package (LAMBDA_TASK_ROOT, the handler's current directory). */
  codeDir: string;
  /** `module.function` (module path may use `/` or `.`), e.g. `app.handler`. */
  handler: string;
  /** Changes whenever the code or configuration of the version changes (a fresh execution environment). */
  environmentKey: string;
  /** The event as JSON text (`""` means `{}`). */
  payload: string;
  /** The function's variables plus the AWS_LAMBDA_* ones the runtime sets. */
  environment: Record<string, string>;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: number;
  requestId: string;
  /** Epoch milliseconds at which the function's Timeout ends the invocation. */
  deadlineMs: number;
  logGroupName: string;
  logStreamName: string;
  clientContext?: unknown;
}

/** A task failure as raised in Python: `name` is the exception class name (the ASL error). */
export class PythonTaskError extends Error {
  readonly traceback: string;
  constructor(type: string, message: string, traceback: string) {
    super(message);
    this.name = type;
    this.traceback = traceback;
  }
}

/** Raised when a worker process dies while running a task. */
export class WorkerExitedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Fluxio.WorkerExited';
  }
}

export interface InvokeOptions {
  /** Aborting kills the worker running the task; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called for each heartbeat the task sends. */
  onHeartbeat?: () => void;
  /** Called with each line the task writes to stdout/stderr (print, logging). */
  onOutput?: (line: string) => void;
}

export interface WorkerPoolOptions {
  /** Project directory: cwd of the workers and on PYTHONPATH (for `spec` imports). */
  projectDir: string;
  /** Number of worker processes. @default os.availableParallelism() */
  size?: number;
  /** Python executable. @default env FLUXIO_PYTHON or "python3" */
  python?: string;
  /** Extra environment for the workers. */
  env?: Record<string, string>;
  /** Output of a worker outside any task (startup errors, on_cleanup). */
  onStrayOutput?: (line: string) => void;
}

interface Job {
  id: number;
  request: WorkerRequest;
  options: InvokeOptions;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
}

interface Worker {
  proc: ChildProcessWithoutNullStreams;
  job: Job | undefined;
  ready: boolean;
  exited: boolean;
  closed: Promise<void>;
  stderrTail: string[];
}

/** @see WorkerPoolOptions */
export class PythonWorkerPool {
  readonly size: number;
  private readonly options: WorkerPoolOptions;
  private readonly workers = new Set<Worker>();
  /** Killed workers whose process has not exited yet (close() waits for them). */
  private readonly killed = new Set<Worker>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;

  constructor(options: WorkerPoolOptions) {
    this.options = options;
    this.size = Math.max(1, options.size ?? availableParallelism());
  }

  /** Start `count` workers ahead of the first task (default: the pool size). */
  warm(count = this.size): Promise<void> {
    while (this.workers.size < Math.min(count, this.size)) this.spawnWorker();
    return Promise.resolve();
  }

  /**
   * Run one task on a free worker (queued while all are busy).
   * @returns the task's JSON result
   * @throws PythonTaskError (the task raised), WorkerExitedError, or `signal.reason` when aborted
   */
  invoke(request: WorkerRequest, options: InvokeOptions = {}): Promise<unknown> {
    if (this.closing) return Promise.reject(new WorkerExitedError('The worker pool is closed.'));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise((resolvePromise, rejectPromise) => {
      const job: Job = { id: this.nextId++, request, options, resolve: resolvePromise, reject: rejectPromise };
      if (options.signal) {
        job.onAbort = () => this.abortJob(job, options.signal!.reason);
        options.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Shut every worker down (TaskWorker `on_cleanup` runs), killing any that does not exit within `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) this.settle(job, new WorkerExitedError('The worker pool was closed before the task started.'));
    const all = [...this.workers, ...this.killed];
    for (const w of all) {
      if (!w.exited) w.proc.stdin.end(JSON.stringify({ op: 'shutdown' }) + '\n');
    }
    await Promise.all(
      all.map(async (w) => {
        const timer = setTimeout(() => w.proc.kill('SIGKILL'), graceMs);
        await w.closed;
        clearTimeout(timer);
      }),
    );
  }

  private settle(job: Job, error: unknown, value?: unknown): void {
    if (job.onAbort) job.options.signal?.removeEventListener('abort', job.onAbort);
    if (error !== undefined) job.reject(error);
    else job.resolve(value);
  }

  private abortJob(job: Job, reason: unknown): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, reason);
      return;
    }
    for (const w of this.workers) {
      if (w.job === job) {
        // The worker is dead from now on: no new job may reach it before its 'close' event.
        w.job = undefined;
        w.exited = true;
        this.workers.delete(w);
        this.killed.add(w);
        w.proc.kill('SIGKILL');
        this.settle(job, reason);
        return;
      }
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let idle: Worker | undefined;
      for (const w of this.workers) if (!w.job && !w.exited) { idle = w; break; }
      if (!idle) {
        if (this.workers.size < this.size) idle = this.spawnWorker();
        else return;
      }
      const job = this.queue.shift()!;
      idle.job = job;
      idle.proc.stdin.write(JSON.stringify({ op: 'invoke', id: job.id, ...job.request }) + '\n');
    }
  }

  private spawnWorker(): Worker {
    const { projectDir } = this.options;
    const python = this.options.python ?? process.env.FLUXIO_PYTHON ?? 'python3';
    const pythonPath = [PYTHON_RUNTIME_DIR, projectDir, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
    const proc = spawn(python, ['-u', '-c', 'from fluxio_task.worker import serve; serve()'], {
      cwd: projectDir,
      env: { ...process.env, ...this.options.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group: a terminal Ctrl-C reaches only the runner, which shuts workers down in order
      // (a worker also exits when its stdin closes, so none outlives the runner).
      detached: true,
    });
    let markClosed!: () => void;
    const worker: Worker = {
      proc,
      job: undefined,
      ready: false,
      exited: false,
      closed: new Promise<void>((r) => (markClosed = r)),
      stderrTail: [],
    };
    this.workers.add(worker);
    proc.stdin.on('error', () => undefined);
    createInterface({ input: proc.stdout }).on('line', (line) => this.onMessage(worker, line));
    createInterface({ input: proc.stderr }).on('line', (line) => {
      worker.stderrTail.push(line);
      if (worker.stderrTail.length > 20) worker.stderrTail.shift();
      if (worker.job?.options.onOutput) worker.job.options.onOutput(line);
      else this.options.onStrayOutput?.(line);
    });
    proc.on('error', (err) => {
      worker.stderrTail.push(String(err));
    });
    proc.on('close', (code, signal) => {
      worker.exited = true;
      this.workers.delete(worker);
      this.killed.delete(worker);
      const job = worker.job;
      worker.job = undefined;
      if (job) {
        const tail = worker.stderrTail.slice(-5).join('\n');
        this.settle(
          job,
          new WorkerExitedError(
            `The Python worker exited (${signal ?? `code ${code}`}) while running the task.${tail ? `\n${tail}` : ''} ` +
              `Check that "${python}" is Python 3.9+ (set FLUXIO_PYTHON to choose another interpreter).`,
          ),
        );
      }
      markClosed();
      if (!this.closing) this.dispatch();
    });
    return worker;
  }

  private onMessage(worker: Worker, line: string): void {
    let msg: { op?: string; id?: number; ok?: boolean; result?: unknown; error?: { type: string; message: string; traceback: string } };
    try {
      msg = JSON.parse(line);
    } catch {
      this.options.onStrayOutput?.(line);
      return;
    }
    if (msg.op === 'ready') {
      worker.ready = true;
      return;
    }
    const job = worker.job;
    if (!job || msg.id !== job.id) return;
    if (msg.op === 'heartbeat') {
      job.options.onHeartbeat?.();
      return;
    }
    if (msg.op === 'output') {
      job.options.onOutput?.(String((msg as { line?: unknown }).line ?? ''));
      return;
    }
    worker.job = undefined;
    if (msg.ok) this.settle(job, undefined, msg.result);
    else {
      const e = msg.error ?? { type: 'Exception', message: 'unknown error', traceback: '' };
      this.settle(job, new PythonTaskError(e.type, e.message, e.traceback));
    }
    this.dispatch();
  }
}
