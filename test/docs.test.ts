/**
 * Every example of the language guide (docs/*.md) compiles: each fenced
 * ```python block that defines `def main` is compiled with @fluxio/compiler-api
 * and must have no errors. A block marked ```python title="error: DSL.Code"
 * shows something the compiler refuses: it must fail, with that code.
 * Blocks without `def main` (task code, fragments) are not compiled.
 * Blocks titled "run: …" are also run with `fluxio run` (real Python tasks)
 * and must give the output the page shows.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCompiler } from '@fluxio/compiler-api';
import { REPO_ROOT, runFluxio } from './helpers.ts';

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

/** What the pages show for each "run: …" example: its input and (part of) its output. */
const RUNS: Record<string, { input: unknown; output: Record<string, unknown> }> = {
  'run: a project': { input: { user: { name: 'sue' } }, output: { greeting: 'hello sue' } },
  'run: try/except': { input: { card: 'expired' }, output: { err: { Error: 'CardExpired', Cause: 'card 4242 expired' }, declined: true } },
  'run: map over a plain list': {
    input: { numbers: [1, 2, 3] },
    output: {
      doubled: [
        { context_index: 0, context_value: 1, doubled: 2 },
        { context_index: 1, context_value: 2, doubled: 4 },
        { context_index: 2, context_value: 3, doubled: 6 },
      ],
    },
  },
  'run: map over a put_items pointer': {
    input: {},
    output: {
      people: { key: 'people', items: [1, 1] },
      iterations: [
        { context_index: 0, context_value: 1, items_result_key: 'people', seen: { key: 'people', value: 1 } },
        { context_index: 1, context_value: 1, items_result_key: 'people', seen: { key: 'people', value: 1 } },
      ],
      greetings: ['hello sue (#0)', 'hello jae (#1)'],
    },
  },
};

describe('docs/ examples run as the pages show', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxio-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const runnable = examples.filter((e) => /title="run: /.test(e.info));

  it('every "run:" example has its expected output here', () => {
    expect(runnable.map((e) => /title="(run: [^"]+)"/.exec(e.info)![1]).sort()).toEqual(Object.keys(RUNS).sort());
  });

  it.each(runnable.map((e) => [/title="(run: [^"]+)"/.exec(e.info)![1], e] as const))('%s', async (title, example) => {
    const file = join(dir, `${title.replace(/\W+/g, '-')}.py`);
    writeFileSync(file, example.source);
    const r = await runFluxio(['run', file, '--input', JSON.stringify(RUNS[title].input), '--json', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { status: string; output: Record<string, unknown> };
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output).toMatchObject(RUNS[title].output);
  });
});
