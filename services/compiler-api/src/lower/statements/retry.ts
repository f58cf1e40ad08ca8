import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import type { Exit } from '../../emit/StateGraph.ts';
import { decodeNumber } from '../../parse/literals.ts';
import { checkOptions, positionalArgs } from '../arguments.ts';
import { errorNames } from '../errorNames.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';

/** What a guarded statement produced: its exits and the Task state to attach Retry/Catch to. */
export interface Guarded {
  exits: Exit[];
  task?: AslState;
}

/** Compiles the single guarded statement of `try`/`with retry` and returns its Task state. */
export function guardedTask(s: ProjectScope, body: Node | null, incoming: Exit[], ctx: FunctionCtx, what: string): Guarded {
  const stmts = (body?.namedChildren ?? []).filter((c) => c && c.type !== 'comment') as Node[];
  if (stmts.length !== 1) {
    s.sink.error('DSL.GuardedStatement', `${what} must wrap exactly one task call (got ${stmts.length} statements); split it into several blocks`, body ?? stmts[0]);
    return { exits: body ? s.lowerBlock(body, incoming, ctx) : incoming };
  }
  const stmt = stmts[0];
  if (stmt.type === 'with_statement') return lowerWith(s, stmt, incoming, ctx);
  s.lastTask = undefined;
  const exits = s.lowerStatement(stmt, incoming, ctx);
  const expr = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : null;
  const call = expr?.type === 'assignment' ? expr.childForFieldName('right') : expr;
  const callee = call?.type === 'call' ? call.childForFieldName('function')?.text ?? '' : '';
  const isTaskCall = call?.type === 'call' && (s.tasks.has(callee) || s.functions.has(callee));
  if (!isTaskCall) {
    s.sink.error('DSL.GuardedStatement', `${what} can only wrap a task call (a Task class or state machine function), e.g. Fetch(data)`, stmt);
    return { exits };
  }
  const last = s.lastTask as { state: AslState } | undefined;
  if (!last) return { exits };
  return { exits, task: last.state };
}

/** `with retry(on_exceptions=[...], interval=1, max_attempts=3, backoff_rate=2.0):` → a Retrier on the wrapped Task (spec §14). */
export function lowerWith(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Guarded {
  const items = stmt.children.flatMap((clause) => clause.children.filter((n) => n.type === 'with_item')); // with_statement > with_clause > with_item
  const value = items[0]?.childForFieldName('value');
  if (stmt.children[0]?.type === 'async' || items.length !== 1 || !value || value.type !== 'call' || value.childForFieldName('function')?.text !== 'retry') {
    s.sink.error('DSL.ContextManager', 'the only context manager is with retry(on_exceptions=[...], interval=1, max_attempts=3, backoff_rate=2.0):', items[0] ?? stmt);
    const body = stmt.childForFieldName('body');
    return { exits: body ? s.lowerBlock(body, incoming, ctx) : incoming };
  }
  const kw = checkOptions(s.sink, value, ['on_exceptions', 'interval', 'max_attempts', 'backoff_rate'], 'retry()');
  for (const p of positionalArgs(value)) s.sink.error('DSL.PositionalOption', 'retry() takes keyword arguments only', p);
  const retrier: Record<string, unknown> = { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2.0 };
  const oe = kw.get('on_exceptions');
  if (oe) {
    const names = errorNames(s, oe, true);
    if (names) retrier.ErrorEquals = names;
  }
  const num = (k: string, key: string, min: number, integer: boolean): void => {
    const n = kw.get(k);
    if (!n) return;
    const v = n.type === 'integer' || n.type === 'float' ? decodeNumber(n) : undefined;
    if (v === undefined || v < min || (integer && !Number.isInteger(v))) s.sink.error('DSL.InvalidOptionType', `${k} must be ${integer ? 'a whole number' : 'a number'} ≥ ${min}`, n);
    else retrier[key] = v;
  };
  num('interval', 'IntervalSeconds', 1, true);
  num('max_attempts', 'MaxAttempts', 0, true);
  num('backoff_rate', 'BackoffRate', 1, false);
  const r = guardedTask(s, stmt.childForFieldName('body'), incoming, ctx, 'with retry()');
  if (r.task) {
    const list = (r.task.Retry as unknown[]) ?? [];
    list.push(retrier);
    r.task.Retry = list;
  }
  return r;
}
