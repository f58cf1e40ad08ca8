/**
 * Cold start of the compile Lambda handler (issue 2 "Speed": must stay under
 * 150 ms): bundle `src/handlers/compile.ts` with esbuild using serverless.yml's
 * `custom.esbuild` options and plugins (as `npm run package` does), then, N times, start a
 * fresh `node` process that imports the bundle and serves one
 * `POST /v1/compile` request. Prints one JSON line (medians, milliseconds):
 *
 * - `ms_import`: module evaluation (wasm bytes decoded, compiler loading starts)
 * - `ms_first_request`: the first request, including the rest of wasm init
 * - `ms_cold_start`: import + first request (the figure held to `target_ms`)
 * - `ms_process`: from process start (Node's own boot included) to the response
 *
 * Usage: `npm run bench:cold-start -- [RUNS] [--no-source-maps] [--lambda]`
 * (default 7 runs, with `--enable-source-maps` as serverless.yml sets it for Lambda).
 * `--lambda` runs each process with Lambda's own variables (`AWS_LAMBDA_FUNCTION_NAME`,
 * `AWS_EXECUTION_ENV`) plus the provider's and the compile function's `environment`
 * from serverless.yml, so the Powertools middlewares load as they do on Lambda.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { build, type Loader, type Plugin } from 'esbuild';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const TARGET_MS = 150;

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 7);
const sourceMaps = !args.includes('--no-source-maps');
const lambdaMode = args.includes('--lambda');

interface EsbuildConfig {
  format?: 'esm' | 'cjs';
  platform?: 'node';
  target?: string;
  minify?: boolean;
  sourcemap?: boolean;
  sourcesContent?: boolean;
  loader?: Record<string, Loader>;
  banner?: { js?: string };
  /** Path (from the repository root) of a CommonJS file exporting esbuild plugins. */
  plugins?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

async function main() {
  const sls = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'error' }) as {
    custom: { esbuild: EsbuildConfig };
    provider: { environment?: Record<string, unknown> };
    functions: { compile: { environment?: Record<string, unknown> } };
  };
  /** Plain string values only: CloudFormation references have no value here. */
  const plain = (vars: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(vars).filter(([, v]) => typeof v === 'string' && !v.includes('${'))) as Record<string, string>;
  const childEnv = lambdaMode
    ? {
        ...process.env,
        ...plain(sls.provider.environment),
        ...plain(sls.functions.compile.environment),
        AWS_LAMBDA_FUNCTION_NAME: 'fluxio-bench-compile',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_REGION: 'us-east-1',
      }
    : process.env;
  const cfg = sls.custom.esbuild;
  const work = mkdtempSync(join(tmpdir(), 'fluxio-cold-start-'));
  try {
    const bundle = join(work, 'compile.mjs');
    await build({
      entryPoints: [join(root, 'services/compiler-api/src/handlers/compile.ts')],
      outfile: bundle,
      bundle: true,
      format: cfg.format ?? 'esm',
      platform: cfg.platform ?? 'node',
      // Lambda runs node22; this machine runs node20: target what runs the bench.
      target: `node${process.versions.node.split('.')[0]}`,
      minify: cfg.minify ?? false,
      sourcemap: cfg.sourcemap ?? false,
      sourcesContent: cfg.sourcesContent,
      loader: cfg.loader,
      banner: cfg.banner,
      plugins: cfg.plugins ? (createRequire(import.meta.url)(join(root, cfg.plugins)) as Plugin[]) : [],
      logLevel: 'error',
    });
    const source = readFileSync(join(root, 'examples/looping-counter/project.py'), 'utf8');
    const event = {
      version: '2.0',
      routeKey: 'POST /v1/compile',
      rawPath: '/v1/compile',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST', path: '/v1/compile' } },
      body: JSON.stringify({ source, project: 'bench' }),
      isBase64Encoded: false,
    };
    const script = join(work, 'invoke.mjs');
    writeFileSync(
      script,
      `const t0 = performance.now();
const { handler } = await import(${JSON.stringify(bundle)});
const t1 = performance.now();
const res = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 29000 });
const t2 = performance.now();
if (res.statusCode !== 200) throw new Error('compile failed: ' + res.body);
process.stdout.write('\\n' + JSON.stringify({ import: t1 - t0, request: t2 - t1, process: t2 }));`,
    );
    const samples: Array<{ import: number; request: number; process: number }> = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), script], { cwd: work, env: childEnv });
      // On Lambda the metrics middleware prints EMF lines too: the sample is the last line.
      samples.push(JSON.parse(stdout.trim().split('\n').pop()!));
    }
    const cold = samples.map((s) => s.import + s.request);
    console.log(
      JSON.stringify({
        bench: 'compile-handler-cold-start',
        node: process.versions.node,
        runs,
        source_maps: sourceMaps,
        lambda_env: lambdaMode,
        bundle_bytes: statSync(bundle).size,
        ms_import: round(median(samples.map((s) => s.import))),
        ms_first_request: round(median(samples.map((s) => s.request))),
        ms_cold_start: round(median(cold)),
        ms_cold_start_min: round(Math.min(...cold)),
        ms_process: round(median(samples.map((s) => s.process))),
        target_ms: TARGET_MS,
        within_target: median(cold) < TARGET_MS,
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
