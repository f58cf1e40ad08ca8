import { Language, Parser } from 'web-tree-sitter';
import { loadWasmAssets } from './wasmAssets.ts';
import { createTreeReader, type TreeReader, type WasmHeapHost } from './syntaxTree.ts';

/** The shared Python parser and the fastest verified tree reader for it. */
export interface PythonParser {
  /** The current parser (a fresh one after each {@link PythonParser.reset}). */
  readonly parser: Parser;
  /** Converts a tree of `parser` into plain {@link SyntaxNode}s. */
  readTree: TreeReader;
  /** `memory` (direct wasm-memory reader) or `cursor` (public API fallback). */
  readerKind: 'memory' | 'cursor';
  /**
   * Drops the current wasm `Parser` (its parse stack, lexer and external
   * scanner state) and creates a fresh one for the same language. Called after
   * any parse failure so one source cannot affect the next compile.
   */
  reset(): void;
  /** How many times {@link PythonParser.reset} ran (diagnostics and tests). */
  readonly resets: number;
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
    const fresh = (): Parser => {
      const p = new Parser();
      p.setLanguage(language);
      return p;
    };
    let parser = fresh();
    let resets = 0;
    const reader = createTreeReader(host, language);
    return {
      get parser() {
        return parser;
      },
      readTree: reader.read,
      readerKind: reader.kind,
      reset() {
        resets++;
        const old = parser;
        parser = fresh();
        try {
          old.delete();
        } catch {
          // a parser whose wasm state is broken may not free cleanly: leak it rather than fail
        }
      },
      get resets() {
        return resets;
      },
    };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
