/**
 * The graph of an ASL definition, built once for every picture of it: the
 * Mermaid flowchart of `fluxio compile --format mermaid`
 * (services/compiler-api/src/emit/renderMermaid.ts) and the web console's
 * state machine and execution graphs (console/src/graph/).
 *
 * Shape (Amazon States Language spec, https://states-language.net/spec.html):
 * a {@link StateGraph} is one `{StartAt, States}` body — the top-level
 * definition, a Map's `ItemProcessor` (or legacy `Iterator`), or one of a
 * Parallel's `Branches` — with a start node, its states in definition order
 * and an end node when some state has `End: true`. Each {@link GraphState}
 * keeps its outgoing {@link GraphEdge}s in a fixed order (Choice rules, then
 * `Default`, `Next`, `End`, `Catch` entries, `Retry` entries) and, for Map and
 * Parallel, its nested bodies.
 *
 * Keys: every node has a key unique in the whole graph. A body's key is the
 * state machine name for the top level, else `<parent body key>/<state>#<i>`
 * (`i` = 0 for a Map's iteration, the branch index for Parallel); a state's
 * key is `<body key>/<state name>`, the start and end nodes
 * `<body key>/__start__` and `<body key>/__end__`. State names are unique in
 * a Fluxio state machine (DESIGN.md §5.2) but ASL allows the same name in two
 * Parallel branches, which the keys keep apart.
 */

/** An ASL definition body: `{StartAt, States}` (the top level, an ItemProcessor, a Parallel branch). */
export interface AslBody {
  StartAt: string;
  States: Record<string, { Type: string; [key: string]: unknown }>;
}

/** What an edge means. */
export type GraphEdgeKind =
  /** `Next` of a state, or the start node to `StartAt`. */
  | 'next'
  /** One Choice rule (`label` = its condition, {@link describeChoiceRule}). */
  | 'choice'
  /** A Choice state's `Default`. */
  | 'default'
  /** `End: true`: to the body's end node. */
  | 'end'
  /** One `Catch` entry (`errors` = its `ErrorEquals`). */
  | 'catch'
  /** One `Retry` entry, a loop back to the state itself (`errors`, `maxAttempts`, `intervalSeconds`, `backoffRate`). */
  | 'retry';

/** One edge out of a state (or out of a body's start node). */
export interface GraphEdge {
  kind: GraphEdgeKind;
  /** Key of the node it leaves. */
  from: string;
  /** Key of the node it reaches (a state, or the body's end node; a retry edge reaches `from`). */
  to: string;
  /** Readable label: the Choice condition, `default`, the caught or retried error names. */
  label?: string;
  /** `ErrorEquals` of a Catch or Retry entry. */
  errors?: string[];
  /** Retry: `MaxAttempts` (ASL default 3). */
  maxAttempts?: number;
  /** Retry: `IntervalSeconds` (ASL default 1). */
  intervalSeconds?: number;
  /** Retry: `BackoffRate` (ASL default 2.0). */
  backoffRate?: number;
  /** Choice: the rule's index in `Choices`. */
  rule?: number;
}

/** One state of a body. */
export interface GraphState {
  /** Unique key (see the module comment). */
  key: string;
  /** The state's name in its `States`. */
  name: string;
  /** ASL `Type`. */
  type: string;
  /** Outgoing edges in the order of the module comment. */
  edges: GraphEdge[];
  /** Map: its iteration body; Parallel: one body per branch; else empty. */
  bodies: StateGraph[];
}

/** One `{StartAt, States}` body as a graph. */
export interface StateGraph {
  /** Key of the body (see the module comment). */
  key: string;
  /** Readable title: `<state> iteration` or `<state> branch <n>` for nested bodies, the state machine name at the top. */
  title: string;
  /** Key of the start node (`<key>/__start__`). */
  start: string;
  /** Key of the end node (`<key>/__end__`), reached by `end` edges; only when some state has `End: true`. */
  end?: string;
  /** The edge from the start node to `StartAt`. */
  startEdge: GraphEdge;
  /** States in definition order. */
  states: GraphState[];
}

