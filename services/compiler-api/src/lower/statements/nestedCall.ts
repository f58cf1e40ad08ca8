import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import type { Exit } from '../../emit/StateGraph.ts';
import { DEFAULT_TASK_TIMEOUT_SECONDS, nestedMachineTemplate } from '../../emit/templates.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';
import { callBasics } from './taskCall.ts';

/**
 * A call of another state machine function: a synchronous nested execution
 * (spec §7.4.6, DESIGN §5.4); with a result, a Pass unwraps the child's Output.
 */
export function lowerNestedCall(s: ProjectScope, call: Node, callee: string, resultPath: string | null, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const { inputPath, timeout, name } = callBasics(s, call, callee, ['key', 'timeout'], DEFAULT_TASK_TIMEOUT_SECONDS, ctx);
  const state = { ...nestedMachineTemplate(callee, inputPath), ResultPath: resultPath, TimeoutSeconds: timeout } as AslState;
  state.End = true;
  ctx.graph.add(name, state, s.src(call, 'Task', ctx, callee), incoming);
  s.lastTask = { state, name };
  if (resultPath === null) return [{ kind: 'next', state }];
  // the child's output replaces the startExecution description (DESIGN §5.4)
  const unwrap: AslState = { Type: 'Pass', InputPath: `${resultPath}.Output`, ResultPath: resultPath, End: true };
  ctx.graph.add(ctx.graph.uniqueName(`${name.slice(0, 70)}-output`), unwrap, s.internalSrc(call, 'Pass', ctx, callee), [{ kind: 'next', state }]);
  return [{ kind: 'next', state: unwrap }];
}
