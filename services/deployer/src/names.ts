/**
 * AWS resource names of a deployed project (contract with the CLI and the
 * platform stack, whose IAM policies are scoped to `fluxio-<stage>-*`):
 * task functions `fluxio-<stage>-<project>-<Task>`, state machines
 * `fluxio-<stage>-<project>-<fn>`, alias `live`, log groups
 * `/aws/vendedlogs/states/fluxio-<stage>-<project>-<fn>`.
 */
import { createHash } from 'node:crypto';

/** Lambda function names: at most 64 characters. @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html */
export const MAX_FUNCTION_NAME_LENGTH = 64;
/** Step Functions state machine names: at most 80 characters. @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html */
export const MAX_STATE_MACHINE_NAME_LENGTH = 80;

/**
 * `name` when it fits in `max` characters, else its first `max - 9` characters,
 * `-` and 8 hex characters of its SHA-256: still unique, still starting with
 * the `fluxio-<stage>-` prefix the IAM policies match.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9)}-${hash}`;
}

/** The prefix of every resource of a project: `fluxio-<stage>-<project>-`. */
export const projectPrefix = (stage: string, project: string) => `fluxio-${stage}-${project}-`;

/** The Lambda function of Task class `task`. */
export const functionName = (stage: string, project: string, task: string) =>
  fitName(`${projectPrefix(stage, project)}${task}`, MAX_FUNCTION_NAME_LENGTH);

/** The state machine of state machine function `fn`. */
export const stateMachineName = (stage: string, project: string, fn: string) =>
  fitName(`${projectPrefix(stage, project)}${fn}`, MAX_STATE_MACHINE_NAME_LENGTH);

/** The CloudWatch Logs group a deployed state machine logs to (`/aws/vendedlogs/` avoids the resource policy size limit). */
export const logGroupName = (stage: string, project: string, fn: string) =>
  `/aws/vendedlogs/states/${stateMachineName(stage, project, fn)}`;
