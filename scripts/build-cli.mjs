#!/usr/bin/env node
/**
 * `npm run build:cli` (also cli/package.json `prepack`, so `npm pack` in cli/
 * always packs a fresh build): bundles the `fluxio` command into cli/dist/, a
 * self-contained copy that runs wherever it is installed (`npm install -g
 * fluxio-0.1.0.tgz`, `npx --prefix DIR fluxio`), without this checkout.
 *
 * Why a bundle: the workspace packages (@fluxio/contracts, @fluxio/compiler-api,
 * @fluxio/local, @fluxio/state-data, @fluxio/deployer) are private and written
 * in TypeScript that runs through tsx; the engine is aws-local-stepfunctions
 * 3.0.0 *with patches/aws-local-stepfunctions+3.0.0.patch applied* (by
 * patch-package at `npm install` here — a user's install would get the
 * unpatched package). esbuild bundles all of it from this repository's
 * node_modules, so the patched engine, the AWS SDK, dynalite and the two wasm
 * binaries of the parser (embedded as bytes, scripts/esbuild-plugins.cjs) go
 * into the bundle, and the packed package has no dependency but the native ones.
 *
 * Output (gitignored, rebuilt on every pack; nothing is committed, and no
 * `prepare` script builds it on `npm ci`: in a checkout cli/bin/fluxio.mjs runs
 * the sources through tsx, so only packing needs the bundle, and a committed or
 * install-time copy could only go stale):
 *   cli/dist/fluxio.mjs          `main` of cli/src/main.ts (cli/bin/fluxio.mjs calls it)
 *   cli/dist/compileWorker.mjs   the compile worker thread of `fluxio serve` (compilePool.ts)
 *   cli/dist/*-<hash>.mjs        chunks: each command loads only what it uses
 *   cli/dist/python/fluxio_task  the Python task runtime (shared/python/fluxio_task)
 *
 * Native modules stay outside the bundle and are optionalDependencies of the
 * packed package (npm fetches or builds the binary for the user's platform;
 * optional, so a platform where that fails still gets `fluxio compile`):
 * better-sqlite3 (the local Step Functions/Lambda store) and classic-level
 * (dynalite's LevelDB, loaded as soon as dynalite is), both needed by
 * `fluxio run` and `fluxio serve`. They are loaded with `require` from the
 * chunk's directory, so NODE_PATH can point at another node_modules holding
 * them (cli/test/installed.test.ts uses this repository's).
 *
 * Repository-relative paths in the sources are rewritten for the bundle
 * (see RELOCATIONS); the build fails if one of them no longer matches.
 *
 * Usage: node scripts/build-cli.mjs [--outdir DIR] [--quiet]
 */
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const wasmPlugins = require('./esbuild-plugins.cjs');

const { values } = parseArgs({ options: { outdir: { type: 'string' }, quiet: { type: 'boolean' } }, strict: true });
const outdir = resolve(values.outdir ?? join(root, 'cli', 'dist'));
// progress on stderr: stdout stays clean for `npm pack --json` (prepack)
const log = (line) => values.quiet || console.error(line);

/** Native modules kept out of the bundle (see the header). */
const NATIVE_MODULES = ['better-sqlite3', 'classic-level'];

/**
 * Every HTTP route's handler module (shared/src/routes.ts ROUTES: paths
 * relative to the repository root). local/src/server/routeHandlers.ts imports
 * them by computed path at run time; in the bundle that becomes a static map.
 */
const { ROUTES } = await tsImport(pathToFileURL(join(root, 'shared/src/routes.ts')).href, import.meta.url);
const routeModules = [...new Set(ROUTES.map((r) => r.module))].sort();

/**
 * Source rewrites for the bundle: `file` (relative to the root), the exact
 * text and its replacement. Each must match at least once or the build fails
 * (the source changed: update the rule here).
 */
