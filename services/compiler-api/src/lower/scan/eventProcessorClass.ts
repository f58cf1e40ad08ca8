import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import {
  CUSTOM_TAGS_METHOD_PREFIX,
  CUSTOM_TAGS_PARAMETERS,
  EVENT_PROCESSOR_BASE,
  EXECUTION_EVENT_TYPES,
  isExecutionEventType,
} from '@fluxio/contracts/eventProcessors';
import { evalLiteral } from '../../parse/literals.ts';
import type { ProjectScope } from '../scope.ts';
import { isAsync } from './moduleScan.ts';
import { extractSource } from './taskClass.ts';

const SIGNATURE = `(${CUSTOM_TAGS_PARAMETERS.join(', ')})`;

/**
 * Reads `class Name(EventProcessor):` (spec §2.4) into the scope (so a later
 * `@process_events(processor=Name)` finds it) and the manifest's
 * `eventProcessors`: its source (exec'd by `fluxio_task.entry.event_processor_handler`),
 * line, the event types it has methods for, and the packages it imports.
 *
 * Rules, each a structured error: the class inherits EventProcessor directly
 * and nothing else; its methods are `async def get_custom_tags_<EventType>`
 * with EventType one of shared/src/eventProcessors.ts's
 * EXECUTION_EVENT_TYPES, each at most once; their parameters are exactly
 * `message`, `input_data` and `state_data_client` in any order (no `self`,
 * no `*args`/`**kwargs`, no `/` or `*` markers: the runtime passes them by
 * name). Besides methods the body may hold docstrings, `pass` and class
 * attributes with literal values (the source is exec'd on its own, without
 * project.py's other names); anything else is `DSL.EventProcessorStatement`.
 */
export function lowerEventProcessorClass(s: ProjectScope, node: Node, name: string, bases: Node[]): void {
  const nameNode = node.childForFieldName('name') ?? node;
  const others = bases.filter((b) => b.text !== EVENT_PROCESSOR_BASE);
  if (others.length) {
    s.sink.error(
      'DSL.EventProcessorBase',
      `an EventProcessor class inherits EventProcessor directly and nothing else: write \`class ${name}(EventProcessor):\` (move shared code into a module its methods import)`,
      others[0],
    );
    return;
  }
  if (s.tasks.has(name) || s.manifestExceptions[name] || s.eventProcessors.has(name)) {
    s.sink.error('DSL.DuplicateDefinition', `${name} is already defined above; give this class another name`, nameNode);
    return;
  }
  const eventTypes: string[] = [];
  const seen = new Map<string, Node>();
  let ok = true;
  for (const stmt of node.childForFieldName('body')?.namedChildren ?? []) {
    if (!stmt) continue;
    let def: Node | null = stmt.type === 'function_definition' ? stmt : null;
    if (stmt.type === 'decorated_definition') {
      def = stmt.childForFieldName('definition');
      if (def?.type !== 'function_definition') continue;
      const decorators = stmt.namedChildren.filter((c) => c?.type === 'decorator') as Node[];
      const other = decorators.find((d) => d.text.replace(/^@\s*/, '') !== 'staticmethod');
      if (other) {
        s.sink.error('DSL.EventProcessorMethod', `methods of an EventProcessor take no decorators (they are called as plain functions); remove ${other.text}`, other);
        ok = false;
      }
    }
    if (!def) {
      if (!plainStatement(stmt)) {
        const hint = stmt.type === 'import_statement' || stmt.type === 'import_from_statement' ? 'import inside the methods that need it' : 'move it into a method or a module the methods import';
        s.sink.error('DSL.EventProcessorStatement', `an EventProcessor class body holds get_custom_tags_* methods, docstrings and literal class attributes only (it runs on its own, without the rest of project.py): ${hint}`, stmt);
        ok = false;
      }
      continue;
    }
    const mnameNode = def.childForFieldName('name') ?? def;
    const mname = mnameNode.text;
    if (!isAsync(def)) {
      s.sink.error('DSL.EventProcessorMethod', `EventProcessor methods must be async: write \`async def ${mname}${SIGNATURE}:\``, mnameNode);
      ok = false;
      continue;
    }
    if (!mname.startsWith(CUSTOM_TAGS_METHOD_PREFIX)) {
      s.sink.error(
        'DSL.EventProcessorMethod',
        `EventProcessor classes define only ${CUSTOM_TAGS_METHOD_PREFIX}<EventType> methods (EventType one of ${EXECUTION_EVENT_TYPES.join(', ')}); move \`${mname}\` to a module the methods import`,
        mnameNode,
      );
      ok = false;
      continue;
    }
    const eventType = mname.slice(CUSTOM_TAGS_METHOD_PREFIX.length);
    if (!isExecutionEventType(eventType)) {
      const close = EXECUTION_EVENT_TYPES.find((t) => t.toLowerCase() === eventType.toLowerCase() || t.toLowerCase() === `execution${eventType.toLowerCase()}`);
      s.sink.error(
        'DSL.EventProcessorEventType',
        `${eventType === '' ? 'no event type' : `unknown event type ${eventType}`} in ${mname}: ${close ? `write ${CUSTOM_TAGS_METHOD_PREFIX}${close}; ` : ''}the event types are ${EXECUTION_EVENT_TYPES.join(', ')}`,
        mnameNode,
      );
      ok = false;
      continue;
    }
    if (seen.has(eventType)) {
      s.sink.error('DSL.EventProcessorMethod', `${mname} is defined twice (line ${s.sink.lines.position(seen.get(eventType)!.startIndex).line}); Python would keep only the last one: merge them`, mnameNode);
      ok = false;
      continue;
    }
    seen.set(eventType, def);
    if (!checkParameters(s, def, mname)) ok = false;
    eventTypes.push(eventType);
  }
  s.eventProcessors.set(name, { name, node });
  if (!ok) return;
  const { source, imports, line } = extractSource(s, node);
  s.manifestEventProcessors[name] = { source, line, eventTypes, imports };
}

