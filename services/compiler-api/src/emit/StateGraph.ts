import type { AslDefinition, AslState, StateSource } from '@fluxio/contracts/manifest';

/** ASL: state names are at most 80 Unicode characters (States Language spec, "States"). */
export const MAX_STATE_NAME_LENGTH = 80;

/**
 * An open exit of a statement list (spec §6.9): a place that must be linked
 * to whatever comes next. `next` exits may also end the machine; rule,
 * default and catch exits must point at a state.
 */
export type Exit =
  | { kind: 'start'; graph: StateGraph }
  | { kind: 'next'; state: AslState }
  | { kind: 'rule'; rule: Record<string, unknown> }
  | { kind: 'default'; state: AslState }
  | { kind: 'catch'; catcher: Record<string, unknown> };

/** 32-bit FNV-1a as 8 hex digits: a short, stable content hash for state names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * One state machine's states under construction: unique names, source map,
 * and wiring of open exits. Nested Map/Parallel bodies are embedded with
 * `embed`, which renames states that collide with names already used in the
 * whole machine (ASL requires unique names across nested bodies).
 */
export class StateGraph {
  startAt: string | undefined;
  readonly states: Record<string, AslState> = {};
  /** Every name used in the machine, nested bodies included. */
  readonly used: Set<string>;
  /** Source of every state, nested included (the manifest `states`). */
  readonly sources: Record<string, StateSource>;
  /** Per base name: the suffix to try first (all smaller ones are taken); shared with nested graphs, like `used`. */
  private readonly nextSuffix: Map<string, number>;

  constructor(parent?: StateGraph) {
    this.used = parent ? parent.used : new Set();
    this.sources = parent ? parent.sources : {};
    this.nextSuffix = parent ? parent.nextSuffix : new Map();
  }

  /** Returns `base` or `base-2`, `base-3`… so the name is unused in the machine. */
  uniqueName(base: string): string {
    let name = base.slice(0, MAX_STATE_NAME_LENGTH);
    if (!this.used.has(name)) return name;
    // Resume at the last suffix given for this base: every smaller one was taken then and
    // names stay taken, so this finds the same (smallest free) suffix as probing from 2, without
    // O(n²) probing when many states share a base (e.g. 1,000 identical wait(seconds=1) statements).
    let i = this.nextSuffix.get(base) ?? 2;
    for (; ; i++) {
      const suffix = `-${i}`;
      name = base.slice(0, MAX_STATE_NAME_LENGTH - suffix.length) + suffix;
      if (!this.used.has(name)) break;
    }
    this.nextSuffix.set(base, i);
    return name;
  }

  /** Adds a state under `name` (must be unused) and links the incoming exits to it. */
  add(name: string, state: AslState, source: StateSource, incoming: Exit[]): string {
    this.used.add(name);
    this.states[name] = state;
    this.sources[name] = source;
    link(incoming, name);
    return name;
  }

  /**
   * Copies a compiled definition into this machine (for Map ItemProcessor or
   * Parallel Branches), renaming any state whose name is already used.
   */
  embed(def: AslDefinition, sources: Record<string, StateSource>): { StartAt: string; States: Record<string, AslState> } {
    const rename = new Map<string, string>();
    for (const name of Object.keys(def.States)) {
      const fresh = this.uniqueName(name);
      rename.set(name, fresh);
      this.used.add(fresh);
    }
    const r = (n: unknown) => (typeof n === 'string' ? rename.get(n) ?? n : n);
    const states: Record<string, AslState> = {};
    for (const [name, state] of Object.entries(def.States)) {
      const copy: AslState = { ...state };
      if ('Next' in copy) copy.Next = r(copy.Next);
      if ('Default' in copy) copy.Default = r(copy.Default);
      if (Array.isArray(copy.Choices)) copy.Choices = (copy.Choices as Array<Record<string, unknown>>).map((c) => ({ ...c, Next: r(c.Next) }));
      if (Array.isArray(copy.Catch)) copy.Catch = (copy.Catch as Array<Record<string, unknown>>).map((c) => ({ ...c, Next: r(c.Next) }));
      if (copy.ItemProcessor) {
        const ip = copy.ItemProcessor as AslDefinition & { ProcessorConfig: unknown };
        copy.ItemProcessor = { ProcessorConfig: ip.ProcessorConfig, ...this.embed(ip, sources) };
      }
      if (Array.isArray(copy.Branches)) copy.Branches = (copy.Branches as AslDefinition[]).map((b) => this.embed(b, sources));
      const fresh = rename.get(name)!;
      states[fresh] = copy;
      if (sources[name]) this.sources[fresh] = sources[name];
    }
    return { StartAt: rename.get(def.StartAt) ?? def.StartAt, States: states };
  }

  /** The definition (`StartAt`, `States`) of this graph. */
  definition(): AslDefinition {
    return { StartAt: this.startAt ?? '', States: this.states };
  }
}

/** Points every exit at `target`. */
export function link(exits: Exit[], target: string): void {
  for (const e of exits) {
    switch (e.kind) {
      case 'start':
        e.graph.startAt = target;
        break;
      case 'next':
        if ('End' in e.state) delete e.state.End; // (deleting makes V8 switch the object to slow properties)
        e.state.Next = target;
        break;
      case 'rule':
        e.rule.Next = target;
        break;
      case 'default':
        e.state.Default = target;
        break;
      case 'catch':
        e.catcher.Next = target;
        break;
    }
  }
}
