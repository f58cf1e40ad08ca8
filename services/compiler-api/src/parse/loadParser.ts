import { Language, Parser } from 'web-tree-sitter';
import { loadWasmAssets } from './wasmAssets.ts';
import { createTreeReader, type TreeReader, type WasmHeapHost } from './syntaxTree.ts';

/** The shared Python parser and the fastest verified tree reader for it. */
export interface PythonParser {
  parser: Parser;
  /** Converts a tree of `parser` into plain {@link SyntaxNode}s. */
  readTree: TreeReader;
  /** `memory` (direct wasm-memory reader) or `cursor` (public API fallback). */
  readerKind: 'memory' | 'cursor';
}

let cached: Promise<PythonParser> | undefined;

/**
 * Initialises web-tree-sitter with the Python grammar once per process and
 * returns the shared parser. Rejects only if the wasm binaries are missing.
 */
export function loadPythonParser(): Promise<PythonParser> {
  cached ??= (async () => {
    const assets = await loadWasmAssets();
    // Emscripten keeps this object as its `Module`: the heap views (HEAPU8…) appear on it.
    const host: WasmHeapHost & { wasmBinary: Uint8Array } = { wasmBinary: assets.runtime };
    await Parser.init(host as never);
    const language = await Language.load(assets.python);
    const parser = new Parser();
    parser.setLanguage(language);
    const reader = createTreeReader(host, language);
    return { parser, readTree: reader.read, readerKind: reader.kind };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
