/**
 * What happened to each state of an execution, read from its history
 * (GetExecutionHistory events, Step Functions API reference "HistoryEvent"):
 * the colour of every state in the execution graph, each entry's input and
 * output, failures and retries, Map iterations. Pure: no DOM, no fetch (the
 * unit tests run it on real histories of the local platform).
 */
import type { StateGraph } from '@fluxio/contracts/graph/stateGraph';
import { allStates } from '@fluxio/contracts/graph/stateGraph';

/**
 * The colour classes of a state, as the console shows them:
 * `succeeded` (exited), `failed` (its error ended the branch or execution, or a Fail state),
 * `caught` (failed, and a Catch moved on to its handler), `retried` (failed at least once and
 * was tried again by a Retry), `running` (entered, not left, execution running), `aborted`
 * (entered, not left, when the execution stopped), `not-entered`.
 */
export type StateStatus = 'succeeded' | 'failed' | 'caught' | 'retried' | 'running' | 'aborted' | 'not-entered';

/** One failure event of a state entry (TaskFailed, LambdaFunctionFailed, …TimedOut). */
export interface StateFailure {
  eventId: number;
  type: string;
  error?: string;
  cause?: string;
}

/** One time a state was entered (a Map's body states are entered once per iteration). */
export interface StateEntry {
  enteredEventId: number;
  enteredAt: number;
  input?: string;
  exitedEventId?: number;
  exitedAt?: number;
  output?: string;
  /** Task states: how many times the work was scheduled (1 + retries). */
  attempts: number;
  failures: StateFailure[];
  status: StateStatus;
}

/** What happened to one state (all its entries). */
export interface StateRun {
  name: string;
  entries: StateEntry[];
  /** The status shown on the graph: the worst of the entries (failed > running > aborted > caught > retried > succeeded). */
  status: StateStatus;
}

/** One Map iteration or Parallel branch outcome by index. */
export interface IterationRun {
  index: number;
  status: 'running' | 'succeeded' | 'failed' | 'aborted';
}

/** The history read as states. */
export interface ExecutionView {
  states: Map<string, StateRun>;
  /** Map state name → its iterations by index. */
  iterations: Map<string, IterationRun[]>;
  /** Number of states entered (the service counts state transitions like this). */
  transitions: number;
}

/** A history event's `*EventDetails` member (each type has one, named after it). */
export function detailsOf(event: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(event)) if (k.endsWith('EventDetails') && v && typeof v === 'object') return v as Record<string, unknown>;
  return {};
}

/** Event types that are a failure of the work of a state (not of the execution). */
const WORK_FAILURE = /^(Task|LambdaFunction|Activity)(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/;
/** Event types that schedule the work of a Task state (one per attempt). */
const WORK_SCHEDULED = /^(TaskScheduled|LambdaFunctionScheduled|ActivityScheduled)$/;
/** Event types that end the work of a Task state. */
const WORK_DONE = /^(TaskSucceeded|LambdaFunctionSucceeded|ActivitySucceeded)$/;
/** True for any event type that reports a failure (the history table's "failures only" filter). */
export const isFailureEvent = (type: string): boolean => /(Failed|TimedOut|Aborted)$/.test(type) || type === 'FailStateEntered';

const RANK: Record<StateStatus, number> = { failed: 6, running: 5, aborted: 4, caught: 3, retried: 2, succeeded: 1, 'not-entered': 0 };

/** The worst of several statuses (see {@link StateRun.status}). */
export const worstStatus = (statuses: StateStatus[]): StateStatus =>
  statuses.reduce<StateStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'not-entered');

