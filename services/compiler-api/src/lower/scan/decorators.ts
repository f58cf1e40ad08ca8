import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { EventProcessorTrigger, ScheduleTrigger, SubscriptionTrigger } from '@fluxio/contracts/manifest';
import { parseScheduleExpression, SCHEDULE_EXPRESSION_FORMS, validateTimezone } from '@fluxio/contracts/schedules';
import { decodeString, evalLiteral } from '../../parse/literals.ts';
import { keywordArgs, positionalArgs } from '../arguments.ts';
import type { ProjectScope } from '../scope.ts';

/** Triggers and export option of one state machine function. */
export interface Decorations {
  schedule: ScheduleTrigger | null;
  subscriptions: SubscriptionTrigger[];
  exportOpt: { enabled: boolean } | null;
  eventProcessor: EventProcessorTrigger | null;
}

const ALLOWED: Record<string, string[]> = {
  schedule: ['expression', 'input_data', 'timezone'],
  subscribe: ['project', 'state_machine', 'status', 'topic_arn_import_value'],
  export: ['enabled'],
  process_events: ['processor'],
};

/**
 * Reads `@schedule`, `@subscribe`, `@export` and `@process_events` of a state
 * machine function (spec §2.6, issue 9). Schedule expressions and time zones
 * are checked by shared/src/schedules.ts (`DSL.ScheduleExpression`,
 * `DSL.ScheduleTimezone`, on the offending argument); a processor must be an
 * EventProcessor class defined above (`DSL.ProcessorUnknown`).
 */
export function lowerDecorators(s: ProjectScope, decorators: Node[]): Decorations {
  const sink = s.sink;
  let schedule: ScheduleTrigger | null = null;
  const subscriptions: SubscriptionTrigger[] = [];
  let exportOpt: { enabled: boolean } | null = null;
  let eventProcessor: EventProcessorTrigger | null = null;
  let seenProcessEvents = false;
  for (const d of decorators) {
    const expr = d.namedChildren.find((c) => c && c.type !== 'comment');
    if (!expr) continue;
    if (expr.type !== 'call' || expr.childForFieldName('function')?.type !== 'identifier') {
      sink.error('DSL.DecoratorForm', `decorators must be calls of a bare name, e.g. @${expr.text.replace(/^.*\./, '')}()`, expr);
      continue;
    }
    const dname = expr.childForFieldName('function')!.text;
    const kwargs = keywordArgs(expr);
    if (!ALLOWED[dname]) {
      sink.error('DSL.UnknownDecorator', 'supported decorators: @export(), @schedule(expression=...), @subscribe(project=..., state_machine=...), @process_events(processor=...)', expr);
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
      const exprNode = kwargs.get('expression');
      const tzNode = kwargs.get('timezone');
      const expression = exprNode && exprNode.type !== 'none' ? (str('expression') ?? null) : null;
      let timezone: string | null = null;
      if (tzNode && tzNode.type !== 'none') {
        const tz = str('timezone');
        if (tz !== undefined && tz !== null) {
          const v = validateTimezone(tz);
          if (!v.ok) sink.error('DSL.ScheduleTimezone', v.message, tzNode);
          else timezone = v.timezone;
        }
      }
      if (!exprNode || exprNode.type === 'none') {
        sink.error(
          'DSL.ScheduleExpression',
          `@schedule needs expression=: a schedule without one can never fire (the original Fluxio accepted it and nothing ran it); write e.g. @schedule(expression="rate(1 hour)"). Expressions: ${SCHEDULE_EXPRESSION_FORMS}`,
          exprNode ?? expr,
        );
      } else if (expression !== null) {
        const r = parseScheduleExpression(expression, timezone);
        if (!r.ok) sink.error(r.problem === 'timezone' ? 'DSL.ScheduleTimezone' : 'DSL.ScheduleExpression', r.message, (r.problem === 'timezone' ? tzNode : exprNode) ?? expr);
      }
      let input_data: Record<string, unknown> | null = null;
      const inputNode = kwargs.get('input_data');
      if (inputNode) {
        const lit = evalLiteral(inputNode);
        if (!lit.ok || typeof lit.value !== 'object' || lit.value === null || Array.isArray(lit.value)) {
          sink.error('DSL.InvalidOptionType', 'input_data must be a dict literal', inputNode);
        } else input_data = lit.value as Record<string, unknown>;
      }
      schedule = { expression, input_data, timezone };
    } else if (dname === 'process_events') {
      if (seenProcessEvents) sink.error('DSL.DuplicateDecorator', 'only one @process_events per state machine function', expr);
      seenProcessEvents = true;
      eventProcessor = { processor: processorOption(s, kwargs.get('processor')) };
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
  return { schedule, subscriptions, exportOpt, eventProcessor };
}

/**
 * `processor=Name`: an EventProcessor class defined above (spec §2.6:
 * "Processor must exist and directly inherit from EventProcessor"); absent or
 * `None` → null, the built-in processor (no custom tags).
 */
function processorOption(s: ProjectScope, v: Node | undefined): string | null {
  if (!v || v.type === 'none') return null;
  if (v.type !== 'identifier') {
    const text = decodeString(v);
    s.sink.error(
      'DSL.InvalidOptionType',
      text !== undefined ? `processor names the class, not a string: write processor=${text}` : 'processor must be the name of an EventProcessor class defined above, e.g. processor=MyEvents',
      v,
    );
    return null;
  }
  const name = v.text;
  if (s.eventProcessors.has(name)) return name;
  const later = s.laterNames.get(name);
  let why: string;
  if (s.tasks.has(name)) why = `${name} is a Task class; processor= names a class that inherits EventProcessor directly (class ${name}Events(EventProcessor): ...)`;
  else if (s.manifestExceptions[name]) why = `${name} is an exception class; processor= names a class that inherits EventProcessor directly`;
  else if (later !== undefined && later > v.startIndex) why = `${name} is defined later (line ${s.sink.lines.position(later).line}); define the EventProcessor class above the function`;
  else why = `there is no EventProcessor class ${name} above; define \`class ${name}(EventProcessor):\` with async get_custom_tags_<EventType>(message, input_data, state_data_client) methods before this function`;
  s.sink.error('DSL.ProcessorUnknown', why, v);
  return null;
}
