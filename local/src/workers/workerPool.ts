/**
 * A pool of warm `python3` worker processes running `fluxio_task.worker`
 * (shared/python/fluxio_task/worker.py): JSON lines over stdin/stdout, one
 * task at a time per process, no process spawn per call once warm. A task
 * that is aborted (timeout, heartbeat timeout, execution stopped) kills its
 * process; the pool starts a fresh one on demand.
 *
 * Isolation between tasks (the pool is shared by every project of the local
 * platform): a task's output — what it prints through `sys.stdout`/`sys.stderr`
 * (the protocol) and what reaches the worker's file descriptor 2 until the
 * worker's end-of-task marker — goes to that task alone; an error carries at
 * most its last {@link OUTPUT_TAIL_BYTES} bytes. Lines are read with a cap, so a
 * task cannot make the runner hold an unbounded line. Workers get the
 * environment of {@link taskEnvironment}, not the platform's, and exit when the
 * runner's process is gone (worker.py watchdog).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { delimiter, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { OUTPUT_TAIL_BYTES, PAYLOAD_LIMIT_BYTES } from '../engine/limits.ts';

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
  /** For `kind: 'run'`: the manifest's `exceptions`, defined in the run method's namespace (fluxio_task/entry.py). */
  exceptions?: Record<string, unknown>;
  spec?: string;
  event: unknown;
  /** Execution metadata (`sfn_execution_name`, `sfn_state_name`, …, `task_token`). */
  meta: Record<string, unknown>;
  project?: string;
  stateDataUrl?: string;
  /** `HeartbeatSeconds`: a TaskWorker sends heartbeats at a third of it. */
  heartbeat?: number;
  /**
   * Largest result, in bytes of UTF-8 JSON; a larger one fails the task with
   * `States.DataLimitExceeded` in the worker (it is never sent).
   * @default 262,144 (Step Functions' payload quota) for `run` and `worker`; none for `lambda`
   */
  maxResultBytes?: number;
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

/**
 * A task result over the payload quota (`States.DataLimitExceeded`): terminal,
 * like Step Functions', so neither `Retry` nor `Catch` with `States.ALL` takes it
 * (the engine reads `isRetryable` / `isCatchable`).
 */
export class DataLimitExceededError extends PythonTaskError {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(message: string) {
    super('States.DataLimitExceeded', message, '');
  }
}

/** Ends each task on a worker's stderr (worker.py `TASK_END_MARKER`), followed by the task id. */
const TASK_END_MARKER = '\x1efluxio-task-end ';
/** Longest stderr line kept (characters); the rest of the line is cut with a note. */
const STDERR_LINE_MAX_CHARS = 8192;
/** Longest protocol line read (characters): a larger reply fails its task and the worker is replaced. */
const PROTOCOL_LINE_MAX_CHARS = 16 * 1024 * 1024;

/**
 * Variables of the platform's environment a Python task gets (Lambda gives a
 * function a clean environment; the platform's own secrets must not reach
 * tenants' tasks). Names listed in `FLUXIO_TASK_ENV` (comma-separated) are
 * passed too, e.g. `FLUXIO_TASK_ENV=AWS_PROFILE,MY_API_URL`.
 */
export const TASK_ENV_PASSTHROUGH = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'LD_LIBRARY_PATH',
  'PYTHONHOME',
  'VIRTUAL_ENV',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
] as const;

/**
 * The environment of a worker process: {@link TASK_ENV_PASSTHROUGH} and the
 * `FLUXIO_TASK_ENV` names from `platformEnv`, then what Lambda's Python
 * runtime sets — `AWS_REGION`/`AWS_DEFAULT_REGION` (default `us-east-1`),
 * `LANG` (default `C.UTF-8`), `TZ` (default `UTC`), `LAMBDA_TASK_ROOT` (the
 * project directory), `PYTHONPATH` (the fluxio_task runtime, the project, then
 * the platform's PYTHONPATH) — and `extra` last. AWS credentials are not passed
 * unless named in `FLUXIO_TASK_ENV` (boto3 still finds `~/.aws` through HOME).
 * While a task runs, the worker also sets `FLUXIO_PROJECT`,
 * `FLUXIO_EXECUTION_NAME` and `FLUXIO_STATE_DATA_URL` for it.
 */
