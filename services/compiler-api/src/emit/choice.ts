import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import { decodeNumber, decodeString } from '../parse/literals.ts';
import { dataPath, looksLikeDataRef } from '../lower/dataPath.ts';

/** A reported problem inside a condition. */
export interface ConditionError {
  code: string;
  message: string;
  node: Node;
}

type Rule = Record<string, unknown>;
type ValueType = 'string' | 'numeric' | 'boolean' | 'timestamp';
type Operand =
  | { kind: 'ref'; path: string; cast?: ValueType }
  | { kind: 'literal'; value: string | number | boolean; type: ValueType };

const OPS: Record<string, string> = { '==': 'Equals', '<': 'LessThan', '<=': 'LessThanEquals', '>': 'GreaterThan', '>=': 'GreaterThanEquals' };
const TYPE_PREFIX: Record<ValueType, string> = { string: 'String', numeric: 'Numeric', boolean: 'Boolean', timestamp: 'Timestamp' };
const CASTS: Record<string, ValueType> = { str: 'string', int: 'numeric', float: 'numeric', bool: 'boolean', timestamp: 'timestamp' };
const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };
const ISINSTANCE: Record<string, string> = { str: 'IsString', int: 'IsNumeric', float: 'IsNumeric', bool: 'IsBoolean', datetime: 'IsTimestamp' };

const HINT =
  'write a comparison such as data["x"] == "a", data["n"] > 3, "k" in data, data["x"] is None, bool(data["f"]), isinstance(data["x"], str), fnmatch(data["s"], "log-*") or timestamp(data["t"]) < "2024-01-01T00:00:00Z" (see docs/choice.md)';

/**
 * Compiles a Python condition into an ASL Choice rule (DESIGN §5.6; spelling
 * table in docs/choice.md). Every produced rule, nested ones included, is an
 * object with a `Variable` and one comparison operator, or And/Or/Not.
 */
export function compileCondition(node: Node, errors: ConditionError[]): Rule | undefined {
  const fail = (code: string, message: string, at: Node = node): undefined => {
    errors.push({ code, message, node: at });
    return undefined;
  };
  switch (node.type) {
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
      return inner ? compileCondition(inner, errors) : fail('DSL.ChoiceCondition', `empty condition; ${HINT}`);
    }
    case 'boolean_operator': {
      const op = node.childForFieldName('operator')?.type === 'and' ? 'And' : 'Or';
      const parts: Rule[] = [];
      const collect = (n: Node): void => {
        if (n.type === 'boolean_operator' && (n.childForFieldName('operator')?.type === 'and' ? 'And' : 'Or') === op) {
          collect(n.childForFieldName('left')!);
          collect(n.childForFieldName('right')!);
        } else {
          const r = compileCondition(n, errors);
          if (r) parts.push(r);
        }
      };
      collect(node);
      return parts.length ? { [op]: parts } : undefined;
    }
    case 'not_operator': {
      const arg = node.childForFieldName('argument');
      if (!arg) return fail('DSL.ChoiceCondition', HINT);
      const inner = compileCondition(arg, errors);
      return inner ? { Not: inner } : undefined;
    }
    case 'call':
      return compileCallCondition(node, errors, fail);
    case 'comparison_operator':
      return compileComparison(node, errors, fail);
    case 'true':
    case 'false':
      return fail('DSL.ChoiceCondition', `a constant condition has no Choice rule; ${HINT}`);
    default:
      if (looksLikeDataRef(node)) {
        return fail('DSL.ChoiceCondition', `a bare data reference is not a condition; write bool(${node.text}) for a boolean, or "k" in data / ${node.text} is not None`);
      }
      return fail('DSL.ChoiceCondition', `unsupported condition \`${node.text.slice(0, 60)}\`; ${HINT}`);
  }
}

function args(node: Node): Node[] {
  const list = node.childForFieldName('arguments');
  return list ? (list.namedChildren.filter((c) => c && c.type !== 'comment') as Node[]) : [];
}

