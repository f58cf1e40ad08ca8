/**
 * Keeps long runs of comment lines from making the parse quadratic.
 *
 * Why: at every line end, tree-sitter-python's external scanner
 * (`tree_sitter_python_external_scanner_scan`, src/scanner.c) reads ahead over
 * all the following blank and comment lines to find the next line's
 * indentation, then the comment is lexed on its own and the same read-ahead
 * runs again from the next line end. A run of N comment lines therefore costs
 * ~N²/2 line reads (1k lines 1 s, 16k lines 164 s in a block).
 *
 * What: before parsing, the comment lines in the middle of a stretch that
 * tree-sitter places in the same block are removed, with the blank lines of
 * the run; the first and last comment of each stretch stay, so every block
 * keeps the extent it has in the full parse, and what the scanner re-reads
 * from each kept line is at most a few lines per open block (a run pops at
 * most 99). After the parse, node offsets are mapped back to the source
 * ({@link mapOffsets}) and the removed comments are put back into the tree as
 * `comment` nodes between those two ({@link restoreComments}), which gives the
 * tree of the unmodified source. Where tree-sitter puts a comment follows the
 * scanner: after popping the blocks whose indentation is deeper than both the
 * comment and the next code line (its DEDENT rule), it joins the innermost
 * open block. The result is checked (the kept comments must be siblings with
 * nothing between them) and the caller parses the original text when the
 * check fails; a test compares both
 * trees on generated files.
 */
import type { SourceLayout } from './syntaxErrors.ts';
import { SyntaxNode } from './syntaxTree.ts';

/**
 * Shortest stretch of same-block comment lines that is thinned: 3, so at most two
 * comments per block stay in a run (a run pops at most 99 blocks), whatever its shape.
 */
const MIN_STRETCH = 3;

/** A stretch of comment lines tree-sitter puts in the same block: the first and last stay, the others (`blanked`) are removed. */
export interface CommentStretch {
  first: { start: number; end: number };
  last: { start: number; end: number };
  blanked: Array<{ start: number; end: number }>;
}

/** What tree-sitter is given instead of the source, and how to map its offsets back. */
export interface ThinnedSource {
  /** The text to parse (the source minus {@link ThinnedSource.deletions}). */
  text: string;
  stretches: CommentStretch[];
  /** Removed ranges of the source (sorted, disjoint): thinned comment lines and blank lines inside comment runs. */
  deletions: Array<{ start: number; end: number }>;
}

/**
 * The text to hand to tree-sitter and the stretches that were thinned, or
 * undefined when no run of comment lines needs it. Removed: the blanked
 * comment lines of each stretch, and the blank lines of every run of two or
 * more comment lines after its first comment (the scanner re-reads those from
 * every comment line above them too). Every kept line is unchanged.
 */
export function thinCommentRuns(text: string, layout: SourceLayout): ThinnedSource | undefined {
  const { comments, lines } = layout;
  if (comments.length < 2) return undefined;
  const stretches: CommentStretch[] = [];
  const regions: Array<{ start: number; end: number }> = [];
  const stack = [0];
  let c = 0;
  // Run k holds the comments between code line k-1 and code line k (k = lines.length: after the last one).
  for (let k = 0; k <= lines.length; k++) {
    const next = lines[k];
    const nextStart = next ? next.start : Infinity;
    const nextIndent = next ? next.indent : 0;
    const prev = k > 0 ? lines[k - 1] : undefined;
    if (prev?.opensBlock && next && nextIndent > stack[stack.length - 1]) stack.push(nextIndent); // INDENT comes before the comments
    let group: Array<{ start: number; end: number }> = [];
    let groupDepth = -1;
    const flush = () => {
      if (group.length >= MIN_STRETCH) stretches.push({ first: group[0], last: group[group.length - 1], blanked: group.slice(1, -1) });
      group = [];
    };
    const firstOfRun = c;
    for (; c < comments.length && comments[c].start < nextStart; c++) {
      const key = Math.max(nextIndent, comments[c].indent);
      while (stack.length > 1 && stack[stack.length - 1] > key) stack.pop();
      if (stack.length !== groupDepth) {
        flush();
        groupDepth = stack.length;
      }
      group.push(comments[c]);
    }
    flush();
    // lines after the run's first comment, up to the line of the next code line (or the end)
    if (c - firstOfRun >= 2) regions.push({ start: comments[firstOfRun].end, end: next ? lineStartOf(text, next.start) : text.length });
    if (!next) break;
    if (!(prev?.opensBlock && nextIndent > stack[stack.length - 1])) while (stack.length > 1 && stack[stack.length - 1] > nextIndent) stack.pop();
    else stack.push(nextIndent);
  }
  if (!regions.length) return undefined;
  const blanked = new Set<number>();
  for (const st of stretches) for (const b of st.blanked) blanked.add(b.start);
  const deletions: Array<{ start: number; end: number }> = [];
  for (const region of regions) {
    let at = nextLineStart(text, region.start); // the first comment's line stays whole
    while (at < region.end) {
      const eol = lineEnd(text, at);
      const following = nextLineStart(text, eol);
      if (following > region.end) break;
      let k = at;
      while (k < eol && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9 || text.charCodeAt(k) === 12)) k++;
      if (k === eol || (text.charCodeAt(k) === 35 && blanked.has(k))) {
        const last = deletions[deletions.length - 1];
        if (last && last.end === at) last.end = following;
        else deletions.push({ start: at, end: following });
      }
      at = following;
    }
  }
  if (!deletions.length) return undefined;
  const parts: string[] = [];
  let at = 0;
  for (const d of deletions) {
    parts.push(text.slice(at, d.start));
    at = d.end;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), stretches, deletions };
}

