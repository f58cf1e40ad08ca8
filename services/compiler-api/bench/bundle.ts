import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { build, type Plugin } from 'esbuild';

/** The esbuild plugins serverless.yml uses for the Lambda bundles (`.wasm` as ES modules). */
const plugins = createRequire(import.meta.url)('../../../scripts/esbuild-plugins.cjs') as Plugin[];

/**
 * Bundles the compiler's public API into one ESM file with esbuild, as
 * serverless-esbuild does with serverless.yml's `custom.esbuild` (`.wasm` as ES
 * modules via scripts/esbuild-plugins.cjs). Returns the file path.
 */
export async function bundleCompiler(outDir = mkdtempSync(join(tmpdir(), 'fluxio-compiler-bundle-'))): Promise<string> {
  const outfile = join(outDir, 'compiler.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '../src/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    loader: { '.wasm': 'binary' },
    plugins,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}
