/**
 * esbuild plugins used when serverless-esbuild bundles the Lambda handlers
 * (serverless.yml `custom.esbuild.plugins`) and by the cold-start benchmark.
 *
 * wasm-module: a `.wasm` import becomes an ES module whose default export is
 * the file's bytes (a Uint8Array). Why not esbuild's own `binary` loader: it
 * emits a CommonJS module, and a dynamic `import()` of a CommonJS module goes
 * through esbuild's `__toESM` interop, which copies the Uint8Array index by
 * index (hundreds of thousands of properties for the tree-sitter runtime and
 * Python grammar): measured at several seconds of Lambda cold start. An ES
 * module is imported as-is.
 */
'use strict';
const { readFile } = require('node:fs/promises');

/** @type {import('esbuild').Plugin} */
const wasmModule = {
  name: 'fluxio-wasm-module',
  setup(build) {
    build.onLoad({ filter: /\.wasm$/ }, async (args) => {
      const base64 = (await readFile(args.path)).toString('base64');
      return {
        loader: 'js',
        contents:
          `const bytes = Buffer.from(${JSON.stringify(base64)}, 'base64');\n` +
          'export default new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);\n',
      };
    });
  },
};

module.exports = [wasmModule];
