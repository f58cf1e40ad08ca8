/**
 * ExecutionController for the embedded target: the local runner registers each
 * execution it starts, with its project and an abort callback, and reports
 * when it finishes; stopping calls the callback once. A project only sees its
 * own executions (issue 11): the same name in two projects is two executions.
 */
import type { ExecutionController, StopOutcome } from '../ports.ts';
import { StateDataError } from '../errors.ts';
import { parseExecutionArn, projectOfLocalStateMachine } from '../stateMachineNames.ts';

/** Aborts a local execution; `error`/`cause` become the ABORTED execution's error and cause. */
export type AbortExecution = (error?: string, cause?: string) => void;

/** How many finished executions are remembered (so stopping them reports `already-finished`). */
const FINISHED_MEMORY = 10_000;

const keyOf = (project: string, name: string) => `${project}\n${name}`;

/** Registry of local executions, filled by the runner. */
export class InMemoryExecutionRegistry implements ExecutionController {
  private readonly running = new Map<string, AbortExecution>();
  private readonly finished = new Set<string>();

  /** Record a running execution of `project` and how to abort it. */
  register(name: string, abort: AbortExecution, project: string): void {
    const key = keyOf(project, name);
    this.finished.delete(key);
    this.running.set(key, abort);
  }

  /** Record that an execution of `project` ended (any status). */
  finish(name: string, project: string): void {
    const key = keyOf(project, name);
    this.running.delete(key);
    this.finished.add(key);
    if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.values().next().value as string);
  }

  /** True while `name` of `project` is registered and not finished. */
  isRunning(name: string, project: string): boolean {
    return this.running.has(keyOf(project, name));
  }

  /**
   * Stop `execution` (a name, or a local execution ARN whose state machine —
   * `fluxio-local-<project>-<fn>` or `<project>-<fn>` — must be `project`'s) of `project`.
   * @throws StateDataError 404 `StateData.ExecutionNotFound` (no such execution in this project); 403 `StateData.ExecutionNotInProject`
   */
  async stop(project: string, execution: string, options: { error?: string; cause?: string }): Promise<StopOutcome> {
    let name = execution;
    if (execution.startsWith('arn:')) {
      const arn = parseExecutionArn(execution);
      const owner = arn && projectOfLocalStateMachine(arn.stateMachine);
      if (!arn) throw new StateDataError('StateData.InvalidExecutionArn', 400, `${execution} is not an execution ARN.`);
      if (owner !== project)
        throw new StateDataError(
          'StateData.ExecutionNotInProject',
          403,
          `Execution ${execution} belongs to state machine ${arn.stateMachine}, not to a state machine of project ${project} (named fluxio-local-${project}-<function> or ${project}-<function>). A project stops only its own executions.`,
          { execution },
        );
      name = arn.execution;
    }
    const key = keyOf(project, name);
    const abort = this.running.get(key);
    if (!abort) {
      if (this.finished.has(key)) return 'already-finished';
      throw new StateDataError(
        'StateData.ExecutionNotFound',
        404,
        `Project ${project} has no execution ${name} running on this local platform, and none by that name ran here.`,
        { execution: name, project },
      );
    }
    this.finish(name, project);
    abort(options.error, options.cause);
    return 'stopped';
  }
}