/** Comparison operators of a Choice rule and how a label shows them (ASL spec, "Choice Rules"). */
const COMPARISONS: Array<[RegExp, string]> = [
  [/^(String|Numeric|Boolean|Timestamp)Equals(Path)?$/, '=='],
  [/^(String|Numeric|Timestamp)LessThan(Path)?$/, '<'],
  [/^(String|Numeric|Timestamp)LessThanEquals(Path)?$/, '<='],
  [/^(String|Numeric|Timestamp)GreaterThan(Path)?$/, '>'],
  [/^(String|Numeric|Timestamp)GreaterThanEquals(Path)?$/, '>='],
];

/**
 * A short, readable form of a Choice rule for an edge label, e.g.
 * `$['n'] < 10 and $['s'] present`. Unknown shapes fall back to the operator name.
 */
export function describeChoiceRule(rule: Record<string, unknown>): string {
  const sub = (r: unknown) => describeChoiceRule(r as Record<string, unknown>);
  if (Array.isArray(rule.And)) return rule.And.map((r) => `(${sub(r)})`).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map((r) => `(${sub(r)})`).join(' or ');
  if (rule.Not && typeof rule.Not === 'object') return `not (${sub(rule.Not)})`;
  const variable = String(rule.Variable ?? '?');
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    for (const [pattern, op] of COMPARISONS) if (pattern.test(key)) return `${variable} ${op} ${JSON.stringify(value)}`;
    if (key === 'IsPresent') return `${variable} ${value ? 'present' : 'absent'}`;
    if (key === 'IsNull') return `${variable} ${value ? 'is' : 'is not'} null`;
    if (key === 'StringMatches') return `${variable} matches ${JSON.stringify(value)}`;
    if (/^Is(String|Numeric|Boolean|Timestamp)$/.test(key)) return `${variable} ${value ? 'is' : 'is not'} ${key.slice(2).toLowerCase()}`;
    return `${variable} ${key} ${JSON.stringify(value)}`;
  }
  return variable;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/**
 * The graph of `definition` (see the module comment for keys and edge order).
 * Edges whose target is not a state of the same body are kept (the key names
 * the missing state), so a broken definition still draws.
 *
 * @param definition an ASL definition or body (`{StartAt, States}`)
 * @param name the state machine name: the top body's key and title
 */
export function buildStateGraph(definition: AslBody, name: string): StateGraph {
  return body(definition, name, name);
}

function body(def: AslBody, key: string, title: string): StateGraph {
  const stateKey = (s: string) => `${key}/${s}`;
  const start = `${key}/__start__`;
  const endKey = `${key}/__end__`;
  let usesEnd = false;
  const states: GraphState[] = [];
  for (const [name, state] of Object.entries(def.States ?? {})) {
    const me = stateKey(name);
    const edges: GraphEdge[] = [];
    const bodies: StateGraph[] = [];
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as AslBody | undefined;
      if (processor) bodies.push(body(processor, `${key}/${name}#0`, `${name} iteration`));
    } else if (state.Type === 'Parallel') {
      ((state.Branches as AslBody[] | undefined) ?? []).forEach((b, i) => bodies.push(body(b, `${key}/${name}#${i}`, `${name} branch ${i + 1}`)));
    }
    if (state.Type === 'Choice') {
      ((state.Choices as Array<Record<string, unknown>> | undefined) ?? []).forEach((rule, i) =>
        edges.push({ kind: 'choice', from: me, to: stateKey(String(rule.Next)), label: describeChoiceRule(rule), rule: i }),
      );
      if (typeof state.Default === 'string') edges.push({ kind: 'default', from: me, to: stateKey(state.Default), label: 'default' });
    }
    if (typeof state.Next === 'string') edges.push({ kind: 'next', from: me, to: stateKey(state.Next) });
    if (state.End === true) {
      usesEnd = true;
      edges.push({ kind: 'end', from: me, to: endKey });
    }
    for (const c of (state.Catch as Array<{ ErrorEquals: string[]; Next: string }> | undefined) ?? []) {
      edges.push({ kind: 'catch', from: me, to: stateKey(c.Next), label: c.ErrorEquals.join(', '), errors: [...c.ErrorEquals] });
    }
    for (const r of (state.Retry as Array<Record<string, unknown>> | undefined) ?? []) {
      const errors = (r.ErrorEquals as string[] | undefined) ?? [];
      const maxAttempts = num(r.MaxAttempts) ?? 3;
      edges.push({
        kind: 'retry',
        from: me,
        to: me,
        label: `retry ×${maxAttempts}: ${errors.join(', ')}`,
        errors: [...errors],
        maxAttempts,
        intervalSeconds: num(r.IntervalSeconds) ?? 1,
        backoffRate: num(r.BackoffRate) ?? 2,
      });
    }
    states.push({ key: me, name, type: state.Type, edges, bodies });
  }
  return {
    key,
    title,
    start,
    ...(usesEnd ? { end: endKey } : {}),
    startEdge: { kind: 'next', from: start, to: stateKey(def.StartAt) },
    states,
  };
}

