import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import type { ProjectScope } from './scope.ts';

/**
 * The ErrorEquals of an `except` clause (a name or a tuple of names) or of
 * retry's `on_exceptions=[...]` (a list only when `listOnly`); reported and
 * undefined when a name is not a bare class name or `States.X`. Each name
 * means what it means in Python (exceptions/hierarchy.ts): a class catches
 * its subclasses, `Exception` every task error, `BaseException` everything
 * (`States.ALL`, alone: ASL requires it to stand alone in ErrorEquals).
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
  const expanded = new Set<string>();
  for (const name of out) for (const e of name.startsWith('States.') ? [name] : s.exceptions.errorEquals(name)) expanded.add(e);
  if (expanded.has('States.ALL') && out.some((name) => !name.startsWith('States.'))) return ['States.ALL']; // BaseException covers the rest
  return [...expanded];
}
