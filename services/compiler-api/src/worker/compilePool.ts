/**
 * Compiles off the main thread: a small pool of `node:worker_threads`, each
 * with its own web-tree-sitter instance, so a CPU-heavy compile never holds
 * the local server's event loop (issue 11: `GET /v1/openapi.json` waited 40 s
 * behind one compile). Installed by the local platform with
 * `setCompileBackend` (import `@fluxio/compiler-api/worker/compilePool`); the
 * Lambda handler compiles in-process (one request per instance) and never
 * loads this module.
 *
 * - A compile that runs longer than `timeLimitMs` is stopped (its worker is
 *   terminated) and answered with a `DSL.TooComplex` diagnostic, so the HTTP
 *   route gives a 422, not a hang or a 5xx.
 * - A worker that crashes, runs out of memory (`maxMemoryMb`) or returns a
 *   `Compiler.Internal` result is replaced by a fresh one: its wasm state can
 *   never reach the next compile.
 * - Jobs wait in FIFO order for a free worker.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CompileResult, Diagnostic } from '@fluxio/contracts/manifest';
import type { CompileBackend } from '../compileBackend.ts';
import type { CompileOptions } from '../index.ts';

/** Wall-clock bound on one compile in a worker (10 s): the largest realistic project compiles in under 1 s. */
export const COMPILE_TIME_LIMIT_MS = 10_000;
/** Old-generation heap of one compile worker (MiB); above it the compile fails as too complex. */
export const COMPILE_WORKER_MEMORY_MB = 1024;

export interface CompilePoolOptions {
  /** Worker threads. @default 2 (a big compile never holds up a small one), up to cores - 1 (at most 4) on bigger machines */
  size?: number;
  /** @default {@link COMPILE_TIME_LIMIT_MS} */
  timeLimitMs?: number;
  /** @default {@link COMPILE_WORKER_MEMORY_MB} */
  maxMemoryMb?: number;
}

interface Job {
  id: number;
  source: string;
  options?: CompileOptions;
  resolve: (r: CompileResult) => void;
  timer?: NodeJS.Timeout;
}
interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  gone: boolean;
}


function failure(code: string, message: string): CompileResult {
  const d: Diagnostic = { code, message, line: 1, column: 1, endLine: 1, endColumn: 2, severity: 'error' };
  return { ok: false, errors: [d] };
}

/** A pool of compile workers; see the module comment. */
export class CompilePool implements CompileBackend {
  private readonly size: number;
  private readonly timeLimitMs: number;
  private readonly maxMemoryMb: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Workers started so far (the first ones and every replacement). */
  started = 0;

  constructor(options: CompilePoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.max(2, Math.min(4, availableParallelism() - 1)));
    this.timeLimitMs = options.timeLimitMs ?? COMPILE_TIME_LIMIT_MS;
    this.maxMemoryMb = options.maxMemoryMb ?? COMPILE_WORKER_MEMORY_MB;
  }

  /** Compiles in a worker. Never rejects: limits and crashes come back as diagnostics. */
  compile(source: string, options?: CompileOptions): Promise<CompileResult> {
    if (this.closed) return Promise.resolve(failure('Compiler.Internal', 'the compiler is shutting down; send the request again once the platform is back'));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, source, options, resolve });
      this.dispatch();
    });
  }

  /** Stops every worker; compiles still queued or running answer `Compiler.Internal`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(failure('Compiler.Internal', 'the compiler shut down before this compile ran'));
    await Promise.all(this.slots.splice(0).map((s) => this.retire(s, failure('Compiler.Internal', 'the compiler shut down during this compile'))));
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot = this.slots.find((s) => s.ready && !s.job && !s.gone);
      if (!slot) {
        const starting = this.slots.filter((s) => !s.ready && !s.gone).length;
        if (this.slots.length < this.size && starting < this.queue.length) this.spawn();
        return;
      }
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      job.timer = setTimeout(() => {
        void this.retire(
          slot,
          failure(
            'DSL.TooComplex',
            `compiling project.py took longer than ${this.timeLimitMs / 1000} s, the compile time limit, and was stopped; split the project into smaller ones (chain them with @subscribe)`,
          ),
        );
      }, this.timeLimitMs);
      slot.worker.postMessage({ id: job.id, source: job.source, options: job.options });
    }
  }

  private spawn(): void {
    this.started++;
    const worker = new Worker(new URL('./compileWorker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb } });
    worker.unref();
    const slot: Slot = { worker, ready: false, gone: false };
    this.slots.push(slot);
    worker.on('message', (msg: { ready?: true; id?: number; result?: CompileResult }) => {
      if (msg.ready) {
        slot.ready = true;
        this.dispatch();
        return;
      }
      const job = slot.job;
      if (!job || msg.id !== job.id || !msg.result) return;
      clearTimeout(job.timer);
      slot.job = undefined;
      job.resolve(msg.result);
      if (!msg.result.ok && msg.result.errors.some((e) => e.code === 'Compiler.Internal')) {
        void this.retire(slot); // its wasm parser may be damaged: never reuse it
      } else {
        worker.unref();
      }
      this.dispatch();
    });
    const lost = (err?: Error & { code?: string }) => {
      if (slot.gone) return;
      const wasReady = slot.ready;
      const result =
        err?.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? failure('DSL.TooComplex', `compiling project.py needed more than ${this.maxMemoryMb} MiB of memory and was stopped; split the project into smaller ones`)
          : failure('Compiler.Internal', `internal compiler error (please report): the compile worker stopped${err ? `: ${err.message}` : ''}`);
      void this.retire(slot, result);
      // A worker that cannot even start would fail forever: answer the queue instead of respawning.
      if (!wasReady && !slot.job) for (const job of this.queue.splice(0)) job.resolve(result);
      this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', () => lost());
  }

  /** Removes a slot (terminating its worker); its running job, if any, resolves with `result`. */
  private async retire(slot: Slot, result?: CompileResult): Promise<void> {
    if (slot.gone) return;
    slot.gone = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const job = slot.job;
    slot.job = undefined;
    if (job) {
      clearTimeout(job.timer);
      job.resolve(result ?? failure('Compiler.Internal', 'internal compiler error (please report): the compile worker stopped'));
    }
    await slot.worker.terminate().catch(() => undefined);
    if (!this.closed) this.dispatch();
  }
}
