/**
 * The fast tree reader (reads tree-sitter's structures from wasm memory) must
 * give exactly the tree web-tree-sitter's public TreeCursor API gives: types,
 * spans, fields, named/missing/error flags and children, on every example, the
 * fixtures and thousands of mutated (mostly broken) files.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadPythonParser } from '../src/parse/loadParser.ts';
import { createTreeReader, cursorReader, sameTree, type SyntaxNode } from '../src/parse/syntaxTree.ts';
import { generateProject } from '../bench/generate.ts';

const root = join(import.meta.dirname, '../../..');
const seeds = [
  ...readdirSync(join(root, 'examples')).map((d) => readFileSync(join(root, 'examples', d, 'project.py'), 'utf8')),
  readFileSync(join(import.meta.dirname, 'fixtures/kitchen_sink.py'), 'utf8'),
  generateProject(120),
];

function firstDifference(a: SyntaxNode, b: SyntaxNode, path = 'root'): string | undefined {
  const fields = ['type', 'startIndex', 'endIndex', 'field', 'isNamed', 'isMissing', 'hasError'] as const;
  for (const f of fields) if (a[f] !== b[f]) return `${path}.${f}: ${String(a[f])} vs ${String(b[f])}`;
  if (a.children.length !== b.children.length) return `${path}: ${a.children.length} vs ${b.children.length} children`;
  for (let i = 0; i < a.children.length; i++) {
    const d = firstDifference(a.children[i], b.children[i], `${path}/${a.children[i].type}[${i}]`);
    if (d) return d;
  }
  return undefined;
}

/** Small seeded PRNG (LCG) so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

test('the memory reader is selected and agrees with the cursor API on examples, fixtures and 2,000 mutated files', async () => {
  const { parser, readTree, readerKind } = await loadPythonParser();
  expect(readerKind).toBe('memory');
  const rnd = prng(7);
  const sources = [...seeds, '', '\n\n# only a comment\n', 'x = "é🙂"\n'];
  for (let i = 0; i < 2000; i++) {
    const lines = seeds[Math.floor(rnd() * seeds.length)].split('\n');
    for (let m = 0; m < 1 + Math.floor(rnd() * 3); m++) {
      const j = Math.floor(rnd() * lines.length);
      const line = lines[j] ?? '';
      const p = Math.floor(rnd() * (line.length + 1));
      switch (Math.floor(rnd() * 4)) {
        case 0:
          lines.splice(j, 1);
          break;
        case 1:
          lines.splice(j, 0, lines[Math.floor(rnd() * lines.length)] ?? '');
          break;
        case 2:
          lines[j] = line.slice(0, p) + line.slice(p + 1 + Math.floor(rnd() * 4));
          break;
        default:
          lines[j] = line.slice(0, p) + '()[]{}:,"\'=#\\\té.'[Math.floor(rnd() * 16)] + line.slice(p);
      }
    }
    sources.push(lines.join('\n'));
  }
  let broken = 0;
  for (const src of sources) {
    const tree = parser.parse(src)!;
    try {
      const fast = readTree(tree, src);
      const slow = cursorReader(tree, src);
      if (slow.hasError) broken++;
      const diff = sameTree(fast, slow) ? undefined : firstDifference(fast, slow);
      expect(diff, `tree differs for:\n${src}`).toBeUndefined();
    } finally {
      tree.delete();
    }
  }
  expect(broken).toBeGreaterThan(500); // the mutations really exercise ERROR/MISSING nodes
});

test('SyntaxNode gives text, fields and parents like the web-tree-sitter Node API', async () => {
  const { parser, readTree } = await loadPythonParser();
  const src = 'def main(data):\n    data["x"] = C(data, key="k")\n';
  const tree = parser.parse(src)!;
  const rootNode = readTree(tree, src);
  tree.delete();
  const def = rootNode.namedChildren[0];
  expect(def.type).toBe('function_definition');
  expect(def.childForFieldName('name')?.text).toBe('main');
  const call = rootNode.descendantsOfType('call')[0];
  expect(call.childForFieldName('function')?.text).toBe('C');
  expect(call.childForFieldName('arguments')?.namedChildren.map((c) => c.type)).toEqual(['identifier', 'keyword_argument']);
  expect(call.parent?.type).toBe('assignment');
  expect(call.parent?.childForFieldName('left')?.text).toBe('data["x"]');
});

test('without access to the wasm heap the reader falls back to the public cursor API (same tree)', async () => {
  const { parser, readTree } = await loadPythonParser();
  const fallback = createTreeReader({}, parser.language!);
  expect(fallback.kind).toBe('cursor');
  const src = seeds[0];
  const tree = parser.parse(src)!;
  try {
    expect(sameTree(fallback.read(tree, src), readTree(tree, src))).toBe(true);
  } finally {
    tree.delete();
  }
});
