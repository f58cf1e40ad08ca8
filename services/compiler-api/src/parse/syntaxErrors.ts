import type { SyntaxNode as Node } from './syntaxTree.ts';
import type { DiagnosticSink, LineIndex } from './source.ts';

/** A syntax error located where CPython reports it (1-based line/column). */
export interface SyntaxProblem {
  code: string;
  message: string;
  start: number;
  end: number;
}

/**
 * CPython's tokenizer limit on indentation levels (`MAXINDENT` = 100 in
 * Parser/tokenizer.h): the indentation stack holds the base level plus at most
 * 99 nested blocks; the line that would open the 100th level is an
 * `IndentationError: too many levels of indentation` (verified with CPython
 * 3.11). Checked before the source reaches tree-sitter: far deeper nesting
 * (over ~500 levels) overflows tree-sitter-python's 1 KiB scanner state and
 * corrupted the shared wasm parser.
 */
export const MAX_INDENT_LEVELS = 100;
/**
 * CPython's tokenizer limit on open brackets (`MAXLEVEL` = 200): the 201st
 * nested `(`, `[` or `{` is `SyntaxError: too many nested parentheses`.
 */
export const MAX_BRACKET_DEPTH = 200;

const COMPOUND = /^(async\s+)?(if|elif|else|while|for|def|class|try|except|finally|with)\b/;
// Character tests as comparisons: keyed lookups (OPEN[c]) and String#includes per character were the scanner's hot spots.
const isOpenBracket = (c: string): boolean => c === '(' || c === '[' || c === '{';
const isCloseBracket = (c: string): boolean => c === ')' || c === ']' || c === '}';
/** Only a quote or a string-prefix letter (r, b, u, f) can start a string literal. */
const mayStartString = (c: string): boolean =>
  c === '"' || c === "'" || c === 'r' || c === 'R' || c === 'b' || c === 'B' || c === 'u' || c === 'U' || c === 'f' || c === 'F';
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

interface LogicalLine {
  start: number; // offset of first non-blank char
  lineNo: number;
  indent: number;
  text: string; // code without comments/strings content (strings replaced by "")
  endsWithColon: boolean;
}

/**
 * Python tokenizer-level checks that tree-sitter cannot locate the way CPython
 * does: unterminated strings, unmatched/unclosed brackets, indentation
 * (unexpected indent, unindent mismatch, missing indented block) and missing
 * colons on compound statement headers. Returns the first problem CPython
 * would report, or undefined. It only tokenises; it never builds a tree.
 */
