import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import type {
  AslState,
  Manifest,
  ManifestStateMachine,
  ManifestTask,
  ScheduleTrigger,
  StateSource,
  SubscriptionTrigger,
  TaskAttributes,
  TaskService,
} from '@fluxio/contracts/manifest';
import { TASK_SERVICES } from '@fluxio/contracts/manifest';
import { DiagnosticSink } from '../parse/source.ts';
import { decodeNumber, decodeString, evalLiteral } from '../parse/literals.ts';
import { dataPath, looksLikeDataRef } from './dataPath.ts';
import { compileCondition, type ConditionError } from '../emit/choice.ts';
import { type Exit, link, shortHash, StateGraph, MAX_STATE_NAME_LENGTH } from '../emit/StateGraph.ts';
import { DEFAULT_TASK_TIMEOUT_SECONDS, nestedMachineTemplate, taskTemplate, type EnvEntry } from '../emit/templates.ts';

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
const STATEMENT_HINT =
  'a state machine body holds task calls, data["k"] = ..., data.update({...}), if/elif/else, while, try/except, with retry(...), map(), parallel(), wait(), return, raise or pass';

interface TaskDef {
  name: string;
  node: Node;
  service: TaskService;
  attributes: TaskAttributes;
}
interface FunctionDef {
  name: string;
  node: Node;
  definition: ManifestStateMachine['definition'];
  sources: Record<string, StateSource>;
  /** States of the definition, nested Map/Parallel bodies included. */
  stateCount: number;
  /** Levels of Map/Parallel bodies embedded in it (0 when none). */
  nesting: number;
}
interface Ctx {
  fn: string;
  graph: StateGraph;
  /** Deepest Map/Parallel nesting embedded so far. */
  nesting: number;
  /** user keys of this function → node (duplicate detection) */
  keys: Map<string, Node>;
}

/**
 * Most states one state machine may have, nested Map/Parallel bodies included.
 * A Map or Parallel copies the called function's states, so without a bound a
 * few lines (`parallel(f, f)` chains) could ask for millions of states. Step
 * Functions caps a definition at 1 MiB (quota "state machine definition size"),
 * which no 25,000-state definition fits anyway.
 */
export const MAX_STATES_PER_STATE_MACHINE = 25_000;
/**
 * Most states in the whole project (all state machines, copies in Map/Parallel
 * bodies included): bounds the compile's time and the manifest's size (a
 * Lambda response is at most 6 MB).
 */
export const MAX_STATES_PER_PROJECT = 50_000;
/** Deepest chain of Map/Parallel bodies inside one state machine (a compiler limit; Step Functions sets none). */
export const MAX_NESTED_BODIES = 100;

const TRACE_CHECK = 'Trace-Check';
const TRACE_DEFAULT = 'Trace-Default';

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/**
 * Names of the `${…}` placeholders in a definition (spec §7.5), in order of first
 * appearance in its JSON text, without duplicates — i.e. the `${…}` matches of
 * `JSON.stringify(definition)`, computed without building that text: keys and
 * string values are scanned one by one, in JSON.stringify's order. A string whose
 * matches could differ inside the JSON text (characters JSON escapes, or a `${`
 * with no closing `}` in the same string) makes it fall back to the JSON text.
 */
