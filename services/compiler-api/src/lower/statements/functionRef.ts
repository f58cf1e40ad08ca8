import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { FunctionCtx, FunctionDef, ProjectScope } from '../scope.ts';
import { didYouMean } from '../suggest.ts';

/** The state machine function named by `n` (the iterator of map(), a branch of parallel()), or reported. */
export function functionRef(s: ProjectScope, n: Node | undefined, what: string, ctx: FunctionCtx): FunctionDef | undefined {
  if (!n || n.type !== 'identifier') {
    s.sink.error('DSL.UnknownFunction', `${what} takes the name of a state machine function defined above`, n ?? (ctx.graph as never));
    return undefined;
  }
  const f = s.functions.get(n.text);
  if (!f) {
    const later = s.laterNames.get(n.text);
    if (later !== undefined && later > n.startIndex && n.text !== ctx.fn) s.sink.error('DSL.UsedBeforeDefinition', `${n.text} is defined later (line ${s.sink.lines.position(later).line}); move its definition above this function`, n);
    else s.sink.error('DSL.UnknownFunction', `${what}: \`${n.text}\` is not a state machine function defined above${didYouMean(n.text, [...s.functions.keys()].filter((f) => f !== ctx.fn))}`, n);
  }
  return f;
}
