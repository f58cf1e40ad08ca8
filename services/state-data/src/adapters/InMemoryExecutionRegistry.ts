/**
 * ExecutionController for the embedded target: the local runner registers each
 * execution it starts with an abort callback and reports when it finishes;
 * stopping calls the callback once.
 */
import type { ExecutionController, StopOutcome } from '../ports.ts';
import { StateDataError } from '../errors.ts';

/** Aborts a local execution; `error`/`cause` become the ABORTED execution's error and cause. */
export type AbortExecution = (error?: string, cause?: string) => void;

/** How many finished execution names are remembered (so stopping them reports `already-finished`). */
const FINISHED_MEMORY = 10_000;

/** Registry of local executions, filled by the runner. */
export class InMemoryExecutionRegistry implements ExecutionController {
  private readonly running = new Map<string, AbortExecution>();
  private readonly finished = new Set<string>();

  /** Record a running execution and how to abort it. */
  register(name: string, abort: AbortExecution): void {
    this.finished.delete(name);
    this.running.set(name, abort);
  }

  /** Record that an execution ended (any status). */
  finish(name: string): void {
    this.running.delete(name);
    this.finished.add(name);
    if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.values().next().value as string);
  }

  /** True while `name` is registered and not finished. */
  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  async stop(execution: string, options: { error?: string; cause?: string }): Promise<StopOutcome> {
    const name = execution.startsWith('arn:') ? execution.slice(execution.lastIndexOf(':') + 1) : execution;
    const abort = this.running.get(name);
    if (!abort) {
      if (this.finished.has(name)) return 'already-finished';
      throw new StateDataError('StateData.ExecutionNotFound', 404, `Execution ${name} is not running on this local platform and never ran here.`, {
        execution: name,
      });
    }
    this.finish(name);
    abort(options.error, options.cause);
    return 'stopped';
  }
}