export function placeholderNames(definition: unknown): string[] {
  const names = new Set<string>();
  let exact = true;
  const scan = (s: string): void => {
    if (!exact || !s.includes('${')) return;
    if (/\$\{[^}]*$/.test(s) || JSON.stringify(s).length !== s.length + 2) {
      exact = false;
      return;
    }
    for (const m of s.matchAll(PLACEHOLDER)) names.add(m[1]);
  };
  const visit = (v: unknown): void => {
    if (typeof v === 'string') scan(v);
    else if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v !== null && typeof v === 'object')
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue; // omitted by JSON.stringify
        scan(k);
        visit(x);
      }
  };
  visit(definition);
  if (exact) return [...names];
  return [...new Set([...JSON.stringify(definition).matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Lowers a parsed `project.py` to the manifest: scans Task classes and
 * state-machine functions in order (spec §2), compiles each function body to
 * ASL (spec §4–§14 with DESIGN §5), and reports every problem to `sink`.
 */
export class ProjectLowerer {
  private readonly tasks = new Map<string, TaskDef>();
  private readonly functions = new Map<string, FunctionDef>();
  private readonly laterNames = new Map<string, number>();
  private readonly mapIterators = new Set<string>();
  private readonly notFirstClass = new Set<string>();
  private readonly manifestTasks: Record<string, ManifestTask> = {};
  private readonly machines: Record<string, ManifestStateMachine> = {};
  /** States of the state machines lowered so far (see {@link MAX_STATES_PER_PROJECT}). */
  private totalStates = 0;

  constructor(
    private readonly source: string,
    private readonly sink: DiagnosticSink,
  ) {}

  lower(root: Node, project: string): Manifest {
    const top = this.topLevel(root);
    for (const { def } of top) {
      const name = def.childForFieldName('name')?.text;
      if (name && !this.laterNames.has(name)) this.laterNames.set(name, def.startIndex);
    }
    this.scanMapIterators(root);
    for (const { def, decorators } of top) {
      if (def.type === 'class_definition') this.lowerClass(def, decorators);
      else this.lowerFunction(def, decorators);
    }
    for (const name of this.notFirstClass) if (this.machines[name]) this.machines[name].firstClass = false;
    return { project, stateMachines: this.machines, tasks: this.manifestTasks, diagnostics: [] };
  }

  // ---------- module scan (spec §2.1) ----------

  private topLevel(root: Node): Array<{ def: Node; decorators: Node[] }> {
    const out: Array<{ def: Node; decorators: Node[] }> = [];
    const walk = (n: Node): void => {
      for (const child of n.namedChildren) {
        if (!child) continue;
        if (child.type === 'decorated_definition') {
          const def = child.childForFieldName('definition');
          if (def) out.push({ def, decorators: child.namedChildren.filter((c) => c?.type === 'decorator') as Node[] });
        } else if (child.type === 'class_definition' || child.type === 'function_definition') {
          out.push({ def: child, decorators: [] });
        } else if (['if_statement', 'try_statement', 'with_statement', 'block', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause'].includes(child.type)) {
          walk(child);
        }
      }
    };
    walk(root);
    return out;
  }

  private scanMapIterators(root: Node): void {
    for (const call of root.descendantsOfType('call')) {
      if (!call || call.childForFieldName('function')?.text !== 'map') continue;
      const a = call.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'keyword_argument' && c.type !== 'comment');
      if (a && a[1]?.type === 'identifier') this.mapIterators.add(a[1].text);
    }
  }

  private isAsync(def: Node): boolean {
    return def.children[0]?.type === 'async';
  }

  // ---------- Task classes (spec §2.2, §2.3) ----------

  private lowerClass(node: Node, decorators: Node[]): void {
    const name = node.childForFieldName('name')?.text ?? '';
    for (const d of decorators) this.sink.error('DSL.UnsupportedDecorator', 'decorators are only allowed on state machine functions; remove it from the class', d);
    const bases = node.childForFieldName('superclasses')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
    const baseNames = bases.map((b) => b!.text);
    if (baseNames.includes('EventProcessor')) {
      this.sink.error('DSL.EventProcessorUnsupported', 'EventProcessor classes are not supported by this compiler; tag events in a Task instead', node.childForFieldName('name') ?? node);
      return;
    }
    if (!baseNames.includes('Task')) {
      const dotted = baseNames.find((b) => b.endsWith('.Task'));
      this.sink.error(
        'DSL.ClassBase',
        dotted ? `write \`class ${name}(Task):\` with the bare name Task, not ${dotted}` : `only Task classes are supported: write \`class ${name}(Task):\``,
        node.childForFieldName('name') ?? node,
      );
      return;
    }
    const attributes: TaskAttributes = { ...DEFAULT_TASK_ATTRIBUTES };
    let run: ManifestTask['run'] = null;
    const body = node.childForFieldName('body');
    for (const stmt of body?.namedChildren ?? []) {
      if (!stmt) continue;
      if (stmt.type === 'expression_statement') {
        const expr = stmt.namedChildren[0];
        if (expr?.type === 'assignment') this.classAttribute(expr, attributes);
      } else if (stmt.type === 'function_definition') {
        const mname = stmt.childForFieldName('name')?.text;
        if (this.isAsync(stmt)) {
          if (mname === 'run') run = this.extractRun(stmt);
          else this.sink.error('DSL.TaskMethod', `Task classes define only \`async def run(event, context)\`; move \`${mname}\` into run or to a module`, stmt.childForFieldName('name') ?? stmt);
        }
      }
    }
    if (attributes.service === 'ecs:worker' && !/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(attributes.spec)) {
      this.sink.error('DSL.WorkerSpec', `ecs:worker task ${name} needs spec = "package.module:Class" naming its TaskWorker subclass`, node.childForFieldName('name') ?? node);
    }
    if (attributes.heartbeat_interval !== null && attributes.heartbeat_interval >= attributes.timeout) {
      this.sink.error('DSL.Heartbeat', `heartbeat_interval (${attributes.heartbeat_interval}) must be smaller than timeout (${attributes.timeout})`, node.childForFieldName('name') ?? node);
    }
    const line = this.sink.lines.position(node.startIndex).line;
    const def: TaskDef = { name, node, service: attributes.service, attributes };
    this.tasks.set(name, def);
    this.manifestTasks[name] = { service: attributes.service, attributes, run, line };
  }

  private classAttribute(assign: Node, attrs: TaskAttributes): void {
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    if (!left || left.type !== 'identifier' || !right) return;
    const key = left.text;
    if (!(key in DEFAULT_TASK_ATTRIBUTES)) return;
    const lit = evalLiteral(right);
    if (!lit.ok) {
      this.sink.error('DSL.AttributeNotLiteral', `class attribute ${key} must be a literal value (${lit.reason})`, right);
      return;
    }
    const v = lit.value;
    if (key === 'service') {
      if (typeof v !== 'string' || !(TASK_SERVICES as readonly string[]).includes(v)) {
        this.sink.error('DSL.InvalidService', `service must be one of ${TASK_SERVICES.join(', ')}`, right);
        return;
      }
      attrs.service = v as TaskService;
    } else if (key === 'spec') {
      if (typeof v !== 'string') return void this.sink.error('DSL.InvalidAttribute', 'spec must be a string "package.module:Class"', right);
      attrs.spec = v;
    } else if (key === 'build_spec') {
      if (v !== null && (typeof v !== 'object' || Array.isArray(v))) return void this.sink.error('DSL.InvalidAttribute', 'build_spec must be a dict literal or None', right);
      attrs.build_spec = v as Record<string, unknown> | null;
    } else {
      const k = key as (typeof NUMERIC_ATTRS)[number];
      if (k === 'heartbeat_interval' && v === null) {
        attrs.heartbeat_interval = null;
        return;
      }
      if (typeof v !== 'number' || v < 0) return void this.sink.error('DSL.InvalidAttribute', `${key} must be a non-negative number`, right);
      if (k === 'concurrency' && (!Number.isInteger(v) || v < 1 || v > 100)) {
        return void this.sink.error('DSL.InvalidConcurrency', 'concurrency must be an integer from 1 to 100', right);
      }
      if ((k === 'timeout' || k === 'heartbeat_interval') && (!Number.isInteger(v) || v < 1)) {
        return void this.sink.error('DSL.InvalidAttribute', `${key} must be a positive whole number of seconds`, right);
      }
      (attrs as unknown as Record<string, number>)[k] = v;
    }
  }

  private extractRun(def: Node): NonNullable<ManifestTask['run']> {
    const lineStart = this.sink.lines.lineStart(this.sink.lines.position(def.startIndex).line);
    const raw = this.source.slice(lineStart, def.endIndex);
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
    return { source: sourceText, imports: [...imports], line: this.sink.lines.position(def.startIndex).line };
  }

  // ---------- state machine functions (spec §2.5, §2.6) ----------

  private lowerFunction(node: Node, decorators: Node[]): void {
    if (this.isAsync(node)) return;
    const name = node.childForFieldName('name')?.text ?? '';
    const graph = new StateGraph();
    const ctx: Ctx = { fn: name, graph, keys: new Map(), nesting: 0 };
    const { schedule, subscriptions, exportOpt } = this.lowerDecorators(decorators);
    const line = this.sink.lines.position(node.startIndex).line;
    // envelope (DESIGN §5.3): guarantee $.__trace before the first statement
    const check: AslState = { Type: 'Choice', Choices: [{ Variable: '$.__trace', IsPresent: true, Next: '' }], Default: TRACE_DEFAULT };
    const fill: AslState = { Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Name', source: 'direct' }, ResultPath: '$.__trace', End: true };
    const src: StateSource = { line, column: 1, kind: 'Choice', function: name };
    graph.add(TRACE_CHECK, check, src, [{ kind: 'start', graph }]);
    graph.add(TRACE_DEFAULT, fill, { ...src, kind: 'Pass' }, []);
    const entry: Exit[] = [{ kind: 'rule', rule: (check.Choices as Array<Record<string, unknown>>)[0] }, { kind: 'next', state: fill }];
    const body = node.childForFieldName('body');
    const exits = body ? this.lowerBlock(body, entry, ctx) : entry;
    this.finish(exits, ctx, node);
    const definition = graph.definition();
    this.functions.set(name, { name, node, definition, sources: graph.sources, stateCount: graph.used.size, nesting: ctx.nesting });
    this.totalStates += graph.used.size;
    this.machines[name] = {
      definition,
      firstClass: true,
      schedule,
      subscriptions,
      export: exportOpt,
      substitutions: placeholderNames(definition),
      states: graph.sources,
      line,
    };
  }

  /** Ends the machine: `next` exits get End; Choice/Catch exits need a Succeed. */
  private finish(exits: Exit[], ctx: Ctx, node: Node): void {
    const needTarget = exits.filter((e) => e.kind !== 'next');
    for (const e of exits) if (e.kind === 'next') e.state.End = true;
    if (needTarget.length) {
      const name = ctx.graph.uniqueName(`Succeed-${shortHash(ctx.fn + ':end')}`);
      ctx.graph.add(name, { Type: 'Succeed' }, this.src(node, 'Succeed', ctx), needTarget);
    }
  }

  private lowerDecorators(decorators: Node[]): { schedule: ScheduleTrigger | null; subscriptions: SubscriptionTrigger[]; exportOpt: { enabled: boolean } | null } {
    let schedule: ScheduleTrigger | null = null;
    const subscriptions: SubscriptionTrigger[] = [];
    let exportOpt: { enabled: boolean } | null = null;
    for (const d of decorators) {
      const expr = d.namedChildren.find((c) => c && c.type !== 'comment');
      if (!expr) continue;
      if (expr.type !== 'call' || expr.childForFieldName('function')?.type !== 'identifier') {
        this.sink.error('DSL.DecoratorForm', `decorators must be calls of a bare name, e.g. @${expr.text.replace(/^.*\./, '')}()`, expr);
        continue;
      }
      const dname = expr.childForFieldName('function')!.text;
      const kwargs = this.keywordArgs(expr);
      const allowed: Record<string, string[]> = {
        schedule: ['expression', 'input_data'],
        subscribe: ['project', 'state_machine', 'status', 'topic_arn_import_value'],
        export: ['enabled'],
      };
      if (dname === 'process_events') {
        this.sink.error('DSL.EventProcessorUnsupported', '@process_events is not supported by this compiler; remove it', expr);
        continue;
      }
      if (!allowed[dname]) {
        this.sink.error('DSL.UnknownDecorator', 'supported decorators: @export(), @schedule(expression=...), @subscribe(project=..., state_machine=...)', expr);
        continue;
      }
      for (const [k, v] of kwargs) if (!allowed[dname].includes(k)) this.sink.error('DSL.InvalidOption', `unknown option ${k}; options of @${dname}: ${allowed[dname].join(', ')}`, v);
      const str = (k: string): string | null | undefined => {
        const v = kwargs.get(k);
        if (!v) return null;
        const s = decodeString(v);
        if (s === undefined) this.sink.error('DSL.InvalidOptionType', `the ${k} option must be a string literal`, v);
        return s;
      };
      if (dname === 'schedule') {
        if (schedule) this.sink.error('DSL.DuplicateDecorator', 'only one @schedule per state machine function', expr);
        const expression = str('expression') ?? null;
        if (expression !== null && !/^(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\(\s*\S+(\s+\S+){5}\s*\)|at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\))$/.test(expression)) {
          this.sink.error('DSL.ScheduleExpression', 'expression must be rate(N minutes|hours|days), cron(min hour dom month dow year) or at(yyyy-mm-ddThh:mm:ss)', kwargs.get('expression')!);
        }
        let input_data: Record<string, unknown> | null = null;
        const inputNode = kwargs.get('input_data');
        if (inputNode) {
          const lit = evalLiteral(inputNode);
          if (!lit.ok || typeof lit.value !== 'object' || lit.value === null || Array.isArray(lit.value)) {
            this.sink.error('DSL.InvalidOptionType', 'input_data must be a dict literal', inputNode);
          } else input_data = lit.value as Record<string, unknown>;
        }
        schedule = { expression, input_data };
      } else if (dname === 'subscribe') {
        const project = str('project') ?? null;
        const topic = str('topic_arn_import_value') ?? null;
        const status = str('status') ?? 'success';
        if (!project && !topic && !kwargs.has('project') && !kwargs.has('topic_arn_import_value')) {
          this.sink.error('DSL.SubscribeTarget', '@subscribe needs project="..." (with state_machine=) or topic_arn_import_value="..."', expr);
        }
        if (status !== 'success' && status !== 'failure') this.sink.error('DSL.SubscribeStatus', 'status must be "success" or "failure"', kwargs.get('status') ?? expr);
        subscriptions.push({ project, state_machine: str('state_machine') ?? 'main', status: status === 'failure' ? 'failure' : 'success', topic_arn_import_value: topic });
      } else {
        if (exportOpt) this.sink.error('DSL.DuplicateDecorator', 'only one @export per state machine function', expr);
        const en = kwargs.get('enabled');
        if (en && en.type !== 'true' && en.type !== 'false') this.sink.error('DSL.InvalidOptionType', 'enabled must be True or False', en);
        exportOpt = { enabled: en ? en.type !== 'false' : true };
      }
      for (const p of this.positionalArgs(expr)) this.sink.error('DSL.PositionalOption', `@${dname} takes keyword arguments only`, p);
    }
    return { schedule, subscriptions, exportOpt };
  }

  // ---------- statements (spec §4, §6.9) ----------

  private lowerBlock(block: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    let exits = incoming;
    let terminatedBy: Node | undefined;
    for (const stmt of block.namedChildren) {
      if (!stmt || stmt.type === 'comment') continue;
      if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'string') continue; // docstring
      if (terminatedBy) {
        this.sink.error('DSL.Unreachable', `this statement can never run: every path above ends (line ${this.sink.lines.position(terminatedBy.startIndex).line}); remove it or move it before the return/raise`, stmt);
        break;
      }
      exits = this.lowerStatement(stmt, exits, ctx);
      if (exits.length === 0) terminatedBy = stmt;
    }
    return exits;
  }

  private src(node: Node, kind: AslState['Type'], ctx: Ctx, task?: string): StateSource {
    const p = this.sink.lines.position(node.startIndex);
    const s: StateSource = { line: p.line, column: p.column, kind, function: ctx.fn };
    if (task) s.task = task;
    return s;
  }

  private autoName(prefix: string, node: Node, ctx: Ctx): string {
    const text = node.text.replace(/\s+/g, '');
    return ctx.graph.uniqueName(`${prefix.slice(0, MAX_STATE_NAME_LENGTH - 9)}-${shortHash(ctx.fn + ':' + text)}`);
  }

  private lowerStatement(stmt: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    switch (stmt.type) {
      case 'expression_statement':
        return this.lowerExpressionStatement(stmt, incoming, ctx);
      case 'pass_statement':
        return incoming;
      case 'return_statement': {
        ctx.graph.add(this.autoName('Succeed', stmt, ctx), { Type: 'Succeed' }, this.src(stmt, 'Succeed', ctx), incoming);
        return [];
      }
      case 'raise_statement':
        return this.lowerRaise(stmt, incoming, ctx);
      case 'if_statement':
        return this.lowerIf(stmt, incoming, ctx);
      case 'while_statement':
        return this.lowerWhile(stmt, incoming, ctx);
      case 'try_statement':
        return this.lowerTry(stmt, incoming, ctx);
      case 'with_statement':
        return this.lowerWith(stmt, incoming, ctx).exits;
      case 'for_statement':
        this.sink.error('DSL.UnsupportedStatement', 'for loops are not supported: use map(data["items"], fn) to fan out, or while <condition>: to loop', stmt);
        return incoming;
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
        this.sink.error('DSL.UnsupportedStatement', 'nested definitions are not supported: define tasks and state machine functions at module level', stmt);
        return incoming;
      default: {
        const first = stmt.children[0]?.type;
        const what = first === 'async' ? '`async` statements are' : `\`${stmt.text.split('\n')[0].slice(0, 40)}\` is`;
        this.sink.error('DSL.UnsupportedStatement', `${what} not supported in a state machine; ${STATEMENT_HINT}`, stmt);
        return incoming;
      }
    }
  }

  private lowerExpressionStatement(stmt: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    const expr = stmt.namedChildren[0];
    if (!expr) return incoming;
    if (stmt.namedChildren.length > 1) {
      this.sink.error('DSL.UnsupportedStatement', 'tuples of expressions are not statements; write one call per line', stmt);
      return incoming;
    }
    if (expr.type === 'assignment') return this.lowerAssignment(stmt, expr, incoming, ctx);
    if (expr.type === 'augmented_assignment') {
      this.sink.error('DSL.UnsupportedStatement', 'augmented assignment (+=, -=, …) is not supported: compute the value in a task, e.g. data["n"] = Increment(data)', stmt);
      return incoming;
    }
    if (expr.type !== 'call') {
      this.sink.error('DSL.UnsupportedStatement', `an expression on its own does nothing; ${STATEMENT_HINT}`, stmt);
      return incoming;
    }
    return this.lowerCall(stmt, expr, null, incoming, ctx);
  }

  private lowerAssignment(stmt: Node, assign: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    const left = assign.childForFieldName('left')!;
    const right = assign.childForFieldName('right');
    if (!right || assign.childForFieldName('type')) {
      this.sink.error('DSL.UnsupportedStatement', 'annotated assignments are not supported; write data["k"] = value', stmt);
      return incoming;
    }
    if (right.type === 'assignment') {
      this.sink.error('DSL.MultipleTargets', 'assign one target at a time: data["a"] = value', stmt);
      return incoming;
    }
    if (left.type !== 'subscript' || !looksLikeDataRef(left)) {
      this.sink.error('DSL.AssignmentTarget', `assignment target must be a key on data, e.g. data["${left.type === 'identifier' ? left.text : 'key'}"] = ...`, left);
      return incoming;
    }
    const target = dataPath(left);
    if (!target.ok) {
      this.sink.error('DSL.InvalidDataReference', target.reason, target.node);
      return incoming;
    }
    if (target.keys[0] === '__trace' || target.keys.some((k) => typeof k === 'string' && k.includes('__trace'))) {
      this.sink.error('DSL.ReservedKey', '__trace is reserved for the execution trace; choose another key', left);
      return incoming;
    }
    if (right.type === 'call') return this.lowerCall(stmt, right, target.path, incoming, ctx);
    // Pass: literal or copy of another data reference
    if (looksLikeDataRef(right)) {
      const from = dataPath(right);
      if (!from.ok) {
        this.sink.error('DSL.InvalidDataReference', from.reason, from.node);
        return incoming;
      }
      const state: AslState = { Type: 'Pass', InputPath: from.path, ResultPath: target.path, End: true };
      ctx.graph.add(this.autoName('Pass', stmt, ctx), state, this.src(stmt, 'Pass', ctx), incoming);
      return [{ kind: 'next', state }];
    }
    const lit = evalLiteral(right);
    if (!lit.ok) {
      this.sink.error('DSL.PassValue', `only JSON literals, data references, task calls, map() and parallel() can be assigned (${lit.reason})`, lit.node);
      return incoming;
    }
    const state: AslState = { Type: 'Pass', Result: lit.value, ResultPath: target.path, End: true };
    ctx.graph.add(this.autoName('Pass', stmt, ctx), state, this.src(stmt, 'Pass', ctx), incoming);
    return [{ kind: 'next', state }];
  }

  private positionalArgs(call: Node): Node[] {
    return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c) => c && c.type !== 'keyword_argument' && c.type !== 'comment') as Node[];
  }
  private keywordArgs(call: Node): Map<string, Node> {
    const out = new Map<string, Node>();
    for (const c of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (c?.type !== 'keyword_argument') continue;
      const k = c.childForFieldName('name')?.text;
      const v = c.childForFieldName('value');
      if (k && v) out.set(k, v);
    }
    return out;
  }
  private checkOptions(call: Node, allowed: string[], what: string): Map<string, Node> {
    const kw = this.keywordArgs(call);
    for (const c of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (c?.type === 'keyword_argument') {
        const k = c.childForFieldName('name')?.text ?? '';
        if (!allowed.includes(k)) this.sink.error('DSL.InvalidOption', `unknown option ${k} for ${what}; options: ${allowed.join(', ') || '(none)'}`, c);
      } else if (c && (c.type === 'list_splat' || c.type === 'dictionary_splat')) {
        this.sink.error('DSL.InvalidOption', '*args and **kwargs are not supported; pass options by name', c);
      }
    }
    return kw;
  }

  private lowerCall(stmt: Node, call: Node, resultPath: string | null, incoming: Exit[], ctx: Ctx): Exit[] {
    const fnNode = call.childForFieldName('function')!;
    if (fnNode.type === 'attribute') {
      const obj = fnNode.childForFieldName('object');
      const attr = fnNode.childForFieldName('attribute')?.text;
      if (obj?.type === 'identifier' && obj.text === 'data' && attr === 'update' && resultPath === null) return this.lowerUpdate(stmt, call, incoming, ctx);
      this.sink.error('DSL.UnsupportedMethodCall', 'the only method call is data.update({...}) as a statement; call tasks by class name', call);
      return incoming;
    }
    if (fnNode.type !== 'identifier') {
      this.sink.error('DSL.UnknownCall', `call a Task class or a state machine function by name; ${STATEMENT_HINT}`, fnNode);
      return incoming;
    }
    const name = fnNode.text;
    if (this.tasks.has(name)) return this.lowerTaskCall(stmt, call, this.tasks.get(name)!, resultPath, incoming, ctx);
    if (this.functions.has(name)) return this.lowerTaskCall(stmt, call, name, resultPath, incoming, ctx);
    if (name === 'map') return this.lowerMap(stmt, call, resultPath, incoming, ctx);
    if (name === 'parallel') return this.lowerParallel(stmt, call, resultPath, incoming, ctx);
    if (name === 'wait') {
      if (resultPath !== null) {
        this.sink.error('DSL.UnsupportedAssignment', 'wait() has no result; write wait(...) on its own line', call);
        return incoming;
      }
      return this.lowerWait(stmt, call, incoming, ctx);
    }
    if (name === ctx.fn) {
      this.sink.error('DSL.Recursion', `${name} cannot call itself; use while <condition>: to loop`, fnNode);
      return incoming;
    }
    const later = this.laterNames.get(name);
    if (later !== undefined && later > call.startIndex) {
      this.sink.error('DSL.UsedBeforeDefinition', `${name} is defined later (line ${this.sink.lines.position(later).line}); move its definition above this function`, fnNode);
    } else {
      this.sink.error('DSL.UnknownName', `\`${name}\` is not a Task class or state machine function defined above; ${STATEMENT_HINT}`, fnNode);
    }
    return incoming;
  }

  private lowerTaskCall(stmt: Node, call: Node, callee: TaskDef | string, resultPath: string | null, incoming: Exit[], ctx: Ctx): Exit[] {
    const isTask = typeof callee !== 'string';
    const calleeName = isTask ? callee.name : callee;
    const allowed = isTask && callee.service === 'codebuild' ? ['key', 'timeout', 'env', 'build_arg_vars'] : ['key', 'timeout'];
    const kw = this.checkOptions(call, allowed, calleeName);
    const pos = this.positionalArgs(call);
    let inputPath = '$';
    if (pos.length > 1) this.sink.error('DSL.TooManyArguments', `pass one input, e.g. ${calleeName}(data["x"])`, pos[1]);
    if (pos[0]) {
      const p = dataPath(pos[0]);
      if (!p.ok) this.sink.error('DSL.InvalidDataReference', `the task input must be a data reference (${p.reason})`, p.node);
      else inputPath = p.path;
    }
    let timeout = isTask ? callee.attributes.timeout : DEFAULT_TASK_TIMEOUT_SECONDS;
    const tNode = kw.get('timeout');
    if (tNode) {
      const t = tNode.type === 'integer' ? decodeNumber(tNode) : undefined;
      if (t === undefined || t < 1) this.sink.error('DSL.InvalidOptionType', 'timeout must be a positive whole number of seconds', tNode);
      else timeout = t;
    }
    const name = this.stateName(kw.get('key'), calleeName, call, ctx);
    let state: AslState;
    if (isTask) {
      const env: EnvEntry[] = [];
      let buildArgVars: Record<string, unknown> = {};
      const envNode = kw.get('env');
      if (envNode) {
        if (envNode.type !== 'dictionary') this.sink.error('DSL.InvalidOptionType', 'env must be a dict literal of NAME: "value" or NAME: data["key"]', envNode);
        else
          for (const pair of envNode.namedChildren) {
            if (pair?.type !== 'pair') continue;
            const k = decodeString(pair.childForFieldName('key')!);
            const v = pair.childForFieldName('value')!;
            if (k === undefined) {
              this.sink.error('DSL.InvalidOptionType', 'env names must be string literals', pair);
              continue;
            }
            if (looksLikeDataRef(v)) {
              const p = dataPath(v);
              if (p.ok) env.push({ name: k, path: p.path });
              else this.sink.error('DSL.InvalidDataReference', p.reason, p.node);
            } else {
              const lit = evalLiteral(v);
              if (lit.ok && (typeof lit.value === 'string' || typeof lit.value === 'number' || typeof lit.value === 'boolean')) env.push({ name: k, value: String(lit.value) });
              else this.sink.error('DSL.InvalidOptionType', 'env values must be strings, numbers or data references', v);
            }
          }
      }
      const bNode = kw.get('build_arg_vars');
      if (bNode) {
        const lit = evalLiteral(bNode);
        if (!lit.ok || typeof lit.value !== 'object' || lit.value === null || Array.isArray(lit.value)) this.sink.error('DSL.InvalidOptionType', 'build_arg_vars must be a dict literal', bNode);
        else buildArgVars = lit.value as Record<string, unknown>;
      }
      const tpl = taskTemplate({ name: callee.name, service: callee.service, attributes: callee.attributes, inputPath, inMapIterator: this.mapIterators.has(ctx.fn), env, buildArgVars });
      const { Retry, ...rest } = tpl;
      state = { ...rest, ResultPath: resultPath, TimeoutSeconds: timeout } as AslState;
      const hb = callee.attributes.heartbeat_interval;
      // HeartbeatSeconds only means something where the worker can send heartbeats
      // (SendTaskHeartbeat with the task token: the ecs:worker callback pattern).
      if (hb !== null && callee.service === 'ecs:worker') {
        if (hb >= timeout) this.sink.error('DSL.Heartbeat', `heartbeat_interval (${hb}) of ${callee.name} must be smaller than this call's timeout (${timeout})`, call);
        state.HeartbeatSeconds = hb;
      } else if (hb !== null) {
        this.sink.warn(
          'DSL.HeartbeatIgnored',
          `heartbeat_interval of ${callee.name} is ignored: only ecs:worker tasks send heartbeats (service is ${callee.service}); use timeout= to bound the task instead`,
          call,
        );
      }
      if (Retry) state.Retry = Retry;
    } else {
      state = { ...nestedMachineTemplate(callee, inputPath), ResultPath: resultPath, TimeoutSeconds: timeout } as AslState;
    }
    state.End = true;
    ctx.graph.add(name, state, this.src(call, 'Task', ctx, calleeName), incoming);
    if (!isTask && resultPath !== null) {
      // the child's output replaces the startExecution description (DESIGN §5.4)
      const unwrap: AslState = { Type: 'Pass', InputPath: `${resultPath}.Output`, ResultPath: resultPath, End: true };
      ctx.graph.add(ctx.graph.uniqueName(`${name.slice(0, 70)}-output`), unwrap, this.src(call, 'Pass', ctx, calleeName), [{ kind: 'next', state }]);
      this.lastTask = { state, name };
      return [{ kind: 'next', state: unwrap }];
    }
    this.lastTask = { state, name };
    return [{ kind: 'next', state }];
  }

  /** The Task state produced by the most recent task call (for try/retry). */
  private lastTask: { state: AslState; name: string } | undefined;

  private stateName(keyNode: Node | undefined, callee: string, call: Node, ctx: Ctx): string {
    if (keyNode) {
      const key = decodeString(keyNode);
      let problem: string | undefined;
      if (key === undefined) problem = 'key must be a string literal';
      else if (key.trim() === '') problem = 'key must not be empty';
      else if ([...key].length > MAX_STATE_NAME_LENGTH) problem = `key must be at most ${MAX_STATE_NAME_LENGTH} characters (ASL state name limit)`;
      else if (key.includes('${')) problem = 'key must not contain "${" (it would be read as a deployment placeholder)';
      else if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) problem = 'key must not contain control characters';
      if (problem || key === undefined) {
        this.sink.error('DSL.InvalidKey', problem!, keyNode);
      } else {
        const prev = ctx.keys.get(key);
        if (prev) {
          const p = this.sink.lines.position(prev.startIndex);
          this.sink.error('DSL.DuplicateKey', `key "${key}" is already used at line ${p.line}, column ${p.column}; state names must be unique within a state machine`, keyNode);
        } else if (ctx.graph.used.has(key)) {
          this.sink.error('DSL.DuplicateKey', `key "${key}" collides with a generated state name; choose another key`, keyNode);
        } else {
          ctx.keys.set(key, keyNode);
          return key;
        }
      }
    }
    return this.autoName(callee, call, ctx);
  }

  private lowerUpdate(stmt: Node, call: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    this.checkOptions(call, [], 'data.update');
    const pos = this.positionalArgs(call);
    if (pos.length !== 1) {
      this.sink.error('DSL.UpdateArgument', 'data.update takes one dict literal or data reference, e.g. data.update({"k": 1})', call);
      return incoming;
    }
    const arg = pos[0];
    const name = this.autoName('Update', stmt, ctx);
    if (looksLikeDataRef(arg)) {
      const p = dataPath(arg);
      if (!p.ok) {
        this.sink.error('DSL.InvalidDataReference', p.reason, p.node);
        return incoming;
      }
      const state: AslState = { Type: 'Pass', Parameters: { 'merged.$': `States.JsonMerge($, ${p.path}, false)` }, OutputPath: '$.merged', End: true };
      ctx.graph.add(name, state, this.src(stmt, 'Pass', ctx), incoming);
      return [{ kind: 'next', state }];
    }
    const lit = evalLiteral(arg);
    if (!lit.ok || typeof lit.value !== 'object' || lit.value === null || Array.isArray(lit.value)) {
      this.sink.error('DSL.UpdateArgument', 'data.update takes a dict literal (JSON values only) or a data reference', lit.ok ? arg : lit.node);
      return incoming;
    }
    const value = lit.value as Record<string, unknown>;
    if ('__trace' in value) {
      this.sink.error('DSL.ReservedKey', '__trace is reserved for the execution trace; choose another key', arg);
      return incoming;
    }
    const dollarKey = findDollarKey(value);
    if (dollarKey) {
      this.sink.error('DSL.UpdateArgument', `keys ending in ".$" are reserved by Step Functions (${dollarKey}); rename the key`, arg);
      return incoming;
    }
    // 1) carry the data and the literal side by side, 2) shallow-merge (dict.update semantics, DESIGN §5.4)
    const stage: AslState = { Type: 'Pass', Parameters: { 'data.$': '$', update: value }, End: true };
    const merge: AslState = { Type: 'Pass', Parameters: { 'merged.$': 'States.JsonMerge($.data, $.update, false)' }, OutputPath: '$.merged', End: true };
    ctx.graph.add(name, stage, this.src(stmt, 'Pass', ctx), incoming);
    ctx.graph.add(ctx.graph.uniqueName(`${name}-merge`), merge, this.src(stmt, 'Pass', ctx), [{ kind: 'next', state: stage }]);
    return [{ kind: 'next', state: merge }];
  }

  private fnRef(n: Node | undefined, what: string, ctx: Ctx): FunctionDef | undefined {
    if (!n || n.type !== 'identifier') {
      this.sink.error('DSL.UnknownFunction', `${what} takes the name of a state machine function defined above`, n ?? ctx.graph as never);
      return undefined;
    }
    const f = this.functions.get(n.text);
    if (!f) {
      const later = this.laterNames.get(n.text);
      if (later !== undefined && later > n.startIndex && n.text !== ctx.fn) this.sink.error('DSL.UsedBeforeDefinition', `${n.text} is defined later (line ${this.sink.lines.position(later).line}); move its definition above this function`, n);
      else this.sink.error('DSL.UnknownFunction', `${what}: \`${n.text}\` is not a state machine function defined above`, n);
    }
    return f;
  }

  private lowerMap(stmt: Node, call: Node, resultPath: string | null, incoming: Exit[], ctx: Ctx): Exit[] {
    const kw = this.checkOptions(call, ['max_concurrency'], 'map()');
    const pos = this.positionalArgs(call);
    if (pos.length !== 2) {
      this.sink.error('DSL.MapArguments', 'write map(data["items"], iterator_function[, max_concurrency=N])', call);
      return incoming;
    }
    const ref = dataPath(pos[0]);
    if (!ref.ok) this.sink.error('DSL.InvalidDataReference', `map's first argument must be a data reference (${ref.reason})`, ref.node);
    const fn = this.fnRef(pos[1], 'map()', ctx);
    let maxConcurrency = 0;
    const mc = kw.get('max_concurrency');
    if (mc) {
      const v = mc.type === 'integer' ? decodeNumber(mc) : undefined;
      if (v === undefined) this.sink.error('DSL.InvalidOptionType', 'max_concurrency must be a non-negative integer (0 = unlimited)', mc);
      else maxConcurrency = v;
    }
    if (!ref.ok || !fn) return incoming;
    if (!this.roomFor([fn, fn], call, ctx)) return incoming;
    this.notFirstClass.add(fn.name);
    const P = ref.path;
    const base = this.autoName('Map', stmt, ctx);
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
    ctx.graph.add(base, choice, this.src(stmt, 'Choice', ctx, fn.name), incoming);
    const pointerName = ctx.graph.uniqueName(`${base}-items`);
    this.reserve(ctx, pointerName);
    const arrayName = ctx.graph.uniqueName(`${base}-array`);
    this.reserve(ctx, arrayName);
    const pointer = mk(true);
    const array = mk(false);
    ctx.graph.add(pointerName, pointer, this.src(stmt, 'Map', ctx, fn.name), [{ kind: 'rule', rule: (choice.Choices as Array<Record<string, unknown>>)[0] }]);
    ctx.graph.add(arrayName, array, this.src(stmt, 'Map', ctx, fn.name), [{ kind: 'default', state: choice }]);
    return [
      { kind: 'next', state: pointer },
      { kind: 'next', state: array },
    ];
  }

  /**
   * Checks that embedding `bodies` keeps the machine within
   * {@link MAX_STATES_PER_STATE_MACHINE} and {@link MAX_NESTED_BODIES}
   * (reported at `call` otherwise) and records the nesting.
   */
  private roomFor(bodies: FunctionDef[], call: Node, ctx: Ctx): boolean {
    const nesting = 1 + Math.max(...bodies.map((b) => b.nesting));
    if (nesting > MAX_NESTED_BODIES) {
      this.sink.error('DSL.NestingTooDeep', `Map/Parallel bodies are nested more than ${MAX_NESTED_BODIES} levels deep here; flatten the chain of functions`, call);
      return false;
    }
    const states = ctx.graph.used.size + bodies.reduce((a, b) => a + b.stateCount, 0);
    if (states > MAX_STATES_PER_STATE_MACHINE) {
      this.sink.error(
        'DSL.TooManyStates',
        `${ctx.fn} would have more than ${MAX_STATES_PER_STATE_MACHINE} states with this call (Map and Parallel copy the called function's states); split the work into state machines that call each other`,
        call,
      );
      return false;
    }
    if (this.totalStates + states > MAX_STATES_PER_PROJECT) {
      this.sink.error(
        'DSL.TooManyStates',
        `the project would have more than ${MAX_STATES_PER_PROJECT} states with this call (Map and Parallel copy the called function's states); split it into several projects (chain them with @subscribe)`,
        call,
      );
      return false;
    }
    ctx.nesting = Math.max(ctx.nesting, nesting);
    return true;
  }

  private reserve(ctx: Ctx, name: string): void {
    ctx.graph.used.add(name);
  }

  private lowerParallel(stmt: Node, call: Node, resultPath: string | null, incoming: Exit[], ctx: Ctx): Exit[] {
    this.checkOptions(call, [], 'parallel()');
    const pos = this.positionalArgs(call);
    if (pos.length === 0) {
      this.sink.error('DSL.ParallelArguments', 'write parallel(branch_fn1, branch_fn2, ...) with at least one function', call);
      return incoming;
    }
    const fns = pos.map((p) => this.fnRef(p, 'parallel()', ctx));
    if (fns.some((f) => !f)) return incoming;
    if (!this.roomFor(fns as FunctionDef[], call, ctx)) return incoming;
    const name = this.autoName('Parallel', stmt, ctx);
    this.reserve(ctx, name);
    const branches = fns.map((f) => {
      this.notFirstClass.add(f!.name);
      return ctx.graph.embed(f!.definition, f!.sources);
    });
    const state: AslState = { Type: 'Parallel', Branches: branches, ResultPath: resultPath, End: true };
    ctx.graph.used.delete(name);
    ctx.graph.add(name, state, this.src(stmt, 'Parallel', ctx), incoming);
    return [{ kind: 'next', state }];
  }

  private lowerWait(stmt: Node, call: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    const kw = this.checkOptions(call, ['seconds', 'timestamp'], 'wait()');
    for (const p of this.positionalArgs(call)) this.sink.error('DSL.WaitArguments', 'name the duration: wait(seconds=10) or wait(timestamp="2024-01-01T00:00:00Z")', p);
    const s = kw.get('seconds');
    const t = kw.get('timestamp');
    if ((s && t) || (!s && !t)) {
      this.sink.error('DSL.WaitArguments', 'wait takes exactly one of seconds= or timestamp=', call);
      return incoming;
    }
    const state: AslState = { Type: 'Wait', End: true };
    const v = (s ?? t)!;
    if (looksLikeDataRef(v)) {
      const p = dataPath(v);
      if (!p.ok) {
        this.sink.error('DSL.InvalidDataReference', p.reason, p.node);
        return incoming;
      }
      state[s ? 'SecondsPath' : 'TimestampPath'] = p.path;
    } else if (s) {
      const n = s.type === 'integer' ? decodeNumber(s) : undefined;
      if (n === undefined) {
        this.sink.error('DSL.WaitArguments', 'seconds must be a non-negative whole number or a data reference', s);
        return incoming;
      }
      state.Seconds = n;
    } else {
      const ts = decodeString(t!);
      if (ts === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(ts)) {
        this.sink.error('DSL.WaitArguments', 'timestamp must be an ISO-8601 string such as "2024-01-01T00:00:00Z" or a data reference', t!);
        return incoming;
      }
      state.Timestamp = ts;
    }
    ctx.graph.add(this.autoName('Wait', stmt, ctx), state, this.src(stmt, 'Wait', ctx), incoming);
    return [{ kind: 'next', state }];
  }

  private lowerRaise(stmt: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    const expr = stmt.namedChildren.find((c) => c && c.type !== 'comment');
    let error: string | undefined;
    let cause: string | undefined;
    if (expr?.type === 'identifier') {
      error = expr.text;
      cause = expr.text;
    } else if (expr?.type === 'call' && expr.childForFieldName('function')?.type === 'identifier') {
      error = expr.childForFieldName('function')!.text;
      const pos = this.positionalArgs(expr);
      if (pos.length === 0) cause = error;
      else {
        cause = decodeString(pos[0]);
        if (cause === undefined || pos.length > 1 || this.keywordArgs(expr).size) {
          this.sink.error('DSL.RaiseCause', `the cause must be one string literal: raise ${error}("what went wrong")`, pos[0]);
          return [];
        }
      }
    }
    if (!error) {
      this.sink.error('DSL.RaiseForm', 'write raise ErrorName("cause") or raise ErrorName (a bare error class name)', stmt);
      return [];
    }
    ctx.graph.add(this.autoName('Fail', stmt, ctx), { Type: 'Fail', Error: error, Cause: cause }, this.src(stmt, 'Fail', ctx), incoming);
    return [];
  }

  private condition(node: Node | null, ctx: Ctx): Record<string, unknown> | undefined {
    if (!node) return undefined;
    const errs: ConditionError[] = [];
    const rule = compileCondition(node, errs);
    for (const e of errs) this.sink.error(e.code, e.message, e.node);
    return errs.length ? undefined : rule;
  }

  private lowerIf(stmt: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    const choice: AslState = { Type: 'Choice', Choices: [] };
    ctx.graph.add(this.autoName('Choice', stmt, ctx), choice, this.src(stmt, 'Choice', ctx), incoming);
    const out: Exit[] = [];
    const branches: Array<{ cond: Node | null; body: Node | null }> = [{ cond: stmt.childForFieldName('condition'), body: stmt.childForFieldName('consequence') }];
    let elseBody: Node | null = null;
    for (const alt of stmt.childrenForFieldName('alternative')) {
      if (!alt) continue;
      if (alt.type === 'elif_clause') branches.push({ cond: alt.childForFieldName('condition'), body: alt.childForFieldName('consequence') });
      else if (alt.type === 'else_clause') elseBody = alt.childForFieldName('body');
    }
    for (const b of branches) {
      const rule = this.condition(b.cond, ctx) ?? { Variable: '$', IsPresent: true };
      const r: Record<string, unknown> = { ...rule, Next: '' };
      (choice.Choices as unknown[]).push(r);
      out.push(...(b.body ? this.lowerBlock(b.body, [{ kind: 'rule', rule: r }], ctx) : [{ kind: 'rule' as const, rule: r }]));
    }
    const def: Exit = { kind: 'default', state: choice };
    out.push(...(elseBody ? this.lowerBlock(elseBody, [def], ctx) : [def]));
    return out;
  }

  private lowerWhile(stmt: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    if (stmt.childForFieldName('alternative')) this.sink.error('DSL.UnsupportedStatement', 'while ... else is not supported; put the else body after the loop', stmt.childForFieldName('alternative')!);
    const choice: AslState = { Type: 'Choice', Choices: [] };
    const name = ctx.graph.add(this.autoName('While', stmt, ctx), choice, this.src(stmt, 'Choice', ctx), incoming);
    const rule = { ...(this.condition(stmt.childForFieldName('condition'), ctx) ?? { Variable: '$', IsPresent: true }), Next: '' };
    (choice.Choices as unknown[]).push(rule);
    const body = stmt.childForFieldName('body');
    const exits = body ? this.lowerBlock(body, [{ kind: 'rule', rule }], ctx) : [];
    link(exits, name);
    return [{ kind: 'default', state: choice }];
  }

  /** Compiles the single guarded statement of `try`/`with retry` and returns its Task state. */
  private guardedTask(body: Node | null, incoming: Exit[], ctx: Ctx, what: string): { exits: Exit[]; task?: AslState } {
    const stmts = (body?.namedChildren ?? []).filter((c) => c && c.type !== 'comment') as Node[];
    if (stmts.length !== 1) {
      this.sink.error('DSL.GuardedStatement', `${what} must wrap exactly one task call (got ${stmts.length} statements); split it into several blocks`, body ?? stmts[0]);
      return { exits: body ? this.lowerBlock(body, incoming, ctx) : incoming };
    }
    const s = stmts[0];
    if (s.type === 'with_statement') return this.lowerWith(s, incoming, ctx);
    this.lastTask = undefined;
    const exits = this.lowerStatement(s, incoming, ctx);
    const expr = s.type === 'expression_statement' ? s.namedChildren[0] : null;
    const call = expr?.type === 'assignment' ? expr.childForFieldName('right') : expr;
    const isTaskCall = call?.type === 'call' && (this.tasks.has(call.childForFieldName('function')?.text ?? '') || this.functions.has(call.childForFieldName('function')?.text ?? ''));
    if (!isTaskCall) {
      this.sink.error('DSL.GuardedStatement', `${what} can only wrap a task call (a Task class or state machine function), e.g. Fetch(data)`, s);
      return { exits };
    }
    const last = this.lastTask as { state: AslState } | undefined;
    if (!last) return { exits };
    return { exits, task: last.state };
  }

  private lowerWith(stmt: Node, incoming: Exit[], ctx: Ctx): { exits: Exit[]; task?: AslState } {
    const items = stmt.children.flatMap((clause) => clause.children.filter((n) => n.type === 'with_item')); // with_statement > with_clause > with_item
    const value = items[0]?.childForFieldName('value');
    if (stmt.children[0]?.type === 'async' || items.length !== 1 || !value || value.type !== 'call' || value.childForFieldName('function')?.text !== 'retry') {
      this.sink.error('DSL.ContextManager', 'the only context manager is with retry(on_exceptions=[...], interval=1, max_attempts=3, backoff_rate=2.0):', items[0] ?? stmt);
      const body = stmt.childForFieldName('body');
      return { exits: body ? this.lowerBlock(body, incoming, ctx) : incoming };
    }
    const kw = this.checkOptions(value, ['on_exceptions', 'interval', 'max_attempts', 'backoff_rate'], 'retry()');
    for (const p of this.positionalArgs(value)) this.sink.error('DSL.PositionalOption', 'retry() takes keyword arguments only', p);
    const retrier: Record<string, unknown> = { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2.0 };
    const oe = kw.get('on_exceptions');
    if (oe) {
      const names = this.errorNames(oe, true);
      if (names) retrier.ErrorEquals = names;
    }
    const num = (k: string, key: string, min: number, integer: boolean): void => {
      const n = kw.get(k);
      if (!n) return;
      const v = n.type === 'integer' || n.type === 'float' ? decodeNumber(n) : undefined;
      if (v === undefined || v < min || (integer && !Number.isInteger(v))) this.sink.error('DSL.InvalidOptionType', `${k} must be ${integer ? 'a whole number' : 'a number'} ≥ ${min}`, n);
      else retrier[key] = v;
    };
    num('interval', 'IntervalSeconds', 1, true);
    num('max_attempts', 'MaxAttempts', 0, true);
    num('backoff_rate', 'BackoffRate', 1, false);
    const r = this.guardedTask(stmt.childForFieldName('body'), incoming, ctx, 'with retry()');
    if (r.task) {
      const list = (r.task.Retry as unknown[]) ?? [];
      list.push(retrier);
      r.task.Retry = list;
    }
    return r;
  }

  private errorNames(n: Node, listOnly: boolean): string[] | undefined {
    const elems = n.type === 'list' || (!listOnly && n.type === 'tuple') ? (n.namedChildren.filter((c) => c && c.type !== 'comment') as Node[]) : listOnly ? [] : [n];
    if (listOnly && n.type !== 'list') {
      this.sink.error('DSL.ErrorNames', 'on_exceptions must be a list of error names, e.g. [ValueError, States.Timeout]', n);
      return undefined;
    }
    const out: string[] = [];
    for (const e of elems) {
      if (e.type === 'identifier') out.push(e.text);
      else if (e.type === 'attribute' && e.childForFieldName('object')?.text === 'States' && e.childForFieldName('object')?.type === 'identifier') out.push(e.text.replace(/\s+/g, ''));
      else {
        this.sink.error('DSL.ErrorNames', 'error names are bare class names (ValueError) or States.X (States.Timeout)', e);
        return undefined;
      }
    }
    if (out.length === 0) {
      this.sink.error('DSL.ErrorNames', 'give at least one error name', n);
      return undefined;
    }
    return out;
  }

  private lowerTry(stmt: Node, incoming: Exit[], ctx: Ctx): Exit[] {
    for (const c of stmt.namedChildren) {
      if (c?.type === 'else_clause') this.sink.error('DSL.TryElse', 'try ... else is not supported: put the else body after the try statement', c);
      if (c?.type === 'finally_clause') this.sink.error('DSL.TryFinally', 'try ... finally is not supported: put the cleanup after the try statement and in each handler', c);
      if (c?.type === 'except_group_clause') this.sink.error('DSL.UnsupportedStatement', 'except* is not supported; use except', c);
    }
    const handlers = stmt.namedChildren.filter((c) => c?.type === 'except_clause') as Node[];
    const guarded = this.guardedTask(stmt.childForFieldName('body'), incoming, ctx, 'try');
    if (!guarded.task) return guarded.exits;
    const out = [...guarded.exits];
    const catchers: Array<Record<string, unknown>> = [];
    handlers.forEach((h, i) => {
      // except_clause children: [value] [as alias] block
      const block = h.namedChildren.find((c) => c?.type === 'block') ?? null;
      const exprs = h.namedChildren.filter((c) => c && c.type !== 'block' && c.type !== 'comment') as Node[];
      let errorEquals = ['States.ALL'];
      let resultPath = '$.error';
      let typeNode: Node | undefined = exprs[0];
      if (typeNode?.type === 'as_pattern') {
        const alias = typeNode.childForFieldName('alias');
        const aliasName = alias?.text.replace(/^as\s+/, '').trim();
        if (aliasName) {
          if (aliasName === '__trace') this.sink.error('DSL.ReservedKey', '__trace is reserved; choose another name', alias!);
          resultPath = `$['${aliasName}']`;
        }
        typeNode = typeNode.namedChildren[0] ?? undefined;
      } else if (exprs[1] && exprs[1].type === 'identifier') {
        resultPath = `$['${exprs[1].text}']`;
      }
      if (typeNode) {
        const names = this.errorNames(typeNode, false);
        if (names) errorEquals = names;
      }
      if (errorEquals.includes('States.ALL') && (errorEquals.length > 1 || i !== handlers.length - 1)) {
        this.sink.error('DSL.CatchAllOrder', 'a catch-all handler (bare except or States.ALL) must be the last handler and stand alone (ASL rule)', typeNode ?? h);
      }
      const catcher: Record<string, unknown> = { ErrorEquals: errorEquals, ResultPath: resultPath, Next: '' };
      catchers.push(catcher);
      const exits = block ? this.lowerBlock(block, [{ kind: 'catch', catcher }], ctx) : [{ kind: 'catch' as const, catcher }];
      out.push(...exits);
    });
    if (catchers.length) {
      const task = guarded.task;
      const retry = task.Retry;
      delete task.Retry;
      const end = task.End;
      const next = task.Next;
      delete task.End;
      delete task.Next;
      task.Catch = catchers;
      if (retry) task.Retry = retry;
      if (next !== undefined) task.Next = next;
      if (end !== undefined) task.End = end;
    }
    return out;
  }
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
