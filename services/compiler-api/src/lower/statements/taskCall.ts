import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { AslState } from '@fluxio/contracts/manifest';
import { type Exit, MAX_STATE_NAME_LENGTH } from '../../emit/StateGraph.ts';
import { taskTemplate, type EnvEntry } from '../../emit/templates.ts';
import { decodeNumber, decodeString, evalLiteral } from '../../parse/literals.ts';
import { dataPath, looksLikeDataRef } from '../dataPath.ts';
import { checkOptions, positionalArgs } from '../arguments.ts';
import type { FunctionCtx, ProjectScope, TaskDef } from '../scope.ts';

/** What every call of a task or state machine function shares: its options, input, timeout and state name. */
export interface CallBasics {
  kw: Map<string, Node>;
  /** JSONPath of the input (`$` without an argument). */
  inputPath: string;
  /** TimeoutSeconds. */
  timeout: number;
  /** The state name: `key=` as written, or a generated one. */
  name: string;
}

/** Reads the options (`allowed`), the one input argument, `timeout=` and `key=` of a call (spec §7.1–§7.3). */
export function callBasics(s: ProjectScope, call: Node, calleeName: string, allowed: string[], defaultTimeout: number, ctx: FunctionCtx): CallBasics {
  const kw = checkOptions(s.sink, call, allowed, calleeName);
  const pos = positionalArgs(call);
  let inputPath = '$';
  if (pos.length > 1) s.sink.error('DSL.TooManyArguments', `pass one input, e.g. ${calleeName}(data["x"])`, pos[1]);
  if (pos[0]) {
    const p = dataPath(pos[0]);
    if (!p.ok) s.sink.error('DSL.InvalidDataReference', `the task input must be a data reference (${p.reason})`, p.node);
    else inputPath = p.path;
  }
  let timeout = defaultTimeout;
  const tNode = kw.get('timeout');
  if (tNode) {
    const t = tNode.type === 'integer' ? decodeNumber(tNode) : undefined;
    if (t === undefined || t < 1) s.sink.error('DSL.InvalidOptionType', 'timeout must be a positive whole number of seconds', tNode);
    else timeout = t;
  }
  const name = stateName(s, kw.get('key'), calleeName, call, ctx);
  return { kw, inputPath, timeout, name };
}

/** A Task class call → one Task state from the service's template (spec §7.4). */
export function lowerTaskCall(s: ProjectScope, call: Node, callee: TaskDef, resultPath: string | null, incoming: Exit[], ctx: FunctionCtx): Exit[] {
  const allowed = callee.service === 'codebuild' ? ['key', 'timeout', 'env', 'build_arg_vars'] : ['key', 'timeout'];
  const { kw, inputPath, timeout, name } = callBasics(s, call, callee.name, allowed, callee.attributes.timeout, ctx);
  const env = envOption(s, kw.get('env'));
  let buildArgVars: Record<string, unknown> = {};
  const bNode = kw.get('build_arg_vars');
  if (bNode) {
    const lit = evalLiteral(bNode);
    if (!lit.ok || typeof lit.value !== 'object' || lit.value === null || Array.isArray(lit.value)) s.sink.error('DSL.InvalidOptionType', 'build_arg_vars must be a dict literal', bNode);
    else buildArgVars = lit.value as Record<string, unknown>;
  }
  const tpl = taskTemplate({ name: callee.name, service: callee.service, attributes: callee.attributes, inputPath, inMapIterator: s.mapIterators.has(ctx.fn), env, buildArgVars });
  const { Retry, ...rest } = tpl;
  const state = { ...rest, ResultPath: resultPath, TimeoutSeconds: timeout } as AslState;
  const hb = callee.attributes.heartbeat_interval;
  // HeartbeatSeconds only means something where the worker can send heartbeats
  // (SendTaskHeartbeat with the task token: the ecs:worker callback pattern).
  if (hb !== null && callee.service === 'ecs:worker') {
    if (hb >= timeout) s.sink.error('DSL.Heartbeat', `heartbeat_interval (${hb}) of ${callee.name} must be smaller than this call's timeout (${timeout})`, call);
    state.HeartbeatSeconds = hb;
  } else if (hb !== null) {
    s.sink.warn(
      'DSL.HeartbeatIgnored',
      `heartbeat_interval of ${callee.name} is ignored: only ecs:worker tasks send heartbeats (service is ${callee.service}); use timeout= to bound the task instead`,
      call,
    );
  }
  if (Retry) state.Retry = Retry;
  state.End = true;
  ctx.graph.add(name, state, s.src(call, 'Task', ctx, callee.name), incoming);
  s.lastTask = { state, name };
  return [{ kind: 'next', state }];
}

/** CodeBuild `env={NAME: "value" | data["k"]}` (fix R16). */
function envOption(s: ProjectScope, envNode: Node | undefined): EnvEntry[] {
  const env: EnvEntry[] = [];
  if (!envNode) return env;
  if (envNode.type !== 'dictionary') {
    s.sink.error('DSL.InvalidOptionType', 'env must be a dict literal of NAME: "value" or NAME: data["key"]', envNode);
    return env;
  }
  for (const pair of envNode.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const k = decodeString(pair.childForFieldName('key')!);
    const v = pair.childForFieldName('value')!;
    if (k === undefined) {
      s.sink.error('DSL.InvalidOptionType', 'env names must be string literals', pair);
      continue;
    }
    if (looksLikeDataRef(v)) {
      const p = dataPath(v);
      if (p.ok) env.push({ name: k, path: p.path });
      else s.sink.error('DSL.InvalidDataReference', p.reason, p.node);
    } else {
      const lit = evalLiteral(v);
      if (lit.ok && (typeof lit.value === 'string' || typeof lit.value === 'number' || typeof lit.value === 'boolean')) env.push({ name: k, value: String(lit.value) });
      else s.sink.error('DSL.InvalidOptionType', 'env values must be strings, numbers or data references', v);
    }
  }
  return env;
}

/** `key="..."` as written (checked: ASL name rules, unique in the machine), else a generated name. */
function stateName(s: ProjectScope, keyNode: Node | undefined, callee: string, call: Node, ctx: FunctionCtx): string {
  if (keyNode) {
    const key = decodeString(keyNode);
    let problem: string | undefined;
    if (key === undefined) problem = 'key must be a string literal';
    else if (key.trim() === '') problem = 'key must not be empty';
    else if ([...key].length > MAX_STATE_NAME_LENGTH) problem = `key must be at most ${MAX_STATE_NAME_LENGTH} characters (ASL state name limit)`;
    else if (key.includes('${')) problem = 'key must not contain "${" (it would be read as a deployment placeholder)';
    else if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) problem = 'key must not contain control characters';
    if (problem || key === undefined) {
      s.sink.error('DSL.InvalidKey', problem!, keyNode);
    } else {
      const prev = ctx.keys.get(key);
      if (prev) {
        const p = s.sink.lines.position(prev.startIndex);
        s.sink.error('DSL.DuplicateKey', `key "${key}" is already used at line ${p.line}, column ${p.column}; state names must be unique within a state machine`, keyNode);
      } else if (ctx.graph.used.has(key)) {
        s.sink.error('DSL.DuplicateKey', `key "${key}" collides with a generated state name; choose another key`, keyNode);
      } else {
        ctx.keys.set(key, keyNode);
        return key;
      }
    }
  }
  return s.autoName(callee, call, ctx);
}
