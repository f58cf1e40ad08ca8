/**
 * What `fluxio start`, `executions`, `describe`, `history`, `stop` and
 * `redrive` share (issue 9): `--state-machine`, the PROJECT [NAME]
 * positionals, the executions client over the same connection as the
 * deployer commands (platformCommand.ts: `--url`, `FLUXIO_URL`, SigV4), and
 * the live progress of an execution followed through its history
 * (`GET …/executions/{name}/history`, newest first until the last event seen)
 * printed by the same reporter as `fluxio run` (progress.ts).
 */
import { EXECUTION_NAME_PATTERN, type ExecutionDescription } from '@fluxio/contracts/schemas/executions';
import { ExecutionsClient } from '@fluxio/contracts/executionsClient';
import type { Manifest } from '@fluxio/contracts/manifest';
import type { RunEvent } from '@fluxio/local/engine/events';
import { UsageError, type ParsedArgs } from './command.ts';
import { connect, PLATFORM_OPTIONS, PLATFORM_OPTIONS_HELP, projectArgument, type PlatformConnection } from './platformCommand.ts';

/** `--state-machine NAME` plus the platform options. */
export const EXECUTION_OPTIONS = { ...PLATFORM_OPTIONS, 'state-machine': { type: 'string', short: 's' } } as const;

/** The help lines of {@link EXECUTION_OPTIONS}. */
export const EXECUTION_OPTIONS_HELP = `  -s, --state-machine NAME
                         the state machine function (default: main)
${PLATFORM_OPTIONS_HELP}`;

const STATE_MACHINE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME = new RegExp(EXECUTION_NAME_PATTERN);

/** `--state-machine`, default `main`. @throws UsageError for a name that is not a Python identifier */
export function stateMachineOption(values: ParsedArgs['values']): string {
  const sm = (values['state-machine'] as string | undefined) ?? 'main';
  if (!STATE_MACHINE.test(sm)) throw new UsageError(`--state-machine '${sm}' is not a state machine function name`, 'Use the name of its def in project.py, e.g. --state-machine main.');
  return sm;
}

/** An execution name (NAME positional or `--name`). @throws UsageError */
export function executionName(name: string, what = 'NAME'): string {
  if (!NAME.test(name)) throw new UsageError(`${what} '${name}' is not an execution name`, 'An execution name is 1 to 80 letters, digits, "-" or "_" (fluxio executions PROJECT lists them).');
  return name;
}

/** The PROJECT NAME positionals. @throws UsageError */
export function projectAndName(positionals: string[], usage: string): [string, string] {
  if (positionals.length < 2) throw new UsageError(positionals.length ? 'missing NAME (the execution name)' : 'missing PROJECT and NAME', usage);
  if (positionals.length > 2) throw new UsageError(`expected PROJECT NAME, got ${positionals.length} arguments: ${positionals.join(' ')}`, usage);
  return [projectArgument(positionals.slice(0, 1), usage), executionName(positionals[1]!)];
}

/** The connection of the command line with an executions client on it (same URL and signer). @throws UsageError */
export function connectExecutions(values: ParsedArgs['values']): PlatformConnection & { executions: ExecutionsClient } {
  const connection = connect(values);
  return { ...connection, executions: new ExecutionsClient({ baseUrl: connection.url, sign: connection.client.options.sign }) };
}

