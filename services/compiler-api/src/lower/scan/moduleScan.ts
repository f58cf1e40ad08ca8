import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';

/** A module-level class or function definition with its decorators. */
export interface TopLevelDef {
  def: Node;
  decorators: Node[];
}

const WALKED = ['if_statement', 'try_statement', 'with_statement', 'block', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause'];

/** Module-level definitions in source order (spec §2.1), including those inside module-level if/try/with. */
export function topLevelDefinitions(root: Node): TopLevelDef[] {
  const out: TopLevelDef[] = [];
  const walk = (n: Node): void => {
    for (const child of n.namedChildren) {
      if (!child) continue;
      if (child.type === 'decorated_definition') {
        const def = child.childForFieldName('definition');
        if (def) out.push({ def, decorators: child.namedChildren.filter((c) => c?.type === 'decorator') as Node[] });
      } else if (child.type === 'class_definition' || child.type === 'function_definition') {
        out.push({ def: child, decorators: [] });
      } else if (WALKED.includes(child.type)) {
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

/** Names of the functions passed as the iterator of a `map(items, fn)` anywhere in the file (spec §7.4.4). */
export function mapIteratorNames(root: Node): Set<string> {
  const out = new Set<string>();
  for (const call of root.descendantsOfType('call')) {
    if (!call || call.childForFieldName('function')?.text !== 'map') continue;
    const a = call.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'keyword_argument' && c.type !== 'comment');
    if (a && a[1]?.type === 'identifier') out.add(a[1].text);
  }
  return out;
}

/** True for `async def`. */
export function isAsync(def: Node): boolean {
  return def.children[0]?.type === 'async';
}
