/**
 * Step Functions executions with `@aws-sdk/client-sfn`, on AWS or on the local
 * platform's Step Functions API (the same code; only the client's endpoint
 * differs). Implements the trigger's {@link Executions} port and what the
 * executions API needs ({@link ExecutionsControl}).
 */
import { isDeepStrictEqual } from 'node:util';
import {
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionOutput,
  type SFNClientConfig,
} from '@aws-sdk/client-sfn';
import { parseStateMachineName } from '@fluxio/contracts/names';
import type { StartOutcome, StartRequest } from '../ports.ts';
import type { ExecutionDescription, ExecutionListItem, ExecutionsControl, ExecutionStatus, HistoryEvent, Page } from '../executions/ports.ts';
import { TriggerError, invalidExecutionName, invalidInput, stateMachineNotFound } from '../errors.ts';

/** The parts of a Step Functions ARN `arn:<partition>:states:<region>:<account>:<kind>:<name>[:<qualifier>]`. */
interface StatesArn {
  /** `arn:<partition>:states:<region>:<account>:` */
  prefix: string;
  kind: string;
  name: string;
  qualifier?: string;
}

/** Parse a Step Functions ARN; `undefined` when `arn` is not one. */
export function parseStatesArn(arn: string): StatesArn | undefined {
  const p = arn.split(':');
  if (p.length < 7 || p.length > 8 || p[0] !== 'arn' || p[2] !== 'states' || !p[5] || !p[6]) return undefined;
  return { prefix: `${p.slice(0, 5).join(':')}:`, kind: p[5], name: p[6], ...(p[7] ? { qualifier: p[7] } : {}) };
}

/**
 * The unqualified state machine ARN of a state machine, version or alias ARN.
 * @throws Error when `arn` is not a state machine ARN
 */
export function stateMachineArnOf(arn: string): string {
  const a = parseStatesArn(arn);
  if (!a || a.kind !== 'stateMachine') throw new Error(`Not a state machine ARN: ${arn}`);
  return `${a.prefix}stateMachine:${a.name}`;
}

/**
 * The ARN of execution `name` of the state machine of `arn` (a state machine,
 * version or alias ARN): `arn:…:execution:<stateMachineName>:<name>` — an
 * execution belongs to the state machine whichever version or alias started it.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html
 * @throws Error when `arn` is not a state machine ARN
 */
export function executionArnOf(arn: string, name: string): string {
  const a = parseStatesArn(arn);
  if (!a || a.kind !== 'stateMachine') throw new Error(`Not a state machine ARN: ${arn}`);
  return `${a.prefix}execution:${a.name}:${name}`;
}

const errorName = (e: unknown) => (e as { name?: string } | null)?.name;
const isAbsent = (e: unknown) => ['ExecutionDoesNotExist', 'StateMachineDoesNotExist', 'ResourceNotFound'].includes(errorName(e) ?? '');

/** A `nextToken` Step Functions refused (`InvalidToken`) → 400. */
const badToken = (e: unknown) =>
  errorName(e) === 'InvalidToken'
    ? new TriggerError('Request.InvalidQuery', 400, 'nextToken is not one this list returned (or it expired); leave it out to start from the first page.')
    : e;

const parsedJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * True when the JSON text `stored` holds the same JSON value as `value` (object
 * key order and spacing do not matter; `undefined` members are dropped as
 * `JSON.stringify` drops them). Absent or unparsable text matches nothing.
 */
export function sameJsonValue(stored: string | undefined, value: unknown): boolean {
  const parsed = parsedJson(stored);
  return parsed !== undefined && isDeepStrictEqual(parsed, JSON.parse(JSON.stringify(value)));
}

export interface SfnExecutionsOptions {
  client?: SFNClient;
  clientConfig?: SFNClientConfig;
}

/** The executions of Step Functions (AWS, or the local platform with `clientConfig.endpoint`). */
export class SfnExecutions implements ExecutionsControl {
  readonly client: SFNClient;
  /** `arn:<partition>:states:<region>:<account>:` of this client, learnt from the first ARN the service returns. */
  private arnPrefix: string | undefined;

  constructor(options: SfnExecutionsOptions = {}) {
    this.client = options.client ?? new SFNClient({ ...options.clientConfig });
  }

