/**
 * Execution operations (Step Functions API reference: StartExecution,
 * DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory,
 * DescribeStateMachineForExecution, RedriveExecution) over the execution
 * service and the store.
 */
import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  DescribeStateMachineForExecutionInput,
  DescribeStateMachineForExecutionOutput,
  GetExecutionHistoryInput,
  ListExecutionsInput,
  ListExecutionsOutput,
  RedriveExecutionInput,
  RedriveExecutionOutput,
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import { SfnError, decodeToken, encodeToken, pageSize, validation } from './errors.ts';
import { parseStateMachineArn, stateMachineArn } from './arns.ts';
import { toDate, type SfnContext } from './context.ts';
import { machineOf } from './stateMachines.ts';
import { withoutExecutionData } from './history.ts';
import { splitHistory, type ExecutionSummaryRow } from './store.ts';

/** A response the protocol layer sends as it is (pre-serialised JSON). */
export class RawJson {
  constructor(readonly json: string) {}
}

const STATUSES = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

/** StartExecution: answered once the execution's row is committed (it survives a crash of the platform from then on). */
export async function startExecution(ctx: SfnContext, input: StartExecutionInput): Promise<StartExecutionOutput> {
  if (input.traceHeader !== undefined && typeof input.traceHeader !== 'string') throw validation('traceHeader must be a string.');
  const r = ctx.executions.start({ stateMachineArn: input.stateMachineArn, name: input.name, input: input.input });
  await ctx.executions.startsCommitted();
  return { executionArn: r.executionArn, startDate: toDate(r.startDate) };
}

export function describeExecution(ctx: SfnContext, input: DescribeExecutionInput): DescribeExecutionOutput {
  return ctx.executions.describe(input.executionArn);
}

export function listExecutions(ctx: SfnContext, input: ListExecutionsInput): ListExecutionsOutput {
  if (input.mapRunArn !== undefined) throw new SfnError('UnsupportedOperation', 'ListExecutions with mapRunArn is not supported locally: Distributed Map runs are not implemented (inline Map states are).');
  if (input.statusFilter !== undefined && !STATUSES.has(input.statusFilter)) {
    throw validation(`1 validation error detected: Value '${String(input.statusFilter)}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${[...STATUSES].join(', ')}]`);
  }
  if (input.redriveFilter !== undefined) throw new SfnError('UnsupportedOperation', 'ListExecutions with redriveFilter is not supported locally; filter on redriveCount in the results.');
  const limit = pageSize(input.maxResults);
  const ref = parseStateMachineArn(input.stateMachineArn);
  let rows: ExecutionSummaryRow[];
  const key = `ListExecutions:${String(input.stateMachineArn)}:${input.statusFilter ?? ''}`;
  const offset = decodeToken(input.nextToken, key);
  if (ref && ref.kind !== 'stateMachine') {
    if (!ctx.store.getMachine(ref.name)) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
    if (input.statusFilter) throw new SfnError('UnsupportedOperation', 'ListExecutions of a version or alias with statusFilter is not supported locally; list them without it.');
    rows = ctx.store.listExecutionsOf(input.stateMachineArn!, limit + 1, offset);
  } else {
    const machine = machineOf(ctx, input.stateMachineArn);
    rows = ctx.store.listExecutions(machine.name, input.statusFilter, limit + 1, offset);
  }
  return {
    executions: rows.slice(0, limit).map((r) => ({
      executionArn: r.arn,
      stateMachineArn: stateMachineArn(r.state_machine),
      name: r.name,
      status: r.status as 'RUNNING',
      startDate: toDate(r.start_date),
      ...(r.stop_date !== null ? { stopDate: toDate(r.stop_date) } : {}),
      ...(r.version_arn ? { stateMachineVersionArn: r.version_arn } : {}),
      ...(r.alias_arn ? { stateMachineAliasArn: r.alias_arn } : {}),
      redriveCount: r.redrive_count,
      ...(r.redrive_date !== null ? { redriveDate: toDate(r.redrive_date) } : {}),
    })),
    ...(rows.length > limit ? { nextToken: encodeToken(offset + limit, key) } : {}),
  };
}

export async function stopExecution(ctx: SfnContext, input: StopExecutionInput): Promise<StopExecutionOutput> {
  const r = await ctx.executions.stop(input.executionArn, input.error, input.cause);
  return { stopDate: toDate(r.stopDate) };
}

/**
 * GetExecutionHistory: events oldest first (or newest first with
 * `reverseOrder`), pages of `maxResults` (default 100, at most 1000) linked by
 * `nextToken`. Answered as pre-serialised JSON (rows are stored as event JSON).
 */
export function getExecutionHistory(ctx: SfnContext, input: GetExecutionHistoryInput): RawJson {
  const row = ctx.executions.exists(input.executionArn);
  ctx.executions.flushOne(row.arn);
  const limit = pageSize(input.maxResults);
  const reverse = Boolean(input.reverseOrder);
  const key = `GetExecutionHistory:${row.arn}:${reverse ? 'r' : 'f'}`;
  const from = input.nextToken ? decodeToken(input.nextToken, key) : reverse ? Number.MAX_SAFE_INTEGER : 0;
  const page = ctx.store.historyPage(row.seq!, reverse, from, limit);
  const events = input.includeExecutionData === false ? splitHistory(page.text).map(withoutExecutionData).join(',') : page.text;
  const next = page.more ? `,"nextToken":${JSON.stringify(encodeToken(page.lastId, key))}` : '';
  return new RawJson(`{"events":[${events}]${next}}`);
}

export function describeStateMachineForExecution(ctx: SfnContext, input: DescribeStateMachineForExecutionInput): DescribeStateMachineForExecutionOutput {
  const row = ctx.executions.row(input.executionArn);
  const machine = ctx.store.getMachine(row.state_machine);
  return {
    stateMachineArn: row.version_arn ?? stateMachineArn(row.state_machine),
    name: row.state_machine,
    definition: row.definition,
    roleArn: row.role_arn,
    updateDate: toDate(machine?.updated ?? row.start_date),
    ...(row.revision_id ? { revisionId: row.revision_id } : {}),
    loggingConfiguration: machine?.logging ? JSON.parse(machine.logging) : { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: machine?.tracing ? JSON.parse(machine.tracing) : { enabled: false },
  };
}

export function redriveExecution(ctx: SfnContext, input: RedriveExecutionInput): RedriveExecutionOutput {
  const r = ctx.executions.redrive(input.executionArn);
  return { redriveDate: toDate(r.redriveDate) };
}
