/**
 * Definition size of Map-heavy state machines (issue 12: one Map per map()).
 * For map() chains nested 1..5 deep over a 3-task iterator, prints one JSON
 * line each: `{depth, states, bytes}` of `main`'s definition (Step Functions
 * caps a definition at 1 MiB). Run: `npx tsx services/compiler-api/bench/definition-size.bench.ts`.
 * Measured before the single-Map change (two Map copies per map()): depth 3
 * was 75 states / 23,370 bytes; after: 26 states / 5,952 bytes.
 */
import { loadCompiler } from '../src/index.ts';

const compiler = await loadCompiler();
for (let depth = 1; depth <= 5; depth++) {
  let src = 'class T(Task):\n    pass\n\ndef f0(data):\n    data["a"] = T(data, key="Score user")\n    data["b"] = T(data)\n    data["c"] = T(data)\n';
  for (let i = 1; i <= depth; i++) src += `\ndef f${i}(data):\n    data["r"] = map(data["xs"], f${i - 1})\n`;
  src += `\ndef main(data):\n    f${depth}(data)\n`.replace(`f${depth}(data)`, `data["r"] = map(data["xs"], f${depth - 1})`);
  const r = compiler.compile(src);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const sm = r.manifest.stateMachines.main;
  console.log(JSON.stringify({ bench: 'definition-size', depth, states: Object.keys(sm.states).length, bytes: JSON.stringify(sm.definition).length }));
}
