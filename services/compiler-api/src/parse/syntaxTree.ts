/**
 * Plain-JavaScript syntax tree: one pass converts a web-tree-sitter `Tree` into
 * `SyntaxNode` objects (type, span, fields, children), then the wasm tree is freed
 * and every later step (syntax checks, lowering) works on ordinary JS objects.
 *
 * Why: each property access on a web-tree-sitter `Node` (type, text, a field, the
 * children) is a call into WebAssembly plus marshalling through a transfer buffer
 * (~0.3–0.5 µs each); lowering a 300-state project made ~100,000 of them. Even a
 * `TreeCursor` walk costs ~3.5 µs per node. So the converter reads tree-sitter's
 * own tree structures (`Subtree`, `SubtreeHeapData`, `TSLanguage` field map and
 * alias sequences) straight from the wasm memory, following the same rules as
 * tree-sitter's `ts_tree_cursor_*` (lib/src/tree_cursor.c): invisible nodes are
 * flattened into their visible parent, aliases rename and reveal nodes, a node's
 * field comes from the innermost (possibly hidden) ancestor level that names it.
 *
 * Those layouts are internal to tree-sitter, so they are pinned to the exact
 * versions in package.json (web-tree-sitter 0.25.10, wasm32) and verified at load
 * time and on every tree by {@link createTreeReader} (falling back to the slower
 * public-API cursor reader, same output, on any mismatch), and a test compares
 * both readers on every example, the fixtures and thousands of mutated files.
 */
import type { Language, Tree, TreeCursor } from 'web-tree-sitter';

/** One visible node of the Python syntax tree (the subset of web-tree-sitter's `Node` API the compiler uses). */
export class SyntaxNode {
  /** Parent node (null for the module root). */
  parent: SyntaxNode | null = null;
  /** Every child in source order, named and anonymous (punctuation, keywords), comments included. */
  readonly children: SyntaxNode[] = [];
  private named?: SyntaxNode[];

  constructor(
    /** Node type as in tree-sitter-python's grammar (`call`, `identifier`, `(`, `ERROR`, …). */
    readonly type: string,
    /** Start offset in UTF-16 code units (JS string index). */
    readonly startIndex: number,
    /** End offset (exclusive) in UTF-16 code units. */
    readonly endIndex: number,
    /** Field name under the parent (`function`, `arguments`, …) or null. */
    readonly field: string | null,
    readonly isNamed: boolean,
    /** A zero-width token inserted by error recovery. */
    readonly isMissing: boolean,
    /** This node or a descendant is an ERROR or MISSING node. */
    readonly hasError: boolean,
    /** Unique within one tree (pre-order number). */
    readonly id: number,
    private readonly source: string,
  ) {}

  /** Source text of the node. */
  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }
  get namedChildren(): SyntaxNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }
  get firstChild(): SyntaxNode | null {
    return this.children[0] ?? null;
  }
  /** First child carrying field `name` (null when absent). */
  childForFieldName(name: string): SyntaxNode | null {
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }
  /** Every child carrying field `name`, in source order. */
  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.field === name);
  }
  /** This node and its descendants of the given type(s), in pre-order (as web-tree-sitter). */
  descendantsOfType(types: string | string[]): SyntaxNode[] {
    const single = typeof types === 'string' ? types : types.length === 1 ? types[0] : undefined;
    const out: SyntaxNode[] = [];
    const stack: SyntaxNode[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      if (single !== undefined ? n.type === single : types.includes(n.type)) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
    return out;
  }
  toString(): string {
    return `(${this.type}${this.namedChildren.map((c) => ' ' + (c.field ? `${c.field}: ` : '') + c.toString()).join('')})`;
  }
}

/** Converts a parsed tree to {@link SyntaxNode}s (the source must be the parsed string). */
export type TreeReader = (tree: Tree, source: string) => SyntaxNode;

const SYM_ERROR = 65535;

