import type { SyntaxNode as Node } from './syntaxTree.ts';

/** Outcome of evaluating a literal expression. */
export type LiteralResult = { ok: true; value: unknown } | { ok: false; node: Node; reason: string };

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '',
};

/**
 * Decodes one Python string literal node (prefixes r/b/u/f, single or triple
 * quotes, escapes, implicit concatenation). f-strings with `{}` fields and
 * bytes literals are not JSON values: they give `undefined`.
 */
export function decodeString(node: Node): string | undefined {
  if (node.type === 'concatenated_string') {
    let out = '';
    for (const part of node.namedChildren) {
      if (!part) return undefined;
      const v = decodeString(part);
      if (v === undefined) return undefined;
      out += v;
    }
    return out;
  }
  if (node.type !== 'string') return undefined;
  const text = node.text;
  const m = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(text);
  if (!m) return undefined;
  const prefix = m[1].toLowerCase();
  if (prefix.includes('b')) return undefined;
  if (prefix.includes('f') && node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  const q = m[2];
  const body = text.slice(m[0].length, text.length - q.length);
  if (prefix.includes('r')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|[\s\S])/g, (all, esc: string) => {
    const c = esc[0];
    if (c === 'x' || c === 'u' || c === 'U') return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/[0-7]/.test(c) && esc !== '0') return String.fromCodePoint(parseInt(esc, 8));
    if (c === 'N') return all;
    return SIMPLE_ESCAPES[esc] ?? all;
  });
}

/** Parses a Python int/float literal (hex/octal/binary/underscores) to a JS number. */
export function decodeNumber(node: Node): number | undefined {
  const t = node.text.replace(/_/g, '');
  if (node.type === 'integer') {
    if (/[jJ]$/.test(t)) return undefined;
    const lower = t.toLowerCase();
    if (lower.startsWith('0x')) return parseInt(lower.slice(2), 16);
    if (lower.startsWith('0o')) return parseInt(lower.slice(2), 8);
    if (lower.startsWith('0b')) return parseInt(lower.slice(2), 2);
    return Number(t);
  }
  if (node.type === 'float') {
    if (/[jJ]$/.test(t)) return undefined;
    const v = Number(t);
    return Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

/**
 * Evaluates a JSON-compatible Python literal (`ast.literal_eval` subset that
 * maps to JSON): str, int, float, True/False/None, lists, tuples (→ arrays)
 * and dicts with str/int/bool keys (→ string keys, spec §8). Anything else
 * (names, calls, data references, sets, bytes, `**spread`) is reported.
 */
export function evalLiteral(node: Node): LiteralResult {
  switch (node.type) {
    case 'string':
    case 'concatenated_string': {
      const v = decodeString(node);
      return v === undefined ? { ok: false, node, reason: 'f-strings and bytes are not JSON values' } : { ok: true, value: v };
    }
    case 'integer':
    case 'float': {
      const v = decodeNumber(node);
      return v === undefined ? { ok: false, node, reason: 'complex or infinite numbers are not JSON values' } : { ok: true, value: v };
    }
    case 'true':
      return { ok: true, value: true };
    case 'false':
      return { ok: true, value: false };
    case 'none':
      return { ok: true, value: null };
    case 'unary_operator': {
      const operand = node.namedChildren[0];
      const op = node.children[0]?.type;
      if (operand && (operand.type === 'integer' || operand.type === 'float') && (op === '-' || op === '+')) {
        const v = decodeNumber(operand);
        if (v !== undefined) return { ok: true, value: op === '-' ? -v : v };
      }
      return { ok: false, node, reason: 'only a sign in front of a number is a literal' };
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
      return inner ? evalLiteral(inner) : { ok: false, node, reason: 'empty parentheses' };
    }
    case 'list':
    case 'tuple': {
      const out: unknown[] = [];
      for (const child of node.namedChildren) {
        if (!child || child.type === 'comment') continue;
        const r = evalLiteral(child);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    case 'dictionary': {
      const out: Record<string, unknown> = {};
      for (const pair of node.namedChildren) {
        if (!pair || pair.type === 'comment') continue;
        if (pair.type !== 'pair') return { ok: false, node: pair, reason: '`**` spreads and comprehensions are not literals' };
        const k = pair.childForFieldName('key');
        const v = pair.childForFieldName('value');
        if (!k || !v) return { ok: false, node: pair, reason: 'incomplete dict entry' };
        const kr = evalLiteral(k);
        if (!kr.ok) return kr;
        if (kr.value !== null && typeof kr.value === 'object') return { ok: false, node: k, reason: 'dict keys must be strings or numbers' };
        const vr = evalLiteral(v);
        if (!vr.ok) return vr;
        out[String(kr.value === true ? 'true' : kr.value === false ? 'false' : kr.value)] = vr.value;
      }
      return { ok: true, value: out };
    }
    default:
      return { ok: false, node, reason: `\`${node.text.slice(0, 40)}\` is not a literal` };
  }
}