/** Every state of `graph`, nested bodies included, depth first in definition order, with the body that holds it. */
export function allStates(graph: StateGraph): Array<{ state: GraphState; body: StateGraph; depth: number }> {
  const out: Array<{ state: GraphState; body: StateGraph; depth: number }> = [];
  const walk = (g: StateGraph, depth: number) => {
    for (const s of g.states) {
      out.push({ state: s, body: g, depth });
      for (const b of s.bodies) walk(b, depth + 1);
    }
  };
  walk(graph, 0);
  return out;
}

/** Edge kinds that move on to the next state (not Catch, not Retry). */
const FLOW: ReadonlySet<GraphEdgeKind> = new Set(['next', 'choice', 'default', 'end']);

/**
 * The graph without the states `hide` names — e.g. the states the compiler adds
 * around the user's statements (the manifest's `states.<name>.internal`): every
 * edge into a hidden state is redirected to where the hidden states lead when that
 * is one place (following next, Choice and end edges through hidden states); a
 * hidden state that leads to several places stays drawn. Edges out of the states
 * that go away go with them; edges that become the same (kind, target, label) are
 * kept once. Map and Parallel bodies are treated the same way, each on its own.
 */
export function withoutStates(graph: StateGraph, hide: ReadonlySet<string>): StateGraph {
  const byKey = new Map(graph.states.map((s) => [s.key, s]));
  const hidden = new Set(graph.states.filter((s) => hide.has(s.name) && s.bodies.length === 0).map((s) => s.key));
  /** Non-hidden nodes reached from `key` through hidden states (flow edges only). */
  const exits = (key: string, seen = new Set<string>()): Set<string> => {
    if (!hidden.has(key)) return new Set([key]);
    if (seen.has(key)) return new Set();
    seen.add(key);
    const out = new Set<string>();
    for (const e of byKey.get(key)!.edges) if (FLOW.has(e.kind)) for (const x of exits(e.to, seen)) out.add(x);
    return out;
  };
  // A hidden state that leads to several places (or nowhere) stays; repeat until stable.
  for (let changed = true; changed; ) {
    changed = false;
    for (const key of [...hidden]) {
      if (exits(key).size !== 1) {
        hidden.delete(key);
        changed = true;
      }
    }
  }
  const resolve = (key: string): string => (hidden.has(key) ? [...exits(key)][0]! : key);
  const states = graph.states
    .filter((s) => !hidden.has(s.key))
    .map((s) => {
      const edges: GraphEdge[] = [];
      for (const e of s.edges) {
        const to = e.kind === 'retry' ? e.to : resolve(e.to);
        if (!edges.some((x) => x.kind === e.kind && x.to === to && x.label === e.label)) edges.push({ ...e, to });
      }
      return { ...s, edges, bodies: s.bodies.map((b) => withoutStates(b, hide)) };
    });
  const startEdge = { ...graph.startEdge, to: resolve(graph.startEdge.to) };
  const usesEnd = graph.end !== undefined && (startEdge.to === graph.end || states.some((s) => s.edges.some((e) => e.to === graph.end)));
  const { end: _end, ...rest } = graph;
  return { ...rest, ...(usesEnd ? { end: graph.end } : {}), startEdge, states };
}