/** Seconds from start to stop (or now), e.g. `1.2 s`, for tables and summaries. */
export function elapsed(startDate: string, stopDate: string | null | undefined, now = Date.now()): string {
  const ms = (stopDate ? Date.parse(stopDate) : now) - Date.parse(startDate);
  if (!Number.isFinite(ms) || ms < 0) return '-';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * The message and traceback of a Lambda task's error Cause: Lambda's error
 * JSON `{"errorMessage","errorType","stackTrace":[…]}` (what a deployed
 * Python task's exception becomes), or `undefined` for any other cause.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html
 */
export function lambdaErrorOf(cause: unknown): { message: string; type?: string; traceback?: string } | undefined {
  if (typeof cause !== 'string' || !cause.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(cause) as { errorMessage?: unknown; errorType?: unknown; stackTrace?: unknown };
    if (typeof e.errorMessage !== 'string') return undefined;
    const frames = Array.isArray(e.stackTrace) ? e.stackTrace.filter((f): f is string => typeof f === 'string') : [];
    return { message: e.errorMessage, ...(typeof e.errorType === 'string' ? { type: e.errorType } : {}), ...(frames.length ? { traceback: frames.join('') } : {}) };
  } catch {
    return undefined;
  }
}

/** A Cause for one line: a Lambda error's message, else the cause itself. */
export const causeText = (cause: string | null | undefined): string | null => (cause ? (lambdaErrorOf(cause)?.message ?? cause) : null);

/** One history event as the API returns it. */
type HistoryEvent = { id: number; previousEventId?: number; type: string; timestamp: string; [k: string]: unknown };

/** Events ending an execution. */
const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
/** Events of a Task state's failure (Step Functions history event types). */
const TASK_FAILURES = new Set([
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed',
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed',
]);
const SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const STATE_EVENT = /^(Task|Pass|Choice|Wait|Succeed|Fail|Map|Parallel)State(Entered|Exited)$/;

const parse = (text: unknown): unknown => {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The details object of an event (`taskFailedEventDetails`, …). */
const detailsOf = (e: HistoryEvent): Record<string, unknown> => {
  for (const [k, v] of Object.entries(e)) if (k.endsWith('EventDetails') && v && typeof v === 'object') return v as Record<string, unknown>;
  return {};
};

/**
 * Turns Step Functions history events (in id order, fed as they arrive) into
 * the run events the `fluxio run` reporter prints: states entered and exited,
 * a Task's failure as failed, retried (a Task scheduled again without being
 * entered again: shown as a `↻` task line, since history does not say which
 * retrier matched) or caught (the state exits and the handler is entered),
 * Map iterations, and the execution's end. History holds no task output
 * lines, so `print()` of a deployed task is not shown (it is in the task
 * function's logs).
 */
export function historyToRunEvents(stateMachine: string, executionName: string, emit: (event: RunEvent) => void): (events: HistoryEvent[]) => void {
  const origin = { executionName, stateMachine, depth: 0 };
  /** The state each event belongs to, by event id (entered events start a chain; others follow previousEventId). */
  const stateOfEvent = new Map<number, { name: string; type: string }>();
  const openIterations: Array<{ map: string; index: number }> = [];
  let failure: { state: { name: string; type: string }; error: string; cause: string; timestamp: number; exited?: boolean } | undefined;
  const send = (e: Record<string, unknown>) => emit({ ...origin, ...e } as unknown as RunEvent);
  const indexNow = () => (openIterations.length === 1 ? openIterations[0]!.index : undefined);
  const stateEvent = (kind: 'StateEntered' | 'StateExited' | 'StateFailed', s: { name: string; type: string }, timestamp: number, extra: Record<string, unknown> = {}) =>
    send({ type: kind, timestamp, state: { name: s.name, type: s.type, input: null }, index: indexNow(), ...extra });
  /** Settle a held failure now that `next` (an event, or undefined at the end) tells what became of it. */
  const settle = (next: HistoryEvent | undefined) => {
    if (!failure) return;
    const f = failure;
    const d = next ? detailsOf(next) : {};
    if (next && SCHEDULED.has(next.type) && !f.exited) {
      // Scheduled again without a new StateEntered: a retry.
      const cause = causeText(f.cause);
      send({ type: 'TaskOutput', timestamp: f.timestamp, state: f.state.name, line: `↻ ${f.error}${cause ? `: ${cause}` : ''} — retrying` });
      failure = undefined;
      return;
    }
    if (next && STATE_EVENT.test(next.type) && next.type.endsWith('Exited') && !f.exited) {
      f.exited = true; // caught: wait for the handler's StateEntered
      return;
    }
    failure = undefined;
    const task = f.state.type === 'Task' ? lambdaErrorOf(f.cause) : undefined;
    // A Python task's exception: printed like fluxio run prints it (message, then the traceback).
    if (task) send({ type: 'TaskFailed', timestamp: f.timestamp, state: f.state.name, error: f.error, cause: task.message, traceback: task.traceback });
    stateEvent('StateFailed', f.state, f.timestamp, { Error: f.error || String(d.error ?? 'States.Failed'), Cause: f.cause || d.cause });
    if (f.exited && next && next.type.endsWith('StateEntered')) {
      send({ type: 'StateCaught', timestamp: f.timestamp, state: { name: f.state.name, type: f.state.type, input: null }, index: indexNow(), catch: { catcher: { ErrorEquals: [f.error], Next: String(d.name ?? '') } } });
      stateEvent('StateExited', f.state, f.timestamp);
    }
  };
  return (events) => {
    for (const e of events) {
      const t = Date.parse(e.timestamp);
      const d = detailsOf(e);
      settle(e);
      if (failure?.exited) continue; // the caught state's exit: held until the handler is entered
      const m = STATE_EVENT.exec(e.type);
      if (m) {
        const s = { name: String(d.name ?? ''), type: m[1]! };
        stateOfEvent.set(e.id, s);
        stateEvent(m[2] === 'Entered' ? 'StateEntered' : 'StateExited', s, t, m[2] === 'Exited' ? { state: { ...s, input: null, output: parse(d.output) } } : {});
        continue;
      }
      const owner = e.previousEventId !== undefined ? stateOfEvent.get(e.previousEventId) : undefined;
      if (owner) stateOfEvent.set(e.id, owner);
      if (TASK_FAILURES.has(e.type) || e.type === 'MapStateFailed' || e.type === 'ParallelStateFailed') {
        const type = e.type.startsWith('Map') ? 'Map' : e.type.startsWith('Parallel') ? 'Parallel' : 'Task';
        const state = owner ?? { name: '', type };
        failure = { state: { name: state.name, type }, error: String(d.error ?? ''), cause: typeof d.cause === 'string' ? d.cause : '', timestamp: t };
        continue;
      }
      switch (e.type) {
        case 'ExecutionStarted':
          send({ type: 'ExecutionStarted', timestamp: t, input: parse(d.input) });
          break;
        case 'MapIterationStarted':
        case 'MapIterationSucceeded':
        case 'MapIterationFailed':
        case 'MapIterationAborted': {
          const index = Number(d.index ?? 0);
          const map = String(d.name ?? '');
          if (e.type === 'MapIterationStarted') openIterations.push({ map, index });
          else {
            const i = openIterations.findIndex((x) => x.map === map && x.index === index);
            if (i >= 0) openIterations.splice(i, 1);
          }
          const type = e.type === 'MapIterationAborted' ? 'MapIterationFailed' : e.type;
          send({ type, timestamp: t, index, parentState: { name: map, type: 'Map', input: null } });
          break;
        }
        case 'ExecutionSucceeded':
          send({ type: 'ExecutionSucceeded', timestamp: t, output: parse(d.output) });
          break;
        case 'ExecutionFailed':
          send({ type: 'ExecutionFailed', timestamp: t, Error: d.error, Cause: d.cause });
          break;
        case 'ExecutionAborted':
          send({ type: 'ExecutionAborted', timestamp: t, Error: d.error, Cause: d.cause });
          break;
        case 'ExecutionTimedOut':
          send({ type: 'ExecutionTimeout', timestamp: t, Error: d.error, Cause: d.cause });
          break;
        default:
          break;
      }
    }
  };
}

/** A manifest for the reporter when only the state machine's name is known (a deployed project: no definition at hand). */
export function bareManifest(project: string, stateMachine: string): Manifest {
  return { project, stateMachines: { [stateMachine]: { definition: { StartAt: '', States: {} }, states: {} } }, tasks: {} } as unknown as Manifest;
}

/**
 * Follow an execution's history until it ends: each poll reads the newest
 * events first (pages of 100, `reverseOrder`) back to the last one seen, and
 * hands the new ones to `onEvents` in order. Polls every 200 ms, slowing to
 * 1 s while nothing happens.
 * @returns the execution as described once it ended
 */
export async function followExecution(
  client: ExecutionsClient,
  where: { project: string; stateMachine: string; name: string },
  onEvents: (events: HistoryEvent[]) => void,
): Promise<ExecutionDescription> {
  let lastId = 0;
  let interval = 200;
  for (;;) {
    const fresh: HistoryEvent[] = [];
    let nextToken: string | undefined;
    let reachedSeen = false;
    do {
      const page = await client.history(where.project, where.stateMachine, where.name, { reverseOrder: true, maxResults: 100, nextToken });
      for (const e of page.events as HistoryEvent[]) {
        if (e.id <= lastId) {
          reachedSeen = true;
          break;
        }
        fresh.push(e);
      }
      nextToken = page.nextToken;
    } while (nextToken && !reachedSeen);
    fresh.reverse();
    if (fresh.length) {
      lastId = fresh[fresh.length - 1]!.id;
      onEvents(fresh);
      interval = 200;
    } else interval = Math.min(1000, Math.round(interval * 1.5));
    // Ended when its newest event ends it (a redriven execution's history goes on after its first end).
    if (lastId && fresh.length && TERMINAL.has(fresh[fresh.length - 1]!.type)) return client.describe(where.project, where.stateMachine, where.name);
    await new Promise((r) => setTimeout(r, interval));
  }
}
