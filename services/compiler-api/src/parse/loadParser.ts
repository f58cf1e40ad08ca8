import type { Parser } from 'web-tree-sitter';
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
  /**
   * Marks the whole wasm instance as untrustworthy (a wasm trap such as
   * `memory access out of bounds`, or a tree that is not a module): the next
   * {@link loadPythonParser} builds a new runtime instance instead of reusing
   * this one. The parser is reset as well, for callers that keep using it.
   */
  markBroken(): void;
  readonly broken: boolean;
}

let cached: Promise<PythonParser> | undefined;
let current: PythonParser | undefined;
let instances = 0;

type WebTreeSitter = typeof import('web-tree-sitter');

/** Most web-tree-sitter instances one process creates (later breaks reuse the last one with a fresh Parser). */
const MAX_RUNTIME_INSTANCES = 8;

/**
 * The web-tree-sitter module. It keeps one wasm instance per module instance,
 * so after a broken instance a fresh copy of the module is imported (a file URL
 * with a query string: Node loads it as a new module). Inside a bundle (Lambda)
 * there is no file to import again: the bundled module (and its instance) is
 * reused, with a fresh Parser.
 */
async function importRuntime(instance: number): Promise<WebTreeSitter> {
  // Node never unloads a module, so each copy keeps its wasm memory: bounded to a few.
  if (instance > 1 && instance <= MAX_RUNTIME_INSTANCES) {
    try {
      const url = import.meta.resolve('web-tree-sitter');
      if (url.startsWith('file:')) return (lastRuntime = (await import(/* @vite-ignore */ `${url}?instance=${instance}`)) as WebTreeSitter);
    } catch {
      // bundled: fall back to the one module instance
    }
  }
  return (lastRuntime ??= await import('web-tree-sitter'));
}
let lastRuntime: WebTreeSitter | undefined;

/**
 * Initialises web-tree-sitter with the Python grammar once per process and
 * returns the shared parser (a new runtime instance once the previous one was
 * marked broken). Rejects only if the wasm binaries are missing.
 */
export function loadPythonParser(): Promise<PythonParser> {
  if (current?.broken) {
    cached = undefined;
    current = undefined;
  }
  cached ??= (async () => {
    const { Language, Parser } = await importRuntime(++instances);
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
    let broken = false;
    const reader = createTreeReader(host, language);
    const result: PythonParser = {
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
      markBroken() {
        broken = true;
        result.reset();
      },
      get broken() {
        return broken;
      },
    };
    current = result;
    return result;
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