/** Language tables, read once: names by symbol, visible/named metadata, field map, alias sequences. */
interface LanguageTables {
  names: string[];
  fields: (string | null)[];
  visible: Uint8Array;
  named: Uint8Array;
  publicSymbol: Uint16Array;
  /** production id → [child_index, field_id] pairs of non-inherited entries (field map order). */
  fieldMap: Int32Array[];
  /** production id → alias symbol per structural child index (0 = none), or null. */
  aliases: (Uint16Array | null)[];
}

/** Emscripten module object passed to `Parser.init` (the runtime stores its heap views on it). */
export interface WasmHeapHost {
  HEAPU8?: Uint8Array;
}

function readLanguageTables(language: Language, heap: Uint8Array): LanguageTables {
  const dv = new DataView(heap.buffer);
  const lang = (language as unknown as Record<number, number>)[0];
  const u32 = (a: number) => dv.getUint32(a, true);
  const u16 = (a: number) => dv.getUint16(a, true);
  const symbolCount = u32(lang + 4);
  const aliasCount = u32(lang + 8);
  const productionIdCount = u32(lang + 28);
  const fieldCount = u32(lang + 32);
  const maxAliasLen = u16(lang + 36);
  const fieldMapSlices = u32(lang + 64);
  const fieldMapEntries = u32(lang + 68);
  const symbolMetadata = u32(lang + 72);
  const publicSymbolMap = u32(lang + 76);
  const aliasSequences = u32(lang + 84);
  const total = symbolCount + aliasCount;
  const visible = new Uint8Array(total);
  const named = new Uint8Array(total);
  const publicSymbol = new Uint16Array(total);
  for (let s = 0; s < total; s++) {
    visible[s] = heap[symbolMetadata + 3 * s];
    named[s] = heap[symbolMetadata + 3 * s + 1];
    publicSymbol[s] = s < symbolCount ? u16(publicSymbolMap + 2 * s) : s;
  }
  const fieldMap: Int32Array[] = [];
  const aliases: (Uint16Array | null)[] = [];
  for (let p = 0; p < productionIdCount; p++) {
    const entries: number[] = [];
    if (fieldCount > 0) {
      const index = u16(fieldMapSlices + 4 * p);
      const length = u16(fieldMapSlices + 4 * p + 2);
      for (let k = 0; k < length; k++) {
        const e = fieldMapEntries + 4 * (index + k);
        if (!heap[e + 3]) entries.push(heap[e + 2], u16(e));
      }
    }
    fieldMap.push(Int32Array.from(entries));
    if (p === 0 || maxAliasLen === 0) aliases.push(null);
    else {
      const seq = new Uint16Array(maxAliasLen);
      let any = false;
      for (let k = 0; k < maxAliasLen; k++) {
        seq[k] = u16(aliasSequences + 2 * (p * maxAliasLen + k));
        if (seq[k]) any = true;
      }
      aliases.push(any ? seq : null);
    }
  }
  const names = language.types.slice();
  const fields = language.fields.slice();
  return { names, fields, visible, named, publicSymbol, fieldMap, aliases };
}

/**
 * Reads the tree from wasm memory (layouts of tree-sitter 0.25 on wasm32:
 * `Subtree` is 8 bytes, inline when bit 0 is set, else a pointer to
 * `SubtreeHeapData` whose children are the `child_count` Subtrees just before it).
 */
