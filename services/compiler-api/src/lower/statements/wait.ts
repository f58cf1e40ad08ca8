import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import type { Exit } from '../../emit/StateGraph.ts';
import { decodeNumber, decodeString } from '../../parse/literals.ts';
import { dataPath, looksLikeDataRef } from '../dataPath.ts';
import { checkOptions, positionalArgs } from '../arguments.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** `wait(seconds=N | data[...])` / `wait(timestamp="..." | data[...])` → a Wait state (spec §12). */
export function lowerWait(s: ProjectScope, stmt: Node, call: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const kw = checkOptions(s.sink, call, ['seconds', 'timestamp'], 'wait()');
  for (const p of positionalArgs(call)) s.sink.error('DSL.WaitArguments', 'name the duration: wait(seconds=10) or wait(timestamp="2024-01-01T00:00:00Z")', p);
  const sec = kw.get('seconds');
  const t = kw.get('timestamp');
  if ((sec && t) || (!sec && !t)) {
    s.sink.error('DSL.WaitArguments', 'wait takes exactly one of seconds= or timestamp=', call);
    return incoming;
  }
  const state: AslState = { Type: 'Wait', End: true };
  const v = (sec ?? t)!;
  if (looksLikeDataRef(v)) {
    const p = dataPath(v);
    if (!p.ok) {
      s.sink.error('DSL.InvalidDataReference', p.reason, p.node);
      return incoming;
    }
    state[sec ? 'SecondsPath' : 'TimestampPath'] = p.path;
  } else if (sec) {
    const n = sec.type === 'integer' ? decodeNumber(sec) : undefined;
    if (n === undefined) {
      s.sink.error('DSL.WaitArguments', 'seconds must be a non-negative whole number or a data reference', sec);
      return incoming;
    }
    state.Seconds = n;
  } else {
    const ts = decodeString(t!);
    if (ts === undefined || !ISO_TIMESTAMP.test(ts)) {
      s.sink.error('DSL.WaitArguments', 'timestamp must be an ISO-8601 string such as "2024-01-01T00:00:00Z" or a data reference', t!);
      return incoming;
    }
    state.Timestamp = ts;
  }
  ctx.graph.add(s.autoName('Wait', stmt, ctx), state, s.src(stmt, 'Wait', ctx), incoming);
  return [{ kind: 'next', state }];
}
