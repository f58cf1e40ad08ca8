/**
 * The executions API's domain (issue 9): start, list, describe, page the
 * history of, stop and redrive the executions of a deployed project's state
 * machine. Every call is scoped by project: the state machine is
 * `fluxio-<stage>-<project>-<stateMachine>` (shared/src/names.ts) and an
 * execution is addressed by its name under it, so another project's execution
 * can never be reached (DESIGN.md §5b, tenancy).
 *
 * Starts go to the alias `live` (what the deployer points at the current
 * version, DESIGN.md §5b) and are idempotent by name.
 */
import { isValidProjectName } from '@fluxio/contracts/projectName';
import { stateMachineName } from '@fluxio/contracts/names';
import {
  EXECUTION_NAME_PATTERN,
  EXECUTION_STATUS_VALUES,
  MAX_EXECUTION_INPUT_BYTES,
  type ExecutionDescription,
  type ExecutionHistory,
  type ExecutionList,
  type RedriveResponse,
  type StartExecutionResponse,
  type StopResponse,
} from '@fluxio/contracts/schemas/executions';
import type { Trace } from '../ports.ts';
import type { ExecutionsControl, ExecutionStatus } from './ports.ts';
import { executionArnOf, sameJsonValue, stateMachineArnOf } from '../adapters/SfnExecutions.ts';
import {
  TriggerError,
  executionAlreadyExists,
  executionNotFound,
  executionNotRedrivable,
  invalidExecutionName,
  invalidInput,
  stateMachineNotFound,
} from '../errors.ts';

/** The alias every start of the API goes to (DESIGN.md §5b). */
export const LIVE_ALIAS = 'live';

/** Page size of {@link ExecutionsService.list}: default and most (each row costs one DescribeExecution for its trigger). */
export const LIST_DEFAULT_RESULTS = 25;
export const LIST_MAX_RESULTS = 100;
/** Page size of {@link ExecutionsService.history}: Step Functions' default and most. */
export const HISTORY_DEFAULT_RESULTS = 100;
export const HISTORY_MAX_RESULTS = 1000;
/** DescribeExecution calls in flight at once while listing (Step Functions throttles DescribeExecution per account). */
const DESCRIBE_CONCURRENCY = 8;

const NAME = new RegExp(EXECUTION_NAME_PATTERN);
/** A state machine function name (`def main(data)` → `main`): a Python identifier. */
const STATE_MACHINE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where an execution is: the project and the state machine function name. */
export interface ExecutionScope {
  project: string;
  stateMachine: string;
}

/** A start as the caller asks for it. */
export interface StartCommand {
  /** A JSON object (anything else is `Execution.InvalidInput`); default `{}`. */
  input?: unknown;
  /** Default: a new UUID. */
  name?: string;
}

/** What a start did: `created` true for a new execution (201), false for the existing one of that name and input (200). */
export interface StartResult {
  created: boolean;
  execution: StartExecutionResponse;
}

export interface ExecutionsServiceOptions {
  /** Step Functions ({@link SfnExecutions} on AWS and locally). */
  executions: ExecutionsControl;
  /** The platform's stage: state machines are `fluxio-<stage>-<project>-<fn>`. */
  stage: string;
  /** New execution names. @default crypto.randomUUID */
  newName?: () => string;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

/** Parse JSON text Step Functions holds; `null` when absent. */
const jsonValue = (text: string | undefined): unknown => {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON (never written by Step Functions): shown as it is rather than lost
  }
};

/** `__trace.source` of an input's JSON text, or null. */
export function triggerOf(inputText: string | undefined): string | null {
  const input = jsonValue(inputText) as { __trace?: { source?: unknown } } | null;
  const source = input && typeof input === 'object' ? input.__trace?.source : undefined;
  return typeof source === 'string' ? source : null;
}

/**
 * The input an HTTP start runs with: the caller's object with
 * `__trace = {id, source: "http"}` (DESIGN.md §5.3, §5b). `id` is the caller's
 * `__trace.id` when it gives one (a trace carried across systems keeps its
 * id), else the execution name; `source` is always `http` (that is where this
 * start came from). Other `__trace` fields are dropped: the trace is `{id, source}`.
 * @throws TriggerError `Execution.InvalidInput` when `input` is not a JSON object, or `__trace` is not `{"id": "<text>"}`
 */
export function httpInput(input: unknown, name: string): Record<string, unknown> {
  if (input === undefined) input = {};
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw invalidInput(`The execution input must be a JSON object, not ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}; wrap it, e.g. {"items": [...]}.`);
  const given = (input as { __trace?: unknown }).__trace;
  let id = name;
  if (given !== undefined) {
    const gid = (given as { id?: unknown } | null)?.id;
    if (given === null || typeof given !== 'object' || Array.isArray(given) || (gid !== undefined && (typeof gid !== 'string' || gid === '')))
      throw invalidInput('input.__trace is reserved for the execution trace: give {"id": "<trace id>"} to carry a trace over, or leave it out.');
    if (typeof gid === 'string') id = gid;
  }
  const trace: Trace = { id, source: 'http' };
  return { ...(input as Record<string, unknown>), __trace: trace };
}