function memoryReader(host: WasmHeapHost, language: Language): TreeReader {
  let tables: LanguageTables | undefined;
  return (tree, source) => {
    const heap = host.HEAPU8!;
    tables ??= readLanguageTables(language, heap);
    const t = tables;
    const dv = new DataView(heap.buffer);
    let nextId = 0;
    const treeAddr = (tree as unknown as Record<number, number>)[0];

    const typeName = (sym: number): string => (sym === SYM_ERROR ? 'ERROR' : (t.names[t.publicSymbol[sym] ?? sym] ?? 'ERROR'));

    // Appends the visible descendants of heap subtree `ptr` (whose content starts at byte `pos`) to `into`.
    // Iterative (an explicit stack of frames, one per heap subtree being walked) so that a deep tree
    // cannot overflow the JS stack; the visiting order is the recursive one (pre-order).
    interface Frame {
      ptr: number;
      pos: number;
      into: SyntaxNode;
      outerField: string | null;
      count: number;
      fieldMap: Int32Array;
      aliasSeq: Uint16Array | null;
      structural: number;
      slot: number;
      j: number;
    }
    const frame = (ptr: number, pos: number, into: SyntaxNode, outerField: string | null): Frame => {
      const count = dv.getUint32(ptr + 36, true);
      const production = dv.getUint16(ptr + 66, true);
      return { ptr, pos, into, outerField, count, fieldMap: t.fieldMap[production], aliasSeq: t.aliases[production], structural: 0, slot: ptr - 8 * count, j: 0 };
    };
    const addChildren = (ptr0: number, pos0: number, into0: SyntaxNode, outerField0: string | null): void => {
      const stack: Frame[] = [frame(ptr0, pos0, into0, outerField0)];
      while (stack.length) {
        const f = stack[stack.length - 1];
        if (f.j >= f.count) {
          stack.pop();
          continue;
        }
        const { fieldMap, aliasSeq } = f;
        const slot = f.slot;
        const j = f.j;
        f.j++;
        f.slot += 8;
        const b0 = heap[slot];
        const inline = (b0 & 1) === 1;
        const cptr = inline ? 0 : dv.getUint32(slot, true);
        if (j > 0) f.pos += inline ? heap[slot + 6] : dv.getUint32(cptr + 4, true); // padding
        const pos = f.pos;
        const size = inline ? heap[slot + 7] : dv.getUint32(cptr + 16, true);
        f.pos += size;
        const extra = inline ? (b0 & 8) !== 0 : (heap[cptr + 44] & 4) !== 0;
        let visible = inline ? (b0 & 2) !== 0 : (heap[cptr + 44] & 1) !== 0;
        let alias = 0;
        let field: string | null = null;
        if (!extra) {
          if (aliasSeq) {
            alias = aliasSeq[f.structural];
            if (alias) visible = true;
          }
          for (let k = 0; k < fieldMap.length; k += 2) {
            if (fieldMap[k] === f.structural) {
              field = t.fields[fieldMap[k + 1]];
              break;
            }
          }
          field ??= f.outerField;
          f.structural++;
        }
        const childCount = inline ? 0 : dv.getUint32(cptr + 36, true);
        if (visible) {
          const sym = alias || (inline ? heap[slot + 1] : dv.getUint16(cptr + 40, true));
          const isNamed = alias ? t.named[alias] === 1 : inline ? (b0 & 4) !== 0 : (heap[cptr + 44] & 2) !== 0;
          const missing = inline ? (b0 & 32) !== 0 : (heap[cptr + 45] & 2) !== 0;
          const hasError = missing || (!inline && dv.getUint32(cptr + 32, true) > 0);
          const node = new SyntaxNode(typeName(sym), pos >> 1, (pos + size) >> 1, field, isNamed, missing, hasError, nextId++, source);
          node.parent = f.into;
          f.into.children.push(node);
          if (childCount > 0) stack.push(frame(cptr, pos, node, null));
        } else if (childCount > 0 && dv.getUint32(cptr + 48, true) > 0) {
          stack.push(frame(cptr, pos, f.into, extra ? null : field));
        }
      }
    };

    const rootInline = (heap[treeAddr] & 1) === 1;
    const rootPtr = rootInline ? 0 : dv.getUint32(treeAddr, true);
    const padding = rootInline ? heap[treeAddr + 6] : dv.getUint32(rootPtr + 4, true);
    const size = rootInline ? heap[treeAddr + 7] : dv.getUint32(rootPtr + 16, true);
    const sym = rootInline ? heap[treeAddr + 1] : dv.getUint16(rootPtr + 40, true);
    const missing = rootInline ? (heap[treeAddr] & 32) !== 0 : (heap[rootPtr + 45] & 2) !== 0;
    const hasError = missing || (!rootInline && dv.getUint32(rootPtr + 32, true) > 0);
    const named = rootInline ? (heap[treeAddr] & 4) !== 0 : (heap[rootPtr + 44] & 2) !== 0;
    const root = new SyntaxNode(typeName(sym), padding >> 1, (padding + size) >> 1, null, named, missing, hasError, nextId++, source);
    if (!rootInline && dv.getUint32(rootPtr + 36, true) > 0) addChildren(rootPtr, padding, root, null);
    return root;
  };
}