export function scanTokens(src: string, lines: LineIndex, topLevelDefs?: Array<{ name: string; start: number }>, layout?: SourceLayout): SyntaxProblem | undefined {
  const stack: Array<{ ch: string; at: number }> = [];
  const logical: LogicalLine[] = [];
  let i = 0;
  const n = src.length;
  let lineStartOffset = 0;
  let cur: { start: number; indent: number; text: string; spaced: boolean; lineStart: number } | undefined; // spaced: text ends with ' '
  let atLineStart = true;
  let indentCount = 0;
  let continuation = false;
  while (i < n) {
    const c = src[i];
    if (atLineStart) {
      // measure indentation
      let j = i;
      let col = 0;
      while (j < n && (src[j] === ' ' || src[j] === '\t' || src[j] === '\f')) {
        col = src[j] === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
        j++;
      }
      indentCount = col;
      atLineStart = false;
      i = j;
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      i++;
      lineStartOffset = i;
      if (stack.length === 0 && !continuation && cur) {
        finishLine();
      }
      continuation = false;
      atLineStart = stack.length === 0 && !cur;
      if (!atLineStart) atLineStart = false;
      if (stack.length === 0 && !cur) atLineStart = true;
      else if (stack.length === 0 && cur) atLineStart = false;
      continue;
    }
    if (c === '#') {
      const at = i;
      while (i < n && src[i] !== '\n' && src[i] !== '\r') i++;
      // (tree-sitter's comment token, `#.*`, takes the \r of a \r\n line break)
      if (layout && !cur && stack.length === 0 && !continuation)
        layout.comments.push({ start: at, end: src[i] === '\r' && src[i + 1] === '\n' ? i + 1 : i, indent: treeSitterIndent(src, lineStartOffset, at) });
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || src[i + 1] === '\r')) {
      continuation = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f') {
      if (cur && !cur.spaced) {
        cur.text += ' ';
        cur.spaced = true;
      }
      i++;
      continue;
    }
    if (!cur) cur = { start: i, indent: indentCount, text: '', spaced: false, lineStart: lineStartOffset };
    // string literal?
    const m = mayStartString(c) ? /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5)) : null;
    if (m && (m[1] === '' || !/[\w]/.test(src[i - 1] ?? ''))) {
      const q = m[2];
      const raw = m[1].toLowerCase().includes('r');
      let j = i + m[0].length;
      let closed = false;
      while (j < n) {
        const d = src[j];
        if (d === '\\' && !raw) {
          j += 2;
          continue;
        }
        if (d === '\\' && raw) {
          j += 2;
          continue;
        }
        if (q.length === 1 && (d === '\n' || d === '\r')) break;
        if (src.startsWith(q, j)) {
          closed = true;
          j += q.length;
          break;
        }
        j++;
      }
      if (!closed) {
        const detected = lines.position(Math.min(j, n)).line;
        const triple = q.length === 3;
        return {
          code: 'Syntax.UnterminatedString',
          message: triple
            ? `unterminated triple-quoted string literal (detected at line ${detected}); close it with ${q}`
            : `unterminated string literal (detected at line ${detected}); close the string with ${q} on the same line`,
          start: i,
          end: i + m[0].length,
        };
      }
      cur.text += '""';
      cur.spaced = false;
      i = j;
      continue;
    }
    if (isOpenBracket(c)) {
      if (stack.length >= MAX_BRACKET_DEPTH) {
        return {
          code: 'DSL.NestingTooDeep',
          message: `too many nested parentheses: more than ${MAX_BRACKET_DEPTH} open brackets (CPython's limit); build the value in a task or split it into several assignments`,
          start: i,
          end: i + 1,
        };
      }
      stack.push({ ch: c, at: i });
    }
    else if (isCloseBracket(c)) {
      const top = stack.pop();
      if (!top) return { code: 'Syntax.UnmatchedBracket', message: `unmatched '${c}'; remove it or add the opening '${CLOSE[c]}'`, start: i, end: i + 1 };
      if (top.ch !== CLOSE[c]) {
        const tl = lines.position(top.at).line;
        const here = lines.position(i).line;
        return {
          code: 'Syntax.MismatchedBracket',
          message: `closing parenthesis '${c}' does not match opening parenthesis '${top.ch}'${tl !== here ? ` on line ${tl}` : ''}`,
          start: i,
          end: i + 1,
        };
      }
    }
    cur.text += c;
    cur.spaced = false;
    i++;
  }
  if (cur && stack.length === 0) finishLine();
  if (stack.length) {
    const first = stack[0];
    // CPython reports an error inside the brackets first only when it is on an earlier line
    if (cur) logical.push({ start: cur.start, lineNo: lines.position(cur.start).line, indent: cur.indent, text: 'pass', endsWithColon: false });
    const lp = checkLogical(logical, lines);
    if (lp && lp.start < first.at) return lp;
    return { code: 'Syntax.UnclosedBracket', message: `'${first.ch}' was never closed; add the matching '${OPEN[first.ch]}'`, start: first.at, end: first.at + 1 };
  }
  return checkLogical(logical, lines);

  function finishLine(): void {
    const text = cur!.text.trim();
    if (topLevelDefs && cur!.indent === 0) {
      const def = /^def ([^\s(:]+)/.exec(text);
      if (def) topLevelDefs.push({ name: def[1], start: cur!.start });
    }
    logical.push({ start: cur!.start, lineNo: lines.position(cur!.start).line, indent: cur!.indent, text, endsWithColon: text.endsWith(':') });
    layout?.lines.push({ start: cur!.start, indent: treeSitterIndent(src, cur!.lineStart, cur!.start), opensBlock: text.endsWith(':') });
    cur = undefined;
  }
}

