/**
 * What the console knows about the platform's state machines: each named
 * `fluxio-<stage>-<project>-<fn>` (shared/src/names.ts) belongs to a deployed
 * project; any other (e.g. the `<project>-<fn>` machines of `POST /v1/runs`,
 * or ones made with the AWS CLI) is listed as it is.
 */
import { parseStateMachineName } from '@fluxio/contracts/names';
import { platform, sfnAll, type DeploymentSource } from './api.ts';

export interface MachineRef {
  arn: string;
  name: string;
  /** Set for a deployed project's state machine. */
  project?: string;
  fn?: string;
  stage?: string;
}

/** Every state machine of the platform, with its project when it has one. */
export async function listMachines(): Promise<MachineRef[]> {
  const machines = await sfnAll('ListStateMachines', {}, 'stateMachines');
  return machines
    .map((m) => {
      const parts = parseStateMachineName(m.name);
      return { arn: m.stateMachineArn, name: m.name, ...(parts ? { project: parts.project, fn: parts.fn, stage: parts.stage } : {}) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The machine of an ARN (a state machine, version or alias ARN). */
export function machineOfArn(arn: string): MachineRef {
  const m = /^arn:aws:states:[^:]*:[^:]*:stateMachine:([^:]+)/.exec(arn);
  const name = m?.[1] ?? arn;
  const base = m ? arn.slice(0, arn.indexOf(name) + name.length) : arn;
  const parts = parseStateMachineName(name);
  return { arn: base, name, ...(parts ? { project: parts.project, fn: parts.fn, stage: parts.stage } : {}) };
}

/**
 * What executions should start on: the `live` alias the project's current
 * deployment names (DESIGN.md §5b: schedules, subscriptions and the executions
 * API start the alias), else the state machine itself.
 */
export async function startTarget(arn: string): Promise<string> {
  const ref = machineOfArn(arn);
  if (!ref.project || !ref.fn) return ref.arn;
  const d = await platform.project(ref.project).catch(() => undefined);
  return d?.stateMachines?.[ref.fn]?.aliasArn ?? ref.arn;
}

const sources = new Map<string, Promise<DeploymentSource | undefined>>();

/**
 * The project.py and manifest of the project's current deployment (cached per
 * deployment); `undefined` when the project has none (never deployed, destroyed).
 * A rollback record points at the deployment whose bundle it restored.
 */
export async function currentSource(project: string): Promise<DeploymentSource | undefined> {
  const d = (await platform.project(project)).currentDeployment;
  const id = d ? (d.kind === 'rollback' ? d.rolledBackTo : d.deploymentId) : undefined;
  if (!id) return undefined;
  const key = `${project}/${id}`;
  if (!sources.has(key)) sources.set(key, platform.source(project, id).catch(() => undefined));
  return sources.get(key)!;
}
