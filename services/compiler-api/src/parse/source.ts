import type { SyntaxNode as Node } from './syntaxTree.ts';
import type { Diagnostic } from '@fluxio/contracts/manifest';

/** A half-open source range in UTF-16 offsets. */
export interface Span {
  start: number;
  end: number;
}

/** Maps UTF-16 offsets to 1-based line/column pairs (column counts UTF-16 units). */
export class LineIndex {
  readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }
  /** 1-based line and column of an offset (clamped to the text). */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }
  /** Offset of a 1-based line's first character. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))];
  }
}

/** Collects diagnostics for one file; never throws. */
export class DiagnosticSink {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  constructor(readonly lines: LineIndex) {}

  /** Records an error over `span` (a tree-sitter node or offsets). */
  error(code: string, message: string, span: Node | Span): void {
    this.errors.push(this.make(code, message, span, 'error'));
  }
  warn(code: string, message: string, span: Node | Span): void {
    this.warnings.push(this.make(code, message, span, 'warning'));
  }
  make(code: string, message: string, span: Node | Span, severity: 'error' | 'warning'): Diagnostic {
    const startOffset = 'startIndex' in span ? span.startIndex : span.start;
    let endOffset = 'endIndex' in span ? span.endIndex : span.end;
    if (endOffset <= startOffset) endOffset = startOffset;
    const s = this.lines.position(startOffset);
    const e = this.lines.position(endOffset);
    if (e.line === s.line && e.column <= s.column) e.column = s.column + 1;
    return { code, message, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, severity };
  }
}
