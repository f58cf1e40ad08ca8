/**
 * Compile benchmark (prints JSON lines, never asserts).
 *   npm run bench:compile -- FILE [N]      one line for FILE, N timed compiles (default 200)
 *   npm run bench:compile -- --sizes [N]   one line per generated size (300 … 5,000 states)
 * Fields: file, lines, states (all states incl. nested), ms_per_compile
 * (mean after warm-up), ms_parse (tree-sitter parse alone).
 */
import { readFileSync } from 'node:fs';
import { loadCompiler } from '../src/index.ts';
import { loadPythonParser } from '../src/parse/loadParser.ts';
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
  const lines = source.split('\n').length;
  console.log(JSON.stringify({ file, lines, states, ms_per_compile: +msPerCompile.toFixed(3), ms_parse: +msParse.toFixed(3) }));
}

const args = process.argv.slice(2);
if (args[0] === '--sizes') {
  const runs = Number(args[1] ?? 30);
  for (const size of [300, 600, 1250, 2500, 5000]) await measure(`generated:${size}`, generateProject(size), runs);
} else if (args[0]) {
  await measure(args[0], readFileSync(args[0], 'utf8'), Number(args[1] ?? 200));
} else {
  console.error('usage: npm run bench:compile -- FILE [N] | --sizes [N]');
  process.exit(2);
}
