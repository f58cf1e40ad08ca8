/**
 * Activities and callbacks (Step Functions API reference: CreateActivity,
 * DescribeActivity, DeleteActivity, ListActivities, GetActivityTask,
 * SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat).
 */
import type {
  CreateActivityInput,
  CreateActivityOutput,
  DeleteActivityInput,
  DescribeActivityInput,
  DescribeActivityOutput,
  GetActivityTaskInput,
  GetActivityTaskOutput,
  ListActivitiesInput,
  ListActivitiesOutput,
  SendTaskFailureInput,
  SendTaskHeartbeatInput,
  SendTaskSuccessInput,
} from '@aws-sdk/client-sfn';
import { SfnError, checkName, decodeToken, encodeToken, pageSize, requireString } from './errors.ts';
import { activityArn, parseActivityArn } from './arns.ts';
import { nowSeconds, toDate, type SfnContext } from './context.ts';
import { ACTIVITY_POLL_SECONDS } from './callbacks.ts';
import { MAX_PAYLOAD_BYTES } from './ExecutionService.ts';

function activityOf(ctx: SfnContext, arn: unknown): string {
  const name = parseActivityArn(arn);
  if (name === undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}' is not an activity ARN (arn:aws:states:REGION:ACCOUNT:activity:NAME).`);
  if (!ctx.store.getActivity(name)) throw new SfnError('ActivityDoesNotExist', `Activity Does Not Exist: '${String(arn)}'`);
  return name;
}

/** Creating an existing activity returns it (CreateActivity is idempotent). */
export function createActivity(ctx: SfnContext, input: CreateActivityInput): CreateActivityOutput {
  const name = requireString(input.name, 'name');
  checkName(name, 'activity');
  const existing = ctx.store.getActivity(name);
  if (existing) return { activityArn: activityArn(name), creationDate: toDate(existing.created) };
  const now = nowSeconds();
  ctx.store.transaction(() => {
    ctx.store.insertActivity(name, now);
    if (input.tags?.length) ctx.store.putTags(activityArn(name), input.tags);
  });
  return { activityArn: activityArn(name), creationDate: toDate(now) };
}

export function describeActivity(ctx: SfnContext, input: DescribeActivityInput): DescribeActivityOutput {
  const name = activityOf(ctx, input.activityArn);
  return { activityArn: activityArn(name), name, creationDate: toDate(ctx.store.getActivity(name)!.created) };
}

/** Deleting a missing activity is no error (the service's DeleteActivity has no "does not exist" error). */
export function deleteActivity(ctx: SfnContext, input: DeleteActivityInput): Record<string, never> {
  const name = parseActivityArn(input.activityArn);
  if (name === undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${String(input.activityArn)}' is not an activity ARN.`);
  ctx.store.deleteActivity(name);
  return {};
}

export function listActivities(ctx: SfnContext, input: ListActivitiesInput): ListActivitiesOutput {
  const limit = pageSize(input.maxResults);
  const offset = decodeToken(input.nextToken, 'ListActivities');
  const rows = ctx.store.listActivities(limit + 1, offset);
  return {
    activities: rows.slice(0, limit).map((a) => ({ activityArn: activityArn(a.name), name: a.name, creationDate: toDate(a.created) })),
    ...(rows.length > limit ? { nextToken: encodeToken(offset + limit, 'ListActivities') } : {}),
  };
}

/**
 * GetActivityTask: long poll (up to 60 s, the service's) for a task of the
 * activity; `{}` (no taskToken) when none arrived. `signal` ends the poll when
 * the client disconnects.
 */
export async function getActivityTask(ctx: SfnContext, input: GetActivityTaskInput, signal?: AbortSignal): Promise<GetActivityTaskOutput> {
  const name = activityOf(ctx, input.activityArn);
  const task = await ctx.executions.callbacks.poll(name, input.workerName, ACTIVITY_POLL_SECONDS * 1000, signal);
  return task ?? {};
}

export function sendTaskSuccess(ctx: SfnContext, input: SendTaskSuccessInput): Record<string, never> {
  const output = requireString(input.output, 'output');
  if (Buffer.byteLength(output, 'utf8') > MAX_PAYLOAD_BYTES) throw new SfnError('InvalidOutput', `Invalid Output: the output is larger than ${MAX_PAYLOAD_BYTES} bytes (256 KiB).`);
  ctx.executions.callbacks.success(input.taskToken, output);
  return {};
}

export function sendTaskFailure(ctx: SfnContext, input: SendTaskFailureInput): Record<string, never> {
  ctx.executions.callbacks.failure(input.taskToken, input.error, input.cause);
  return {};
}

export function sendTaskHeartbeat(ctx: SfnContext, input: SendTaskHeartbeatInput): Record<string, never> {
  ctx.executions.callbacks.heartbeat(input.taskToken);
  return {};
}
