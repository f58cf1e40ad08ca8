import type { CompileResult } from '@fluxio/contracts/manifest';
import type { CompileOptions } from './index.ts';
import { DiagnosticSink, LineIndex } from './parse/source.ts';
import { reportSyntaxErrors } from './parse/syntaxErrors.ts';
import { ProjectLowerer } from './lower/lowerProject.ts';
import type { PythonParser } from './parse/loadParser.ts';

/** Set env `LOG=compile` to trace compile phases on stderr. */
const TRACE = typeof process !== 'undefined' && /\bcompile\b/.test(process.env.LOG ?? '');

/**
 * Full pipeline for one file: parse (tree-sitter) → syntax check → lower and
 * emit → manifest. Collects every diagnostic; an internal bug becomes a
 * `Compiler.Internal` diagnostic, never an exception.
 */
export function compileWithParser({ parser, readTree }: PythonParser, source: string, options: CompileOptions): CompileResult {
  const text = typeof source === 'string' ? source : '';
  const sink = new DiagnosticSink(new LineIndex(text));
  let tree: ReturnType<PythonParser['parser']['parse']> = null;
  try {
    const t0 = TRACE ? performance.now() : 0;
    tree = parser.parse(text);
    if (!tree) throw new Error('parser returned no tree');
    if (TRACE) process.stderr.write(`[compile] parse ${(performance.now() - t0).toFixed(2)} ms\n`);
    // One pass into plain JS nodes, then the wasm tree is freed (see parse/syntaxTree.ts).
    const root = readTree(tree, text);
    tree.delete();
    tree = null;
    if (TRACE) process.stderr.write(`[compile] tree ${(performance.now() - t0).toFixed(2)} ms\n`);
    if (reportSyntaxErrors(root, sink)) return { ok: false, errors: sink.errors };
    const manifest = new ProjectLowerer(text, sink).lower(root, options.project ?? 'project');
    if (TRACE) process.stderr.write(`[compile] total ${(performance.now() - t0).toFixed(2)} ms\n`);
    if (sink.errors.length) return { ok: false, errors: sortDiagnostics(sink.errors) };
    manifest.diagnostics = sink.warnings;
    return { ok: true, manifest };
  } catch (err) {
    const e = err as Error;
    return {
      ok: false,
      errors: [
        ...sink.errors,
        { code: 'Compiler.Internal', message: `internal compiler error (please report): ${e?.message ?? String(err)}`, line: 1, column: 1, endLine: 1, endColumn: 2, severity: 'error' },
      ],
    };
  } finally {
    tree?.delete();
  }
}

function sortDiagnostics<T extends { line: number; column: number }>(d: T[]): T[] {
  return [...d].sort((a, b) => a.line - b.line || a.column - b.column);
}
