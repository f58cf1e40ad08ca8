import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import type { DiagnosticSink } from '../parse/source.ts';

/** The positional arguments of a call (keyword arguments and comments left out). */
export function positionalArgs(call: Node): Node[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c) => c && c.type !== 'keyword_argument' && c.type !== 'comment') as Node[];
}

/** The keyword arguments of a call, name → value node. */
export function keywordArgs(call: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const c of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (c?.type !== 'keyword_argument') continue;
    const k = c.childForFieldName('name')?.text;
    const v = c.childForFieldName('value');
    if (k && v) out.set(k, v);
  }
  return out;
}

/** The keyword arguments of a call; reports unknown options and `*args`/`**kwargs` to `sink`. */
export function checkOptions(sink: DiagnosticSink, call: Node, allowed: string[], what: string): Map<string, Node> {
  const kw = keywordArgs(call);
  for (const c of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (c?.type === 'keyword_argument') {
      const k = c.childForFieldName('name')?.text ?? '';
      if (!allowed.includes(k)) sink.error('DSL.InvalidOption', `unknown option ${k} for ${what}; options: ${allowed.join(', ') || '(none)'}`, c);
    } else if (c && (c.type === 'list_splat' || c.type === 'dictionary_splat')) {
      sink.error('DSL.InvalidOption', '*args and **kwargs are not supported; pass options by name', c);
    }
  }
  return kw;
}
