/**
 * The one naming rule of a deployed project's AWS resources (issue 8, issue 11):
 * task functions `fluxio-<stage>-<project>-<Task>`, state machines
 * `fluxio-<stage>-<project>-<fn>`. The deployer creates resources by it, the
 * state data stop function reads the project back from an execution's state
 * machine name with it, and the platform stack's IAM policies are scoped to
 * its `fluxio-<stage>-` prefix (serverless.yml).
 *
 * Why the parse is unambiguous: `<fn>` (a state machine function) is a Python
 * identifier and `<Task>` a Python class name, so neither contains `-`; the
 * project ({@link PROJECT_NAME_PATTERN}) may contain `-`, so it is everything
 * between `fluxio-<stage>-` and the last `-`. The stage is either given (the
 * platform knows its own) or, when not, read as the segment up to the next `-`
 * (stage names of the stack contain no `-`).
 *
 * Names longer than the service's limit are shortened with a hash
 * ({@link fitName}); the project of a shortened name cannot be read back
 * (its end is cut away), so {@link parseStateMachineName} refuses such names
 * rather than guess: a project stops its executions only when its state
 * machine names fit in 80 characters (`fluxio-<stage>-<project>-<fn>`).
 */
import { createHash } from 'node:crypto';
import { isValidProjectName } from './projectName.ts';

/** Lambda function names: at most 64 characters. @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html */
export const MAX_FUNCTION_NAME_LENGTH = 64;
/** Step Functions state machine names: at most 80 characters. @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html */
export const MAX_STATE_MACHINE_NAME_LENGTH = 80;

/** Characters of the SHA-256 (hex) a shortened name ends with, after a `-`. */
const HASH_LENGTH = 8;

/** A state machine function or Task class name: a Python identifier (ASCII), never containing `-`. */
const PYTHON_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The parts of a resource name. */
export interface ResourceNameParts {
  /** Deployment stage, e.g. `prod`, `local` (the local platform's deployer). */
  stage: string;
  /** Project name ({@link PROJECT_NAME_PATTERN}). */
  project: string;
  /** State machine function name (`def main(data)` → `main`); for functions, the Task class name. */
  fn: string;
}

/**
 * `name` when it fits in `max` characters, else its first `max - 9` characters,
 * `-` and 8 hex characters of its SHA-256: still unique, still starting with
 * the `fluxio-<stage>-` prefix the IAM policies match.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  return `${name.slice(0, max - HASH_LENGTH - 1)}-${hash}`;
}

/** The prefix of every resource of a stage: `fluxio-<stage>-` (what the stack's IAM policies match). */
export const stagePrefix = (stage: string) => `fluxio-${stage}-`;

/** The prefix of every resource of a project: `fluxio-<stage>-<project>-`. */
export const projectPrefix = (stage: string, project: string) => `${stagePrefix(stage)}${project}-`;

/** The Lambda function of Task class `fn`: `fluxio-<stage>-<project>-<Task>`, at most 64 characters. */
export const functionName = ({ stage, project, fn }: ResourceNameParts) =>
  fitName(`${projectPrefix(stage, project)}${fn}`, MAX_FUNCTION_NAME_LENGTH);

/** The state machine of state machine function `fn`: `fluxio-<stage>-<project>-<fn>`, at most 80 characters. */
export const stateMachineName = ({ stage, project, fn }: ResourceNameParts) =>
  fitName(`${projectPrefix(stage, project)}${fn}`, MAX_STATE_MACHINE_NAME_LENGTH);

/**
 * The stage, project and function of state machine `name` made by
 * {@link stateMachineName}, or `undefined` when `name` is not one: no
 * `fluxio-` prefix, another stage than `stage` (when given), an invalid
 * project or function name, or a name shortened to 80 characters by
 * {@link fitName} (its project cannot be read back; refused rather than guessed).
 * @example parseStateMachineName('fluxio-prod-billing-eu-main') // → { stage: 'prod', project: 'billing-eu', fn: 'main' }
 * @example parseStateMachineName('fluxio-prod-billing-eu-main', 'dev') // → undefined
 */