/** A docstring, `pass`, a comment or `name = <literal>`. */
function plainStatement(stmt: Node): boolean {
  if (stmt.type === 'pass_statement' || stmt.type === 'comment') return true;
  if (stmt.type !== 'expression_statement') return false;
  const e = stmt.namedChildren[0];
  if (!e) return true;
  if (e.type === 'string' || e.type === 'concatenated_string') return true;
  if (e.type !== 'assignment') return false;
  const left = e.childForFieldName('left');
  const right = e.childForFieldName('right');
  return left?.type === 'identifier' && !!right && evalLiteral(right).ok;
}

/** Parameters exactly {message, input_data, state_data_client}, any order, each a plain (optionally annotated) name. */
function checkParameters(s: ProjectScope, def: Node, mname: string): boolean {
  const paramsNode = def.childForFieldName('parameters') ?? def;
  const params = (paramsNode.namedChildren ?? []).filter((p) => p && p.type !== 'comment') as Node[];
  const names: string[] = [];
  for (const p of params) {
    let n: string | undefined;
    if (p.type === 'identifier') n = p.text;
    else if (p.type === 'typed_parameter') n = p.namedChildren.find((c) => c?.type === 'identifier')?.text;
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') n = p.childForFieldName('name')?.text;
    if (n === undefined) {
      s.sink.error('DSL.EventProcessorParameters', `${mname} takes exactly the positional parameters ${SIGNATURE} (the runtime passes them by name): remove ${p.text}`, p);
      return false;
    }
    if (n === 'self' || n === 'cls') {
      s.sink.error('DSL.EventProcessorParameters', `${mname} is called without an instance: remove \`${n}\` and write \`async def ${mname}${SIGNATURE}:\``, p);
      return false;
    }
    names.push(n);
  }
  const expected = new Set<string>(CUSTOM_TAGS_PARAMETERS);
  const unknown = names.filter((n) => !expected.has(n));
  const missing = CUSTOM_TAGS_PARAMETERS.filter((n) => !names.includes(n));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (unknown.length || missing.length || dup) {
    const what = [unknown.length ? `unknown ${unknown.join(', ')}` : '', missing.length ? `missing ${missing.join(', ')}` : '', dup ? `${dup} twice` : ''].filter(Boolean).join('; ');
    s.sink.error('DSL.EventProcessorParameters', `${mname} takes exactly the parameters ${SIGNATURE}, in any order (${what}): write \`async def ${mname}${SIGNATURE}:\``, paramsNode);
    return false;
  }
  return true;
}