function compileCallCondition(node: Node, errors: ConditionError[], fail: (c: string, m: string, at?: Node) => undefined): Rule | undefined {
  const fn = node.childForFieldName('function')?.text ?? '';
  const a = args(node);
  const ref = (n: Node | undefined): string | undefined => {
    if (!n) return undefined;
    const p = dataPath(n);
    if (!p.ok) {
      errors.push({ code: 'DSL.InvalidDataReference', message: p.reason, node: p.node });
      return undefined;
    }
    return p.path;
  };
  if (fn === 'bool') {
    if (a.length !== 1) return fail('DSL.ChoiceCondition', 'bool() takes exactly one data reference, e.g. bool(data["flag"])');
    const p = ref(a[0]);
    return p ? { Variable: p, BooleanEquals: true } : undefined;
  }
  if (fn === 'isinstance') {
    if (a.length !== 2) return fail('DSL.ChoiceCondition', 'write isinstance(data["x"], str|int|float|bool|datetime)');
    const p = ref(a[0]);
    const op = ISINSTANCE[a[1].text];
    if (!op) {
      return fail(
        'DSL.ChoiceCondition',
        `Step Functions can test for str, int/float (numeric), bool and datetime (timestamp) only, not \`${a[1].text}\`; for null write data["x"] is None`,
        a[1],
      );
    }
    return p ? { Variable: p, [op]: true } : undefined;
  }
  if (fn === 'fnmatch') {
    if (a.length !== 2) return fail('DSL.ChoiceCondition', 'write fnmatch(data["s"], "pattern-*")');
    const p = ref(a[0]);
    const pattern = decodeString(a[1]);
    if (pattern === undefined) return fail('DSL.ChoiceCondition', 'the fnmatch pattern must be a string literal, e.g. "log-*"', a[1]);
    return p ? { Variable: p, StringMatches: pattern } : undefined;
  }
  if (fn in CASTS) return fail('DSL.ChoiceCondition', `${fn}(...) alone is not a condition; compare it, e.g. ${fn}(data["x"]) == ...`);
  return fail('DSL.ChoiceCondition', `\`${fn}()\` is not supported in conditions; allowed: bool, int, float, str, timestamp, isinstance, fnmatch`);
}

function operand(n: Node, errors: ConditionError[]): Operand | undefined | 'none' {
  if (n.type === 'none') return 'none';
  if (n.type === 'string' || n.type === 'concatenated_string') {
    const v = decodeString(n);
    if (v === undefined) {
      errors.push({ code: 'DSL.ChoiceCondition', message: 'f-strings and bytes cannot be compared; use a plain string literal', node: n });
      return undefined;
    }
    return { kind: 'literal', value: v, type: 'string' };
  }
  if (n.type === 'integer' || n.type === 'float' || n.type === 'unary_operator') {
    const inner = n.type === 'unary_operator' ? n.namedChildren[0] : n;
    const sign = n.type === 'unary_operator' ? n.children[0]?.type : '+';
    const v = inner ? decodeNumber(inner) : undefined;
    if (v === undefined || (sign !== '-' && sign !== '+')) {
      errors.push({ code: 'DSL.ChoiceCondition', message: 'only int and float literals can be compared numerically', node: n });
      return undefined;
    }
    return { kind: 'literal', value: sign === '-' ? -v : v, type: 'numeric' };
  }
  if (n.type === 'true' || n.type === 'false') return { kind: 'literal', value: n.type === 'true', type: 'boolean' };
  if (n.type === 'call') {
    const fn = n.childForFieldName('function')?.text ?? '';
    const cast = CASTS[fn];
    const a = args(n);
    if (!cast) {
      errors.push({ code: 'DSL.ChoiceCondition', message: `\`${fn}()\` cannot be compared; casts allowed: str, int, float, bool, timestamp`, node: n });
      return undefined;
    }
    if (a.length !== 1) {
      errors.push({ code: 'DSL.ChoiceCondition', message: `${fn}() takes exactly one data reference`, node: n });
      return undefined;
    }
    if (!looksLikeDataRef(a[0])) {
      const lit = operand(a[0], []);
      if (lit && lit !== 'none' && lit.kind === 'literal') return castLiteral(fn, cast, lit, n, errors);
    }
    const p = dataPath(a[0]);
    if (!p.ok) {
      errors.push({ code: 'DSL.InvalidDataReference', message: p.reason, node: p.node });
      return undefined;
    }
    return { kind: 'ref', path: p.path, cast };
  }
  const p = dataPath(n);
  if (!p.ok) {
    errors.push({ code: looksLikeDataRef(n) ? 'DSL.InvalidDataReference' : 'DSL.ChoiceCondition', message: `cannot compare \`${n.text.slice(0, 40)}\`: ${p.reason}`, node: n });
    return undefined;
  }
  return { kind: 'ref', path: p.path };
}

/**
 * A cast around a literal, `int(7)`, `str(5)`, `float("2.5")`: the original
 * read it as the literal (spec §9.3: the cast names the type, the value is
 * the literal itself); the value is converted as Python would (`int(7.9)` is
 * 7, `str(5)` is "5"), and a conversion Python refuses is reported.
 */
function castLiteral(
  fn: string,
  cast: ValueType,
  lit: { kind: 'literal'; value: string | number | boolean; type: ValueType },
  n: Node,
  errors: ConditionError[],
): Operand | undefined {
  const v = lit.value;
  const bad = (): undefined => {
    errors.push({ code: 'DSL.ChoiceCondition', message: `${n.text.slice(0, 40)} is not a value Python can compute; write the literal itself`, node: n });
    return undefined;
  };
  switch (cast) {
    case 'numeric': {
      let x: number;
      if (typeof v === 'number') x = v;
      else if (typeof v === 'boolean') x = v ? 1 : 0;
      else if (fn === 'int' ? /^\s*[-+]?\d+(_\d+)*\s*$/.test(v) : /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) x = Number(v.replace(/_/g, ''));
      else return bad();
      if (fn === 'int') x = Math.trunc(x);
      return { kind: 'literal', value: x, type: 'numeric' };
    }
    case 'string':
      return { kind: 'literal', value: typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v), type: 'string' };
    case 'boolean':
      return { kind: 'literal', value: typeof v === 'string' ? v !== '' : typeof v === 'number' ? v !== 0 : v, type: 'boolean' };
    case 'timestamp':
      return typeof v === 'string' ? { kind: 'literal', value: v, type: 'string' } : bad();
  }
}

