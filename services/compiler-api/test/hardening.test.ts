/**
 * Issue 11, "one request takes the platform down": hostile sources get a
 * structured diagnostic (never `Compiler.Internal`, never an empty manifest)
 * and never affect the next compile in the same process.
 */
import { describe, expect, it } from 'vitest';
import { loadCompiler } from '../src/index.ts';
import { loadPythonParser } from '../src/parse/loadParser.ts';
import { MAX_SYNTAX_DEPTH, parseTree } from '../src/compileProject.ts';
import { MAX_STATES_PER_STATE_MACHINE } from '../src/lower/lowerProject.ts';

const TASK = 'class T(Task):\n    async def run(event, context):\n        return event\n\n';
const NORMAL = TASK + 'def main(data):\n    T(data)\n';

/** `levels` nested `if` blocks, each one space deeper (the reproduction). */
function ifChain(levels: number, step = 1): string {
  let s = 'def main(data):\n';
  for (let i = 1; i <= levels; i++) s += ' '.repeat(i * step) + 'if data["x"] == 1:\n';
  return s + ' '.repeat((levels + 1) * step) + 'data["y"] = 1\n';
}

async function compile(source: string) {
  return (await loadCompiler()).compile(source);
}

async function expectNextCompileWorks(): Promise<void> {
  const r = await compile(NORMAL);
  if (!r.ok) throw new Error(`the next compile failed: ${JSON.stringify(r.errors)}`);
  expect(Object.keys(r.manifest.stateMachines)).toEqual(['main']);
}

describe('nesting limits (CPython: 100 indentation levels, 200 brackets)', () => {
  it('520 nested blocks: IndentationError-like Syntax error on the line of the 100th level, and the next compile works', async () => {
    const r = await compile(ifChain(520));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    // line 1 is `def` (level 0); line k+1 opens level k: the 100th level is line 101, as CPython reports it
    expect(r.errors[0]).toMatchObject({ code: 'Syntax.TooManyIndentationLevels', line: 101, column: 1 });
    expect(r.errors[0].message).toContain('too many levels of indentation');
    await expectNextCompileWorks();
  });

  it('99 nested blocks compile (CPython accepts them), 100 do not', async () => {
    const ok = await compile(TASK + ifChain(98, 4).replace('data["y"] = 1', 'T(data)'));
    expect(ok.ok).toBe(true);
    const deeper = await compile(ifChain(99, 4));
    expect(deeper.ok).toBe(false);
    if (!deeper.ok) expect(deeper.errors[0]).toMatchObject({ code: 'Syntax.TooManyIndentationLevels', line: 101 });
  });

  it('5,000 nested parentheses: DSL.NestingTooDeep at the 201st bracket, not Compiler.Internal', async () => {
    const r = await compile('def main(data):\n    data["x"] = ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + '\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ code: 'DSL.NestingTooDeep', line: 2, column: '    data["x"] = '.length + 201 });
    expect(r.errors[0].message).toContain('too many nested parentheses');
    const at200 = await compile(TASK + 'def main(data):\n    data["x"] = ' + '['.repeat(200) + '1' + ']'.repeat(200) + '\n');
    expect(at200.ok).toBe(true);
    await expectNextCompileWorks();
  });

  const deepShapes: Record<string, string> = {
    'not not not …': 'def main(data):\n    if ' + 'not '.repeat(50_000) + 'data["x"]:\n        pass\n',
    'a long and chain': 'def main(data):\n    if data["x"] == 1' + ' and data["x"] == 1'.repeat(5000) + ':\n        pass\n',
    'unary minus': 'def main(data):\n    data["x"] = ' + '-'.repeat(100_000) + '1\n',
    'a + chain': 'def main(data):\n    data["x"] = 1' + '+1'.repeat(100_000) + '\n',
    'attribute chain': 'def main(data):\n    data["x"] = a' + '.b'.repeat(100_000) + '\n',
    'subscript chain': 'def main(data):\n    data' + '["a"]'.repeat(50_000) + ' = 1\n',
    'call chain': 'def main(data):\n    T' + '()'.repeat(50_000) + '\n',
    'conditional expressions': 'def main(data):\n    data["x"] = ' + '1 if 2 else '.repeat(30_000) + '3\n',
    lambdas: 'def main(data):\n    data["x"] = ' + 'lambda: '.repeat(30_000) + '3\n',
  };
  for (const [shape, body] of Object.entries(deepShapes)) {
    it(`deep syntax (${shape}): DSL.NestingTooDeep on its line, and the next compile works`, async () => {
      const r = await compile(TASK + body);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errors.map((e) => e.code)).toEqual(['DSL.NestingTooDeep']);
      expect(r.errors[0].line).toBe(6);
      expect(r.errors[0].message).toContain(`${MAX_SYNTAX_DEPTH} levels`);
      await expectNextCompileWorks();
    });
  }

  it('long but flat constructs stay accepted: 5,000 elif branches, 900 and-ed conditions, deep dict literals', async () => {
    const elifs = TASK + 'def main(data):\n    if data["x"] == 0:\n        T(data)\n' + Array.from({ length: 5000 }, (_, i) => `    elif data["x"] == ${i + 1}:\n        T(data)\n`).join('');
    expect((await compile(elifs)).ok).toBe(true);
    const ands = TASK + 'def main(data):\n    if data["x"] == 1' + ' and data["x"] == 1'.repeat(900) + ':\n        T(data)\n';
    expect((await compile(ands)).ok).toBe(true);
    const dict = TASK + 'def main(data):\n    data.update(' + '{"a": '.repeat(199) + '1' + '}'.repeat(199) + ')\n';
    expect((await compile(dict)).ok).toBe(true);
  });
});

