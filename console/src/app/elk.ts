/**
 * elkjs (the Eclipse Layout Kernel compiled to JavaScript, bundled build: it
 * lays out on the page's thread, no web worker file to serve), with the CommonJS
 * default export read the same way under esbuild and TypeScript's NodeNext.
 */
import elkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

export type { ElkNode };

interface ElkLayouter {
  layout(graph: ElkNode): Promise<ElkNode>;
}

const Ctor = ((elkModule as unknown as { default?: unknown }).default ?? elkModule) as new () => ElkLayouter;

/** A new layouter (cheap; each layout is independent). */
export const newElk = (): ElkLayouter => new Ctor();