/**
 * Comment-only lines and logical lines of a file with their indentation as
 * tree-sitter-python's scanner measures it (a space 1, a tab 8, a form feed
 * resets; 16-bit), for parse/commentRuns.ts.
 */
export interface SourceLayout {
  /** Lines holding only a comment (outside brackets, strings and continuations): `#` offset, end (as tree-sitter's comment node), indent. */
  comments: Array<{ start: number; end: number; indent: number }>;
  /** Logical lines of code: first token's offset, indent, whether the line ends with `:` (opens a block). */
  lines: Array<{ start: number; indent: number; opensBlock: boolean }>;
}

function treeSitterIndent(src: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = src.charCodeAt(k);
    if (c === 32) n++;
    else if (c === 9) n += 8;
    else if (c === 12 || c === 13) n = 0;
  }
  return n & 0xffff;
}

function headerHasColon(text: string): boolean {
  // a colon outside brackets (strings were blanked); ignore ':=' (walrus)
  let depth = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (isOpenBracket(c)) depth++;
    else if (isCloseBracket(c)) depth--;
    else if (c === ':' && depth === 0 && text[k + 1] !== '=') {
      // lambda colons: "lambda x: y" at top level
      const before = text.slice(0, k);
      const lambdas = (before.match(/\blambda\b/g) ?? []).length;
      const colonsBefore = (before.replace(/:=/g, '').match(/:/g) ?? []).length;
      if (lambdas > colonsBefore) continue;
      return true;
    }
  }
  return false;
}

function checkLogical(logical: LogicalLine[], lines: LineIndex): SyntaxProblem | undefined {
  const stack = [0];
  for (let k = 0; k < logical.length; k++) {
    const l = logical[k];
    const prev = logical[k - 1];
    const m = COMPOUND.exec(l.text);
    if (m && !headerHasColon(l.text)) {
      const end = lines.lineStart(l.lineNo) + (lines.text.slice(lines.lineStart(l.lineNo)).search(/\r|\n|$/));
      return { code: 'Syntax.MissingColon', message: `expected ':' at the end of the ${m[2]} statement`, start: Math.max(l.start, end - 1), end };
    }
    const top = stack[stack.length - 1];
    if (prev && prev.endsWithColon) {
      if (l.indent <= top) {
        const kw = COMPOUND.exec(prev.text)?.[2] ?? 'compound';
        const what = kw === 'def' ? 'function definition' : kw === 'class' ? 'class definition' : `'${kw}' statement`;
        return { code: 'Syntax.ExpectedIndent', message: `expected an indented block after ${what} on line ${prev.lineNo}; indent the body (4 spaces)`, start: l.start, end: l.start + 1 };
      }
      if (stack.length >= MAX_INDENT_LEVELS) {
        const lineStart = lines.lineStart(l.lineNo);
        return {
          code: 'Syntax.TooManyIndentationLevels',
          message: `too many levels of indentation: at most ${MAX_INDENT_LEVELS - 1} nested blocks (CPython's limit); move the inner blocks into a state machine function of their own`,
          start: lineStart,
          end: lineStart + 1,
        };
      }
      stack.push(l.indent);
      continue;
    }
    if (l.indent > top) {
      return { code: 'Syntax.UnexpectedIndent', message: 'unexpected indent; align this line with the statement above', start: l.start, end: l.start + 1 };
    }
    if (l.indent < top) {
      while (stack.length && stack[stack.length - 1] > l.indent) stack.pop();
      if (stack[stack.length - 1] !== l.indent) {
        return { code: 'Syntax.Unindent', message: 'unindent does not match any outer indentation level; align it with an enclosing block', start: l.start, end: l.start + 1 };
      }
    }
  }
  const last = logical[logical.length - 1];
  if (last && last.endsWithColon) {
    const kw = COMPOUND.exec(last.text)?.[2] ?? 'compound';
    const what = kw === 'def' ? 'function definition' : kw === 'class' ? 'class definition' : `'${kw}' statement`;
    const eol = lines.lineStart(last.lineNo) + lines.text.slice(lines.lineStart(last.lineNo)).search(/\r|\n|$/);
    return { code: 'Syntax.ExpectedIndent', message: `expected an indented block after ${what} on line ${last.lineNo}; add an indented body (e.g. pass)`, start: eol, end: eol };
  }
  return undefined;
}

