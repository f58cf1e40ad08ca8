/**
 * State machine operations (Step Functions API reference: CreateStateMachine,
 * UpdateStateMachine, DescribeStateMachine, ListStateMachines,
 * DeleteStateMachine, ValidateStateMachineDefinition, TagResource,
 * UntagResource, ListTagsForResource).
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DeleteStateMachineInput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
  TagResourceInput,
  UntagResourceInput,
  UpdateStateMachineInput,
  UpdateStateMachineOutput,
  ValidateStateMachineDefinitionInput,
  ValidateStateMachineDefinitionOutput,
} from '@aws-sdk/client-sfn';
import { SfnError, checkName, decodeToken, encodeToken, pageSize, requireString, validation } from './errors.ts';
import { parseActivityArn, parseStateMachineArn, stateMachineArn } from './arns.ts';
import { checkDefinition, diagnose } from './definitions.ts';
import { nowSeconds, toDate, type SfnContext } from './context.ts';
import { publishVersion } from './versionsAndAliases.ts';
import type { StateMachineRow } from './store.ts';

/** The service's limit of tags per resource. */
export const MAX_TAGS = 50;

const doesNotExist = (arn: unknown) => new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);

/** @throws SfnError InvalidArn / StateMachineDoesNotExist */
export function machineOf(ctx: SfnContext, arn: unknown): StateMachineRow {
  const ref = parseStateMachineArn(arn);
  if (!ref || ref.kind !== 'stateMachine') throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}' is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME).`);
  const row = ctx.store.getMachine(ref.name);
  if (!row) throw doesNotExist(arn);
  return row;
}

function checkType(type: unknown): string {
  if (type === undefined || type === 'STANDARD') return 'STANDARD';
  if (type === 'EXPRESS') {
    throw new SfnError('ValidationException', 'EXPRESS state machines are not supported by the local platform yet; create a STANDARD one (the default).');
  }
  throw validation(`1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`);
}

function checkTags(tags: unknown): Array<{ key?: string; value?: string }> {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t?.key !== 'string' || t.key === '')) throw validation('tags must be a list of {key, value} with non-empty keys.');
  if (tags.length > MAX_TAGS) throw new SfnError('TooManyTags', `Too Many Tags: a resource has at most ${MAX_TAGS} tags.`);
  return tags as Array<{ key: string; value?: string }>;
}

export function createStateMachine(ctx: SfnContext, input: CreateStateMachineInput): CreateStateMachineOutput {
  const name = requireString(input.name, 'name');
  checkName(name, 'state machine');
  const definition = checkDefinition(input.definition);
  const roleArn = requireString(input.roleArn, 'roleArn');
  const type = checkType(input.type);
  const tags = checkTags(input.tags);
  const logging = input.loggingConfiguration ? JSON.stringify(input.loggingConfiguration) : null;
  const tracing = input.tracingConfiguration ? JSON.stringify(input.tracingConfiguration) : null;
  const arn = stateMachineArn(name);
  const existing = ctx.store.getMachine(name);
  if (existing) {
    if (existing.definition === definition && existing.role_arn === roleArn && existing.type === type) {
      return { stateMachineArn: arn, creationDate: toDate(existing.created) };
    }
    throw new SfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}' (with another definition, role or type); update it with UpdateStateMachine or pick another name.`);
  }
  const now = nowSeconds();
  let versionArn: string | undefined;
  ctx.store.transaction(() => {
    ctx.store.insertMachine({
      name,
      definition,
      role_arn: roleArn,
      type,
      description: null,
      logging,
      tracing,
      revision_id: randomUUID(),
      created: now,
      updated: now,
    });
    if (tags.length) ctx.store.putTags(arn, tags);
    if (input.publish) versionArn = publishVersion(ctx, name, input.versionDescription).stateMachineVersionArn;
  });
  return { stateMachineArn: arn, creationDate: toDate(now), ...(versionArn ? { stateMachineVersionArn: versionArn } : {}) };
}

export function updateStateMachine(ctx: SfnContext, input: UpdateStateMachineInput): UpdateStateMachineOutput {
  const row = machineOf(ctx, input.stateMachineArn);
  if (input.definition === undefined && input.roleArn === undefined && !input.loggingConfiguration && !input.tracingConfiguration) {
    throw new SfnError('MissingRequiredParameter', 'Missing Required Parameter: pass at least one of definition, roleArn, loggingConfiguration, tracingConfiguration.');
  }
  const definition = input.definition === undefined ? row.definition : checkDefinition(input.definition);
  const roleArn = input.roleArn ?? row.role_arn;
  const changed = definition !== row.definition || roleArn !== row.role_arn;
  const now = nowSeconds();
  const revisionId = changed ? randomUUID() : row.revision_id;
  let versionArn: string | undefined;
  ctx.store.transaction(() => {
    ctx.store.updateMachine({
      name: row.name,
      definition,
      role_arn: roleArn,
      logging: input.loggingConfiguration ? JSON.stringify(input.loggingConfiguration) : row.logging,
      tracing: input.tracingConfiguration ? JSON.stringify(input.tracingConfiguration) : row.tracing,
      revision_id: revisionId,
      updated: now,
    });
    if (input.publish) versionArn = publishVersion(ctx, row.name, input.versionDescription).stateMachineVersionArn;
  });
  return { updateDate: toDate(now), revisionId, ...(versionArn ? { stateMachineVersionArn: versionArn } : {}) };
}

