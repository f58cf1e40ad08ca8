import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { Exit } from '../../emit/StateGraph.ts';
import { errorNames } from '../errorNames.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';
import { guardedTask } from './retry.ts';

/** `try: <one task call> except ...:` → Catchers on the Task state, each handler's body on its Next (spec §14). */
export function lowerTry(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  for (const c of stmt.namedChildren) {
    if (c?.type === 'else_clause') s.sink.error('DSL.TryElse', 'try ... else is not supported: put the else body after the try statement', c);
    if (c?.type === 'finally_clause') s.sink.error('DSL.TryFinally', 'try ... finally is not supported: put the cleanup after the try statement and in each handler', c);
    if (c?.type === 'except_group_clause') s.sink.error('DSL.UnsupportedStatement', 'except* is not supported; use except', c);
  }
  const handlers = stmt.namedChildren.filter((c) => c?.type === 'except_clause') as Node[];
  const guarded = guardedTask(s, stmt.childForFieldName('body'), incoming, ctx, 'try');
  if (!guarded.task) return guarded.exits;
  const out = [...guarded.exits];
  const catchers: Array<Record<string, unknown>> = [];
  handlers.forEach((h, i) => {
    // except_clause children: [value] [as alias] block
    const block = h.namedChildren.find((c) => c?.type === 'block') ?? null;
    const exprs = h.namedChildren.filter((c) => c && c.type !== 'block' && c.type !== 'comment') as Node[];
    let errorEquals = ['States.ALL'];
    let resultPath = '$.error';
    let typeNode: Node | undefined = exprs[0];
    if (typeNode?.type === 'as_pattern') {
      const alias = typeNode.childForFieldName('alias');
      const aliasName = alias?.text.replace(/^as\s+/, '').trim();
      if (aliasName) {
        if (aliasName === '__trace') s.sink.error('DSL.ReservedKey', '__trace is reserved; choose another name', alias!);
        resultPath = `$['${aliasName}']`;
      }
      typeNode = typeNode.namedChildren[0] ?? undefined;
    } else if (exprs[1] && exprs[1].type === 'identifier') {
      resultPath = `$['${exprs[1].text}']`;
    }
    if (typeNode) {
      const names = errorNames(s, typeNode, false);
      if (names) errorEquals = names;
    }
    if (errorEquals.includes('States.ALL') && (errorEquals.length > 1 || i !== handlers.length - 1)) {
      s.sink.error('DSL.CatchAllOrder', 'a catch-all handler (bare except or States.ALL) must be the last handler and stand alone (ASL rule)', typeNode ?? h);
    }
    const catcher: Record<string, unknown> = { ErrorEquals: errorEquals, ResultPath: resultPath, Next: '' };
    catchers.push(catcher);
    const exits = block ? s.lowerBlock(block, [{ kind: 'catch', catcher }], ctx) : [{ kind: 'catch' as const, catcher }];
    out.push(...exits);
  });
  if (catchers.length) {
    // Catch goes before Retry, Next and End (the key order of the original's output)
    const task = guarded.task;
    const retry = task.Retry;
    delete task.Retry;
    const end = task.End;
    const next = task.Next;
    delete task.End;
    delete task.Next;
    task.Catch = catchers;
    if (retry) task.Retry = retry;
    if (next !== undefined) task.Next = next;
    if (end !== undefined) task.End = end;
  }
  return out;
}
