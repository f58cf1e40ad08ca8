/**
 * Long runs of comment lines: the parse is linear (parse/commentRuns.ts thins
 * them for tree-sitter) and the tree is exactly the tree of the unmodified
 * source, on generated files with comment runs at every indentation.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadPythonParser } from '../src/parse/loadParser.ts';
import { parseTree } from '../src/compileProject.ts';
import { LineIndex } from '../src/parse/source.ts';
import { scanTokens, type SourceLayout } from '../src/parse/syntaxErrors.ts';
import { mapOffsets, restoreComments, thinCommentRuns } from '../src/parse/commentRuns.ts';
import { sameTree, type SyntaxNode } from '../src/parse/syntaxTree.ts';
import { loadCompiler } from '../src/index.ts';

const root = join(import.meta.dirname, '../../..');
const examples = readdirSync(join(root, 'examples')).map((d) => readFileSync(join(root, 'examples', d, 'project.py'), 'utf8'));

function prng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function layoutOf(text: string): SourceLayout {
  const layout: SourceLayout = { comments: [], lines: [] };
  scanTokens(text, new LineIndex(text), undefined, layout);
  return layout;
}

/** Tree-sitter's tree of `parseText`, with node texts from `source` (no thinning). */
async function plainTree(parseText: string, source = parseText): Promise<SyntaxNode> {
  const p = await loadPythonParser();
  const tree = p.parser.parse(parseText)!;
  try {
    return p.readTree(tree, source);
  } finally {
    tree.delete();
  }
}

function firstDifference(a: SyntaxNode, b: SyntaxNode): string | undefined {
  const stack: Array<[SyntaxNode, SyntaxNode, string]> = [[a, b, 'root']];
  while (stack.length) {
    const [x, y, path] = stack.pop()!;
    for (const f of ['type', 'startIndex', 'endIndex', 'field', 'isNamed', 'isMissing', 'hasError'] as const) if (x[f] !== y[f]) return `${path}.${f}: ${String(x[f])} vs ${String(y[f])}`;
    if (x.children.length !== y.children.length) return `${path}: ${x.children.length} vs ${y.children.length} children`;
    for (let i = 0; i < x.children.length; i++) stack.push([x.children[i], y.children[i], `${path}/${x.children[i].type}[${i}]`]);
  }
  return undefined;
}

/** A comment run of `n` lines at random indentations (spaces and tabs), blank lines in between. */
function commentRun(rnd: () => number, n: number, around: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const indent = r < 0.5 ? ' '.repeat(around) : r < 0.7 ? ' '.repeat(Math.floor(rnd() * (around + 9))) : r < 0.8 ? '\t'.repeat(Math.floor(rnd() * 3)) : '';
    out += `${indent}# c${i}${rnd() < 0.1 ? ' é🙂 """ \'' : ''}\n`;
    if (rnd() < 0.1) out += rnd() < 0.5 ? '\n' : '   \n';
  }
  return out;
}

/** A random valid project with nested blocks and long comment runs everywhere. */
function generate(rnd: () => number): string {
  let out = 'class T(Task):\n    async def run(event, context):\n        return event\n\n';
  if (rnd() < 0.3) out = commentRun(rnd, 20, 0) + out;
  const block = (indent: number, depth: number): string => {
    let s = '';
    const pad = ' '.repeat(indent);
    const count = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < count; k++) {
      if (rnd() < 0.5) s += commentRun(rnd, Math.floor(rnd() * 40), indent);
      const r = rnd();
      if (depth < 4 && r < 0.35) {
        s += `${pad}if data["x"] == ${k}:  # trailing\n`;
        if (rnd() < 0.3) s += commentRun(rnd, 20, indent + 4);
        s += block(indent + 4, depth + 1);
        if (rnd() < 0.5) {
          if (rnd() < 0.5) s += commentRun(rnd, 20, indent);
          s += `${pad}else:\n` + block(indent + 4, depth + 1);
        }
      } else if (depth < 4 && r < 0.45) {
        s += `${pad}while data["x"] < 3:\n` + block(indent + 4, depth + 1);
      } else if (depth < 4 && r < 0.55) {
        s += `${pad}try:\n${pad}    T(data)\n` + (rnd() < 0.5 ? commentRun(rnd, 20, indent) : '') + `${pad}except ValueError:\n` + block(indent + 4, depth + 1);
      } else if (r < 0.65) {
        s += `${pad}data["s"] = """\n# not a comment\n# not one either\n"""\n`;
      } else if (r < 0.75) {
        s += `${pad}data["l"] = [\n${commentRun(rnd, 18, indent + 4)}${pad}    1,\n${pad}]\n`;
      } else {
        s += `${pad}T(data)\n`;
      }
    }
    return s;
  };
  for (let f = 0; f < 2; f++) {
    out += `def f${f}(data):\n` + block(4, 0);
    if (rnd() < 0.5) out += commentRun(rnd, 30, Math.floor(rnd() * 8));
    out += '\n';
  }
  return out;
}