/**
 * The executions of the projects of one stage.
 *
 * Errors ({@link TriggerError}): `Request.InvalidPath` (400: a project, state
 * machine or execution name that breaks its rule), `Request.InvalidQuery`
 * (400), `Execution.InvalidInput` (400), `Execution.InputTooLarge` (413),
 * `Trigger.StateMachineNotFound` (404: not deployed), `Execution.NotFound`
 * (404), `Execution.AlreadyExists` (409), `Execution.NotRedrivable` (409).
 */
export class ExecutionsService {
  private readonly sfn: ExecutionsControl;
  private readonly stage: string;
  private readonly newName: () => string;

  constructor(options: ExecutionsServiceOptions) {
    this.sfn = options.executions;
    this.stage = options.stage;
    this.newName = options.newName ?? (() => crypto.randomUUID());
  }

  /**
   * Start an execution on the alias `live` with {@link httpInput}. Idempotent
   * by name (Step Functions' rule for STANDARD executions): the same name with
   * the same input (as a JSON value) gives that execution back (`created`
   * false) whether it is running or closed; with other input it is
   * `Execution.AlreadyExists` (409). Checking an explicit name costs one
   * DescribeExecution first (Step Functions answers a running execution's
   * repeat like a new start, so it cannot tell them apart).
   */
  async start(scope: ExecutionScope, command: StartCommand): Promise<StartResult> {
    const aliasArn = await this.alias(scope);
    const explicit = command.name !== undefined;
    const name = explicit ? this.checkName(command.name) : this.newName();
    const input = httpInput(command.input, name);
    const bytes = Buffer.byteLength(JSON.stringify(input));
    if (bytes > MAX_EXECUTION_INPUT_BYTES)
      throw new TriggerError(
        'Execution.InputTooLarge',
        413,
        `The execution input is ${bytes} bytes with its __trace; Step Functions takes at most ${MAX_EXECUTION_INPUT_BYTES} (256 KiB). Store large data with the state data API (put_items) and pass its pointer.`,
        { sizeBytes: bytes, limitBytes: MAX_EXECUTION_INPUT_BYTES },
      );
    const executionArn = executionArnOf(aliasArn, name);
    if (explicit) {
      const existing = await this.sfn.describe(executionArn);
      if (existing) return this.repeated(name, existing.executionArn, existing.startDate, sameJsonValue(existing.input, input), existing.status);
    }
    const outcome = await this.sfn.start({ stateMachineArn: aliasArn, name, input });
    if (outcome.kind === 'exists') return this.repeated(name, outcome.executionArn, outcome.startDate, outcome.sameInput);
    return { created: true, execution: { executionArn: outcome.executionArn, name, startDate: outcome.startDate.toISOString() } };
  }

  private repeated(name: string, executionArn: string, startDate: Date, sameInput: boolean, status?: string): StartResult {
    if (!sameInput) throw executionAlreadyExists(name, executionArn, status);
    return { created: false, execution: { executionArn, name, startDate: startDate.toISOString() } };
  }