const RELOCATIONS = [
  {
    // Route handlers: a computed import of a repository path → a static import map.
    file: 'local/src/server/routeHandlers.ts',
    find: 'await import(pathToFileURL(resolve(REPO_ROOT, r.module)).href)',
    replace: 'await __fluxioRouteModule(r.module)',
    append:
      `\nconst __fluxioRouteModules: Record<string, () => Promise<unknown>> = {\n` +
      routeModules.map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(join(root, m))}),`).join('\n') +
      `\n};\nfunction __fluxioRouteModule(module: string): Promise<unknown> {\n` +
      `  const load = __fluxioRouteModules[module];\n` +
      `  if (!load) throw new Error(\`\${module} is not a route module of this fluxio build (rebuild the CLI: npm run build:cli)\`);\n` +
      `  return load();\n}\n`,
  },
  {
    // asl-validator through a createRequire of the source file: esbuild does not follow it, import it instead.
    file: 'local/src/stepfunctions/definitions.ts',
    find: "const aslValidator = require('asl-validator') as AslValidator;",
    replace: "import __fluxioAslValidator from 'asl-validator';\nconst aslValidator = __fluxioAslValidator as unknown as AslValidator;",
  },
  {
    // dynalite loads its actions by computed name: esbuild bundles the directory, but only under full file names.
    file: 'node_modules/dynalite/index.js',
    find: "require('./actions/' + action)",
    replace: "require('./actions/' + action + '.js')",
  },
  {
    file: 'node_modules/dynalite/index.js',
    find: "require('./validations/' + action)",
    replace: "require('./validations/' + action + '.js')",
  },
];
/** `'../../../shared/python'` (any depth) → `'./python'`: the runtime copied next to the chunks. */
const PYTHON_DIR_PATTERN = /(['"])(?:\.\.\/)+shared\/python/g;

const relocated = new Set();
/** @type {import('esbuild').Plugin} */
const relocate = {
  name: 'fluxio-relocate',
  setup(b) {
    const files = new Set(RELOCATIONS.map((r) => r.file));
    b.onLoad({ filter: /\.(ts|js)$/ }, async (args) => {
      const rel = relative(root, args.path).split('\\').join('/');
      const ours = args.path.endsWith('.ts') && !rel.startsWith('..') && !rel.includes('node_modules/');
      if (!ours && !files.has(rel)) return undefined;
      let text = await readFile(args.path, 'utf8');
      const original = text;
      for (const rule of RELOCATIONS.filter((r) => r.file === rel)) {
        if (!text.includes(rule.find)) throw new Error(`build-cli: ${rel} no longer contains ${JSON.stringify(rule.find)}; update RELOCATIONS in scripts/build-cli.mjs`);
        text = text.split(rule.find).join(rule.replace) + (rule.append ?? '');
        relocated.add(rel);
      }
      if (ours) text = text.replace(PYTHON_DIR_PATTERN, '$1./python');
      return text === original ? undefined : { contents: text, loader: ours ? 'ts' : 'js' };
    });
  },
};

/**
 * Native modules: `require`d at run time from the chunk's directory (the
 * package's node_modules, then NODE_PATH), with an error that says what to do.
 * @type {import('esbuild').Plugin}
 */
const native = {
  name: 'fluxio-native',
  setup(b) {
    const filter = new RegExp(`^(${NATIVE_MODULES.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'fluxio-native' ? { path: args.path, external: true } : { path: args.path, namespace: 'fluxio-native' },
    );
    b.onLoad({ filter: /.*/, namespace: 'fluxio-native' }, (args) => ({
      loader: 'js',
      resolveDir: root,
      contents:
        `try {\n  module.exports = require(${JSON.stringify(args.path)});\n} catch (err) {\n` +
        `  if (err && err.code !== 'MODULE_NOT_FOUND') throw err;\n` +
        `  throw Object.assign(new Error(${JSON.stringify(
          `this command needs the native module ${args.path}, which is not installed next to the fluxio CLI ` +
            `(an optional dependency of the fluxio package: its install may have failed on this platform). ` +
            `Reinstall the CLI where npm can download or build it (npm install -g fluxio-<version>.tgz), ` +
            `or set NODE_PATH to a node_modules directory that has it. \`fluxio compile\` works without it.`,
        )}), { code: 'FLUXIO_NATIVE_MODULE_MISSING', cause: err });\n}\n`,
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
const started = Date.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    fluxio: 'cli/src/main.ts',
    compileWorker: 'services/compiler-api/src/worker/compileWorkerMain.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // CommonJS dependencies (and the native shims) call `require`: give every chunk a real one.
  banner: { js: "import { createRequire as __fluxioCreateRequire } from 'node:module';\nconst require = __fluxioCreateRequire(import.meta.url);" },
  plugins: [relocate, native, ...wasmPlugins],
});
for (const rule of RELOCATIONS) {
  if (!relocated.has(rule.file)) throw new Error(`build-cli: ${rule.file} was not bundled; update RELOCATIONS in scripts/build-cli.mjs`);
}

// The engine must be the patched one: a line the patch adds must be in the output.
const patch = await readFile(join(root, 'patches/aws-local-stepfunctions+3.0.0.patch'), 'utf8');
const marker = /^\+(function fluxio\w+\(.*)$/m.exec(patch)?.[1];
if (!marker) throw new Error('build-cli: no `function fluxio...` line found in patches/aws-local-stepfunctions+3.0.0.patch to check the bundle against');
const outputs = Object.keys(result.metafile.outputs);
let patched = false;
for (const out of outputs) if ((await readFile(join(root, out), 'utf8')).includes(marker.trim())) patched = true;
if (!patched) throw new Error('build-cli: the bundled aws-local-stepfunctions is not patched (run `npm install` at the root: postinstall runs patch-package)');

// The Python task runtime, next to the chunks (they resolve ./python).
await mkdir(join(outdir, 'python'), { recursive: true });
await cp(join(root, 'shared/python/fluxio_task'), join(outdir, 'python/fluxio_task'), {
  recursive: true,
  filter: (src) => !/__pycache__|\.pyc$/.test(src),
});
// The web console's assets, prebuilt (the installed CLI has no esbuild to build them on the first request).
const { buildConsoleAssets } = await tsImport(pathToFileURL(join(root, 'console/src/serve.ts')).href, import.meta.url);
const consoleAssets = await buildConsoleAssets();
await mkdir(join(outdir, 'console'), { recursive: true });
await writeFile(join(outdir, 'console/app.js'), consoleAssets.js);
await writeFile(join(outdir, 'console/app.css'), consoleAssets.css);
await writeFile(join(outdir, 'README.md'), 'Build output of scripts/build-cli.mjs (npm run build:cli); do not edit.\n');

let bytes = 0;
for (const out of outputs) bytes += (await stat(join(root, out))).size;
log(`build-cli: ${outputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${relative(process.cwd(), outdir) || '.'} (${Date.now() - started} ms)`);