  /**
   * StartExecution. A name taken by an execution Step Functions does not
   * return again (closed, or running with other input: `ExecutionAlreadyExists`)
   * becomes `{kind: 'exists'}`, its input compared as JSON values (key order
   * and spacing do not matter).
   * @throws TriggerError `Trigger.StateMachineNotFound` (the ARN names nothing), `Execution.InvalidName`, `Execution.InvalidInput`
   */
  async start(request: StartRequest): Promise<StartOutcome> {
    const input = JSON.stringify(request.input);
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name: request.name, input }));
      return { kind: 'started', executionArn: out.executionArn!, startDate: out.startDate! };
    } catch (e) {
      switch (errorName(e)) {
        case 'ExecutionAlreadyExists': {
          const executionArn = executionArnOf(request.stateMachineArn, request.name);
          const d = await this.client.send(new DescribeExecutionCommand({ executionArn }));
          return { kind: 'exists', executionArn, startDate: d.startDate!, sameInput: sameJsonValue(d.input, request.input) };
        }
        case 'StateMachineDoesNotExist':
        case 'ResourceNotFound':
        case 'StateMachineDeleting': {
          const name = parseStatesArn(request.stateMachineArn)?.name ?? request.stateMachineArn;
          const parts = parseStateMachineName(name);
          throw stateMachineNotFound(parts?.project ?? name, parts?.fn ?? name, request.stateMachineArn);
        }
        case 'InvalidName':
          throw invalidExecutionName(request.name);
        case 'InvalidExecutionInput':
          throw invalidInput(`Step Functions refused the input: ${(e as Error).message}`);
        default:
          throw e;
      }
    }
  }

  async aliasArn(stateMachineName: string, alias: string): Promise<string | undefined> {
    const prefix = await this.prefix();
    if (!prefix) return undefined; // no state machine at all
    try {
      const out = await this.client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${prefix}stateMachine:${stateMachineName}:${alias}` }));
      return out.stateMachineAliasArn;
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
  }

  /** The ARN prefix of this account and region: read once from a ListStateMachines answer (none yet → undefined, asked again next time). */
  private async prefix(): Promise<string | undefined> {
    if (this.arnPrefix) return this.arnPrefix;
    const out = await this.client.send(new ListStateMachinesCommand({ maxResults: 1 }));
    const arn = out.stateMachines?.[0]?.stateMachineArn;
    const parsed = arn ? parseStatesArn(arn) : undefined;
    return (this.arnPrefix = parsed?.prefix);
  }

  async describe(executionArn: string): Promise<ExecutionDescription | undefined> {
    let d: DescribeExecutionOutput;
    try {
      d = await this.client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
    return {
      name: d.name!,
      executionArn: d.executionArn!,
      stateMachineArn: d.stateMachineArn!,
      status: d.status as ExecutionStatus,
      startDate: d.startDate!,
      ...(d.stopDate ? { stopDate: d.stopDate } : {}),
      ...(d.input !== undefined && d.inputDetails?.included !== false ? { input: d.input } : {}),
      ...(d.output !== undefined && d.outputDetails?.included !== false ? { output: d.output } : {}),
      ...(d.error ? { error: d.error } : {}),
      ...(d.cause ? { cause: d.cause } : {}),
      ...(d.stateMachineVersionArn ? { versionArn: d.stateMachineVersionArn } : {}),
      ...(d.stateMachineAliasArn ? { aliasArn: d.stateMachineAliasArn } : {}),
      ...(d.redriveCount !== undefined ? { redriveCount: d.redriveCount } : {}),
      ...(d.redriveDate ? { redriveDate: d.redriveDate } : {}),
      ...(d.redriveStatus ? { redriveStatus: d.redriveStatus } : {}),
      ...(d.redriveStatusReason ? { redriveStatusReason: d.redriveStatusReason } : {}),
    };
  }

  async list(stateMachineArn: string, options: { status?: ExecutionStatus; nextToken?: string; maxResults?: number }): Promise<Page<ExecutionListItem>> {
    try {
      const out = await this.client.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: options.status, nextToken: options.nextToken, maxResults: options.maxResults }),
      );
      return {
        items: (out.executions ?? []).map((x) => ({
          name: x.name!,
          executionArn: x.executionArn!,
          status: x.status as ExecutionStatus,
          startDate: x.startDate!,
          ...(x.stopDate ? { stopDate: x.stopDate } : {}),
        })),
        ...(out.nextToken ? { nextToken: out.nextToken } : {}),
      };
    } catch (e) {
      if (isAbsent(e)) return { items: [] };
      throw badToken(e);
    }
  }

  async history(executionArn: string, options: { nextToken?: string; reverseOrder?: boolean; maxResults?: number }): Promise<Page<HistoryEvent> | undefined> {
    try {
      const out = await this.client.send(
        new GetExecutionHistoryCommand({ executionArn, nextToken: options.nextToken, reverseOrder: options.reverseOrder, maxResults: options.maxResults, includeExecutionData: true }),
      );
      return {
        items: (out.events ?? []).map((ev) => ({ ...ev, timestamp: ev.timestamp instanceof Date ? ev.timestamp.toISOString() : String(ev.timestamp) }) as HistoryEvent),
        ...(out.nextToken ? { nextToken: out.nextToken } : {}),
      };
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw badToken(e);
    }
  }

  async stop(executionArn: string, options: { error?: string; cause?: string }): Promise<{ stopDate: Date } | undefined> {
    try {
      const out = await this.client.send(new StopExecutionCommand({ executionArn, error: options.error, cause: options.cause }));
      return { stopDate: out.stopDate! };
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
  }

  async redrive(executionArn: string): Promise<{ redriveDate: Date } | { notRedrivable: string } | undefined> {
    try {
      const out = await this.client.send(new RedriveExecutionCommand({ executionArn }));
      return { redriveDate: out.redriveDate! };
    } catch (e) {
      if (isAbsent(e)) return undefined;
      if (errorName(e) === 'ExecutionNotRedrivable') return { notRedrivable: ((e as Error).message || 'Step Functions refused it').replace(/^Execution Not Redrivable:\s*/i, '').replace(/\.$/, '') };
      throw e;
    }
  }
}
