/**
 * Locates the two WebAssembly binaries the parser needs: the web-tree-sitter
 * runtime (`web-tree-sitter/tree-sitter.wasm`) and the Python grammar
 * (`tree-sitter-python/tree-sitter-python.wasm`).
 *
 * Under esbuild (serverless-esbuild with `loader: {'.wasm': 'binary'}`) the
 * dynamic imports below are bundled and yield `Uint8Array`s. Under tsx/vitest
 * Node cannot import `.wasm` files, so the import throws and we read the file
 * from node_modules via `createRequire().resolve`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface WasmAssets {
  /** The web-tree-sitter runtime module bytes. */
  runtime: Uint8Array;
  /** The tree-sitter-python grammar bytes. */
  python: Uint8Array;
}

async function importBinary(load: () => Promise<{ default: unknown }>, specifier: string): Promise<Uint8Array> {
  try {
    const mod = await load();
    if (mod.default instanceof Uint8Array) return mod.default;
  } catch {
    // not bundled: fall through to the file system
  }
  const require = createRequire(import.meta.url);
  return new Uint8Array(readFileSync(require.resolve(specifier)));
}

/** Loads both binaries (bundled bytes when available, else from node_modules). */
export async function loadWasmAssets(): Promise<WasmAssets> {
  const [runtime, python] = await Promise.all([
    // @ts-ignore -- a .wasm module only exists under esbuild's binary loader
    importBinary(() => import('web-tree-sitter/tree-sitter.wasm'), 'web-tree-sitter/tree-sitter.wasm'),
    // @ts-ignore -- a .wasm module only exists under esbuild's binary loader
    importBinary(() => import('tree-sitter-python/tree-sitter-python.wasm'), 'tree-sitter-python/tree-sitter-python.wasm'),
  ]);
  return { runtime, python };
}
