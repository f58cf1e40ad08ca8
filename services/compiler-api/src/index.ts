/**
 * Public API of the Fluxio compiler: `project.py` → manifest (ASL per state
 * machine, tasks, triggers, source map). Everything else in `src/` is internal.
 *
 * @example
 * ```ts
 * import { compile, formatDiagnostics } from '@fluxio/compiler-api';
 * const result = await compile(source, { project: 'demo', fileName: 'project.py' });
 * if (!result.ok) console.error(formatDiagnostics(source, result.errors, 'project.py'));
 * ```
 */
import type { CompileResult, Diagnostic, ManifestStateMachine } from '@fluxio/contracts/manifest';
import { loadPythonParser } from './parse/loadParser.ts';
import { compileWithParser } from './compileProject.ts';

export { renderMermaid } from './emit/renderMermaid.ts';
export { formatDiagnostics } from './formatDiagnostics.ts';
export { compileSource, setCompileBackend, type CompileBackend } from './compileBackend.ts';
export { compileRequest, MAX_ERRORS_RETURNED } from './compileRequest.ts';
export type { CompileResult, Diagnostic, ManifestStateMachine };

/** Options of one compile. */
export interface CompileOptions {
  /** Project name recorded in the manifest. @default "project" */
  project?: string;
  /** File name used in messages only. @default "project.py" */
  fileName?: string;
}

/** A loaded compiler (wasm initialised). `compile` is synchronous and never throws. */
export interface Compiler {
  compile(source: string, options?: CompileOptions): CompileResult;
}

/**
 * Loads the tree-sitter runtime and Python grammar once per process (cached)
 * and returns a synchronous compiler. Works from node_modules (tsx/vitest) and
 * inside an esbuild bundle (`.wasm` binary loader). After a compile found the
 * wasm instance broken (see `PythonParser.markBroken`), the next call loads a
 * new instance: call it per compile rather than keeping the result.
 */
export function loadCompiler(): Promise<Compiler> {
  return loadPythonParser().then((parser) => ({
    compile: (source: string, options?: CompileOptions) => compileWithParser(parser, source, options ?? {}),
  }));
}

/**
 * Compiles one project file. Resolves to `{ok: true, manifest}` or
 * `{ok: false, errors}` (every error of the file, 1-based ranges, `endColumn`
 * exclusive). Never rejects for bad input.
 */
export async function compile(source: string, options?: CompileOptions): Promise<CompileResult> {
  const compiler = await loadCompiler();
  return compiler.compile(source, options);
}
