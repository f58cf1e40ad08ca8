/**
 * Which project a state machine (and so an execution ARN) belongs to.
 *
 * State machines are named `<prefix><project>-<fn>`: locally
 * `<project>-<fn>` (local/src/engine/placeholders.ts `localStateMachineName`),
 * deployed `<stage>-<project>-<fn>` (the stage's prefix, which the stop
 * function's IAM policy is scoped to: `execution:<stage>-*:*`). `<fn>` is the
 * state machine function's Python name, which never contains `-`, so the
 * project is everything between the prefix and the last `-`, even for
 * project names with `-` in them.
 */

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
 * The project of state machine `name` under `prefix` (`''` locally,
 * `<stage>-` deployed), or `undefined` when the name does not have that shape.
 * @example projectOfStateMachine('prod-billing-eu-main', 'prod-') // → 'billing-eu'
 */
export function projectOfStateMachine(name: string, prefix = ''): string | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  const cut = rest.lastIndexOf('-');
  if (cut <= 0 || cut === rest.length - 1) return undefined;
  return rest.slice(0, cut);
}
