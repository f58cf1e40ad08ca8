/**
 * AWS resource names of a deployed project (contract with the CLI and the
 * platform stack, whose IAM policies are scoped to `fluxio-<stage>-*`):
 * task functions `fluxio-<stage>-<project>-<Task>`, state machines
 * `fluxio-<stage>-<project>-<fn>`, alias `live`, log groups
 * `/aws/vendedlogs/states/fluxio-<stage>-<project>-<fn>`. The rule itself is
 * shared (`@fluxio/contracts/names`): the state data stop function reads the
 * project back from a state machine name with it.
 */
import { fitName, functionName as sharedFunctionName, MAX_FUNCTION_NAME_LENGTH, MAX_STATE_MACHINE_NAME_LENGTH, projectPrefix, stateMachineName as sharedStateMachineName } from '@fluxio/contracts/names';

export { fitName, MAX_FUNCTION_NAME_LENGTH, MAX_STATE_MACHINE_NAME_LENGTH, projectPrefix };

/** The Lambda function of Task class `task`. */
export const functionName = (stage: string, project: string, task: string) => sharedFunctionName({ stage, project, fn: task });

/** The state machine of state machine function `fn`. */
export const stateMachineName = (stage: string, project: string, fn: string) => sharedStateMachineName({ stage, project, fn });

/** The CloudWatch Logs group a deployed state machine logs to (`/aws/vendedlogs/` avoids the resource policy size limit). */
export const logGroupName = (stage: string, project: string, fn: string) =>
  `/aws/vendedlogs/states/${stateMachineName(stage, project, fn)}`;
