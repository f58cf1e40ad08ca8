/**
 * Events of a local run, consumed by the progress reporter and by callers of
 * `executions.run(…, { onEvent })` of the execution service (e.g. `fluxio run`, the local platform's run API).
 */
import type { EventLog } from './engine.ts';

/** Where an event happened: the execution (child executions have their own) and its depth (0 = root). */
export interface RunEventOrigin {
  executionName: string;
  /** State machine function name in project.py. */
  stateMachine: string;
  /** 0 for the execution started by the user, 1 for a nested state machine it started, … */
  depth: number;
}

/** An engine event (StateEntered, StateExited, StateFailed, StateRetried, StateCaught, Map/Parallel, Execution*). */
export type EngineRunEvent = EventLog & RunEventOrigin;

/** Lines a task printed (stdout/stderr of the Python task). */
export interface TaskOutputEvent extends RunEventOrigin {
  type: 'TaskOutput';
  timestamp: number;
  state: string;
  line: string;
}

/** A task raised: its Python traceback, and the project.py line of the state. */
export interface TaskFailedEvent extends RunEventOrigin {
  type: 'TaskFailed';
  timestamp: number;
  state: string;
  error: string;
  cause: string;
  traceback?: string;
  /** 1-based line of the state in project.py (manifest `states[name].line`). */
  line?: number;
}

/** The {@link TaskFailedEvent} for a Python task's error (`name` is the ASL error, `message` the cause). */
export function taskFailedEvent(state: string, error: { name: string; message: string; traceback?: string }, line: number | undefined, origin: RunEventOrigin): TaskFailedEvent {
  return { type: 'TaskFailed', timestamp: Date.now(), state, error: error.name, cause: error.message, traceback: error.traceback, line, ...origin };
}

/** One event of a local run. */
export type RunEvent = EngineRunEvent | TaskOutputEvent | TaskFailedEvent;
