import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import type { ProjectScope } from './scope.ts';

/**
 * The ErrorEquals of an `except` clause (a name or a tuple of names) or of
 * retry's `on_exceptions=[...]` (a list only when `listOnly`); reported and
 * undefined when a name is not a bare class name or `States.X`.
 */
export function errorNames(s: ProjectScope, n: Node, listOnly: boolean): string[] | undefined {
  const elems = n.type === 'list' || (!listOnly && n.type === 'tuple') ? (n.namedChildren.filter((c) => c && c.type !== 'comment') as Node[]) : listOnly ? [] : [n];
  if (listOnly && n.type !== 'list') {
    s.sink.error('DSL.ErrorNames', 'on_exceptions must be a list of error names, e.g. [ValueError, States.Timeout]', n);
    return undefined;
  }
  const out: string[] = [];
  for (const e of elems) {
    if (e.type === 'identifier') out.push(e.text);
    else if (e.type === 'attribute' && e.childForFieldName('object')?.text === 'States' && e.childForFieldName('object')?.type === 'identifier') out.push(e.text.replace(/\s+/g, ''));
    else {
      s.sink.error('DSL.ErrorNames', 'error names are bare class names (ValueError) or States.X (States.Timeout)', e);
      return undefined;
    }
  }
  if (out.length === 0) {
    s.sink.error('DSL.ErrorNames', 'give at least one error name', n);
    return undefined;
  }
  return out;
}
