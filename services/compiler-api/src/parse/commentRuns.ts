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
 * What: before parsing, comment lines in the middle of a long stretch that
 * tree-sitter places in the same block are blanked (replaced by spaces, so
 * every offset stays the same); the first and last comment of each stretch
 * stay, so every block keeps the extent it has in the full parse. After the
 * parse the blanked comments are put back into the tree as `comment` nodes
 * between those two, which gives the tree of the unmodified source. Where
 * tree-sitter puts a comment follows the scanner: after popping the blocks
 * whose indentation is deeper than both the comment and the next code line
 * (its DEDENT rule), it joins the innermost open block. The result is checked
 * (the kept comments must be siblings with nothing between them) and the
 * caller parses the original text when the check fails; a test compares both
 * trees on generated files.
 */
import type { SourceLayout } from './syntaxErrors.ts';
import { SyntaxNode } from './syntaxTree.ts';

/**
 * Shortest stretch of same-block comment lines that is thinned: 3, so at most two
 * comments per block stay in a run (a run pops at most 99 blocks), whatever its shape.
 */
const MIN_STRETCH = 3;

/** A stretch of comment lines tree-sitter puts in the same block: the first and last stay, the others are blanked. */
export interface CommentStretch {
  first: { start: number; end: number };
  last: { start: number; end: number };
  blanked: Array<{ start: number; end: number }>;
}

/**
 * The text to hand to tree-sitter (same length as `text`) and the stretches
 * that were thinned, or undefined when no stretch is long enough to matter.
 */
export function thinCommentRuns(text: string, layout: SourceLayout): { text: string; stretches: CommentStretch[] } | undefined {
  const { comments, lines } = layout;
  if (comments.length < MIN_STRETCH) return undefined;
  const stretches: CommentStretch[] = [];
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
    if (!next) break;
    if (!(prev?.opensBlock && nextIndent > stack[stack.length - 1])) while (stack.length > 1 && stack[stack.length - 1] > nextIndent) stack.pop();
    else stack.push(nextIndent);
  }
  if (!stretches.length) return undefined;
  const parts: string[] = [];
  let at = 0;
  for (const s of stretches)
    for (const b of s.blanked) {
      parts.push(text.slice(at, b.start), ' '.repeat(b.end - b.start));
      at = b.end;
    }
  parts.push(text.slice(at));
  return { text: parts.join(''), stretches };
}

/**
 * Puts the blanked comments back into a tree parsed from the thinned text, as
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
