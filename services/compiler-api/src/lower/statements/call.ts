import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { Exit } from '../../emit/StateGraph.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';
import { lowerUpdate } from './assignment.ts';
import { STATEMENT_HINT } from './block.ts';
import { lowerMap } from './map.ts';
import { lowerNestedCall } from './nestedCall.ts';
import { lowerParallel } from './parallel.ts';
import { lowerTaskCall } from './taskCall.ts';
import { lowerWait } from './wait.ts';
import { closestName } from '../suggest.ts';

/**
 * A call statement or the right side of `data["k"] = ...`: a Task class, a
 * state machine function, map(), parallel(), wait() or data.update(); any
 * other name is reported (with the definition it was meant to be, if close).
 */
export function lowerCall(s: ProjectScope, stmt: Node, call: Node, resultPath: string | null, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const fnNode = call.childForFieldName('function')!;
  if (fnNode.type === 'attribute') {
    const obj = fnNode.childForFieldName('object');
    const attr = fnNode.childForFieldName('attribute')?.text;
    if (obj?.type === 'identifier' && obj.text === 'data' && attr === 'update' && resultPath === null) return lowerUpdate(s, stmt, call, incoming, ctx);
    s.sink.error('DSL.UnsupportedMethodCall', 'the only method call is data.update({...}) as a statement; call tasks by class name', call);
    return incoming;
  }
  if (fnNode.type !== 'identifier') {
    s.sink.error('DSL.UnknownCall', `call a Task class or a state machine function by name; ${STATEMENT_HINT}`, fnNode);
    return incoming;
  }
  const name = fnNode.text;
  const task = s.tasks.get(name);
  if (task) return lowerTaskCall(s, call, task, resultPath, incoming, ctx);
  if (s.functions.has(name)) return lowerNestedCall(s, call, name, resultPath, incoming, ctx);
  if (name === 'map') return lowerMap(s, stmt, call, resultPath, incoming, ctx);
  if (name === 'parallel') return lowerParallel(s, stmt, call, resultPath, incoming, ctx);
  if (name === 'wait') {
    if (resultPath !== null) {
      s.sink.error('DSL.UnsupportedAssignment', 'wait() has no result; write wait(...) on its own line', call);
      return incoming;
    }
    return lowerWait(s, stmt, call, incoming, ctx);
  }
  if (name === ctx.fn) {
    s.sink.error('DSL.Recursion', `${name} cannot call itself; use while <condition>: to loop`, fnNode);
    return incoming;
  }
  const later = s.laterNames.get(name);
  if (later !== undefined && later > call.startIndex) {
    s.sink.error('DSL.UsedBeforeDefinition', `${name} is defined later (line ${s.sink.lines.position(later).line}); move its definition above this function`, fnNode);
  } else {
    const close = closestName(name, [...s.tasks.keys(), ...s.functions.keys(), 'map', 'parallel', 'wait']);
    s.sink.error(
      'DSL.UnknownName',
      close
        ? `\`${name}\` is not a Task class or state machine function defined above; did you mean ${close}?`
        : `\`${name}\` is not a Task class or state machine function defined above; ${STATEMENT_HINT}`,
      fnNode,
    );
  }
  return incoming;
}
