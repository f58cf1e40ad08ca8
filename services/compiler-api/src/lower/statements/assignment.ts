import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import type { Exit } from '../../emit/StateGraph.ts';
import { evalLiteral } from '../../parse/literals.ts';
import { dataPath, looksLikeDataRef } from '../dataPath.ts';
import { checkOptions, positionalArgs } from '../arguments.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';
import { lowerCall } from './call.ts';

/**
 * `data["k"] = <call | data reference | JSON literal>` (spec §5): a call's
 * result goes to the key (ResultPath); a reference or literal becomes a Pass.
 */
export function lowerAssignment(s: ProjectScope, stmt: Node, assign: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const left = assign.childForFieldName('left')!;
  const right = assign.childForFieldName('right');
  if (!right || assign.childForFieldName('type')) {
    s.sink.error('DSL.UnsupportedStatement', 'annotated assignments are not supported; write data["k"] = value', stmt);
    return incoming;
  }
  if (right.type === 'assignment') {
    s.sink.error('DSL.MultipleTargets', 'assign one target at a time: data["a"] = value', stmt);
    return incoming;
  }
  if (left.type !== 'subscript' || !looksLikeDataRef(left)) {
    s.sink.error('DSL.AssignmentTarget', `assignment target must be a key on data, e.g. data["${left.type === 'identifier' ? left.text : 'key'}"] = ...`, left);
    return incoming;
  }
  const target = dataPath(left);
  if (!target.ok) {
    s.sink.error('DSL.InvalidDataReference', target.reason, target.node);
    return incoming;
  }
  if (target.keys[0] === '__trace' || target.keys.some((k) => typeof k === 'string' && k.includes('__trace'))) {
    s.sink.error('DSL.ReservedKey', '__trace is reserved for the execution trace; choose another key', left);
    return incoming;
  }
  if (right.type === 'call') return lowerCall(s, stmt, right, target.path, incoming, ctx);
  // Pass: literal or copy of another data reference
  if (looksLikeDataRef(right)) {
    const from = dataPath(right);
    if (!from.ok) {
      s.sink.error('DSL.InvalidDataReference', from.reason, from.node);
      return incoming;
    }
    const state: AslState = { Type: 'Pass', InputPath: from.path, ResultPath: target.path, End: true };
    ctx.graph.add(s.autoName('Pass', stmt, ctx), state, s.src(stmt, 'Pass', ctx), incoming);
    return [{ kind: 'next', state }];
  }
  const lit = evalLiteral(right);
  if (!lit.ok) {
    s.sink.error('DSL.PassValue', `only JSON literals, data references, task calls, map() and parallel() can be assigned (${lit.reason})`, lit.node);
    return incoming;
  }
  const state: AslState = { Type: 'Pass', Result: lit.value, ResultPath: target.path, End: true };
  ctx.graph.add(s.autoName('Pass', stmt, ctx), state, s.src(stmt, 'Pass', ctx), incoming);
  return [{ kind: 'next', state }];
}

/** `data.update({...})` / `data.update(data["x"])`: a shallow merge with dict.update semantics (DESIGN §5.4). */
export function lowerUpdate(s: ProjectScope, stmt: Node, call: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  checkOptions(s.sink, call, [], 'data.update');
  const pos = positionalArgs(call);
  if (pos.length !== 1) {
    s.sink.error('DSL.UpdateArgument', 'data.update takes one dict literal or data reference, e.g. data.update({"k": 1})', call);
    return incoming;
  }
  const arg = pos[0];
  const name = s.autoName('Update', stmt, ctx);
  if (looksLikeDataRef(arg)) {
    const p = dataPath(arg);
    if (!p.ok) {
      s.sink.error('DSL.InvalidDataReference', p.reason, p.node);
      return incoming;
    }
    const state: AslState = { Type: 'Pass', Parameters: { 'merged.$': `States.JsonMerge($, ${p.path}, false)` }, OutputPath: '$.merged', End: true };
    ctx.graph.add(name, state, s.src(stmt, 'Pass', ctx), incoming);
    return [{ kind: 'next', state }];
  }
  const lit = evalLiteral(arg);
  if (!lit.ok || typeof lit.value !== 'object' || lit.value === null || Array.isArray(lit.value)) {
    s.sink.error('DSL.UpdateArgument', 'data.update takes a dict literal (JSON values only) or a data reference', lit.ok ? arg : lit.node);
    return incoming;
  }
  const value = lit.value as Record<string, unknown>;
  if ('__trace' in value) {
    s.sink.error('DSL.ReservedKey', '__trace is reserved for the execution trace; choose another key', arg);
    return incoming;
  }
  const dollarKey = findDollarKey(value);
  if (dollarKey) {
    s.sink.error('DSL.UpdateArgument', `keys ending in ".$" are reserved by Step Functions (${dollarKey}); rename the key`, arg);
    return incoming;
  }
  // 1) carry the data and the literal side by side, 2) shallow-merge (dict.update semantics, DESIGN §5.4)
  const stage: AslState = { Type: 'Pass', Parameters: { 'data.$': '$', update: value }, End: true };
  const merge: AslState = { Type: 'Pass', Parameters: { 'merged.$': 'States.JsonMerge($.data, $.update, false)' }, OutputPath: '$.merged', End: true };
  ctx.graph.add(name, stage, s.src(stmt, 'Pass', ctx), incoming);
  ctx.graph.add(ctx.graph.uniqueName(`${name}-merge`), merge, s.internalSrc(stmt, 'Pass', ctx), [{ kind: 'next', state: stage }]);
  return [{ kind: 'next', state: merge }];
}

function findDollarKey(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const k = findDollarKey(x);
      if (k) return k;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k.endsWith('.$')) return k;
      const inner = findDollarKey(x);
      if (inner) return inner;
    }
  }
  return undefined;
}
