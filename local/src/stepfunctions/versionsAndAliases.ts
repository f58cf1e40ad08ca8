/**
 * Versions and aliases (Step Functions API reference:
 * PublishStateMachineVersion, ListStateMachineVersions,
 * DeleteStateMachineVersion, Create/Update/Describe/List/DeleteStateMachineAlias).
 * A version is an immutable copy of the definition and role; an alias routes
 * executions to one or two versions by weight (weights sum to 100).
 */
import type {
  CreateStateMachineAliasInput,
  CreateStateMachineAliasOutput,
  DeleteStateMachineAliasInput,
  DeleteStateMachineVersionInput,
  DescribeStateMachineAliasInput,
  DescribeStateMachineAliasOutput,
  ListStateMachineAliasesInput,
  ListStateMachineAliasesOutput,
  ListStateMachineVersionsInput,
  ListStateMachineVersionsOutput,
  PublishStateMachineVersionInput,
  PublishStateMachineVersionOutput,
  RoutingConfigurationListItem,
  UpdateStateMachineAliasInput,
  UpdateStateMachineAliasOutput,
} from '@aws-sdk/client-sfn';
import { SfnError, checkName, decodeToken, encodeToken, pageSize, requireString, validation } from './errors.ts';
import { aliasArn, parseStateMachineArn, versionArn } from './arns.ts';
import { nowSeconds, toDate, type SfnContext } from './context.ts';
import { machineOf } from './stateMachines.ts';
import type { AliasRow } from './store.ts';

/** The service's limit of version descriptions (256 characters). */
const MAX_DESCRIPTION = 256;

/**
 * Publishes the machine's current revision as a new version; when the latest
 * version already has this revision, returns it instead (the service does the same).
 */
export function publishVersion(ctx: SfnContext, name: string, description?: string): { stateMachineVersionArn: string; creationDate: Date } {
  if (description !== undefined && description.length > MAX_DESCRIPTION) throw validation(`versionDescription is at most ${MAX_DESCRIPTION} characters.`);
  const machine = ctx.store.getMachine(name)!;
  const latest = ctx.store.latestVersion(name);
  if (latest && latest.revision_id === machine.revision_id) {
    return { stateMachineVersionArn: versionArn(name, latest.version), creationDate: toDate(latest.created) };
  }
  const now = nowSeconds();
  const version = ctx.store.nextVersion(name);
  ctx.store.insertVersion({ name, version, definition: machine.definition, role_arn: machine.role_arn, revision_id: machine.revision_id, description: description ?? null, created: now });
  return { stateMachineVersionArn: versionArn(name, version), creationDate: toDate(now) };
}

export function publishStateMachineVersion(ctx: SfnContext, input: PublishStateMachineVersionInput): PublishStateMachineVersionOutput {
  const machine = machineOf(ctx, input.stateMachineArn);
  if (input.revisionId !== undefined && input.revisionId !== machine.revision_id) {
    throw new SfnError('ConflictException', `Conflict: revisionId ${input.revisionId} is not the current revision (${machine.revision_id}) of ${input.stateMachineArn}; describe the state machine and publish again.`);
  }
  return ctx.store.transaction(() => publishVersion(ctx, machine.name, input.description));
}

export function listStateMachineVersions(ctx: SfnContext, input: ListStateMachineVersionsInput): ListStateMachineVersionsOutput {
  const machine = machineOf(ctx, input.stateMachineArn);
  const limit = pageSize(input.maxResults);
  const key = `ListStateMachineVersions:${machine.name}`;
  const offset = decodeToken(input.nextToken, key);
  const rows = ctx.store.listVersions(machine.name, limit + 1, offset);
  return {
    stateMachineVersions: rows.slice(0, limit).map((v) => ({ stateMachineVersionArn: versionArn(v.name, v.version), creationDate: toDate(v.created) })),
    ...(rows.length > limit ? { nextToken: encodeToken(offset + limit, key) } : {}),
  };
}

const routes = (row: AliasRow) => JSON.parse(row.routing) as Array<{ stateMachineVersionArn: string; weight: number }>;

/** Deleting a version an alias routes to is refused (ConflictException), as in the service; a missing version is no error. */
export function deleteStateMachineVersion(ctx: SfnContext, input: DeleteStateMachineVersionInput): Record<string, never> {
  const ref = parseStateMachineArn(input.stateMachineVersionArn);
  if (ref?.kind !== 'version') throw new SfnError('InvalidArn', `Invalid Arn: '${String(input.stateMachineVersionArn)}' is not a state machine version ARN (…:stateMachine:NAME:VERSION).`);
  const arn = versionArn(ref.name, ref.version);
  const using = ctx.store.allAliases(ref.name).filter((a) => routes(a).some((r) => r.stateMachineVersionArn === arn));
  if (using.length) {
    throw new SfnError('ConflictException', `Conflict: version ${arn} is routed to by alias(es) ${using.map((a) => a.alias).join(', ')}; update or delete them first.`);
  }
  ctx.store.deleteVersion(ref.name, ref.version);
  return {};
}

