/**
 * ExecutionController on AWS Step Functions (`@aws-sdk/client-sfn`).
 * Like py2sfn's workflow client (spec §21): describe first and return at once
 * when the execution already finished; otherwise StopExecution, passing
 * `error`/`cause` only when given.
 *
 * A project stops only its own executions (issue 11): the ARN must be exactly
 * an execution of one of the project's state machines of this stage
 * (`fluxio-<stage>-<project>-<fn>`, the deployer's rule: `@fluxio/contracts/names`),
 * in this region (and
 * account, when configured), and DescribeExecution must confirm that state
 * machine before StopExecution is called.
 */
import { SFNClient, type SFNClientConfig, DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionController, StopOutcome } from '../ports.ts';
import { StateDataError } from '../errors.ts';
import { parseExecutionArn, projectOfLocalStateMachine, projectOfStateMachine } from '../stateMachineNames.ts';

export interface SfnExecutionControllerOptions {
  client?: SFNClient;
  clientConfig?: SFNClientConfig;
  /**
   * The deployment stage: the project's state machines are `fluxio-<stage>-<project>-<fn>` (`FLUXIO_STAGE`).
   * Omit against the local platform: `fluxio-local-<project>-<fn>` or `<project>-<fn>` (stateMachineNames.ts `projectOfLocalStateMachine`).
   */
  stage?: string;
  /** Only ARNs of this region are accepted (`AWS_REGION`). */
  region?: string;
  /** Only ARNs of this account are accepted, when given (`FLUXIO_AWS_ACCOUNT_ID`). */
  account?: string;
}

const notInProject = (execution: string, project: string, why: string) =>
  new StateDataError(
    'StateData.ExecutionNotInProject',
    403,
    `Execution ${execution} is not an execution of project ${project}: ${why}. A project stops only its own executions; pass $$.Execution.Id of your own run.`,
    { execution, project },
  );

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
  private readonly ownerOf: (stateMachine: string) => string | undefined;
  private readonly named: (project: string) => string;
  constructor(private readonly options: SfnExecutionControllerOptions = {}) {
    this.client = options.client ?? new SFNClient({ maxAttempts: 6, ...options.clientConfig });
    const stage = options.stage;
    this.ownerOf = stage ? (name) => projectOfStateMachine(name, stage) : projectOfLocalStateMachine;
    this.named = (project) => (stage ? `fluxio-${stage}-${project}-<function>` : `fluxio-local-${project}-<function> or ${project}-<function>`);
  }

  /** Check that `execution` is exactly an execution ARN of `project`'s state machines here. @throws StateDataError 403 / 400 */
  private checkOwnership(project: string, execution: string): void {
    const arn = parseExecutionArn(execution);
    if (!arn) throw new StateDataError('StateData.InvalidExecutionArn', 400, `${execution} is not a valid execution ARN.`);
    if (this.options.region && arn.region !== this.options.region) throw notInProject(execution, project, `it is in region ${arn.region}, this platform in ${this.options.region}`);
    if (this.options.account && arn.account !== this.options.account) throw notInProject(execution, project, `it is in another AWS account (${arn.account})`);
    const owner = this.ownerOf(arn.stateMachine);
    if (owner !== project)
      throw notInProject(execution, project, `its state machine ${arn.stateMachine} is not named ${this.named(project)} (a name shortened to 80 characters cannot be checked)`);
  }

  async stop(project: string, execution: string, options: { error?: string; cause?: string }): Promise<StopOutcome> {
    if (!execution.startsWith('arn:'))
      throw new StateDataError(
        'StateData.ExecutionArnRequired',
        400,
        `On AWS, stopping needs the execution ARN, not just the name ${execution}: send {"executionArn": "arn:aws:states:…:execution:<state machine>:${execution}"} (the Python client reads FLUXIO_EXECUTION_ARN).`,
      );
    this.checkOwnership(project, execution);
    try {
      const described = await this.client.send(new DescribeExecutionCommand({ executionArn: execution }));
      // arn:…:stateMachine:<name>[:<version or alias>]
      const machine = described.stateMachineArn?.split(':stateMachine:')[1]?.split(':')[0];
      if (described.executionArn && described.executionArn !== execution)
        throw notInProject(execution, project, `Step Functions describes it as ${described.executionArn}`);
      if (machine !== undefined && this.ownerOf(machine) !== project)
        throw notInProject(execution, project, `it runs state machine ${machine}`);
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
