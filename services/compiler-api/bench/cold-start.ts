/**
 * Cold start of the bundled compiler: bundles src/index.ts with esbuild
 * (wasm embedded), then starts fresh `node` processes that import the bundle,
 * load the wasm and compile one project. Prints one JSON line:
 * {"bundle_kb","runs","ms_import_and_init","ms_first_compile","ms_total"} (medians).
 * Usage: tsx services/compiler-api/bench/cold-start.ts [RUNS]
 */
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleCompiler } from './bundle.ts';

const runs = Number(process.argv[2] ?? 7);
const bundle = await bundleCompiler();
const probe = join(dirname(bundle), 'probe.mjs');
writeFileSync(
  probe,
  `const t0 = performance.now();
const m = await import('./compiler.mjs');
await m.loadCompiler();
const t1 = performance.now();
const r = await m.compile('class A(Task):\\n    pass\\n\\ndef main(data):\\n    data["x"] = A(data)\\n');
const t2 = performance.now();
if (!r.ok) process.exit(1);
console.log(JSON.stringify({ init: t1 - t0, compile: t2 - t1, total: t2 - t0 }));
`,
);
const samples = Array.from({ length: runs }, () => JSON.parse(execFileSync(process.execPath, [probe]).toString()));
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify({
    bundle_kb: Math.round(statSync(bundle).size / 1024),
    runs,
    ms_import_and_init: +median(samples.map((s) => s.init)).toFixed(1),
    ms_first_compile: +median(samples.map((s) => s.compile)).toFixed(1),
    ms_total: +median(samples.map((s) => s.total)).toFixed(1),
  }),
);