const stateNameOfInput = (input: unknown): string | undefined => {
  if (typeof input !== 'string') return undefined;
  try {
    const v = JSON.parse(input) as { meta?: { sfn_state_name?: unknown } };
    return typeof v?.meta?.sfn_state_name === 'string' ? v.meta.sfn_state_name : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Which open entry of a state an exit closes. One open entry: that one. Several (a Map's
 * iterations run the same states concurrently, and exit events carry only the state name):
 * the one whose input shares the most top-level values with the exit's output (a state's
 * output is its input with the result placed at ResultPath), the oldest on a tie.
 */
function matchExit(open: StateEntry[], output: string | undefined): StateEntry | undefined {
  if (open.length <= 1) return open[0];
  const parse = (t: string | undefined): Record<string, unknown> | undefined => {
    try {
      const v = t === undefined ? undefined : JSON.parse(t);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const out = parse(output);
  if (!out) return open[0];
  let best = open[0]!;
  let bestScore = -1;
  for (const e of open) {
    const input = parse(e.input) ?? {};
    const score = Object.entries(input).filter(([k, v]) => JSON.stringify(out[k]) === JSON.stringify(v)).length;
    if (score > bestScore) [best, bestScore] = [e, score];
  }
  return best;
}

const seconds = (t: unknown): number => (typeof t === 'number' ? t * 1000 : typeof t === 'string' ? Date.parse(t) : 0);

/**
 * Read `events` (oldest first) against the definition's graph.
 *
 * Attribution: a state's own events name it (`*StateEntered`/`*StateExited`);
 * the work events of a Task state (`*Scheduled`, `*Succeeded`, `*Failed`, …)
 * do not, so a `*Scheduled` is given to the state its Fluxio input names
 * (`meta.sfn_state_name`) or else the oldest open Task state, and later work
 * events to the oldest open Task state with work scheduled. A failure then
 * scheduled again is a retry; a failure after which a Catch target of the
 * state is entered is caught; any other failure is failed.
 *
 * @param executionStatus DescribeExecution's status: states still open when it is not RUNNING are `aborted`
 */
export function readExecution(events: ReadonlyArray<Record<string, unknown>>, graph: StateGraph, executionStatus: string): ExecutionView {
  const types = new Map<string, string>();
  const catchTargets = new Map<string, Set<string>>();
  for (const { state } of allStates(graph)) {
    types.set(state.name, state.type);
    const names = state.edges.filter((e) => e.kind === 'catch').map((e) => e.to.slice(e.to.lastIndexOf('/') + 1));
    catchTargets.set(state.name, new Set(names));
  }
  const states = new Map<string, StateRun>();
  const iterations = new Map<string, IterationRun[]>();
  /** Open task entries waiting for their work to end, oldest first. */
  const open: Array<{ name: string; entry: StateEntry; scheduled: boolean }> = [];
  /** Failed entries not yet retried: a Catch target entered next makes them caught. */
  const pendingFailure: Array<{ name: string; entry: StateEntry }> = [];
  let transitions = 0;
  const runOf = (name: string): StateRun => {
    let r = states.get(name);
    if (!r) states.set(name, (r = { name, entries: [], status: 'not-entered' }));
    return r;
  };
  for (const event of events) {
    const type = String(event.type);
    const d = detailsOf(event);
    const at = seconds(event.timestamp);
    const id = Number(event.id);
    if (type.endsWith('StateEntered')) {
      transitions++;
      const name = String(d.name);
      const entry: StateEntry = { enteredEventId: id, enteredAt: at, input: d.input as string | undefined, attempts: 0, failures: [], status: 'running' };
      runOf(name).entries.push(entry);
      // A Catch target entered after a failure: that failure was caught.
      for (let i = pendingFailure.length - 1; i >= 0; i--) {
        const p = pendingFailure[i]!;
        if (catchTargets.get(p.name)?.has(name)) {
          p.entry.status = 'caught';
          pendingFailure.splice(i, 1);
          const o = open.findIndex((x) => x.entry === p.entry);
          if (o >= 0) open.splice(o, 1);
        }
      }
      if (types.get(name) === 'Task') open.push({ name, entry, scheduled: false });
      if (type === 'FailStateEntered') entry.status = 'failed';
      continue;
    }
    if (type.endsWith('StateExited')) {
      const name = String(d.name);
      const run = runOf(name);
      const entry = matchExit(run.entries.filter((e) => e.exitedEventId === undefined), d.output as string | undefined);
      if (entry) {
        entry.exitedEventId = id;
        entry.exitedAt = at;
        entry.output = d.output as string | undefined;
        // Left after a failure that was not retried: a Catch took it (the state's output carries the error).
        if (entry.status === 'failed' && types.get(name) !== 'Fail') entry.status = 'caught';
        else if (entry.status !== 'caught' && entry.status !== 'failed') entry.status = entry.failures.length > 0 ? 'retried' : 'succeeded';
        const o = open.findIndex((x) => x.entry === entry);
        if (o >= 0) open.splice(o, 1);
        const p = pendingFailure.findIndex((x) => x.entry === entry);
        if (p >= 0) pendingFailure.splice(p, 1);
      }
      continue;
    }
    if (WORK_SCHEDULED.test(type)) {
      const named = stateNameOfInput(d.input);
      const slot = open.find((x) => (named ? x.name === named : true) && !x.scheduled) ?? open.find((x) => (named ? x.name === named : true));
      if (slot) {
        slot.scheduled = true;
        slot.entry.attempts++;
        if (slot.entry.failures.length > 0) {
          slot.entry.status = 'retried';
          const p = pendingFailure.findIndex((x) => x.entry === slot.entry);
          if (p >= 0) pendingFailure.splice(p, 1);
        }
      }
      continue;
    }
    if (WORK_FAILURE.test(type)) {
      const slot = open.find((x) => x.scheduled) ?? open[0];
      if (slot) {
        slot.scheduled = false;
        slot.entry.failures.push({ eventId: id, type, error: d.error as string | undefined, cause: d.cause as string | undefined });
        slot.entry.status = 'failed';
        pendingFailure.push({ name: slot.name, entry: slot.entry });
      }
      continue;
    }
    if (WORK_DONE.test(type)) {
      const slot = open.find((x) => x.scheduled);
      if (slot) slot.scheduled = false;
      continue;
    }
    if (type.startsWith('MapIteration')) {
      const name = String(d.name);
      const index = Number(d.index);
      const list = iterations.get(name) ?? [];
      iterations.set(name, list);
      let it = list.find((x) => x.index === index);
      if (!it) list.push((it = { index, status: 'running' }));
      if (type === 'MapIterationSucceeded') it.status = 'succeeded';
      else if (type === 'MapIterationFailed') it.status = 'failed';
      else if (type === 'MapIterationAborted') it.status = 'aborted';
    }
  }
  const ended = executionStatus !== 'RUNNING';
  for (const run of states.values()) {
    for (const e of run.entries) if (e.status === 'running' && ended) e.status = 'aborted';
    run.status = worstStatus(run.entries.map((e) => e.status));
  }
  for (const list of iterations.values()) {
    list.sort((a, b) => a.index - b.index);
    if (ended) for (const it of list) if (it.status === 'running') it.status = 'aborted';
  }
  return { states, iterations, transitions };
}

/** `__trace` of an execution input (DESIGN.md §5b): where it came from and its trace id; `undefined` fields when absent. */
export function traceOf(input: string | undefined): { source?: string; id?: string } {
  if (!input) return {};
  try {
    const v = JSON.parse(input) as { __trace?: { source?: unknown; id?: unknown } };
    const t = v && typeof v === 'object' ? v.__trace : undefined;
    return { source: typeof t?.source === 'string' ? t.source : undefined, id: typeof t?.id === 'string' ? t.id : undefined };
  } catch {
    return {};
  }
}

/**
 * A task error's cause read as a Python failure: the Lambda runtime's JSON
 * `{errorType, errorMessage, stackTrace}` (stackTrace lines or frames: `type`,
 * `message`, `traceback`), or the text itself (`message`). `lines` are
 * `project.py` line numbers the traceback names.
 */
export function readCause(cause: string | undefined): { type?: string; message: string; traceback: string[]; lines: number[] } {
  if (!cause) return { message: '', traceback: [], lines: [] };
  let message = cause;
  let type: string | undefined;
  let traceback: string[] = [];
  try {
    const v = JSON.parse(cause) as { errorType?: string; errorMessage?: string; stackTrace?: unknown };
    if (v && typeof v === 'object' && ('errorMessage' in v || 'stackTrace' in v)) {
      type = v.errorType;
      message = v.errorMessage ?? '';
      if (Array.isArray(v.stackTrace)) traceback = v.stackTrace.map((f) => (typeof f === 'string' ? f : JSON.stringify(f)));
    }
  } catch {
    /* plain text cause */
  }
  if (traceback.length === 0 && /Traceback \(most recent call last\)/.test(cause)) traceback = cause.split('\n');
  const lines = [...traceback.join('\n').matchAll(/project\.py", line (\d+)/g)].map((m) => Number(m[1]));
  return { ...(type ? { type } : {}), message, traceback, lines };
}
