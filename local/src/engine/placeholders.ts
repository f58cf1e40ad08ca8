/**
 * Resolves the `${…}` definition-substitution placeholders of compiled ASL
 * (spec §7.5, DESIGN.md §5.8) to local resources, the way CloudFormation's
 * `DefinitionSubstitutions` resolves them on AWS.
 */

import { classifyPlaceholder, substitutePlaceholders } from '@fluxio/contracts/placeholders';

/** Account and region used in local ARNs. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** Classification of placeholders lives in shared/src/placeholders.ts (the deployer uses it too). */
export { classifyPlaceholder, type PlaceholderTarget } from '@fluxio/contracts/placeholders';

/** The local state machine name of a project's state machine function: `<project>-<fn>`. */
export const localStateMachineName = (project: string, fn: string) => `${project}-${fn}`;

/** `arn:aws:states:us-east-1:000000000000:stateMachine:<project>-<fn>` */
export const localStateMachineArn = (project: string, fn: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${localStateMachineName(project, fn)}`;

/** `arn:aws:states:us-east-1:000000000000:execution:<project>-<fn>:<name>` */
export const localExecutionArn = (project: string, fn: string, executionName: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${localStateMachineName(project, fn)}:${executionName}`;

/** The local value of one placeholder. */
export function localPlaceholderValue(project: string, name: string): string {
  const target = classifyPlaceholder(name);
  switch (target.kind) {
    case 'lambda':
      return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${project}-${target.task}`;
    case 'ecsTaskDefinition':
      return `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task-definition/${project}-${target.task}:1`;
    case 'queue':
      return `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${project}-${target.task}.fifo`;
    case 'stateMachine':
      return localStateMachineArn(project, target.name);
    case 'codebuild':
      return `${project}-${target.task}`;
    default:
      if (name === 'ECSClusterArn') return `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/fluxio-local`;
      if (/^Subnet\d+$/.test(name)) return `subnet-local${name.slice(6)}`;
      if (name.endsWith('SecurityGroup')) return `sg-local-${name}`;
      return `local-${name}`;
  }
}

/**
 * Returns a deep copy of `value` with every `${Name}` inside strings replaced
 * by its local value (strings only: keys and numbers are left alone).
 */
export function resolvePlaceholders<T>(value: T, project: string): T {
  return substitutePlaceholders(value, (name) => localPlaceholderValue(project, name));
}

/** The first placeholder name in a string, e.g. `"${LambdaFunctionFoo}"` → `LambdaFunctionFoo`. */
export function placeholderIn(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /\$\{([A-Za-z0-9_.:-]+)\}/.exec(value);
  return m?.[1];
}