export function taskEnvironment(projectDir: string, platformEnv: NodeJS.ProcessEnv = process.env, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const names = [...TASK_ENV_PASSTHROUGH, ...(platformEnv.FLUXIO_TASK_ENV ?? '').split(',').map((n) => n.trim()).filter(Boolean)];
  for (const name of names) {
    const value = platformEnv[name];
    if (value !== undefined) env[name] = value;
  }
  const region = platformEnv.AWS_REGION ?? platformEnv.AWS_DEFAULT_REGION ?? 'us-east-1';
  env.AWS_REGION ??= region;
  env.AWS_DEFAULT_REGION ??= region;
  env.LANG ??= 'C.UTF-8';
  env.TZ ??= 'UTC';
  env.LAMBDA_TASK_ROOT = projectDir;
  env.PYTHONPATH = [PYTHON_RUNTIME_DIR, projectDir, platformEnv.PYTHONPATH].filter(Boolean).join(delimiter);
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  env.PYTHONIOENCODING = 'utf-8';
  return { ...env, ...extra };
}

/**
 * Splits a stream into lines of at most `maxChars` characters without ever
 * holding more: the rest of a longer line is dropped and `cut` says how many
 * characters went.
 */
function readLines(stream: Readable, maxChars: number, onLine: (line: string, cut: number) => void): void {
  stream.setEncoding('utf8');
  let parts: string[] = [];
  let length = 0;
  let cut = 0;
  const take = (piece: string) => {
    const room = maxChars - length;
    if (piece.length <= room) {
      parts.push(piece);
      length += piece.length;
    } else {
      if (room > 0) parts.push(piece.slice(0, room));
      length = maxChars;
      cut += piece.length - Math.max(room, 0);
    }
  };
  const emit = () => {
    const line = parts.length === 1 ? parts[0]! : parts.join('');
    const dropped = cut;
    parts = [];
    length = 0;
    cut = 0;
    onLine(line, dropped);
  };
  stream.on('data', (chunk: string) => {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      take(chunk.slice(start, nl));
      emit();
      start = nl + 1;
    }
    if (start < chunk.length) take(chunk.slice(start));
  });
  stream.on('end', () => {
    if (length > 0 || cut > 0) emit();
  });
}

/** The last {@link OUTPUT_TAIL_BYTES} bytes of one task's output, for its error message. */
class OutputTail {
  private readonly lines: string[] = [];
  private bytes = 0;
  private cutBytes = 0;

  push(line: string): void {
    let text = line;
    let size = Buffer.byteLength(text, 'utf8') + 1;
    if (size > OUTPUT_TAIL_BYTES) {
      text = text.slice(-Math.floor(OUTPUT_TAIL_BYTES / 4));
      const kept = Buffer.byteLength(text, 'utf8') + 1;
      this.cutBytes += size - kept;
      size = kept;
    }
    this.lines.push(text);
    this.bytes += size;
    while (this.bytes > OUTPUT_TAIL_BYTES && this.lines.length > 1) {
      const dropped = Buffer.byteLength(this.lines.shift()!, 'utf8') + 1;
      this.bytes -= dropped;
      this.cutBytes += dropped;
    }
  }