/** Checks a routing configuration: 1–2 distinct existing versions of `name`, integer weights 0–100 summing to 100. */
function checkRouting(ctx: SfnContext, name: string, routing: unknown): RoutingConfigurationListItem[] {
  if (!Array.isArray(routing) || routing.length < 1 || routing.length > 2) {
    throw validation('routingConfiguration must list 1 or 2 versions: [{stateMachineVersionArn, weight}], weights summing to 100.');
  }
  let sum = 0;
  const seen = new Set<string>();
  for (const r of routing as RoutingConfigurationListItem[]) {
    const ref = parseStateMachineArn(r?.stateMachineVersionArn);
    if (ref?.kind !== 'version') throw validation(`routingConfiguration: '${String(r?.stateMachineVersionArn)}' is not a version ARN.`);
    if (ref.name !== name) throw validation(`routingConfiguration: version ${r.stateMachineVersionArn} belongs to another state machine than the alias (${name}).`);
    if (!ctx.store.getVersion(ref.name, ref.version)) throw new SfnError('ResourceNotFound', `Resource Not Found: version '${r.stateMachineVersionArn}' does not exist.`);
    if (seen.has(r.stateMachineVersionArn!)) throw validation('routingConfiguration: the two versions must differ.');
    seen.add(r.stateMachineVersionArn!);
    if (!Number.isInteger(r.weight) || r.weight! < 0 || r.weight! > 100) throw validation('routingConfiguration: each weight is an integer from 0 to 100.');
    sum += r.weight!;
  }
  if (sum !== 100) throw validation(`routingConfiguration: weights sum to ${sum}; they must sum to 100.`);
  return (routing as RoutingConfigurationListItem[]).map((r) => ({ stateMachineVersionArn: r.stateMachineVersionArn, weight: r.weight }));
}

function aliasOf(ctx: SfnContext, arn: unknown): AliasRow {
  const ref = parseStateMachineArn(arn);
  if (ref?.kind !== 'alias') throw new SfnError('InvalidArn', `Invalid Arn: '${String(arn)}' is not a state machine alias ARN (…:stateMachine:NAME:ALIAS).`);
  const row = ctx.store.getAlias(ref.name, ref.alias);
  if (!row) throw new SfnError('ResourceNotFound', `Resource Not Found: alias '${String(arn)}' does not exist.`);
  return row;
}

export function createStateMachineAlias(ctx: SfnContext, input: CreateStateMachineAliasInput): CreateStateMachineAliasOutput {
  const name = requireString(input.name, 'name');
  checkName(name, 'alias');
  if (/^[0-9]+$/.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}': an alias name cannot be a number (numbers name versions).`);
  const first = parseStateMachineArn(input.routingConfiguration?.[0]?.stateMachineVersionArn);
  if (!first) throw validation('routingConfiguration must list 1 or 2 versions: [{stateMachineVersionArn, weight}].');
  if (!ctx.store.getMachine(first.name)) throw new SfnError('ResourceNotFound', `Resource Not Found: state machine '${first.name}' does not exist.`);
  const routing = checkRouting(ctx, first.name, input.routingConfiguration);
  const existing = ctx.store.getAlias(first.name, name);
  const routingText = JSON.stringify(routing);
  if (existing) {
    if (existing.routing === routingText && (existing.description ?? undefined) === input.description) {
      return { stateMachineAliasArn: aliasArn(first.name, name), creationDate: toDate(existing.created) };
    }
    throw new SfnError('ConflictException', `Conflict: alias ${aliasArn(first.name, name)} exists with another configuration; change it with UpdateStateMachineAlias.`);
  }
  const now = nowSeconds();
  ctx.store.putAlias({ name: first.name, alias: name, description: input.description ?? null, routing: routingText, created: now, updated: now });
  return { stateMachineAliasArn: aliasArn(first.name, name), creationDate: toDate(now) };
}

export function updateStateMachineAlias(ctx: SfnContext, input: UpdateStateMachineAliasInput): UpdateStateMachineAliasOutput {
  const row = aliasOf(ctx, input.stateMachineAliasArn);
  if (input.description === undefined && input.routingConfiguration === undefined) {
    throw new SfnError('ValidationException', 'Pass description or routingConfiguration (or both) to update an alias.');
  }
  const routing = input.routingConfiguration === undefined ? row.routing : JSON.stringify(checkRouting(ctx, row.name, input.routingConfiguration));
  const now = nowSeconds();
  ctx.store.putAlias({ ...row, routing, description: input.description ?? row.description, updated: now });
  return { updateDate: toDate(now) };
}

export function describeStateMachineAlias(ctx: SfnContext, input: DescribeStateMachineAliasInput): DescribeStateMachineAliasOutput {
  const row = aliasOf(ctx, input.stateMachineAliasArn);
  return {
    stateMachineAliasArn: aliasArn(row.name, row.alias),
    name: row.alias,
    ...(row.description ? { description: row.description } : {}),
    routingConfiguration: JSON.parse(row.routing),
    creationDate: toDate(row.created),
    updateDate: toDate(row.updated),
  };
}

export function listStateMachineAliases(ctx: SfnContext, input: ListStateMachineAliasesInput): ListStateMachineAliasesOutput {
  const machine = machineOf(ctx, input.stateMachineArn);
  const limit = pageSize(input.maxResults);
  const key = `ListStateMachineAliases:${machine.name}`;
  const offset = decodeToken(input.nextToken, key);
  const rows = ctx.store.listAliases(machine.name, limit + 1, offset);
  return {
    stateMachineAliases: rows.slice(0, limit).map((a) => ({ stateMachineAliasArn: aliasArn(a.name, a.alias), creationDate: toDate(a.created) })),
    ...(rows.length > limit ? { nextToken: encodeToken(offset + limit, key) } : {}),
  };
}

/** Deleting a missing alias is no error (as DeleteStateMachineVersion). */
export function deleteStateMachineAlias(ctx: SfnContext, input: DeleteStateMachineAliasInput): Record<string, never> {
  const ref = parseStateMachineArn(input.stateMachineAliasArn);
  if (ref?.kind !== 'alias') throw new SfnError('InvalidArn', `Invalid Arn: '${String(input.stateMachineAliasArn)}' is not a state machine alias ARN.`);
  ctx.store.deleteAlias(ref.name, ref.alias);
  return {};
}
