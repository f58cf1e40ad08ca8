import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import type { AslState, ManifestEventProcessor, ManifestException, ManifestStateMachine, ManifestTask, StateSource, TaskAttributes, TaskService } from '@fluxio/contracts/manifest';
import type { DiagnosticSink } from '../parse/source.ts';
import { type Exit, shortHash, StateGraph, MAX_STATE_NAME_LENGTH } from '../emit/StateGraph.ts';
import { lowerBlock, lowerStatement } from './statements/block.ts';
import { ExceptionHierarchy } from './exceptions/hierarchy.ts';

/** A Task class of the project (spec §2.2). */
export interface TaskDef {
  name: string;
  node: Node;
  service: TaskService;
  attributes: TaskAttributes;
}

/** A state machine function lowered so far (spec §2.5). */
export interface FunctionDef {
  name: string;
  node: Node;
  definition: ManifestStateMachine['definition'];
  sources: Record<string, StateSource>;
  /** States of the definition, nested Map/Parallel bodies included. */
  stateCount: number;
  /** Levels of Map/Parallel bodies embedded in it (0 when none). */
  nesting: number;
}

/** The state machine function being lowered. */
export interface FunctionCtx {
  fn: string;
  graph: StateGraph;
  /** Deepest Map/Parallel nesting embedded so far. */
  nesting: number;
  /** user keys of this function → node (duplicate detection) */
  keys: Map<string, Node>;
}

/**
 * What the lowering of one `project.py` knows: the module scan's definitions
 * (in source order, so a name is known once its definition has been read), the
 * manifest parts built so far, and the diagnostics sink. Statement lowerers
 * (lower/statements/*) receive it and recurse through {@link lowerBlock}.
 */
export class ProjectScope {
  readonly tasks = new Map<string, TaskDef>();
  readonly functions = new Map<string, FunctionDef>();
  /** Every module-level definition name → its start offset (for "defined later"). */
  readonly laterNames = new Map<string, number>();
  /** Functions used as a `map()` iterator somewhere in the file. */
  readonly mapIterators = new Set<string>();
  /** Functions embedded in a Map or Parallel (manifest `firstClass: false`). */
  readonly notFirstClass = new Set<string>();
  readonly manifestTasks: Record<string, ManifestTask> = {};
  readonly machines: Record<string, ManifestStateMachine> = {};
  /** Python's exception classes: the built-in ones and the project's (for except/retry, spec §14). */
  readonly exceptions = new ExceptionHierarchy();
  /** The project's exception classes for the manifest's `exceptions`, in source order. */
  readonly manifestExceptions: Record<string, ManifestException> = {};
  /** EventProcessor classes read so far (spec §2.4), for `@process_events(processor=...)` of later functions. */
  readonly eventProcessors = new Map<string, { name: string; node: Node }>();
  /** The manifest's `eventProcessors` (classes without errors), in source order. */
  readonly manifestEventProcessors: Record<string, ManifestEventProcessor> = {};
  /** States of the state machines lowered so far (see MAX_STATES_PER_PROJECT). */
  totalStates = 0;
  /** The Task state produced by the most recent task call (for try/retry). */
  lastTask: { state: AslState; name: string } | undefined;

  constructor(
    readonly source: string,
    readonly sink: DiagnosticSink,
  ) {}

  /** Lowers the statements of `block` (spec §6.9); returns its open exits. */
  lowerBlock(block: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
    return lowerBlock(this, block, incoming, ctx);
  }

  /** Lowers one statement; returns its open exits (none after return/raise). */
  lowerStatement(stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
    return lowerStatement(this, stmt, incoming, ctx);
  }

  /** The manifest source entry of a state made from `node`. */
  src(node: Node, kind: AslState['Type'], ctx: FunctionCtx, task?: string): StateSource {
    const p = this.sink.lines.position(node.startIndex);
    const s: StateSource = { line: p.line, column: p.column, kind, function: ctx.fn };
    if (task) s.task = task;
    return s;
  }

  /** {@link src} of a state the compiler adds around the user's statements (`internal: true`). */
  internalSrc(node: Node, kind: AslState['Type'], ctx: FunctionCtx, task?: string): StateSource {
    return { ...this.src(node, kind, ctx, task), internal: true };
  }

  /** A generated state name `<prefix>-<hash of the statement text>`, unique in the machine (DESIGN §5.2). */
  autoName(prefix: string, node: Node, ctx: FunctionCtx): string {
    const text = node.text.replace(/\s+/g, '');
    return ctx.graph.uniqueName(`${prefix.slice(0, MAX_STATE_NAME_LENGTH - 9)}-${shortHash(ctx.fn + ':' + text)}`);
  }
}