  /** The kept output, with a note of how much was cut; '' when the task printed nothing. */
  text(): string {
    if (this.lines.length === 0) return '';
    const note = this.cutBytes ? `[… ${this.cutBytes} earlier bytes of the task's output cut; the last ${OUTPUT_TAIL_BYTES} are kept]\n` : '';
    return note + this.lines.join('\n');
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
  /** Called when a worker takes the task (after any wait in the queue): a Lambda function's Timeout counts from here. */
  onStart?: () => void;
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
  /** This task's own output (protocol lines and its stderr lines), for its error message. */
  tail: OutputTail;
  /** The worker's end-of-task marker came on stderr: no later stderr line is this task's. */
  stderrEnded: boolean;
  /** The reply came; it settles the job once `stderrEnded` (so the next task starts with a clean stderr). */
  reply?: () => void;
  replyTimer?: NodeJS.Timeout;
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
      const job: Job = { id: this.nextId++, request, options, resolve: resolvePromise, reject: rejectPromise, tail: new OutputTail(), stderrEnded: false };
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
    clearTimeout(job.replyTimer);
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
      if (w.job === job && job.reply) {
        // The task already replied (only its stderr end was awaited): its reply stands.
        this.finish(w, job);
        return;
      }
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
      idle.stderrTail = [];
      const maxResultBytes = job.request.maxResultBytes ?? (job.request.kind === 'lambda' ? undefined : PAYLOAD_LIMIT_BYTES);
      idle.proc.stdin.write(JSON.stringify({ op: 'invoke', id: job.id, ...job.request, maxResultBytes }) + '\n');
      job.options.onStart?.();
    }
  }

  private spawnWorker(): Worker {
    const { projectDir } = this.options;
    const python = this.options.python ?? process.env.FLUXIO_PYTHON ?? 'python3';
    const proc = spawn(python, ['-u', '-c', 'from fluxio_task.worker import serve; serve()'], {
      cwd: projectDir,
      env: taskEnvironment(projectDir, process.env, this.options.env),
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
    readLines(proc.stdout, PROTOCOL_LINE_MAX_CHARS, (line, cut) => {
      if (cut === 0) return this.onMessage(worker, line);
      const job = worker.job;
      if (job) {
        this.abortJob(job, new DataLimitExceededError(`The task's reply was larger than ${PROTOCOL_LINE_MAX_CHARS} characters; it was dropped.`));
      }
    });
    readLines(proc.stderr, STDERR_LINE_MAX_CHARS, (raw, cut) => {
      let line = cut ? `${raw} [… ${cut} characters of this line cut]` : raw;
      const marker = line.indexOf(TASK_END_MARKER);
      const job = worker.job && !worker.job.stderrEnded ? worker.job : undefined;
      if (marker >= 0) {
        const id = Number(line.slice(marker + TASK_END_MARKER.length));
        line = line.slice(0, marker);
        if (line) this.onTaskStderr(worker, job, line);
        if (job && job.id === id) {
          job.stderrEnded = true;
          if (job.reply) this.finish(worker, job);
        }
        return;
      }
      this.onTaskStderr(worker, job, line);
    });
    proc.on('error', (err) => {
      if (worker.job) worker.job.tail.push(String(err));
      else worker.stderrTail.push(String(err));
    });
    proc.on('close', (code, signal) => {
      worker.exited = true;
      this.workers.delete(worker);
      this.killed.delete(worker);
      const job = worker.job;
      worker.job = undefined;
      if (job?.reply) {
        job.reply(); // it replied before exiting
      } else if (job) {
        const tail = [job.tail.text(), ...worker.stderrTail].filter(Boolean).join('\n');
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
      const text = String((msg as { line?: unknown }).line ?? '');
      job.tail.push(text);
      job.options.onOutput?.(text);
      return;
    }
    if (msg.ok) job.reply = () => this.settle(job, undefined, msg.result);
    else {
      const e = msg.error ?? { type: 'Exception', message: 'unknown error', traceback: '' };
      const error = e.type === 'States.DataLimitExceeded' ? new DataLimitExceededError(e.message) : new PythonTaskError(e.type, e.message, e.traceback);
      job.reply = () => this.settle(job, error);
    }
    if (job.stderrEnded) this.finish(worker, job);
    // The marker follows the reply at once; a worker that never writes it (fd 2 closed) still gets its reply.
    else job.replyTimer = setTimeout(() => this.finish(worker, job), 1000);
  }

  /** A stderr line of the worker: the running task's (until its end marker), else stray. */
  private onTaskStderr(worker: Worker, job: Job | undefined, line: string): void {
    if (job) {
      job.tail.push(line);
      if (job.options.onOutput) job.options.onOutput(line);
      else this.options.onStrayOutput?.(line);
      return;
    }
    worker.stderrTail.push(line);
    if (worker.stderrTail.length > 20) worker.stderrTail.shift();
    this.options.onStrayOutput?.(line);
  }

  /** Settles a job whose reply (and stderr end) came, and gives the worker its next job. */
  private finish(worker: Worker, job: Job): void {
    if (worker.job !== job || !job.reply) return;
    worker.job = undefined;
    job.reply();
    this.dispatch();
  }
}
