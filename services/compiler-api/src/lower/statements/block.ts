import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { Exit } from '../../emit/StateGraph.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';
import { lowerAssignment } from './assignment.ts';
import { lowerCall } from './call.ts';
import { lowerIf, lowerWhile } from './ifWhile.ts';
import { lowerReturn, lowerRaise } from './returnRaise.ts';
import { lowerWith } from './retry.ts';
import { lowerTry } from './tryExcept.ts';

/** What a state machine body may hold (the hint of unsupported statements). */
export const STATEMENT_HINT =
  'a state machine body holds task calls, data["k"] = ..., data.update({...}), if/elif/else, while, try/except, with retry(...), map(), parallel(), wait(), return, raise or pass';

/** Lowers a statement list (spec §4, §6.9): each statement's exits feed the next; code after return/raise is reported. */
export function lowerBlock(s: ProjectScope, block: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  let exits = incoming;
  let terminatedBy: Node | undefined;
  for (const stmt of block.namedChildren) {
    if (!stmt || stmt.type === 'comment') continue;
    if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'string') continue; // docstring
    if (terminatedBy) {
      s.sink.error('DSL.Unreachable', `this statement can never run: every path above ends (line ${s.sink.lines.position(terminatedBy.startIndex).line}); remove it or move it before the return/raise`, stmt);
      break;
    }
    exits = lowerStatement(s, stmt, exits, ctx);
    if (exits.length === 0) terminatedBy = stmt;
  }
  return exits;
}

/** Dispatches one statement to its lowering module. */
export function lowerStatement(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  switch (stmt.type) {
    case 'expression_statement':
      return lowerExpressionStatement(s, stmt, incoming, ctx);
    case 'pass_statement':
      return incoming;
    case 'return_statement':
      return lowerReturn(s, stmt, incoming, ctx);
    case 'raise_statement':
      return lowerRaise(s, stmt, incoming, ctx);
    case 'if_statement':
      return lowerIf(s, stmt, incoming, ctx);
    case 'while_statement':
      return lowerWhile(s, stmt, incoming, ctx);
    case 'try_statement':
      return lowerTry(s, stmt, incoming, ctx);
    case 'with_statement':
      return lowerWith(s, stmt, incoming, ctx).exits;
    case 'for_statement':
      s.sink.error('DSL.UnsupportedStatement', 'for loops are not supported: use map(data["items"], fn) to fan out, or while <condition>: to loop', stmt);
      return incoming;
    case 'function_definition':
    case 'class_definition':
    case 'decorated_definition':
      s.sink.error('DSL.UnsupportedStatement', 'nested definitions are not supported: define tasks and state machine functions at module level', stmt);
      return incoming;
    default: {
      const first = stmt.children[0]?.type;
      const what = first === 'async' ? '`async` statements are' : `\`${stmt.text.split('\n')[0].slice(0, 40)}\` is`;
      s.sink.error('DSL.UnsupportedStatement', `${what} not supported in a state machine; ${STATEMENT_HINT}`, stmt);
      return incoming;
    }
  }
}

function lowerExpressionStatement(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const expr = stmt.namedChildren[0];
  if (!expr) return incoming;
  if (stmt.namedChildren.length > 1) {
    s.sink.error('DSL.UnsupportedStatement', 'tuples of expressions are not statements; write one call per line', stmt);
    return incoming;
  }
  if (expr.type === 'assignment') return lowerAssignment(s, stmt, expr, incoming, ctx);
  if (expr.type === 'augmented_assignment') {
    s.sink.error('DSL.UnsupportedStatement', 'augmented assignment (+=, -=, …) is not supported: compute the value in a task, e.g. data["n"] = Increment(data)', stmt);
    return incoming;
  }
  if (expr.type !== 'call') {
    s.sink.error('DSL.UnsupportedStatement', `an expression on its own does nothing; ${STATEMENT_HINT}`, stmt);
    return incoming;
  }
  return lowerCall(s, stmt, expr, null, incoming, ctx);
}