describe('Map/Parallel copies are bounded', () => {
  it('a parallel(f, f) doubling chain fails with DSL.TooManyStates instead of building millions of states', async () => {
    const src = TASK + 'def f0(data):\n    T(data)\n' + Array.from({ length: 40 }, (_, i) => `def f${i + 1}(data):\n    parallel(f${i}, f${i})\n`).join('');
    const r = await compile(src);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0].code).toBe('DSL.TooManyStates');
    expect(r.errors[0].message).toContain(String(MAX_STATES_PER_STATE_MACHINE));
    await expectNextCompileWorks();
  });

  it('a chain of 3,000 functions each mapping the previous one is refused per call, not by running out of memory', async () => {
    const src = TASK + 'def f0(data):\n    T(data)\n' + Array.from({ length: 3000 }, (_, i) => `def f${i + 1}(data):\n    map(data["items"], f${i})\n`).join('');
    const r = await compile(src);
    expect(r.ok).toBe(false);
    // one Map per map() (issue 12): the copies grow linearly, so the nesting bound (100 levels) and the state bound refuse it
    if (!r.ok) expect(new Set(r.errors.map((e) => e.code))).toEqual(new Set(['DSL.NestingTooDeep', 'DSL.TooManyStates']));
  });
});

describe('a parser failure cannot reach the next compile', () => {
  it('a parse that throws answers Compiler.Internal, the parser is replaced and the next compile works', async () => {
    const p = await loadPythonParser();
    const before = p.resets;
    const broken = p.parser;
    broken.parse = () => {
      throw new Error('RuntimeError: memory access out of bounds');
    };
    const r = await compile(NORMAL);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'Compiler.Internal' });
    expect(p.resets).toBe(before + 1);
    expect(p.parser).not.toBe(broken);
    await expectNextCompileWorks();
  });

  it('a source that damages the tree-sitter parser (520 blocks, tokenizer check bypassed) does not damage the next parse', async () => {
    const p = await loadPythonParser();
    // Straight to tree-sitter: tree-sitter-python keeps at most 511 indentation levels in its
    // 1 KiB scanner state; this gave an ERROR root, and every later parse on that parser too.
    // depending on the wasm heap's history: an ERROR root, or a trap (`memory access out of bounds`)
    try {
      expect(parseTree(p, ifChain(520), { comments: [], lines: [] }).type).not.toBe('module');
    } catch (err) {
      expect(err).toBeInstanceOf(WebAssembly.RuntimeError);
    }
    expect(p.broken).toBe(true);
    await expectNextCompileWorks(); // on a new wasm instance
    expect(await loadPythonParser()).not.toBe(p);
  });

  it('a wasm trap during a parse retires the whole wasm instance', async () => {
    const p = await loadPythonParser();
    p.parser.parse = () => {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    };
    const r = await compile(NORMAL);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'Compiler.Internal' });
    expect(p.broken).toBe(true);
    await expectNextCompileWorks();
    expect(await loadPythonParser()).not.toBe(p);
  });

  it('a tree that lost `def main` never becomes a 200 with an empty manifest', async () => {
    const p = await loadPythonParser();
    const damaged = p.parser;
    const parse = damaged.parse.bind(damaged);
    damaged.parse = () => parse(''); // what a damaged parser did: an empty module
    const r = await compile(NORMAL);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0].code).toBe('Compiler.Internal');
      expect(r.errors[0].message).toContain('main');
    }
    expect(p.parser).not.toBe(damaged);
    await expectNextCompileWorks();
  });
});
