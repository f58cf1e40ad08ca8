/**
 * Step Functions ARNs of the local platform (region and account of
 * `engine/placeholders.ts`): `arn:aws:states:<region>:<account>:stateMachine:<name>[:<version>|:<alias>]`,
 * `execution:<stateMachine>:<name>`, `activity:<name>`.
 */
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../engine/placeholders.ts';

const PREFIX = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:`;

export const stateMachineArn = (name: string) => `${PREFIX}stateMachine:${name}`;
export const versionArn = (name: string, version: number) => `${PREFIX}stateMachine:${name}:${version}`;
export const aliasArn = (name: string, alias: string) => `${PREFIX}stateMachine:${name}:${alias}`;
export const executionArn = (stateMachine: string, name: string) => `${PREFIX}execution:${stateMachine}:${name}`;
export const activityArn = (name: string) => `${PREFIX}activity:${name}`;

/** A parsed state machine ARN: the machine, or one of its versions or aliases. */
export type StateMachineRef =
  | { kind: 'stateMachine'; name: string }
  | { kind: 'version'; name: string; version: number }
  | { kind: 'alias'; name: string; alias: string };

/** Parses any states ARN with region/account wildcards accepted (the local platform has one of each). */
function parts(arn: unknown): string[] | undefined {
  if (typeof arn !== 'string') return undefined;
  const p = arn.split(':');
  if (p.length < 7 || p[0] !== 'arn' || p[2] !== 'states') return undefined;
  return p;
}

/** @returns the reference, or undefined when `arn` is not a state machine ARN */
export function parseStateMachineArn(arn: unknown): StateMachineRef | undefined {
  const p = parts(arn);
  if (!p || p[5] !== 'stateMachine' || p.length > 8 || !p[6]) return undefined;
  const name = p[6];
  if (p.length === 7) return { kind: 'stateMachine', name };
  const q = p[7]!;
  if (/^[1-9][0-9]*$/.test(q)) return { kind: 'version', name, version: Number(q) };
  if (q) return { kind: 'alias', name, alias: q };
  return undefined;
}

/** @returns `{stateMachine, name}` or undefined when `arn` is not an execution ARN */
export function parseExecutionArn(arn: unknown): { stateMachine: string; name: string } | undefined {
  const p = parts(arn);
  if (!p || p[5] !== 'execution' || p.length !== 8) return undefined;
  return { stateMachine: p[6]!, name: p[7]! };
}

/** @returns the activity name, or undefined when `arn` is not an activity ARN */
export function parseActivityArn(arn: unknown): string | undefined {
  const p = parts(arn);
  if (!p || p[5] !== 'activity' || p.length !== 7) return undefined;
  return p[6];
}