export function parseStateMachineName(name: string, stage?: string): ResourceNameParts | undefined {
  if (!name.startsWith('fluxio-')) return undefined;
  let rest = name.slice('fluxio-'.length);
  let parsedStage: string;
  if (stage !== undefined) {
    if (!stage || !rest.startsWith(`${stage}-`)) return undefined;
    parsedStage = stage;
    rest = rest.slice(stage.length + 1);
  } else {
    const cut = rest.indexOf('-');
    if (cut <= 0) return undefined;
    parsedStage = rest.slice(0, cut);
    rest = rest.slice(cut + 1);
  }
  const last = rest.lastIndexOf('-');
  if (last <= 0) return undefined;
  const project = rest.slice(0, last);
  const fn = rest.slice(last + 1);
  if (!isValidProjectName(project) || !PYTHON_NAME.test(fn)) return undefined;
  // Shortened by fitName? Then its end was cut away: the parts above are not the real ones.
  if (name.length === MAX_STATE_MACHINE_NAME_LENGTH && fn.length === HASH_LENGTH && /^[0-9a-f]+$/.test(fn)) return undefined;
  return { stage: parsedStage, project, fn };
}

/** SNS topic names: at most 256 characters of `[A-Za-z0-9_-]`. @see https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html */
export const MAX_TOPIC_NAME_LENGTH = 256;
/** EventBridge Scheduler group and schedule names: 1–64 characters of `[0-9a-zA-Z-_.]`. @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html */
export const MAX_SCHEDULE_NAME_LENGTH = 64;

/** The result a topic carries (`@subscribe(status=...)`). */
export type ResultStatus = 'success' | 'failure';

/**
 * The result topic of state machine `fn` (issue 9):
 * `fluxio-<stage>-<project>-<fn>-success` / `-failure`, at most 256 characters.
 * Every deployed first-class state machine has both.
 */
export const resultTopicName = (parts: ResourceNameParts, status: ResultStatus) =>
  fitName(`${projectPrefix(parts.stage, parts.project)}${parts.fn}-${status}`, MAX_TOPIC_NAME_LENGTH);

/** The schedule group of a project on EventBridge Scheduler: `fluxio-<stage>-<project>`, at most 64 characters. */
export const scheduleGroupName = (stage: string, project: string) => fitName(`${stagePrefix(stage)}${project}`, MAX_SCHEDULE_NAME_LENGTH);

/** The schedule of state machine `fn` in its project's group: `fn` itself, at most 64 characters. */
export const scheduleName = (fn: string) => fitName(fn, MAX_SCHEDULE_NAME_LENGTH);

/** Characters a CloudFormation export name may hold (`Fn::ImportValue`): letters, digits, `-` and `:`. */
const EXPORT_NAME_CHARACTER = /[^A-Za-z0-9:-]/g;

/**
 * The export name under which a result topic's ARN is published (issue 9):
 * `fluxio-<stage>-<project>-<fn>-<status>-topic-arn`. CloudFormation export
 * names hold letters, digits, `-` and `:` only, so every other character
 * (the `_` of `on_failure`) becomes `-`, and then 8 hex characters of the
 * SHA-256 of the exact name are appended so that `a_b` and `a-b` stay
 * distinct. Subscribe to it from another project with
 * `@subscribe(topic_arn_import_value="fluxio-${Environment}-<project>-<fn>-success-topic-arn")`,
 * or `!ImportValue` it in any stack of the account and region.
 * @example resultTopicExportName({ stage: 'prod', project: 'billing', fn: 'main' }, 'success') // → 'fluxio-prod-billing-main-success-topic-arn'
 */
export function resultTopicExportName(parts: ResourceNameParts, status: ResultStatus): string {
  const exact = `${projectPrefix(parts.stage, parts.project)}${parts.fn}-${status}-topic-arn`;
  const safe = exact.replace(EXPORT_NAME_CHARACTER, '-');
  if (safe === exact) return exact;
  return `${safe}-${createHash('sha256').update(exact).digest('hex').slice(0, HASH_LENGTH)}`;
}
