import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import type { Exit } from '../../emit/StateGraph.ts';
import { checkOptions, positionalArgs } from '../arguments.ts';
import { roomFor } from '../limits.ts';
import type { FunctionCtx, FunctionDef, ProjectScope } from '../scope.ts';
import { functionRef } from './functionRef.ts';

/** `parallel(f, g, ...)` → one Parallel state with a branch per function (spec §11). */
export function lowerParallel(s: ProjectScope, stmt: Node, call: Node, resultPath: string | null, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  checkOptions(s.sink, call, [], 'parallel()');
  const pos = positionalArgs(call);
  if (pos.length === 0) {
    s.sink.error('DSL.ParallelArguments', 'write parallel(branch_fn1, branch_fn2, ...) with at least one function', call);
    return incoming;
  }
  const fns = pos.map((p) => functionRef(s, p, 'parallel()', ctx));
  if (fns.some((f) => !f)) return incoming;
  if (!roomFor(s, fns as FunctionDef[], call, ctx)) return incoming;
  const name = s.autoName('Parallel', stmt, ctx);
  ctx.graph.used.add(name); // reserved while the branches are embedded
  const branches = fns.map((f) => {
    s.notFirstClass.add(f!.name);
    return ctx.graph.embed(f!.definition, f!.sources);
  });
  const state: AslState = { Type: 'Parallel', Branches: branches, ResultPath: resultPath, End: true };
  ctx.graph.used.delete(name);
  ctx.graph.add(name, state, s.src(stmt, 'Parallel', ctx), incoming);
  return [{ kind: 'next', state }];
}
