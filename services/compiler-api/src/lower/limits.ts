import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import type { FunctionCtx, FunctionDef, ProjectScope } from './scope.ts';

/**
 * Most states one state machine may have, nested Map/Parallel bodies included.
 * A Map or Parallel copies the called function's states, so without a bound a
 * few lines (`parallel(f, f)` chains) could ask for millions of states. Step
 * Functions caps a definition at 1 MiB (quota "state machine definition size"),
 * which no 25,000-state definition fits anyway.
 */
export const MAX_STATES_PER_STATE_MACHINE = 25_000;
/**
 * Most states in the whole project (all state machines, copies in Map/Parallel
 * bodies included): bounds the compile's time and the manifest's size (a
 * Lambda response is at most 6 MB).
 */
export const MAX_STATES_PER_PROJECT = 50_000;
/** Deepest chain of Map/Parallel bodies inside one state machine (a compiler limit; Step Functions sets none). */
export const MAX_NESTED_BODIES = 100;

/**
 * Checks that embedding `bodies` keeps the machine within
 * {@link MAX_STATES_PER_STATE_MACHINE}, {@link MAX_STATES_PER_PROJECT} and
 * {@link MAX_NESTED_BODIES} (reported at `call` otherwise) and records the nesting.
 */
export function roomFor(s: ProjectScope, bodies: FunctionDef[], call: Node, ctx: FunctionCtx): boolean {
  const nesting = 1 + Math.max(...bodies.map((b) => b.nesting));
  if (nesting > MAX_NESTED_BODIES) {
    s.sink.error('DSL.NestingTooDeep', `Map/Parallel bodies are nested more than ${MAX_NESTED_BODIES} levels deep here; flatten the chain of functions`, call);
    return false;
  }
  const states = ctx.graph.used.size + bodies.reduce((a, b) => a + b.stateCount, 0);
  if (states > MAX_STATES_PER_STATE_MACHINE) {
    s.sink.error(
      'DSL.TooManyStates',
      `${ctx.fn} would have more than ${MAX_STATES_PER_STATE_MACHINE} states with this call (Map and Parallel copy the called function's states); split the work into state machines that call each other`,
      call,
    );
    return false;
  }
  if (s.totalStates + states > MAX_STATES_PER_PROJECT) {
    s.sink.error(
      'DSL.TooManyStates',
      `the project would have more than ${MAX_STATES_PER_PROJECT} states with this call (Map and Parallel copy the called function's states); split it into several projects (chain them with @subscribe)`,
      call,
    );
    return false;
  }
  ctx.nesting = Math.max(ctx.nesting, nesting);
  return true;
}