  /**
   * The executions of the state machine (every version and alias), newest
   * first, with the trigger of each (its input's `__trace.source`: one
   * DescribeExecution per row, at most 8 at a time).
   * @param options.maxResults 1–{@link LIST_MAX_RESULTS} (default {@link LIST_DEFAULT_RESULTS})
   */
  async list(scope: ExecutionScope, options: { status?: string; nextToken?: string; maxResults?: number } = {}): Promise<ExecutionList> {
    if (options.status !== undefined && !(EXECUTION_STATUS_VALUES as readonly string[]).includes(options.status))
      throw new TriggerError('Request.InvalidQuery', 400, `status=${JSON.stringify(options.status)} is not an execution status; use one of ${EXECUTION_STATUS_VALUES.join(', ')}.`);
    const maxResults = pageSize('maxResults', options.maxResults, LIST_DEFAULT_RESULTS, LIST_MAX_RESULTS);
    const aliasArn = await this.alias(scope);
    const page = await this.sfn.list(stateMachineArnOf(aliasArn), { status: options.status as ExecutionStatus | undefined, nextToken: options.nextToken || undefined, maxResults });
    const executions = await mapLimited(page.items, DESCRIBE_CONCURRENCY, async (x) => ({
      name: x.name,
      executionArn: x.executionArn,
      status: x.status,
      startDate: x.startDate.toISOString(),
      stopDate: iso(x.stopDate),
      trigger: triggerOf((await this.sfn.describe(x.executionArn))?.input),
    }));
    return { executions, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  /** One execution, input and output as JSON values. @throws TriggerError `Execution.NotFound` */
  async describe(scope: ExecutionScope, name: string): Promise<ExecutionDescription> {
    const d = await this.find(scope, name);
    return {
      name: d.name,
      executionArn: d.executionArn,
      status: d.status,
      input: jsonValue(d.input),
      output: jsonValue(d.output),
      error: d.error ?? null,
      cause: d.cause ?? null,
      trigger: triggerOf(d.input),
      versionArn: d.versionArn ?? null,
      startDate: d.startDate.toISOString(),
      stopDate: iso(d.stopDate),
      redriveCount: d.redriveCount ?? 0,
      redriveStatus: d.redriveStatus ?? null,
      redriveStatusReason: d.redriveStatusReason ?? null,
    };
  }

  /**
   * A page of the execution's history events (Step Functions GetExecutionHistory).
   * @param options.maxResults 1–{@link HISTORY_MAX_RESULTS} (default {@link HISTORY_DEFAULT_RESULTS})
   * @throws TriggerError `Execution.NotFound`
   */
  async history(scope: ExecutionScope, name: string, options: { nextToken?: string; reverseOrder?: boolean; maxResults?: number } = {}): Promise<ExecutionHistory> {
    const maxResults = pageSize('maxResults', options.maxResults, HISTORY_DEFAULT_RESULTS, HISTORY_MAX_RESULTS);
    const executionArn = executionArnOf(await this.alias(scope), this.checkName(name));
    const page = await this.sfn.history(executionArn, { nextToken: options.nextToken || undefined, reverseOrder: options.reverseOrder, maxResults });
    if (!page) throw executionNotFound(scope.project, scope.stateMachine, name);
    return { events: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  /**
   * Stop a running execution (status ABORTED, with `error`/`cause`). One that
   * already ended is left as it is: `stopped` false, its own status.
   * @throws TriggerError `Execution.NotFound`
   */
  async stop(scope: ExecutionScope, name: string, options: { error?: string; cause?: string } = {}): Promise<StopResponse> {
    const d = await this.find(scope, name);
    const running = d.status === 'RUNNING';
    if (running) await this.sfn.stop(d.executionArn, options);
    const after = running ? ((await this.sfn.describe(d.executionArn)) ?? d) : d;
    return { name, executionArn: d.executionArn, stopped: running, status: after.status, stopDate: iso(after.stopDate) };
  }

  /**
   * Redrive a FAILED, ABORTED or TIMED_OUT execution from where it failed
   * (Step Functions RedriveExecution).
   * @throws TriggerError `Execution.NotFound`, `Execution.NotRedrivable` (409, with Step Functions' reason)
   */
  async redrive(scope: ExecutionScope, name: string): Promise<RedriveResponse> {
    const d = await this.find(scope, name);
    const r = await this.sfn.redrive(d.executionArn);
    if (!r) throw executionNotFound(scope.project, scope.stateMachine, name);
    if ('notRedrivable' in r) throw executionNotRedrivable(name, r.notRedrivable);
    return { name, executionArn: d.executionArn, redriveDate: r.redriveDate.toISOString(), redriveCount: (d.redriveCount ?? 0) + 1 };
  }

  /** The execution `name` of the scope's state machine. @throws TriggerError `Execution.NotFound` */
  private async find(scope: ExecutionScope, name: string) {
    const executionArn = executionArnOf(await this.alias(scope), this.checkName(name));
    const d = await this.sfn.describe(executionArn);
    if (!d) throw executionNotFound(scope.project, scope.stateMachine, name);
    return d;
  }

  /** The alias `live` of the scope's state machine. @throws TriggerError `Request.InvalidPath`, `Trigger.StateMachineNotFound` */
  private async alias(scope: ExecutionScope): Promise<string> {
    if (!isValidProjectName(scope.project ?? ''))
      throw invalidPath('project', scope.project, 'a letter, then up to 63 letters, digits, "-" or "_"');
    if (!STATE_MACHINE.test(scope.stateMachine ?? ''))
      throw invalidPath('stateMachine', scope.stateMachine, 'a state machine function name (a Python identifier, e.g. main)');
    const arn = await this.sfn.aliasArn(stateMachineName({ stage: this.stage, project: scope.project, fn: scope.stateMachine }), LIVE_ALIAS);
    if (!arn) throw stateMachineNotFound(scope.project, scope.stateMachine);
    return arn;
  }

  private checkName(name: string | undefined): string {
    if (!NAME.test(name ?? '')) throw invalidExecutionName(name ?? '');
    return name!;
  }
}

const invalidPath = (parameter: string, value: string | undefined, rule: string) =>
  new TriggerError('Request.InvalidPath', 400, `Path parameter ${parameter}=${JSON.stringify(value ?? '')} is invalid: ${rule}.`, { parameter });

function pageSize(what: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new TriggerError('Request.InvalidQuery', 400, `${what}=${JSON.stringify(value)}: use a whole number from 1 to ${max}.`);
  return value;
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
