import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { ScheduleTrigger, SubscriptionTrigger } from '@fluxio/contracts/manifest';
import type { DiagnosticSink } from '../../parse/source.ts';
import { decodeString, evalLiteral } from '../../parse/literals.ts';
import { keywordArgs, positionalArgs } from '../arguments.ts';

/** Triggers and export option of one state machine function. */
export interface Decorations {
  schedule: ScheduleTrigger | null;
  subscriptions: SubscriptionTrigger[];
  exportOpt: { enabled: boolean } | null;
}

const ALLOWED: Record<string, string[]> = {
  schedule: ['expression', 'input_data'],
  subscribe: ['project', 'state_machine', 'status', 'topic_arn_import_value'],
  export: ['enabled'],
};

const SCHEDULE_EXPRESSION = /^(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\(\s*\S+(\s+\S+){5}\s*\)|at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\))$/;

/** Reads `@schedule`, `@subscribe` and `@export` of a state machine function (spec §2.6). */
export function lowerDecorators(sink: DiagnosticSink, decorators: Node[]): Decorations {
  let schedule: ScheduleTrigger | null = null;
  const subscriptions: SubscriptionTrigger[] = [];
  let exportOpt: { enabled: boolean } | null = null;
  for (const d of decorators) {
    const expr = d.namedChildren.find((c) => c && c.type !== 'comment');
    if (!expr) continue;
    if (expr.type !== 'call' || expr.childForFieldName('function')?.type !== 'identifier') {
      sink.error('DSL.DecoratorForm', `decorators must be calls of a bare name, e.g. @${expr.text.replace(/^.*\./, '')}()`, expr);
      continue;
    }
    const dname = expr.childForFieldName('function')!.text;
    const kwargs = keywordArgs(expr);
    if (dname === 'process_events') {
      sink.error('DSL.EventProcessorUnsupported', '@process_events is not supported by this compiler; remove it', expr);
      continue;
    }
    if (!ALLOWED[dname]) {
      sink.error('DSL.UnknownDecorator', 'supported decorators: @export(), @schedule(expression=...), @subscribe(project=..., state_machine=...)', expr);
      continue;
    }
    for (const [k, v] of kwargs) if (!ALLOWED[dname].includes(k)) sink.error('DSL.InvalidOption', `unknown option ${k}; options of @${dname}: ${ALLOWED[dname].join(', ')}`, v);
    const str = (k: string): string | null | undefined => {
      const v = kwargs.get(k);
      if (!v) return null;
      const s = decodeString(v);
      if (s === undefined) sink.error('DSL.InvalidOptionType', `the ${k} option must be a string literal`, v);
      return s;
    };
    if (dname === 'schedule') {
      if (schedule) sink.error('DSL.DuplicateDecorator', 'only one @schedule per state machine function', expr);
      const expression = str('expression') ?? null;
      if (expression !== null && !SCHEDULE_EXPRESSION.test(expression)) {
        sink.error('DSL.ScheduleExpression', 'expression must be rate(N minutes|hours|days), cron(min hour dom month dow year) or at(yyyy-mm-ddThh:mm:ss)', kwargs.get('expression')!);
      }
      let input_data: Record<string, unknown> | null = null;
      const inputNode = kwargs.get('input_data');
      if (inputNode) {
        const lit = evalLiteral(inputNode);
        if (!lit.ok || typeof lit.value !== 'object' || lit.value === null || Array.isArray(lit.value)) {
          sink.error('DSL.InvalidOptionType', 'input_data must be a dict literal', inputNode);
        } else input_data = lit.value as Record<string, unknown>;
      }
      schedule = { expression, input_data, timezone: null };
    } else if (dname === 'subscribe') {
      const project = str('project') ?? null;
      const topic = str('topic_arn_import_value') ?? null;
      const status = str('status') ?? 'success';
      if (!project && !topic && !kwargs.has('project') && !kwargs.has('topic_arn_import_value')) {
        sink.error('DSL.SubscribeTarget', '@subscribe needs project="..." (with state_machine=) or topic_arn_import_value="..."', expr);
      }
      if (status !== 'success' && status !== 'failure') sink.error('DSL.SubscribeStatus', 'status must be "success" or "failure"', kwargs.get('status') ?? expr);
      subscriptions.push({ project, state_machine: str('state_machine') ?? 'main', status: status === 'failure' ? 'failure' : 'success', topic_arn_import_value: topic });
    } else {
      if (exportOpt) sink.error('DSL.DuplicateDecorator', 'only one @export per state machine function', expr);
      const en = kwargs.get('enabled');
      if (en && en.type !== 'true' && en.type !== 'false') sink.error('DSL.InvalidOptionType', 'enabled must be True or False', en);
      exportOpt = { enabled: en ? en.type !== 'false' : true };
    }
    for (const p of positionalArgs(expr)) sink.error('DSL.PositionalOption', `@${dname} takes keyword arguments only`, p);
  }
  return { schedule, subscriptions, exportOpt };
}
