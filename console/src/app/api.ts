/**
 * Typed calls from the console to the platform's public APIs — no private
 * back door: the Step Functions API (AWS JSON 1.0, `POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Operation>`, the same requests
 * `@aws-sdk/client-sfn` sends) and the `/v1` routes of `shared/src/routes.ts`.
 * Shapes are the SDK's `<Operation>Input`/`Output` types (dates arrive as
 * epoch seconds on the wire, typed here as numbers) and the platform schemas.
 */
import type {
  DescribeExecutionInput,
  DescribeStateMachineAliasInput,
  DescribeStateMachineForExecutionInput,
  DescribeStateMachineInput,
  GetExecutionHistoryInput,
  HistoryEvent,
  ListExecutionsInput,
  ListStateMachineAliasesInput,
  ListStateMachineVersionsInput,
  ListStateMachinesInput,
  RedriveExecutionInput,
  StartExecutionInput,
  StopExecutionInput,
} from '@aws-sdk/client-sfn';
import type { DeploymentRecord, DeploymentSource, ProjectDescription } from '@fluxio/contracts/schemas/deployments';

/** Wire form of an SDK output: `Date` fields arrive as epoch seconds. */
type Wire<T> = T extends Date ? number : T extends Array<infer U> ? Array<Wire<U>> : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

/** Outputs of the operations the console calls (the SDK's shapes on the wire). */
export interface SfnOperations {
  ListStateMachines: [ListStateMachinesInput, Wire<{ stateMachines: Array<{ stateMachineArn: string; name: string; type: string; creationDate: Date }>; nextToken?: string }>];
  DescribeStateMachine: [DescribeStateMachineInput, { stateMachineArn: string; name: string; definition: string; status?: string; creationDate: number; revisionId?: string; description?: string }];
  DescribeStateMachineForExecution: [DescribeStateMachineForExecutionInput, { stateMachineArn: string; name: string; definition: string; revisionId?: string }];
  ListStateMachineVersions: [ListStateMachineVersionsInput, { stateMachineVersions: Array<{ stateMachineVersionArn: string; creationDate: number }>; nextToken?: string }];
  ListStateMachineAliases: [ListStateMachineAliasesInput, { stateMachineAliases: Array<{ stateMachineAliasArn: string; creationDate: number }>; nextToken?: string }];
  DescribeStateMachineAlias: [DescribeStateMachineAliasInput, { stateMachineAliasArn: string; name: string; routingConfiguration: Array<{ stateMachineVersionArn: string; weight: number }> }];
  ListExecutions: [ListExecutionsInput, { executions: ExecutionListItem[]; nextToken?: string }];
  DescribeExecution: [DescribeExecutionInput, ExecutionDescription];
  GetExecutionHistory: [GetExecutionHistoryInput, { events: Array<Wire<HistoryEvent>>; nextToken?: string }];
  StartExecution: [StartExecutionInput, { executionArn: string; startDate: number }];
  StopExecution: [StopExecutionInput, { stopDate: number }];
  RedriveExecution: [RedriveExecutionInput, { redriveDate: number }];
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  redriveCount?: number;
}

export interface ExecutionDescription extends ExecutionListItem {
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveStatus?: string;
}

/** A history event as the console reads it (the `*EventDetails` member is looked up by name). */
export type SfnHistoryEvent = Wire<HistoryEvent> & Record<string, unknown>;

/** An error answered by the platform: Step Functions `__type` or the `/v1` `{error:{code,message}}`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Call Step Functions operation `op` of the platform at `base` (default: the page's origin). */
export async function sfn<Op extends keyof SfnOperations>(op: Op, input: SfnOperations[Op][0], base = ''): Promise<SfnOperations[Op][1]> {
  const res = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const type = String(body.__type ?? 'InternalFailure');
    throw new ApiError(type.slice(type.indexOf('#') + 1), String(body.message ?? res.statusText), res.status);
  }
  return body as SfnOperations[Op][1];
}

/** Every page of a paged Step Functions list operation (at most `max` items). */
export async function sfnAll<Op extends 'ListStateMachines' | 'ListStateMachineVersions' | 'ListStateMachineAliases' | 'ListExecutions', K extends keyof SfnOperations[Op][1]>(
  op: Op,
  input: SfnOperations[Op][0],
  key: K,
  max = 1000,
): Promise<SfnOperations[Op][1][K]> {
  const out: unknown[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await sfn(op, { ...input, nextToken, maxResults: 1000 } as never)) as Record<string, unknown>;
    out.push(...((page[key as string] as unknown[]) ?? []));
    nextToken = page.nextToken as string | undefined;
  } while (nextToken && out.length < max);
  return out as SfnOperations[Op][1][K];
}

/** The whole history of an execution, oldest first. */
export async function fullHistory(executionArn: string): Promise<SfnHistoryEvent[]> {
  const events: SfnHistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn('GetExecutionHistory', { executionArn, maxResults: 1000, nextToken });
    events.push(...(page.events as SfnHistoryEvent[]));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export type { DeploymentSource, ProjectDescription } from '@fluxio/contracts/schemas/deployments';

async function v1<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) throw new ApiError(body.error?.code ?? 'Http', body.error?.message ?? res.statusText, res.status);
  return body as T;
}

/** The `/v1` routes the console reads. */
export const platform = {
  project: (project: string) => v1<ProjectDescription>(`/v1/projects/${encodeURIComponent(project)}`),
  deployments: (project: string) => v1<{ deployments: DeploymentRecord[]; next?: string }>(`/v1/projects/${encodeURIComponent(project)}/deployments?limit=20`),
  source: (project: string, deploymentId: string) =>
    v1<DeploymentSource>(`/v1/projects/${encodeURIComponent(project)}/deployments/${encodeURIComponent(deploymentId)}/source`),
};
