/**
 * Compile benchmark (prints JSON lines, never asserts).
 *   npm run bench:compile -- FILE [N]      one line for FILE, N timed compiles (default 200)
 *   npm run bench:compile -- --sizes [N]   one line per generated size (300 … 5,000 states)
 *   npm run bench:compile -- --phases FILE [N]   where the time goes (see {@link phases})
 *   npm run bench:compile -- --comments [N] [--unthinned-up-to L]   long comment runs (see {@link comments})
 * Fields: file, lines (lines of the file), states (all states incl. nested),
 * ms_per_compile (mean after warm-up), ms_parse (tree-sitter parse alone).
 */
import { readFileSync } from 'node:fs';
import { loadCompiler } from '../src/index.ts';
import { loadPythonParser } from '../src/parse/loadParser.ts';
import { DiagnosticSink, LineIndex } from '../src/parse/source.ts';
import { reportSyntaxErrors, reportTokenErrors, type SourceLayout } from '../src/parse/syntaxErrors.ts';
import { mapOffsets, restoreComments, thinCommentRuns } from '../src/parse/commentRuns.ts';
import { ProjectLowerer } from '../src/lower/lowerProject.ts';
import { generateProject } from './generate.ts';

function countStates(def: any): number {
  let n = 0;
  for (const s of Object.values<any>(def.States)) {
    n++;
    if (s.ItemProcessor) n += countStates(s.ItemProcessor);
    for (const b of s.Branches ?? []) n += countStates(b);
  }
  return n;
}

async function measure(file: string, source: string, runs: number): Promise<void> {
  const compiler = await loadCompiler();
  const { parser } = await loadPythonParser();
  const first = compiler.compile(source);
  if (!first.ok) throw new Error(`${file} does not compile: ${JSON.stringify(first.errors.slice(0, 3))}`);
  const states = Object.values(first.manifest.stateMachines).reduce((a, sm) => a + countStates(sm.definition), 0);
  for (let i = 0; i < Math.min(50, runs); i++) compiler.compile(source); // warm-up
  let t = performance.now();
  for (let i = 0; i < runs; i++) compiler.compile(source);
  const msPerCompile = (performance.now() - t) / runs;
  t = performance.now();
  for (let i = 0; i < runs; i++) parser.parse(source)?.delete();
  const msParse = (performance.now() - t) / runs;
  const lines = source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
  console.log(JSON.stringify({ file, lines, states, ms_per_compile: +msPerCompile.toFixed(3), ms_parse: +msParse.toFixed(3) }));
}

/**
 * Mean milliseconds per compile phase: `tokens` (tokenizer checks, nesting
 * limits, comment-run thinning), `parse` (tree-sitter, wasm), `read_tree` (wasm
 * tree → plain JS nodes, blanked comments restored), `free_tree`,
 * `syntax_check`, `lower` (lowering + emit to the manifest). One JSON line.
 */
async function phases(file: string, source: string, runs: number): Promise<void> {
  const { parser, readTree } = await loadPythonParser();
  const sum = { tokens: 0, parse: 0, read_tree: 0, free_tree: 0, syntax_check: 0, lower: 0 };
  for (let i = 0; i < runs + Math.min(50, runs); i++) {
    const t0 = performance.now();
    const sink = new DiagnosticSink(new LineIndex(source));
    const layout: SourceLayout = { comments: [], lines: [] };
    reportTokenErrors(sink, undefined, layout);
    const thin = thinCommentRuns(source, layout);
    const tA = performance.now();
    const tree = parser.parse(thin?.text ?? source)!;
    const t1 = performance.now();
    const root = readTree(tree, source);
    if (thin) {
      mapOffsets(root, thin, source.length);
      restoreComments(root, source, thin.stretches);
    }
    const t2 = performance.now();
    tree.delete();
    const t3 = performance.now();
    reportSyntaxErrors(root, sink, true);
    const t4 = performance.now();
    new ProjectLowerer(source, sink).lower(root, 'project');
    const t5 = performance.now();
    if (i < Math.min(50, runs)) continue; // warm-up
    sum.tokens += tA - t0;
    sum.parse += t1 - tA;
    sum.read_tree += t2 - t1;
    sum.free_tree += t3 - t2;
    sum.syntax_check += t4 - t3;
    sum.lower += t5 - t4;
  }
  const ms = Object.fromEntries(Object.entries(sum).map(([k, v]) => [`ms_${k}`, +(v / runs).toFixed(3)]));
  console.log(JSON.stringify({ file, ...ms }));
}

/** A block with `n` comment lines between two task calls (issue 11: quadratic before). */
export function commentBlock(n: number): string {
  return (
    'class T(Task):\n    async def run(event, context):\n        return event\n\ndef main(data):\n    T(data)\n' +
    Array.from({ length: n }, (_, i) => `    # comment ${i}\n`).join('') +
    '    T(data)\n'
  );
}

/**
 * One line per size of {@link commentBlock}: `ms_per_compile` (mean of N
 * compiles) and, up to `unthinnedUpTo` lines, `ms_parse_unthinned`: one
 * tree-sitter parse of the source as it is, which is what every compile cost
 * before the comment runs were thinned (16,000 lines: 164 s).
 */
async function comments(runs: number, unthinnedUpTo: number): Promise<void> {
  const compiler = await loadCompiler();
  const { parser } = await loadPythonParser();
  compiler.compile(commentBlock(100));
  for (const n of [500, 1000, 2000, 4000, 8000, 16000]) {
    const source = commentBlock(n);
    let t = performance.now();
    for (let i = 0; i < runs; i++) if (!compiler.compile(source).ok) throw new Error('does not compile');
    const msPerCompile = (performance.now() - t) / runs;
    let msUnthinned: number | null = null;
    if (n <= unthinnedUpTo) {
      t = performance.now();
      parser.parse(source)?.delete();
      msUnthinned = +(performance.now() - t).toFixed(1);
    }
    console.log(JSON.stringify({ file: `comments:${n}`, comment_lines: n, ms_per_compile: +msPerCompile.toFixed(2), ms_parse_unthinned: msUnthinned }));
  }
}

const args = process.argv.slice(2);
if (args[0] === '--phases' && args[1]) {
  await phases(args[1], readFileSync(args[1], 'utf8'), Number(args[2] ?? 100));
} else if (args[0] === '--comments') {
  const at = args.indexOf('--unthinned-up-to');
  await comments(Number(args[1] && !args[1].startsWith('--') ? args[1] : 5), at >= 0 ? Number(args[at + 1]) : 4000);
} else if (args[0] === '--sizes') {
  const runs = Number(args[1] ?? 30);
  for (const size of [300, 600, 1250, 2500, 5000]) await measure(`generated:${size}`, generateProject(size), runs);
} else if (args[0]) {
  await measure(args[0], readFileSync(args[0], 'utf8'), Number(args[1] ?? 200));
} else {
  console.error('usage: npm run bench:compile -- FILE [N] | --sizes [N] | --phases FILE [N] | --comments [N] [--unthinned-up-to LINES]');
  process.exit(2);
}
