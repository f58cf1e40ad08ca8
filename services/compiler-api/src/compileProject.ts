import type { Parser } from 'web-tree-sitter';
import type { CompileResult, Diagnostic } from '@fluxio/contracts/manifest';
import type { CompileOptions } from './index.ts';

/** Temporary skeleton: replaced by the full pipeline. */
export function compileWithParser(parser: Parser, source: string, options: CompileOptions): CompileResult {
  try {
    const tree = parser.parse(source);
    if (!tree) throw new Error('parser returned no tree');
    try {
      if (tree.rootNode.hasError) {
        const d: Diagnostic = { code: 'Syntax.Invalid', message: 'invalid syntax', line: 1, column: 1, endLine: 1, endColumn: 2 };
        return { ok: false, errors: [d] };
      }
      return { ok: true, manifest: { project: options.project ?? 'project', stateMachines: {}, tasks: {}, diagnostics: [] } };
    } finally {
      tree.delete();
    }
  } catch (err) {
    return { ok: false, errors: [{ code: 'Compiler.Internal', message: `internal compiler error: ${(err as Error).message}`, line: 1, column: 1, endLine: 1, endColumn: 1 }] };
  }
}