export function describeStateMachine(ctx: SfnContext, input: DescribeStateMachineInput): DescribeStateMachineOutput {
  const ref = parseStateMachineArn(input.stateMachineArn);
  if (ref?.kind === 'version') {
    const machine = ctx.store.getMachine(ref.name);
    const version = machine && ctx.store.getVersion(ref.name, ref.version);
    if (!machine || !version) throw doesNotExist(input.stateMachineArn);
    return {
      stateMachineArn: input.stateMachineArn,
      name: machine.name,
      status: 'ACTIVE',
      definition: version.definition,
      roleArn: version.role_arn,
      type: machine.type as 'STANDARD',
      creationDate: toDate(version.created),
      revisionId: version.revision_id,
      ...(version.description ? { description: version.description } : {}),
      loggingConfiguration: machine.logging ? JSON.parse(machine.logging) : { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: machine.tracing ? JSON.parse(machine.tracing) : { enabled: false },
    };
  }
  const row = machineOf(ctx, input.stateMachineArn);
  return {
    stateMachineArn: stateMachineArn(row.name),
    name: row.name,
    status: 'ACTIVE',
    definition: row.definition,
    roleArn: row.role_arn,
    type: row.type as 'STANDARD',
    creationDate: toDate(row.created),
    revisionId: row.revision_id,
    loggingConfiguration: row.logging ? JSON.parse(row.logging) : { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: row.tracing ? JSON.parse(row.tracing) : { enabled: false },
  };
}

export function listStateMachines(ctx: SfnContext, input: ListStateMachinesInput): ListStateMachinesOutput {
  const limit = pageSize(input.maxResults);
  const offset = decodeToken(input.nextToken, 'ListStateMachines');
  const rows = ctx.store.listMachines(limit + 1, offset);
  const page = rows.slice(0, limit);
  return {
    stateMachines: page.map((r) => ({ stateMachineArn: stateMachineArn(r.name), name: r.name, type: r.type as 'STANDARD', creationDate: toDate(r.created) })),
    ...(rows.length > limit ? { nextToken: encodeToken(offset + limit, 'ListStateMachines') } : {}),
  };
}

/** Deleting a missing state machine succeeds (the service's DeleteStateMachine has no "does not exist" error). */
export function deleteStateMachine(ctx: SfnContext, input: DeleteStateMachineInput): Record<string, never> {
  const ref = parseStateMachineArn(input.stateMachineArn);
  if (!ref || ref.kind !== 'stateMachine') throw new SfnError('InvalidArn', `Invalid Arn: '${String(input.stateMachineArn)}' is not a state machine ARN; delete versions with DeleteStateMachineVersion and aliases with DeleteStateMachineAlias.`);
  ctx.store.deleteMachine(ref.name, stateMachineArn(ref.name));
  return {};
}

export function validateStateMachineDefinition(_ctx: SfnContext, input: ValidateStateMachineDefinitionInput): ValidateStateMachineDefinitionOutput {
  const definition = requireString(input.definition, 'definition');
  if (input.type !== undefined) checkType(input.type);
  const max = input.maxResults && input.maxResults > 0 ? input.maxResults : 100;
  const all = diagnose(definition);
  const severityFilter = input.severity === 'WARNING' ? undefined : 'ERROR';
  const diagnostics = severityFilter ? all.filter((d) => d.severity === severityFilter) : all;
  return { result: all.some((d) => d.severity === 'ERROR') ? 'FAIL' : 'OK', diagnostics: diagnostics.slice(0, max), truncated: diagnostics.length > max };
}

/** Tags live on state machines and activities. @throws SfnError ResourceNotFound */
function taggable(ctx: SfnContext, arn: unknown): string {
  const ref = parseStateMachineArn(arn);
  if (ref?.kind === 'stateMachine' && ctx.store.getMachine(ref.name)) return arn as string;
  const activity = parseActivityArn(arn);
  if (activity !== undefined && ctx.store.getActivity(activity)) return arn as string;
  if (!ref && activity === undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}' is not a state machine or activity ARN.`);
  throw new SfnError('ResourceNotFound', `Resource Not Found: '${String(arn)}'`);
}

export function tagResource(ctx: SfnContext, input: TagResourceInput): Record<string, never> {
  const arn = taggable(ctx, input.resourceArn);
  const tags = checkTags(input.tags);
  const keys = new Set([...ctx.store.tags(arn).map((t) => t.key), ...tags.map((t) => t.key!)]);
  if (keys.size > MAX_TAGS) throw new SfnError('TooManyTags', `Too Many Tags: a resource has at most ${MAX_TAGS} tags.`);
  ctx.store.putTags(arn, tags);
  return {};
}

export function untagResource(ctx: SfnContext, input: UntagResourceInput): Record<string, never> {
  const arn = taggable(ctx, input.resourceArn);
  ctx.store.deleteTags(arn, (input.tagKeys ?? []).map(String));
  return {};
}

export function listTagsForResource(ctx: SfnContext, input: ListTagsForResourceInput): ListTagsForResourceOutput {
  const arn = taggable(ctx, input.resourceArn);
  return { tags: ctx.store.tags(arn) };
}