function lineEnd(text: string, from: number): number {
  let k = from;
  while (k < text.length && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k++;
  return k;
}
/** Offset after the line break at `eol` (or `eol` at the end of the text). */
function nextLineStart(text: string, eol: number): number {
  const e = lineEnd(text, eol);
  if (e >= text.length) return text.length;
  return text.charCodeAt(e) === 13 && text.charCodeAt(e + 1) === 10 ? e + 2 : e + 1;
}
function lineStartOf(text: string, offset: number): number {
  let k = offset;
  while (k > 0 && text.charCodeAt(k - 1) !== 10 && text.charCodeAt(k - 1) !== 13) k--;
  return k;
}

/**
 * Moves every node of a tree parsed from `thin.text` to its offsets in the
 * source: a start at a removed range goes after it, an end before it.
 */
export function mapOffsets(root: SyntaxNode, thin: ThinnedSource, sourceLength: number): void {
  const points: number[] = [];
  const shift: number[] = [];
  let removed = 0;
  for (const d of thin.deletions) {
    points.push(d.start - removed);
    removed += d.end - d.start;
    shift.push(removed);
  }
  const thinLength = thin.text.length;
  // shift of the deletions at thinned positions < q (strict) or <= q
  const shiftBefore = (q: number, inclusive: boolean): number => {
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inclusive ? points[mid] <= q : points[mid] < q) lo = mid + 1;
      else hi = mid;
    }
    return lo ? shift[lo - 1] : 0;
  };
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()! as { -readonly [K in keyof SyntaxNode]: SyntaxNode[K] };
    const start = n.startIndex;
    const end = n.endIndex;
    n.startIndex = start + shiftBefore(start, true);
    n.endIndex = end === thinLength ? sourceLength : end === start ? n.startIndex : end + shiftBefore(end, false);
    for (const child of n.children) stack.push(child);
  }
}

/**
 * Puts the removed comments back into a tree parsed from the thinned text (its
 * offsets already mapped back with {@link mapOffsets}), as
 * `comment` nodes between the kept first and last comment of their stretch.
 * Returns false (the tree is then partly modified: discard it) when a stretch
 * does not sit in the tree as expected.
 */
export function restoreComments(root: SyntaxNode, source: string, stretches: CommentStretch[]): boolean {
  const byStart = new Map<number, SyntaxNode>();
  let maxId = 0;
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.id > maxId) maxId = n.id;
    if (n.type === 'comment') byStart.set(n.startIndex, n);
    for (const child of n.children) stack.push(child);
  }
  // Checked first, then inserted one parent at a time (linear in the tree, however many stretches).
  const after = new Map<SyntaxNode, { restored: SyntaxNode[]; last: SyntaxNode }>();
  const parents = new Set<SyntaxNode>();
  for (const s of stretches) {
    const first = byStart.get(s.first.start);
    const last = byStart.get(s.last.start);
    const parent = first?.parent;
    if (!first || !last || !parent || last.parent !== parent || first.endIndex !== s.first.end || last.endIndex !== s.last.end) return false;
    const restored = s.blanked.map((b) => {
      const node = new SyntaxNode('comment', b.start, b.end, null, true, false, false, ++maxId, source);
      node.parent = parent;
      return node;
    });
    after.set(first, { restored, last });
    parents.add(parent);
  }
  for (const parent of parents) {
    const old = parent.children.slice();
    for (let i = 0; i < old.length; i++) {
      const entry = after.get(old[i]);
      if (entry && old[i + 1] !== entry.last) return false;
    }
    parent.children.length = 0;
    for (const child of old) {
      parent.children.push(child);
      const entry = after.get(child);
      if (entry) for (const r of entry.restored) parent.children.push(r);
    }
  }
  return true;
}
