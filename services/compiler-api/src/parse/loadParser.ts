import { Language, Parser } from 'web-tree-sitter';
import { loadWasmAssets } from './wasmAssets.ts';

let cached: Promise<Parser> | undefined;

/**
 * Initialises web-tree-sitter with the Python grammar once per process and
 * returns the shared parser. Rejects only if the wasm binaries are missing.
 */
export function loadPythonParser(): Promise<Parser> {
  cached ??= (async () => {
    const assets = await loadWasmAssets();
    await Parser.init({ wasmBinary: assets.runtime } as never);
    const language = await Language.load(assets.python);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
