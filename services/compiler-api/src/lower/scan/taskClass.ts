import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { ManifestTask, TaskAttributes, TaskService } from '@fluxio/contracts/manifest';
import { TASK_SERVICES } from '@fluxio/contracts/manifest';
import { evalLiteral } from '../../parse/literals.ts';
import { DEFAULT_TASK_TIMEOUT_SECONDS } from '../../emit/templates.ts';
import type { ProjectScope } from '../scope.ts';
import { isAsync } from './moduleScan.ts';

/** Spec §2.2 defaults of Task class attributes. */
export const DEFAULT_TASK_ATTRIBUTES: TaskAttributes = {
  service: 'lambda',
  timeout: DEFAULT_TASK_TIMEOUT_SECONDS,
  cpu: 1024,
  memory: 2048,
  build_spec: null,
  autoscaling_min: 0,
  autoscaling_max: 10,
  spec: '',
  concurrency: 1,
  heartbeat_interval: null,
};

const NUMERIC_ATTRS = ['timeout', 'cpu', 'memory', 'autoscaling_min', 'autoscaling_max', 'concurrency', 'heartbeat_interval'] as const;

/** Reads a `class Name(Task):` (spec §2.2, §2.3) into the scope's tasks and the manifest's `tasks`. */
export function lowerTaskClass(s: ProjectScope, node: Node, name: string): void {
  const attributes: TaskAttributes = { ...DEFAULT_TASK_ATTRIBUTES };
  let run: ManifestTask['run'] = null;
  const body = node.childForFieldName('body');
  for (const stmt of body?.namedChildren ?? []) {
    if (!stmt) continue;
    if (stmt.type === 'expression_statement') {
      const expr = stmt.namedChildren[0];
      if (expr?.type === 'assignment') classAttribute(s, expr, attributes);
    } else if (stmt.type === 'function_definition') {
      const mname = stmt.childForFieldName('name')?.text;
      // `def run` and `async def run` both run: the runtime calls run(event, context) and awaits a coroutine (entry.invoke_run)
      if (mname === 'run') run = extractRun(s, stmt, name);
      else if (isAsync(stmt)) s.sink.error('DSL.TaskMethod', `Task classes define only \`async def run(event, context)\`; move \`${mname}\` into run or to a module`, stmt.childForFieldName('name') ?? stmt);
    }
  }
  if (attributes.service === 'ecs:worker' && !/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(attributes.spec)) {
    s.sink.error('DSL.WorkerSpec', `ecs:worker task ${name} needs spec = "package.module:Class" naming its TaskWorker subclass`, node.childForFieldName('name') ?? node);
  }
  if (attributes.heartbeat_interval !== null && attributes.heartbeat_interval >= attributes.timeout) {
    s.sink.error('DSL.Heartbeat', `heartbeat_interval (${attributes.heartbeat_interval}) must be smaller than timeout (${attributes.timeout})`, node.childForFieldName('name') ?? node);
  }
  const line = s.sink.lines.position(node.startIndex).line;
  s.tasks.set(name, { name, node, service: attributes.service, attributes });
  s.manifestTasks[name] = { service: attributes.service, attributes, run, line };
}

function classAttribute(s: ProjectScope, assign: Node, attrs: TaskAttributes): void {
  const left = assign.childForFieldName('left');
  const right = assign.childForFieldName('right');
  if (!left || left.type !== 'identifier' || !right) return;
  const key = left.text;
  if (!(key in DEFAULT_TASK_ATTRIBUTES)) return;
  const lit = evalLiteral(right);
  if (!lit.ok) {
    s.sink.error('DSL.AttributeNotLiteral', `class attribute ${key} must be a literal value (${lit.reason})`, right);
    return;
  }
  const v = lit.value;
  if (key === 'service') {
    if (typeof v !== 'string' || !(TASK_SERVICES as readonly string[]).includes(v)) {
      s.sink.error('DSL.InvalidService', `service must be one of ${TASK_SERVICES.join(', ')}`, right);
      return;
    }
    attrs.service = v as TaskService;
  } else if (key === 'spec') {
    if (typeof v !== 'string') return void s.sink.error('DSL.InvalidAttribute', 'spec must be a string "package.module:Class"', right);
    attrs.spec = v;
  } else if (key === 'build_spec') {
    if (v !== null && (typeof v !== 'object' || Array.isArray(v))) return void s.sink.error('DSL.InvalidAttribute', 'build_spec must be a dict literal or None', right);
    attrs.build_spec = v as Record<string, unknown> | null;
  } else {
    const k = key as (typeof NUMERIC_ATTRS)[number];
    if (k === 'heartbeat_interval' && v === null) {
      attrs.heartbeat_interval = null;
      return;
    }
    if (typeof v !== 'number' || v < 0) return void s.sink.error('DSL.InvalidAttribute', `${key} must be a non-negative number`, right);
    if (k === 'concurrency' && (!Number.isInteger(v) || v < 1 || v > 100)) {
      return void s.sink.error('DSL.InvalidConcurrency', 'concurrency must be an integer from 1 to 100', right);
    }
    if ((k === 'timeout' || k === 'heartbeat_interval') && (!Number.isInteger(v) || v < 1)) {
      return void s.sink.error('DSL.InvalidAttribute', `${key} must be a positive whole number of seconds`, right);
    }
    (attrs as unknown as Record<string, number>)[k] = v;
  }
}

/** A definition's source text, dedented, with the top-level packages it imports (spec §2.3). */
export function extractSource(s: ProjectScope, def: Node): NonNullable<ManifestTask['run']> {
  const lineStart = s.sink.lines.lineStart(s.sink.lines.position(def.startIndex).line);
  const raw = s.source.slice(lineStart, def.endIndex);
  const lines = raw.split(/\r?\n/);
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
  const sourceText = lines.map((l) => l.slice(Math.min(indent, /^[ \t]*/.exec(l)![0].length))).join('\n');
  const imports = new Set<string>();
  for (const n of def.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!n) continue;
    if (n.type === 'import_statement') {
      for (const c of n.namedChildren) {
        const target = c?.type === 'aliased_import' ? c.childForFieldName('name') : c;
        if (target?.type === 'dotted_name') imports.add(target.text.split('.')[0]);
      }
    } else {
      const mod = n.childForFieldName('module_name');
      const text = (mod?.text ?? '').replace(/^\.+/, '');
      if (text) imports.add(text.split('.')[0]);
    }
  }
  return { source: sourceText, imports: [...imports], line: s.sink.lines.position(def.startIndex).line };
}

/**
 * The `run` method (sync or async). It is called as a plain function,
 * `run(event, context)`, never on an instance (DESIGN §7), so a first
 * parameter `self`/`cls` is refused here rather than failing at run time.
 */
function extractRun(s: ProjectScope, def: Node, task: string): NonNullable<ManifestTask['run']> {
  const params = (def.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p && p.type !== 'comment') as Node[];
  const first = params[0];
  const firstName = first?.type === 'identifier' ? first.text : (first?.childForFieldName('name')?.text ?? first?.namedChildren[0]?.text);
  if (firstName === 'self' || firstName === 'cls') {
    s.sink.error(
      'DSL.TaskRunSelf',
      `${task}.run is called as run(event, context), without an instance: remove \`${firstName}\` (write \`${isAsync(def) ? 'async ' : ''}def run(event, context):\`) and keep state in module-level names`,
      first!,
    );
  }
  return extractSource(s, def);
}
