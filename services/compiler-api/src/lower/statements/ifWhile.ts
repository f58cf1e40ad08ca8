import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import { type Exit, link } from '../../emit/StateGraph.ts';
import { compileCondition, type ConditionError } from '../../emit/choice.ts';
import type { FunctionCtx, ProjectScope } from '../scope.ts';

/** A condition's Choice rule (DESIGN §5.6), or undefined after reporting why not. */
function condition(s: ProjectScope, node: Node | null): Record<string, unknown> | undefined {
  if (!node) return undefined;
  const errs: ConditionError[] = [];
  const rule = compileCondition(node, errs);
  for (const e of errs) s.sink.error(e.code, e.message, e.node);
  return errs.length ? undefined : rule;
}

/** `if/elif/else` → one Choice state, a rule per branch, the else body on Default (spec §8). */
export function lowerIf(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const choice: AslState = { Type: 'Choice', Choices: [] };
  ctx.graph.add(s.autoName('Choice', stmt, ctx), choice, s.src(stmt, 'Choice', ctx), incoming);
  const out: Exit[] = [];
  const branches: Array<{ cond: Node | null; body: Node | null }> = [{ cond: stmt.childForFieldName('condition'), body: stmt.childForFieldName('consequence') }];
  let elseBody: Node | null = null;
  for (const alt of stmt.childrenForFieldName('alternative')) {
    if (!alt) continue;
    if (alt.type === 'elif_clause') branches.push({ cond: alt.childForFieldName('condition'), body: alt.childForFieldName('consequence') });
    else if (alt.type === 'else_clause') elseBody = alt.childForFieldName('body');
  }
  for (const b of branches) {
    const rule = condition(s, b.cond) ?? { Variable: '$', IsPresent: true };
    const r: Record<string, unknown> = { ...rule, Next: '' };
    (choice.Choices as unknown[]).push(r);
    out.push(...(b.body ? s.lowerBlock(b.body, [{ kind: 'rule', rule: r }], ctx) : [{ kind: 'rule' as const, rule: r }]));
  }
  const def: Exit = { kind: 'default', state: choice };
  out.push(...(elseBody ? s.lowerBlock(elseBody, [def], ctx) : [def]));
  return out;
}

/** `while cond:` → a Choice whose rule enters the body and whose Default leaves the loop (spec §9). */
export function lowerWhile(s: ProjectScope, stmt: Node, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  if (stmt.childForFieldName('alternative')) s.sink.error('DSL.UnsupportedStatement', 'while ... else is not supported; put the else body after the loop', stmt.childForFieldName('alternative')!);
  const choice: AslState = { Type: 'Choice', Choices: [] };
  const name = ctx.graph.add(s.autoName('While', stmt, ctx), choice, s.src(stmt, 'Choice', ctx), incoming);
  const rule = { ...(condition(s, stmt.childForFieldName('condition')) ?? { Variable: '$', IsPresent: true }), Next: '' };
  (choice.Choices as unknown[]).push(rule);
  const body = stmt.childForFieldName('body');
  const exits = body ? s.lowerBlock(body, [{ kind: 'rule', rule }], ctx) : [];
  link(exits, name);
  return [{ kind: 'default', state: choice }];
}
