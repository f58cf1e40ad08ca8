import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import { decodeNumber, decodeString } from '../parse/literals.ts';

/** Result of reading a `data[...]` reference. */
export type PathResult = { ok: true; path: string; keys: Array<string | number> } | { ok: false; node: Node; reason: string };

/**
 * Renders a data reference as a JSONPath (spec §15 with its suggested fix):
 * `data` → `$`, `data["a"][0]` → `$['a'][0]`; a key containing `'` uses double
 * quotes (`$["it's"]`). Only `data` followed by string/integer subscripts is a
 * reference; anything else is reported with a reason.
 */
export function dataPath(node: Node): PathResult {
  const keys: Array<string | number> = [];
  let cur: Node = node;
  while (cur.type === 'subscript') {
    const subs = cur.childrenForFieldName('subscript');
    const value = cur.childForFieldName('value');
    if (!value || subs.length !== 1 || !subs[0]) return { ok: false, node: cur, reason: 'use one key per subscript, e.g. data["a"]["b"]' };
    const sub = subs[0];
    let key: string | number | undefined;
    if (sub.type === 'string' || sub.type === 'concatenated_string') key = decodeString(sub);
    else if (sub.type === 'integer') key = decodeNumber(sub);
    if (key === undefined) return { ok: false, node: sub, reason: 'subscripts must be string or non-negative integer literals' };
    keys.unshift(key);
    cur = value;
  }
  if (cur.type === 'attribute' && cur.childForFieldName('object')?.text === 'data') {
    const attr = cur.childForFieldName('attribute')?.text ?? '';
    return { ok: false, node, reason: `write data["${attr}"] instead of data.${attr}` };
  }
  if (cur.type !== 'identifier' || cur.text !== 'data') return { ok: false, node, reason: 'a data reference starts with `data`, e.g. data["key"]' };
  let path = '$';
  for (const k of keys) {
    if (typeof k === 'number') path += `[${k}]`;
    else if (!k.includes("'")) path += `['${k}']`;
    else if (!k.includes('"')) path += `["${k}"]`;
    else return { ok: false, node, reason: 'a key cannot contain both quote characters' };
  }
  return { ok: true, path, keys };
}

/** True when the node is syntactically a `data` reference (`data`, `data[...]`…). */
export function looksLikeDataRef(node: Node): boolean {
  let cur: Node | null = node;
  while (cur && cur.type === 'subscript') cur = cur.childForFieldName('value');
  return !!cur && cur.type === 'identifier' && cur.text === 'data';
}
