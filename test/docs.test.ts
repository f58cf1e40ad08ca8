/**
 * Every example of the language guide (docs/*.md) compiles: each fenced
 * ```python block that defines `def main` is compiled with @fluxio/compiler-api
 * and must have no errors. A block marked ```python title="error: DSL.Code"
 * shows something the compiler refuses: it must fail, with that code.
 * Blocks without `def main` (task code, fragments) are not compiled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCompiler } from '@fluxio/compiler-api';
import { REPO_ROOT } from './helpers.ts';

interface Example {
  file: string;
  line: number;
  info: string;
  source: string;
}

/** The fenced ```python blocks of a Markdown text, with the line each starts on (1-based). */
export function pythonBlocks(file: string, text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})python\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].startsWith(indent + fence); j++) body.push(lines[j].slice(indent.length));
    out.push({ file, line: i + 1, info: info.trim(), source: body.join('\n') + '\n' });
    i = j;
  }
  return out;
}

const DOCS = join(REPO_ROOT, 'docs');
const files = readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();
const examples = files.flatMap((f) => pythonBlocks(`docs/${f}`, readFileSync(join(DOCS, f), 'utf8')));
const compiled = examples.filter((e) => /^\s*def main\s*\(/m.test(e.source));

describe('docs/ examples', () => {
  it('the guide has compiled examples in every page that shows code', () => {
    expect(compiled.length).toBeGreaterThanOrEqual(20);
    const pagesWithCode = new Set(examples.map((e) => e.file));
    const pagesCompiled = new Set(compiled.map((e) => e.file));
    expect([...pagesWithCode].filter((f) => !pagesCompiled.has(f))).toEqual([]);
  });

  it('pythonBlocks finds fenced blocks, their info string and their line', () => {
    const md = 'x\n```python title="error: DSL.A"\ndef main(data):\n    pass\n```\n\n  ```python\n  a = 1\n  ```\n';
    expect(pythonBlocks('t.md', md)).toEqual([
      { file: 't.md', line: 2, info: 'title="error: DSL.A"', source: 'def main(data):\n    pass\n' },
      { file: 't.md', line: 7, info: '', source: 'a = 1\n' },
    ]);
  });

  it.each(compiled.map((e) => [`${e.file}:${e.line}${e.info ? ` ${e.info}` : ''}`, e] as const))('%s', async (_name, example) => {
    const compiler = await loadCompiler();
    const result = compiler.compile(example.source, { project: 'docs', fileName: 'project.py' });
    const expected = /title="error(?::\s*([\w.]+))?"/.exec(example.info);
    if (!expected) {
      const errors = result.ok ? [] : result.errors.map((e) => `${example.file}:${example.line + e.line} ${e.code}: ${e.message}`);
      expect(errors).toEqual([]);
      return;
    }
    expect(result.ok, `${example.file}:${example.line} is marked title="error" but compiles`).toBe(false);
    if (!result.ok && expected[1]) expect(result.errors.map((e) => e.code)).toContain(expected[1]);
  });
});