/** Reads the tree through web-tree-sitter's public `TreeCursor` API (slow, layout-independent). */
export const cursorReader: TreeReader = (tree, source) => {
  const cursor: TreeCursor = tree.walk();
  let nextId = 0;
  const make = (parent: SyntaxNode | null): SyntaxNode => {
    const node = cursor.currentNode;
    const n = new SyntaxNode(node.type, cursor.startIndex, cursor.endIndex, parent ? cursor.currentFieldName : null, node.isNamed, node.isMissing, node.hasError, nextId++, source);
    n.parent = parent;
    parent?.children.push(n);
    return n;
  };
  try {
    const root = make(null);
    // Iterative pre-order walk (no recursion: a deep tree must not overflow the JS stack).
    let parent = root;
    let node = root;
    for (;;) {
      if (cursor.gotoFirstChild()) {
        parent = node;
        node = make(parent);
        continue;
      }
      for (;;) {
        if (node === root) return root;
        if (cursor.gotoNextSibling()) {
          node = make(parent);
          break;
        }
        cursor.gotoParent();
        node = parent;
        parent = node.parent ?? root;
      }
    }
  } finally {
    cursor.delete();
  }
};

/** Structural equality of two converted trees (type, span, field, flags, children). */
export function sameTree(a: SyntaxNode, b: SyntaxNode): boolean {
  const stack: Array<[SyntaxNode, SyntaxNode]> = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (
      x.type !== y.type ||
      x.startIndex !== y.startIndex ||
      x.endIndex !== y.endIndex ||
      x.field !== y.field ||
      x.isNamed !== y.isNamed ||
      x.isMissing !== y.isMissing ||
      x.hasError !== y.hasError ||
      x.children.length !== y.children.length
    )
      return false;
    for (let i = 0; i < x.children.length; i++) stack.push([x.children[i], y.children[i]]);
  }
  return true;
}

/**
 * The first node, in pre-order, more than `limit` levels below the root (the
 * root is level 1), or undefined when the tree is at most `limit` deep.
 * Iterative, so it is safe on any tree.
 */
export function firstTooDeep(root: SyntaxNode, limit: number): SyntaxNode | undefined {
  const stack: Array<[SyntaxNode, number]> = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > limit) return n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i], d + 1]);
  }
  return undefined;
}

/**
 * Builds the tree reader for the loaded runtime: the memory reader when the
 * language tables read from memory agree with web-tree-sitter's public API
 * (symbol, field and ABI counts), else the cursor reader. Every tree read by
 * the memory reader is also checked cheaply against the public API (root type,
 * span and child count, a few wasm calls); a mismatch falls back to the cursor
 * reader for that tree. (A full load-time comparison on probe files would cost
 * ~20-50 ms of cold start: the deep check lives in test/syntaxTree.test.ts.)
 */
export function createTreeReader(host: WasmHeapHost, language: Language): { read: TreeReader; kind: 'memory' | 'cursor' } {
  const heap = host.HEAPU8;
  if (!heap) return { read: cursorReader, kind: 'cursor' };
  try {
    const dv = new DataView(heap.buffer);
    const lang = (language as unknown as Record<number, number>)[0];
    const abi = dv.getUint32(lang, true);
    const symbols = dv.getUint32(lang + 4, true) + dv.getUint32(lang + 8, true);
    const fields = dv.getUint32(lang + 32, true);
    if (abi !== language.abiVersion || symbols !== language.types.length || fields + 1 !== language.fields.length) return { read: cursorReader, kind: 'cursor' };
  } catch {
    return { read: cursorReader, kind: 'cursor' };
  }
  const fast = memoryReader(host, language);
  const read: TreeReader = (tree, source) => {
    const root = fast(tree, source);
    const pub = tree.rootNode;
    if (root.type !== pub.type || root.startIndex !== pub.startIndex || root.endIndex !== pub.endIndex || root.children.length !== pub.childCount) return cursorReader(tree, source);
    return root;
  };
  return { read, kind: 'memory' };
}
