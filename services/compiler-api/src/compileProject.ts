import type { CompileResult, Diagnostic } from '@fluxio/contracts/manifest';
import type { CompileOptions } from './index.ts';
import { DiagnosticSink, LineIndex } from './parse/source.ts';
import { reportSyntaxErrors, reportTokenErrors, type SourceLayout } from './parse/syntaxErrors.ts';
import { firstTooDeep, type SyntaxNode } from './parse/syntaxTree.ts';
import { mapOffsets, restoreComments, thinCommentRuns } from './parse/commentRuns.ts';
import { ProjectLowerer } from './lower/lowerProject.ts';
import type { PythonParser } from './parse/loadParser.ts';

/** Set env `LOG=compile` to trace compile phases on stderr. */
const TRACE = typeof process !== 'undefined' && /\bcompile\b/.test(process.env.LOG ?? '');

/**
 * Deepest syntax tree the compiler lowers (levels of tree-sitter nodes, the
 * module being level 1). The lowering walks expressions recursively; this
 * bound keeps it far from the JS stack limit whatever the input. It mirrors
 * CPython, whose compiler fails deeper expressions with `RecursionError:
 * maximum recursion depth exceeded during compilation` (default recursion
 * limit 1,000). Real projects stay under ~300 levels (99 nested blocks, the
 * indentation limit, take about 200).
 */
export const MAX_SYNTAX_DEPTH = 1000;

/**
 * Full pipeline for one file: tokenizer checks (nesting limits, before the
 * source reaches tree-sitter) → parse (tree-sitter) → syntax check → lower and
 * emit → manifest. Collects every diagnostic; an internal bug becomes a
 * `Compiler.Internal` diagnostic, never an exception, and resets the parser so
 * the next compile starts from a fresh wasm parser.
 */
export function compileWithParser(p: PythonParser, source: string, options: CompileOptions): CompileResult {
  const text = typeof source === 'string' ? source : '';
  const sink = new DiagnosticSink(new LineIndex(text));
  const topLevelDefs: Array<{ name: string; start: number }> = [];
  const layout: SourceLayout = { comments: [], lines: [] };
  const resets = p.resets;
  try {
    const t0 = TRACE ? performance.now() : 0;
    if (reportTokenErrors(sink, topLevelDefs, layout)) return { ok: false, errors: sink.errors };
    const root = parseTree(p, text, layout);
    if (TRACE) process.stderr.write(`[compile] parse and tree ${(performance.now() - t0).toFixed(2)} ms\n`);
    if (reportSyntaxErrors(root, sink, true)) return { ok: false, errors: sink.errors };
    const deep = firstTooDeep(root, MAX_SYNTAX_DEPTH);
    if (deep) {
      sink.error(
        'DSL.NestingTooDeep',
        `this expression is nested too deeply (more than ${MAX_SYNTAX_DEPTH} levels of syntax); split it into several statements, or compute the value in a task`,
        { start: deep.startIndex, end: Math.min(deep.endIndex, deep.startIndex + 1) },
      );
      return { ok: false, errors: sink.errors };
    }
    const manifest = new ProjectLowerer(text, sink).lower(root, options.project ?? 'project');
    if (TRACE) process.stderr.write(`[compile] total ${(performance.now() - t0).toFixed(2)} ms\n`);
    if (sink.errors.length) return { ok: false, errors: sortDiagnostics(sink.errors) };
    // Cross-check against the tokenizer: every `def NAME` at column 0 is a state machine. A tree
    // that lost one (a damaged parser) must never yield a manifest without it.
    const lost = topLevelDefs.find((d) => !manifest.stateMachines[d.name]);
    if (lost) {
      p.reset();
      throw new Error(`the parser lost the state machine function ${lost.name} (line ${sink.lines.position(lost.start).line})`);
    }
    manifest.diagnostics = sink.warnings;
    return { ok: true, manifest };
  } catch (err) {
    const e = err as Error;
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      // Guarded by MAX_SYNTAX_DEPTH and the tokenizer limits; kept as a structured answer all the same.
      return { ok: false, errors: [...sink.errors, diagnostic('DSL.NestingTooDeep', 'this project is nested too deeply to compile; split deep expressions and nested blocks into several statements or functions')] };
    }
    if (e instanceof WebAssembly.RuntimeError) p.markBroken();
    else if (p.resets === resets) p.reset();
    return { ok: false, errors: [...sink.errors, diagnostic('Compiler.Internal', `internal compiler error (please report): ${e?.message ?? String(err)}`)] };
  }
}

/**
 * Parses `text` (whose tokenizer layout is `layout`, see reportTokenErrors)
 * into plain JS nodes: long comment runs are thinned first and restored in
 * the tree (parse/commentRuns.ts: linear instead of quadratic), and the wasm
 * tree is freed. A parse failure resets the parser and throws.
 */
export function parseTree(p: PythonParser, text: string, layout: SourceLayout): SyntaxNode {
  const thin = thinCommentRuns(text, layout);
  if (thin) {
    const root = readOnce(p, thin.text, text);
    mapOffsets(root, thin, text.length);
    if (restoreComments(root, text, thin.stretches)) return root;
  }
  return readOnce(p, text, text);
}

/** One tree-sitter parse of `parseText`, read into nodes whose text comes from `source` (same length). */
function readOnce(p: PythonParser, parseText: string, source: string): SyntaxNode {
  let tree: ReturnType<PythonParser['parser']['parse']> = null;
  try {
    tree = p.parser.parse(parseText);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) p.markBroken();
    else p.reset();
    throw err;
  }
  if (!tree) {
    p.reset();
    throw new Error('parser returned no tree');
  }
  try {
    // One pass into plain JS nodes, then the wasm tree is freed (see parse/syntaxTree.ts).
    const root = p.readTree(tree, source);
    // After error recovery the external scanner's state (indent stack, string delimiters) can
    // outlive the parse: never let it reach the next source. A root that is not a module means
    // tree-sitter itself was overrun (seen with 520 nested blocks: an ERROR root, every later
    // parse an ERROR too, then `memory access out of bounds`): the next compile gets a new
    // wasm instance.
    if (root.type !== 'module') p.markBroken();
    else if (root.hasError) p.reset();
    return root;
  } finally {
    try {
      tree.delete();
    } catch {
      p.reset();
    }
  }
}

function diagnostic(code: string, message: string): Diagnostic {
  return { code, message, line: 1, column: 1, endLine: 1, endColumn: 2, severity: 'error' };
}

function sortDiagnostics<T extends { line: number; column: number }>(d: T[]): T[] {
  return [...d].sort((a, b) => a.line - b.line || a.column - b.column);
}