function compileComparison(node: Node, errors: ConditionError[], fail: (c: string, m: string, at?: Node) => undefined): Rule | undefined {
  // children: operand, operator token(s), operand, ...
  const operands: Node[] = [];
  const operators: string[] = [];
  let pendingOp: string[] = [];
  for (const child of node.children) {
    if (!child) continue;
    if (child.isNamed && child.type !== 'comment') {
      if (operands.length) operators.push(pendingOp.join(' '));
      pendingOp = [];
      operands.push(child);
    } else if (!child.isNamed) pendingOp.push(child.type);
  }
  if (operands.length < 2 || operators.length !== operands.length - 1) return fail('DSL.ChoiceCondition', HINT);
  const rules: Rule[] = [];
  for (let i = 0; i < operators.length; i++) {
    const r = comparePair(operands[i], operators[i], operands[i + 1], errors, fail);
    if (!r) return undefined;
    rules.push(r);
  }
  return rules.length === 1 ? rules[0] : { And: rules };
}

function comparePair(
  leftNode: Node,
  op: string,
  rightNode: Node,
  errors: ConditionError[],
  fail: (c: string, m: string, at?: Node) => undefined,
): Rule | undefined {
  const span = leftNode;
  if (op === 'in' || op === 'not in') {
    const key = decodeString(leftNode);
    if (key === undefined) return fail('DSL.ChoiceCondition', 'write "key" in data or "key" in data["obj"] (a string literal on the left)', leftNode);
    const p = dataPath(rightNode);
    if (!p.ok) return fail('DSL.InvalidDataReference', p.reason, p.node);
    const child = key.includes("'") ? `${p.path}["${key}"]` : `${p.path}['${key}']`;
    return { Variable: child, IsPresent: op === 'in' };
  }
  if (op === 'is' || op === 'is not') {
    if (rightNode.type !== 'none') return fail('DSL.ChoiceCondition', '`is` only compares with None: data["x"] is None / is not None; use == for values', rightNode);
    const p = dataPath(leftNode);
    if (!p.ok) return fail('DSL.InvalidDataReference', p.reason, p.node);
    return { Variable: p.path, IsNull: op === 'is' };
  }
  if (!(op in FLIP)) return fail('DSL.ChoiceCondition', `operator \`${op}\` is not supported; ${HINT}`, span);
  let l = operand(leftNode, errors);
  let r = operand(rightNode, errors);
  if (l === undefined || r === undefined) return undefined;
  if (l === 'none' || r === 'none') return fail('DSL.ChoiceCondition', 'compare with None using `is None` / `is not None`', r === 'none' ? rightNode : leftNode);
  if (l.kind === 'literal' && r.kind === 'ref') {
    [l, r] = [r, l];
    op = FLIP[op];
  }
  if (l.kind === 'literal') return fail('DSL.ChoiceCondition', 'one side of a comparison must be a data reference, e.g. data["x"]', leftNode);
  let type: ValueType | undefined;
  let rule: Rule;
  const cmp = op === '!=' ? 'Equals' : OPS[op];
  if (r.kind === 'literal') {
    type = l.cast === 'timestamp' ? 'timestamp' : r.type;
    if (type === 'timestamp' && r.type !== 'string') return fail('DSL.ChoiceCondition', 'compare a timestamp with an ISO-8601 string, e.g. "2024-01-01T00:00:00Z"', rightNode);
    if (type === 'boolean' && cmp !== 'Equals') return fail('DSL.ChoiceCondition', 'booleans can only be compared with == or !=', rightNode);
    rule = { Variable: l.path, [`${TYPE_PREFIX[type]}${cmp}`]: r.value };
  } else {
    if (l.cast && r.cast && l.cast !== r.cast) return fail('DSL.ChoiceCondition', `value types must match: ${l.cast} vs ${r.cast}`, span);
    type = l.cast ?? r.cast;
    if (!type) {
      return fail(
        'DSL.ChoiceTypeUnknown',
        'comparing two data references needs a type: wrap one side in str(), int(), float(), bool() or timestamp(), e.g. int(data["a"]) < int(data["b"])',
        span,
      );
    }
    if (type === 'boolean' && cmp !== 'Equals') return fail('DSL.ChoiceCondition', 'booleans can only be compared with == or !=', span);
    rule = { Variable: l.path, [`${TYPE_PREFIX[type]}${cmp}Path`]: r.path };
  }
  return op === '!=' ? { Not: rule } : rule;
}
