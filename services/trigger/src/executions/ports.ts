/**
 * What the executions API needs of Step Functions beyond starting
 * ({@link Executions.start}): resolve a state machine's alias, describe, list,
 * page the history, stop and redrive executions. One adapter
 * (adapters/SfnExecutions.ts, `@aws-sdk/client-sfn`) serves AWS and the local
 * platform's Step Functions API.
 *
 * Dates are `Date`s; execution input and output are the JSON text Step
 * Functions holds (the domain parses them). "Absent" is `undefined`, never an
 * exception, so the domain can say which project's name was not found.
 */
import type { Executions } from '../ports.ts';

/** Step Functions execution statuses (`ExecutionStatus`). @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** One row of ListExecutions. */
export interface ExecutionListItem {
  name: string;
  executionArn: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
}

/** DescribeExecution, in the fields the API uses. */
export interface ExecutionDescription extends ExecutionListItem {
  /** The unqualified state machine ARN. */
  stateMachineArn: string;
  /** The input JSON text (absent when Step Functions leaves it out: `inputDetails.included` false). */
  input?: string;
  /** The output JSON text of a SUCCEEDED execution. */
  output?: string;
  error?: string;
  cause?: string;
  /** The state machine version that ran (an execution started on an alias runs the version it pointed at). */
  versionArn?: string;
  /** The alias it was started on. */
  aliasArn?: string;
  redriveCount?: number;
  redriveDate?: Date;
  /** `REDRIVABLE`, `NOT_REDRIVABLE`, `REDRIVABLE_BY_MAP_RUN`. */
  redriveStatus?: string;
  redriveStatusReason?: string;
}

/** A history event as GetExecutionHistory returns it (`timestamp` as ISO 8601 text; the `…EventDetails` field of its `type`). */
export interface HistoryEvent {
  id: number;
  previousEventId?: number;
  type: string;
  timestamp: string;
  [details: string]: unknown;
}

/** One page of a list (`nextToken` to get the next one). */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Step Functions executions as the executions API uses them. */
export interface ExecutionsControl extends Executions {
  /**
   * The ARN of alias `alias` of state machine `stateMachineName`, as Step
   * Functions returns it (its partition, region and account are those of the
   * service: never assumed), or `undefined` when the state machine or the
   * alias does not exist.
   */
  aliasArn(stateMachineName: string, alias: string): Promise<string | undefined>;
  /** DescribeExecution; `undefined` when absent. */
  describe(executionArn: string): Promise<ExecutionDescription | undefined>;
  /**
   * ListExecutions of a state machine (all its versions and aliases), newest
   * first, `maxResults` 1–1000 (default 100), optional status filter.
   * @throws TriggerError `Request.InvalidQuery` for a `nextToken` this list did not return
   */
  list(stateMachineArn: string, options: { status?: ExecutionStatus; nextToken?: string; maxResults?: number }): Promise<Page<ExecutionListItem>>;
  /**
   * GetExecutionHistory: oldest first (or newest with `reverseOrder`), pages of
   * `maxResults` 1–1000 (default 100); `undefined` when the execution is absent.
   * @throws TriggerError `Request.InvalidQuery` for a `nextToken` this history did not return
   */
  history(executionArn: string, options: { nextToken?: string; reverseOrder?: boolean; maxResults?: number }): Promise<Page<HistoryEvent> | undefined>;
  /** StopExecution with `error`/`cause`; `undefined` when absent. A closed execution is left as it is. */
  stop(executionArn: string, options: { error?: string; cause?: string }): Promise<{ stopDate: Date } | undefined>;
  /** RedriveExecution; `undefined` when absent, `{notRedrivable: reason}` when Step Functions refuses it. */
  redrive(executionArn: string): Promise<{ redriveDate: Date } | { notRedrivable: string } | undefined>;
}
