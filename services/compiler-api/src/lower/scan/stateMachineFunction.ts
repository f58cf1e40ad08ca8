import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState, StateSource } from '@fluxio/contracts/manifest';
import { type Exit, shortHash, StateGraph } from '../../emit/StateGraph.ts';
import { placeholderNames } from '../placeholders.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';
import { lowerDecorators } from './decorators.ts';
import { isAsync } from './moduleScan.ts';

/** The envelope's Choice: is `$.__trace` present? (DESIGN §5.3) */
export const TRACE_CHECK = 'Trace-Check';
/** The envelope's Pass that fills `$.__trace` for a direct start (DESIGN §5.3). */
export const TRACE_DEFAULT = 'Trace-Default';

/**
 * Lowers a module-level `def name(data):` to a state machine (spec §2.5, §2.6):
 * the trace envelope, then the body; records it in the scope (for later calls,
 * maps and parallels) and in the manifest's `stateMachines`.
 */
export function lowerStateMachineFunction(s: ProjectScope, node: Node, decorators: Node[]): void {
  if (isAsync(node)) return;
  const name = node.childForFieldName('name')?.text ?? '';
  const graph = new StateGraph();
  const ctx: FunctionCtx = { fn: name, graph, keys: new Map(), nesting: 0 };
  const { schedule, subscriptions, exportOpt, eventProcessor } = lowerDecorators(s, decorators);
  const line = s.sink.lines.position(node.startIndex).line;
  // envelope (DESIGN §5.3): guarantee $.__trace before the first statement
  const check: AslState = { Type: 'Choice', Choices: [{ Variable: '$.__trace', IsPresent: true, Next: '' }], Default: TRACE_DEFAULT };
  const fill: AslState = { Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Name', source: 'direct' }, ResultPath: '$.__trace', End: true };
  const src: StateSource = { line, column: 1, kind: 'Choice', function: name };
  graph.add(TRACE_CHECK, check, { ...src, internal: true }, [{ kind: 'start', graph }]);
  graph.add(TRACE_DEFAULT, fill, { ...src, kind: 'Pass', internal: true }, []);
  const entry: Exit[] = [{ kind: 'rule', rule: (check.Choices as Array<Record<string, unknown>>)[0] }, { kind: 'next', state: fill }];
  const body = node.childForFieldName('body');
  const exits = body ? s.lowerBlock(body, entry, ctx) : entry;
  finish(s, exits, ctx, node);
  const definition = graph.definition();
  s.functions.set(name, { name, node, definition, sources: graph.sources, stateCount: graph.used.size, nesting: ctx.nesting });
  s.totalStates += graph.used.size;
  s.machines[name] = {
    definition,
    firstClass: true,
    schedule,
    subscriptions,
    export: exportOpt,
    eventProcessor,
    substitutions: placeholderNames(definition),
    states: graph.sources,
    line,
  };
}

/** Ends the machine: `next` exits get End; Choice/Catch exits need a Succeed. */
function finish(s: ProjectScope, exits: Exit[], ctx: FunctionCtx, node: Node): void {
  const needTarget = exits.filter((e) => e.kind !== 'next');
  for (const e of exits) if (e.kind === 'next') e.state.End = true;
  if (needTarget.length) {
    const name = ctx.graph.uniqueName(`Succeed-${shortHash(ctx.fn + ':end')}`);
    ctx.graph.add(name, { Type: 'Succeed' }, s.src(node, 'Succeed', ctx), needTarget);
  }
}
