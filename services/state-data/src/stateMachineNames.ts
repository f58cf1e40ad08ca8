/**
 * Which project a state machine (and so an execution ARN) belongs to.
 *
 * Deployed state machines follow the shared rule (`@fluxio/contracts/names`,
 * the one the deployer names them by): `fluxio-<stage>-<project>-<fn>`, the
 * stage's prefix the stop function's IAM policy is scoped to
 * (`execution:fluxio-<stage>-*:*`). Locally, the local deployer's machines are
 * `fluxio-local-<project>-<fn>`, and development runs (`POST /v1/runs`,
 * `fluxio run`) name theirs `<project>-<fn>` (local/src/engine/placeholders.ts
 * `localStateMachineName`): {@link projectOfLocalStateMachine} reads both.
 * `<fn>` is a Python name, never containing `-`, so the project is everything
 * between the prefix and the last `-`, even for project names with `-`.
 */
import { parseStateMachineName } from '@fluxio/contracts/names';
import { isValidProjectName } from '@fluxio/contracts/projectName';

/** Parts of an execution ARN `arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>`. */
export interface ExecutionArnParts {
  partition: string;
  region: string;
  account: string;
  stateMachine: string;
  execution: string;
}

const EXECUTION_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):([0-9]{12}):execution:([^:]+):([^:]+)$/;

/** Split an execution ARN, or `undefined` when `arn` is not one. */
export function parseExecutionArn(arn: string): ExecutionArnParts | undefined {
  const m = EXECUTION_ARN.exec(arn);
  return m ? { partition: m[1], region: m[2], account: m[3], stateMachine: m[4], execution: m[5] } : undefined;
}

/**
 * The project of deployed state machine `name` of stage `stage`
 * (`fluxio-<stage>-<project>-<fn>`), or `undefined` when the name is not one
 * of that stage's (or was shortened to fit 80 characters: see `parseStateMachineName`).
 * @example projectOfStateMachine('fluxio-prod-billing-eu-main', 'prod') // → 'billing-eu'
 */
export function projectOfStateMachine(name: string, stage: string): string | undefined {
  return parseStateMachineName(name, stage)?.project;
}

/** The stage of the local platform's deployer (services/deployer `LOCAL_STAGE`). */
export const LOCAL_STAGE = 'local';

/**
 * The project of a state machine of the local platform or `fluxio run`:
 * `fluxio-local-<project>-<fn>` (deployed there) or `<project>-<fn>` (a
 * development run), or `undefined` for any other name. A name with the
 * `fluxio-` prefix is always read by the deployed rule (never as a project
 * named `fluxio-…`).
 * @example projectOfLocalStateMachine('fluxio-local-feature-flag-main') // → 'feature-flag'
 * @example projectOfLocalStateMachine('feature-flag-main') // → 'feature-flag'
 */
export function projectOfLocalStateMachine(name: string): string | undefined {
  if (name.startsWith('fluxio-')) return projectOfStateMachine(name, LOCAL_STAGE);
  const cut = name.lastIndexOf('-');
  if (cut <= 0) return undefined;
  const project = name.slice(0, cut);
  return isValidProjectName(project) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name.slice(cut + 1)) ? project : undefined;
}