/** First ERROR or MISSING node of the tree in document order. */
function firstError(root: Node): Node | undefined {
  let node: Node | null = root;
  outer: while (node) {
    for (const child of node.children) {
      if (!child) continue;
      if (child.isMissing || child.type === 'ERROR') return child;
      if (child.hasError) {
        node = child;
        continue outer;
      }
    }
    return node.type === 'ERROR' ? node : undefined;
  }
  return undefined;
}

/**
 * Reports the file's tokenizer-level syntax error (at most one, as CPython
 * does) to `sink`: run before parsing, so a source over the nesting limits
 * ({@link MAX_INDENT_LEVELS}, {@link MAX_BRACKET_DEPTH}) never reaches
 * tree-sitter. Returns true when a problem was found. `topLevelDefs`, when
 * given, receives every `def NAME` at column 0 (a cross-check of the tree);
 * `layout`, the comment and code lines (see {@link SourceLayout}).
 */
export function reportTokenErrors(sink: DiagnosticSink, topLevelDefs?: Array<{ name: string; start: number }>, layout?: SourceLayout): boolean {
  const lines = sink.lines;
  const tok = scanTokens(lines.text, lines, topLevelDefs, layout);
  if (!tok) return false;
  sink.error(tok.code, tok.message, { start: tok.start, end: tok.end });
  return true;
}

/**
 * Reports the file's syntax error (at most one, as CPython does) to `sink`.
 * Tokenizer-level problems come first (see {@link reportTokenErrors}; pass
 * `tokensChecked` when that already ran); otherwise tree-sitter's first ERROR
 * or MISSING node is refined to the first unexpected token. Returns true when
 * a syntax error was found.
 */
export function reportSyntaxErrors(root: Node, sink: DiagnosticSink, tokensChecked = false): boolean {
  const lines = sink.lines;
  if (!tokensChecked && reportTokenErrors(sink)) return true;
  if (!root.hasError && root.type === 'module') return false;
  const err = firstError(root);
  if (!err) {
    sink.error('Syntax.Invalid', 'invalid syntax', { start: 0, end: 1 });
    return true;
  }
  if (err.isMissing) {
    const what = err.type;
    sink.error('Syntax.Missing', `invalid syntax: expected '${what}'`, { start: err.startIndex, end: err.startIndex + 1 });
    return true;
  }
  // ERROR node: the first unexpected token is usually its first leaf that is not part of a valid prefix
  let at: Node = err;
  const leaf = err.firstChild;
  if (leaf && leaf.type === 'ERROR') at = leaf;
  const text = lines.text.slice(at.startIndex, Math.min(at.endIndex, at.startIndex + 30)).split(/\r?\n/)[0];
  sink.error('Syntax.Invalid', `invalid syntax near \`${text}\`; check the statement against Python syntax`, { start: at.startIndex, end: Math.max(at.startIndex + 1, Math.min(at.endIndex, at.startIndex + text.length)) });
  return true;
}
