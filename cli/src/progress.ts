/**
 * Live progress of a local run, one line per event, for humans (stderr of
 * `fluxio run`): states entered and exited with durations, task output,
 * retries, caught errors, task tracebacks with the project.py line, and Map
 * iterations summarised ("Map-… 10 iterations (10 succeeded) 1.2 s").
 */
import { basename } from 'node:path';
import type { Manifest } from '@fluxio/contracts/manifest';
import type { RunEvent } from '@fluxio/local/engine/events';

export interface ProgressReporterOptions {
  manifest: Manifest;
  /** Where lines go. @default process.stderr.write */
  write?: (text: string) => void;
  /** project.py path (for `file:line` and code frames). */
  projectFile?: string;
  /** project.py source, for a one-line code frame of a failing state. */
  source?: string;
  /**
   * Visits of one state per execution shown in full; later visits (a `while`
   * loop going round) are counted and summarised when the execution ends.
   * Failures, retries and caught errors are always shown.
   * @default 20
   */
  repeatLimit?: number;
}

/** Formats a duration in ms: `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Types whose entry is printed (they take time); every state's exit is printed. */
const SHOW_ENTRY = new Set(['Task', 'Map', 'Parallel', 'Wait']);

/** Returns an `onEvent` callback that prints progress lines. */
export function createProgressReporter(options: ProgressReporterOptions): (event: RunEvent) => void {
  const write = options.write ?? ((t: string) => void process.stderr.write(t));
  const fileName = options.projectFile ? basename(options.projectFile) : 'project.py';
  const sourceLines = options.source?.split('\n');
  /** Per execution: when each state (or Map iteration) was entered, and visits per state. */
  const executions = new Map<string, { entered: Map<string, number>; visits: Map<string, number> }>();
  const progressOf = (executionName: string) => {
    let p = executions.get(executionName);
    if (!p) executions.set(executionName, (p = { entered: new Map(), visits: new Map() }));
    return p;
  };
  const enteredKey = (name: string, index: number | undefined) => (index === undefined ? name : `${name}|${index}`);
  const maps = new Map<string, { started: number; succeeded: number; failed: number }>();
  const lineOf = (sm: string, state: string) => options.manifest.stateMachines[sm]?.states?.[state]?.line;
  const where = (sm: string, state: string) => {
    const line = lineOf(sm, state);
    return line ? ` (${fileName}:${line})` : '';
  };
  const out = (depth: number, text: string) => write(`${'  '.repeat(depth + 1)}${text}\n`);
  const repeatLimit = options.repeatLimit ?? 20;
  /** Prints "… ran N more times" for the states of an execution that went over the limit. */
  const summariseRepeats = (executionName: string, depth: number) => {
    const p = executions.get(executionName);
    if (!p) return;
    for (const [name, n] of p.visits) {
      if (n > repeatLimit) out(depth, `… ${name} ran ${n - repeatLimit} more time${n - repeatLimit === 1 ? '' : 's'} (not shown)`);
    }
    executions.delete(executionName);
  };

  return (event) => {
    const depth = event.depth;
    const sm = event.stateMachine;
    switch (event.type) {
      case 'ExecutionStarted':
        out(depth - 1, `▶ ${sm} execution ${event.executionName}`);
        return;
      case 'ExecutionSucceeded':
        summariseRepeats(event.executionName, depth);
        if (depth > 0) out(depth - 1, `■ ${sm} execution ${event.executionName} SUCCEEDED`);
        return;
      case 'ExecutionFailed':
        summariseRepeats(event.executionName, depth);
        if (depth > 0) out(depth - 1, `■ ${sm} execution ${event.executionName} FAILED: ${event.Error}`);
        return;
      case 'ExecutionAborted':
        summariseRepeats(event.executionName, depth);
        out(depth - 1, `■ ${sm} execution ${event.executionName} ABORTED`);
        return;
      case 'ExecutionTimeout':
        summariseRepeats(event.executionName, depth);
        out(depth - 1, `■ ${sm} execution ${event.executionName} TIMED_OUT`);
        return;
      case 'StateEntered': {
        const p = progressOf(event.executionName);
        p.entered.set(enteredKey(event.state.name, event.index), event.timestamp);
        if (event.index === undefined) {
          const n = (p.visits.get(event.state.name) ?? 0) + 1;
          p.visits.set(event.state.name, n);
          if (n > repeatLimit) return;
        }
        if (event.state.type === 'Map') maps.set(`${event.executionName}|${event.state.name}`, { started: 0, succeeded: 0, failed: 0 });
        if (event.index === undefined && SHOW_ENTRY.has(event.state.type)) out(depth, `→ ${event.state.name} (${event.state.type})`);
        return;
      }
      case 'StateExited': {
        const p = progressOf(event.executionName);
        const key = enteredKey(event.state.name, event.index);
        const since = p.entered.get(key);
        p.entered.delete(key);
        if (event.index !== undefined) return;
        if ((p.visits.get(event.state.name) ?? 0) > repeatLimit) return;
        const took = since === undefined ? '' : ` ${formatDuration(event.timestamp - since)}`;
        const map = maps.get(`${event.executionName}|${event.state.name}`);
        if (event.state.type === 'Map' && map) {
          out(depth, `✓ ${event.state.name} ${map.started} iterations (${map.succeeded} succeeded${map.failed ? `, ${map.failed} failed` : ''})${took}`);
          return;
        }
        out(depth, `✓ ${event.state.name}${took}`);
        return;
      }
      case 'StateFailed': {
        const since = progressOf(event.executionName).entered.get(enteredKey(event.state.name, event.index));
        const took = since === undefined ? '' : ` after ${formatDuration(event.timestamp - since)}`;
        const iteration = event.index !== undefined ? ` [iteration ${event.index}]` : '';
        const map = maps.get(`${event.executionName}|${event.state.name}`);
        const summary = event.state.type === 'Map' && map ? ` — ${map.started} iterations (${map.succeeded} succeeded, ${map.failed} failed)` : '';
        const cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
        out(depth, `✗ ${event.state.name}${iteration} failed${took}: ${event.Error}${cause ? `: ${cause.length > 300 ? cause.slice(0, 300) + '…' : cause}` : ''}${summary}${where(sm, event.state.name)}`);
        return;
      }
      case 'StateRetried': {
        const r = event.retry;
        const max = r.retrier.MaxAttempts ?? 3;
        const iteration = event.index !== undefined ? ` [iteration ${event.index}]` : '';
        out(depth, `↻ ${event.state.name}${iteration} retry ${r.attempt}/${max} (${r.retrier.ErrorEquals.join(', ')})`);
        progressOf(event.executionName).entered.set(enteredKey(event.state.name, event.index), event.timestamp);
        return;
      }
      case 'StateCaught':
        out(depth, `⤷ ${event.state.name} error caught → ${event.catch.catcher.Next} (${event.catch.catcher.ErrorEquals.join(', ')})`);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const m = maps.get(`${event.executionName}|${event.parentState.name}`);
        if (!m) return;
        if (event.type === 'MapIterationStarted') m.started++;
        else if (event.type === 'MapIterationSucceeded') m.succeeded++;
        else m.failed++;
        return;
      }
      case 'TaskOutput':
        out(depth, `│ ${event.state}: ${event.line}`);
        return;
      case 'TaskFailed': {
        out(depth, `✗ ${event.state} raised ${event.error}: ${event.cause}${event.line ? ` (${fileName}:${event.line})` : ''}`);
        if (event.line && sourceLines?.[event.line - 1] !== undefined) out(depth + 1, `${event.line} | ${sourceLines[event.line - 1]!.trim()}`);
        for (const l of (event.traceback ?? '').trimEnd().split('\n')) if (l) out(depth + 1, l);
        return;
      }
      default:
        return;
    }
  };
}
