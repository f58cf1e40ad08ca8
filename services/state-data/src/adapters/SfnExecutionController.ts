/**
 * ExecutionController on AWS Step Functions (`@aws-sdk/client-sfn`).
 * Like py2sfn's workflow client (spec §21): describe first and return at once
 * when the execution already finished; otherwise StopExecution, passing
 * `error`/`cause` only when given.
 */
import { SFNClient, type SFNClientConfig, DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionController, StopOutcome } from '../ports.ts';
import { StateDataError } from '../errors.ts';

export interface SfnExecutionControllerOptions {
  client?: SFNClient;
  clientConfig?: SFNClientConfig;
}

const notFound = (execution: string, cause?: unknown) =>
  new StateDataError(
    'StateData.ExecutionNotFound',
    404,
    `Execution ${execution} does not exist. Pass the execution ARN of the running execution ($$.Execution.Id).`,
    { execution },
    { cause },
  );

/** Step Functions-backed {@link ExecutionController}. `execution` must be a full execution ARN. */
export class SfnExecutionController implements ExecutionController {
  readonly client: SFNClient;
  constructor(options: SfnExecutionControllerOptions = {}) {
    this.client = options.client ?? new SFNClient({ maxAttempts: 6, ...options.clientConfig });
  }

  async stop(execution: string, options: { error?: string; cause?: string }): Promise<StopOutcome> {
    if (!execution.startsWith('arn:'))
      throw new StateDataError(
        'StateData.ExecutionArnRequired',
        400,
        `On AWS, stopping needs the execution ARN, not just the name ${execution}: send {"executionArn": "arn:aws:states:…:execution:<state machine>:${execution}"} (the Python client reads FLUXIO_EXECUTION_ARN).`,
      );
    try {
      const described = await this.client.send(new DescribeExecutionCommand({ executionArn: execution }));
      if (described.status && described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') return 'already-finished';
      await this.client.send(
        new StopExecutionCommand({
          executionArn: execution,
          ...(options.error !== undefined ? { error: options.error } : {}),
          ...(options.cause !== undefined ? { cause: options.cause } : {}),
        }),
      );
      return 'stopped';
    } catch (e) {
      if ((e as Error).name === 'ExecutionDoesNotExist') throw notFound(execution, e);
      if ((e as Error).name === 'InvalidArn')
        throw new StateDataError('StateData.InvalidExecutionArn', 400, `${execution} is not a valid execution ARN.`, undefined, { cause: e });
      throw e;
    }
  }
}
