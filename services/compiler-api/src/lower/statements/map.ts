import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import type { Exit } from '../../emit/StateGraph.ts';
import { decodeNumber } from '../../parse/literals.ts';
import { dataPath } from '../dataPath.ts';
import { checkOptions, positionalArgs } from '../arguments.ts';
import { roomFor } from '../limits.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';
import { functionRef } from './functionRef.ts';

/** `map(data["items"], fn, max_concurrency=N)` → inline Map states (spec §10, DESIGN §5.7). */
export function lowerMap(s: ProjectScope, stmt: Node, call: Node, resultPath: string | null, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const kw = checkOptions(s.sink, call, ['max_concurrency'], 'map()');
  const pos = positionalArgs(call);
  if (pos.length !== 2) {
    s.sink.error('DSL.MapArguments', 'write map(data["items"], iterator_function[, max_concurrency=N])', call);
    return incoming;
  }
  const ref = dataPath(pos[0]);
  if (!ref.ok) s.sink.error('DSL.InvalidDataReference', `map's first argument must be a data reference (${ref.reason})`, ref.node);
  const fn = functionRef(s, pos[1], 'map()', ctx);
  let maxConcurrency = 0;
  const mc = kw.get('max_concurrency');
  if (mc) {
    const v = mc.type === 'integer' ? decodeNumber(mc) : undefined;
    if (v === undefined) s.sink.error('DSL.InvalidOptionType', 'max_concurrency must be a non-negative integer (0 = unlimited)', mc);
    else maxConcurrency = v;
  }
  if (!ref.ok || !fn) return incoming;
  if (!roomFor(s, [fn], call, ctx)) return incoming;
  s.notFirstClass.add(fn.name);
  const P = ref.path;
  // One Map whatever the items are (DESIGN §5.7): a Choice tells a put_items pointer
  // ({table_name, partition_key, key, items}) from a plain array, and one Pass each puts the
  // items and the iteration's extra keys side by side with the data; the Map iterates
  // `$.items`, and the iterator's first state merges each item's base and extra keys.
  const base = s.autoName('Map', stmt, ctx);
  ctx.graph.used.add(base); // the Map state's name, taken before the states added first
  const choice: AslState = { Type: 'Choice', Choices: [{ Variable: `${P}.items`, IsPresent: true, Next: '' }], Default: '' };
  ctx.graph.add(ctx.graph.uniqueName(`${base}-input`), choice, s.internalSrc(stmt, 'Choice', ctx, fn.name), incoming);
  const pointer: AslState = {
    Type: 'Pass',
    Parameters: {
      'data.$': '$',
      'items.$': `${P}.items`,
      extra: { 'items_result_table_name.$': `${P}.table_name`, 'items_result_partition_key.$': `${P}.partition_key`, 'items_result_key.$': `${P}.key` },
    },
    End: true,
  };
  const list: AslState = { Type: 'Pass', Parameters: { 'data.$': '$', 'items.$': P, extra: {} }, End: true };
  ctx.graph.add(ctx.graph.uniqueName(`${base}-pointer`), pointer, s.internalSrc(stmt, 'Pass', ctx, fn.name), [{ kind: 'rule', rule: (choice.Choices as Array<Record<string, unknown>>)[0] }]);
  ctx.graph.add(ctx.graph.uniqueName(`${base}-list`), list, s.internalSrc(stmt, 'Pass', ctx, fn.name), [{ kind: 'default', state: choice }]);
  const body = ctx.graph.embed(fn.definition, fn.sources);
  const itemName = ctx.graph.uniqueName(`${base}-item`);
  ctx.graph.used.add(itemName);
  ctx.graph.sources[itemName] = s.internalSrc(stmt, 'Pass', ctx, fn.name);
  const item: AslState = { Type: 'Pass', Parameters: { 'merged.$': 'States.JsonMerge($.base, $.extra, false)' }, OutputPath: '$.merged', Next: body.StartAt };
  const map: AslState = {
    Type: 'Map',
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: itemName, States: { [itemName]: item, ...body.States } },
    ItemsPath: '$.items',
    // the iterator's data: {__trace, context_index, context_value} (+ items_result_* for a pointer)
    ItemSelector: { base: { '__trace.$': '$.data.__trace', 'context_index.$': '$$.Map.Item.Index', 'context_value.$': '$$.Map.Item.Value' }, 'extra.$': '$.extra' },
    MaxConcurrency: maxConcurrency,
    ResultPath: resultPath === null ? null : `$['data']${resultPath.slice(1)}`,
    OutputPath: '$.data',
    End: true,
  };
  ctx.graph.used.delete(base);
  ctx.graph.add(base, map, s.src(stmt, 'Map', ctx, fn.name), [{ kind: 'next', state: pointer }, { kind: 'next', state: list }]);
  return [{ kind: 'next', state: map }];
}