test('thinned parses give exactly the tree of the unmodified source (examples, 150 generated files and 60 CRLF / unterminated / form-feed variants)', async () => {
  const p = await loadPythonParser();
  const rnd = prng(11);
  const generated = Array.from({ length: 150 }, () => generate(rnd));
  const sources = [
    ...examples,
    ...generated,
    ...generated.slice(0, 20).map((g) => g.replace(/\n/g, '\r\n')), // CRLF
    ...generated.slice(20, 40).map((g) => g.trimEnd()), // no final newline, a comment last
    ...generated.slice(40, 60).map((g) => g.replace(/\n\n/g, '\n \f\t \n')), // form feeds and tabs in blank lines
  ];
  let thinned = 0;
  for (const src of sources) {
    const layout = layoutOf(src);
    const thin = thinCommentRuns(src, layout);
    const plain = await plainTree(src);
    if (thin) {
      thinned++;
      // the fast path itself (parseTree would fall back to a plain parse when the restore fails)
      const restored = await plainTree(thin.text, src);
      mapOffsets(restored, thin, src.length);
      if (!restoreComments(restored, src, thin.stretches)) throw new Error(`restore refused the thinned tree of:\n${src}`);
      const diff = firstDifference(restored, plain);
      if (diff) throw new Error(`trees differ at ${diff} for:\n${src}`);
    }
    const fast = parseTree(p, src, layout);
    const diff = firstDifference(fast, plain);
    if (diff) throw new Error(`trees differ at ${diff} for:\n${src}`);
    expect(sameTree(fast, plain)).toBe(true);
  }
  expect(thinned).toBeGreaterThan(120); // the generator exercises the thinning
});

const commentLines = (n: number) =>
  'class T(Task):\n    async def run(event, context):\n        return event\n\ndef main(data):\n    T(data)\n' +
  Array.from({ length: n }, (_, i) => `    # comment ${i}\n`).join('') +
  '    T(data)\n';

test('tree-sitter sees at most a few comment lines of a long run (the work is linear)', () => {
  const src = commentLines(4000);
  const thin = thinCommentRuns(src, layoutOf(src))!;
  expect(thin.text.match(/#/g)!.length).toBe(2); // before: all 4,000, each re-read by every line end above it
  expect(thin.text.length).toBeLessThan(200);
});

test('a run that pops 98 blocks two comments at a time, then 900 KiB of comments, is parsed from a few KiB', () => {
  let src = 'def main(data):\n';
  for (let i = 1; i <= 98; i++) src += ' '.repeat(i * 2) + 'if data["x"] == 1:\n';
  src += ' '.repeat(99 * 2) + 'pass\n';
  for (let i = 99; i >= 1; i--) src += ' '.repeat(i * 2) + '#a\n\n' + ' '.repeat(i * 2) + '#b\n';
  while (src.length < 900_000) src += '#' + 'x'.repeat(60) + '\n\n  \n';
  src += 'def f(data):\n    pass\n';
  const thin = thinCommentRuns(src, layoutOf(src))!;
  // before: every one of the ~200 comment lines re-read the 900 KiB below it (26 s)
  expect(thin.text.length).toBeLessThan(60_000);
});

test('4,000 comment lines in a block compile in well under quadratic time of 500 (one run, generous ratio)', async () => {
  const compiler = await loadCompiler();
  const smallSource = commentLines(500);
  const bigSource = commentLines(4000);
  const once = (src: string) => {
    const t = performance.now();
    const r = compiler.compile(src);
    const ms = performance.now() - t;
    expect(r.ok).toBe(true);
    return ms;
  };
  // interleaved, best of 8 each: load on the machine hits both sizes alike
  let small = Infinity;
  let big = Infinity;
  for (let i = 0; i < 8; i++) {
    small = Math.min(small, once(smallSource));
    big = Math.min(big, once(bigSource));
  }
  // 8x the lines: linear ~8x, quadratic ~64x (before the fix: 112x).
  expect(big / Math.max(small, 0.5)).toBeLessThan(30);
});
