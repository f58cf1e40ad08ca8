import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { Exit } from '../../emit/StateGraph.ts';
import { decodeString } from '../../parse/literals.ts';
import { keywordArgs, positionalArgs } from '../arguments.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';

/** `return` → a Succeed state (spec §13). */
export function lowerReturn(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  ctx.graph.add(s.autoName('Succeed', stmt, ctx), { Type: 'Succeed' }, s.src(stmt, 'Succeed', ctx), incoming);
  return [];
}

/** `raise Name("cause")` / `raise Name` → a Fail state with Error `Name` (spec §13). */
export function lowerRaise(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const expr = stmt.namedChildren.find((c) => c && c.type !== 'comment');
  let error: string | undefined;
  let cause: string | undefined;
  if (expr?.type === 'identifier') {
    error = expr.text;
    cause = expr.text;
  } else if (expr?.type === 'call' && expr.childForFieldName('function')?.type === 'identifier') {
    error = expr.childForFieldName('function')!.text;
    const pos = positionalArgs(expr);
    if (pos.length === 0) cause = error;
    else {
      cause = decodeString(pos[0]);
      if (cause === undefined || pos.length > 1 || keywordArgs(expr).size) {
        s.sink.error('DSL.RaiseCause', `the cause must be one string literal: raise ${error}("what went wrong")`, pos[0]);
        return [];
      }
    }
  }
  if (!error) {
    s.sink.error('DSL.RaiseForm', 'write raise ErrorName("cause") or raise ErrorName (a bare error class name)', stmt);
    return [];
  }
  ctx.graph.add(s.autoName('Fail', stmt, ctx), { Type: 'Fail', Error: error, Cause: cause }, s.src(stmt, 'Fail', ctx), incoming);
  return [];
}
