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
  if (!roomFor(s, [fn, fn], call, ctx)) return incoming;
  s.notFirstClass.add(fn.name);
  const P = ref.path;
  const base = s.autoName('Map', stmt, ctx);
  const mk = (pointer: boolean): AslState => ({
    Type: 'Map',
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...ctx.graph.embed(fn.definition, fn.sources) },
    ItemsPath: pointer ? `${P}.items` : P,
    ItemSelector: pointer
      ? {
          '__trace.$': '$.__trace',
          'items_result_table_name.$': `${P}.table_name`,
          'items_result_partition_key.$': `${P}.partition_key`,
          'items_result_key.$': `${P}.key`,
          'context_index.$': '$$.Map.Item.Index',
          'context_value.$': '$$.Map.Item.Value',
        }
      : { '__trace.$': '$.__trace', 'context_index.$': '$$.Map.Item.Index', 'context_value.$': '$$.Map.Item.Value' },
    MaxConcurrency: maxConcurrency,
    ResultPath: resultPath,
    End: true,
  });
  // pointer object from put_items ({table_name, partition_key, key, items}) or a plain array (DESIGN §5.7)
  const choice: AslState = { Type: 'Choice', Choices: [{ Variable: `${P}.items`, IsPresent: true, Next: '' }], Default: '' };
  ctx.graph.add(base, choice, s.src(stmt, 'Choice', ctx, fn.name), incoming);
  const pointerName = ctx.graph.uniqueName(`${base}-items`);
  ctx.graph.used.add(pointerName);
  const arrayName = ctx.graph.uniqueName(`${base}-array`);
  ctx.graph.used.add(arrayName);
  const pointer = mk(true);
  const array = mk(false);
  ctx.graph.add(pointerName, pointer, s.src(stmt, 'Map', ctx, fn.name), [{ kind: 'rule', rule: (choice.Choices as Array<Record<string, unknown>>)[0] }]);
  ctx.graph.add(arrayName, array, s.src(stmt, 'Map', ctx, fn.name), [{ kind: 'default', state: choice }]);
  return [
    { kind: 'next', state: pointer },
    { kind: 'next', state: array },
  ];
}
