/**
 * Lays a {@link StateGraph} out with elkjs (the Eclipse Layout Kernel's
 * layered algorithm, top to bottom) for the SVG the console draws: Map and
 * Parallel states are compound nodes holding one group per iteration body or
 * branch, each body with its own start and end; every edge keeps its kind
 * (next, choice with its condition as label, default, catch, retry).
 * Coordinates are absolute (ELK's `json.shapeCoords`/`edgeCoords` ROOT), in
 * CSS pixels.
 */
import { newElk } from './elk.ts';
import type { GraphEdge, StateGraph } from '@fluxio/contracts/graph/stateGraph';

export interface LaidNode {
  /** Graph key (see shared/src/graph/stateGraph.ts). */
  key: string;
  /** State name; empty for start/end nodes. */
  name: string;
  /** ASL type, or `start` / `end`. */
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidGroup {
  /** The Map/Parallel state key (kind `state`) or a body key (kind `body`). */
  key: string;
  kind: 'state' | 'body';
  title: string;
  /** For kind `state`: the ASL type (Map / Parallel) and state name. */
  type?: string;
  name?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidEdge extends GraphEdge {
  id: string;
  /** SVG path `d` through ELK's route. */
  path: string;
  labelBox?: { x: number; y: number; width: number; height: number };
}

export interface Layout {
  width: number;
  height: number;
  nodes: LaidNode[];
  groups: LaidGroup[];
  edges: LaidEdge[];
}

/** Approximate text width of the console's 12 px UI font (ELK needs sizes before the browser draws). */
const textWidth = (s: string, px = 12) => Math.ceil(s.length * px * 0.6);
const LABEL_MAX = 48;
/** The label an edge shows (long Choice conditions are cut; the full one is in the tooltip). */
export const shortLabel = (s: string) => (s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s);

interface ElkIn {
  id: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  children?: ElkIn[];
  edges?: unknown[];
  labels?: Array<{ text: string; width: number; height: number }>;
  layoutOptions?: Record<string, string>;
}

/** Lay `graph` out; the same graph always gives the same layout. */
export async function layoutGraph(graph: StateGraph): Promise<Layout> {
  const edges: Array<GraphEdge & { id: string }> = [];
  const meta = new Map<string, { kind: 'node' | 'state' | 'body'; name: string; type: string; title: string }>();
  const bodyNode = (g: StateGraph, top: boolean): ElkIn[] => {
    const children: ElkIn[] = [];
    meta.set(g.start, { kind: 'node', name: '', type: 'start', title: 'start' });
    children.push({ id: g.start, width: 14, height: 14 });
    edges.push({ ...g.startEdge, id: `e${edges.length}` });
    for (const s of g.states) {
      for (const e of s.edges) edges.push({ ...e, id: `e${edges.length}` });
      if (s.bodies.length > 0) {
        meta.set(s.key, { kind: 'state', name: s.name, type: s.type, title: `${s.name} · ${s.type}` });
        children.push({
          id: s.key,
          layoutOptions: { 'elk.padding': '[top=30,left=10,bottom=10,right=10]', 'elk.direction': s.type === 'Parallel' ? 'RIGHT' : 'DOWN' },
          children: s.bodies.map((b) => {
            meta.set(b.key, { kind: 'body', name: '', type: 'body', title: b.title });
            return { id: b.key, layoutOptions: { 'elk.padding': '[top=24,left=10,bottom=10,right=10]', 'elk.direction': 'DOWN' }, children: bodyNode(b, false) };
          }),
        });
      } else {
        meta.set(s.key, { kind: 'node', name: s.name, type: s.type, title: s.name });
        children.push({ id: s.key, width: Math.max(110, textWidth(s.name) + 28), height: 38 });
      }
    }
    if (g.end) {
      meta.set(g.end, { kind: 'node', name: '', type: 'end', title: 'end' });
      children.push({ id: g.end, width: 14, height: 14 });
    }
    void top;
    return children;
  };
  const children = bodyNode(graph, true);
  const known = new Set(meta.keys());
  const elkEdges = edges
    .filter((e) => known.has(e.from) && known.has(e.to))
    .map((e) => ({
      id: e.id,
      sources: [e.from],
      targets: [e.to],
      labels: e.label && e.kind !== 'retry' && e.kind !== 'next' && e.kind !== 'end' ? [{ text: shortLabel(e.label), width: textWidth(shortLabel(e.label), 11) + 8, height: 16 }] : [],
    }));
  const root = {
    id: '__root__',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '34',
      'elk.spacing.nodeNode': '26',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children,
    edges: elkEdges,
  };
  const laid = (await newElk().layout(root as never)) as unknown as Omit<ElkIn, "edges"> & { edges: Array<{ id: string; sections?: Array<{ startPoint: P; endPoint: P; bendPoints?: P[] }>; labels?: Array<{ x: number; y: number; width: number; height: number }> }> };
  const nodes: LaidNode[] = [];
  const groups: LaidGroup[] = [];
  const walk = (n: ElkIn) => {
    for (const c of n.children ?? []) {
      const m = meta.get(c.id)!;
      const box = { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 };
      if (m.kind === 'node') nodes.push({ key: c.id, name: m.name, type: m.type, ...box });
      else groups.push({ key: c.id, kind: m.kind, title: m.title, ...(m.kind === 'state' ? { type: m.type, name: m.name } : {}), ...box });
      walk(c);
    }
  };
  walk(laid);
  const byId = new Map(edges.map((e) => [e.id, e]));
  const laidEdges: LaidEdge[] = (laid.edges ?? []).map((e) => {
    const section = e.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const path = points.map((p, i) => `${i ? 'L' : 'M'}${round(p.x)},${round(p.y)}`).join(' ');
    const label = e.labels?.[0];
    return { ...byId.get(e.id)!, path, ...(label ? { labelBox: { x: label.x, y: label.y, width: label.width, height: label.height } } : {}) };
  });
  return { width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), nodes, groups, edges: laidEdges };
}

interface P {
  x: number;
  y: number;
}
const round = (v: number) => Math.round(v * 10) / 10;
