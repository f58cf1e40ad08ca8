/**
 * State machines, versions and aliases on Step Functions
 * (`@aws-sdk/client-sfn`), on AWS or the local platform's Step Functions API.
 */
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  SFNClient,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  paginateListStateMachines,
  type LoggingConfiguration,
  type SFNClientConfig,
} from '@aws-sdk/client-sfn';
import type { StateMachineConfig, StateMachineLogging, StateMachines, StateMachineState } from '../ports.ts';

const isMissing = (e: unknown) => {
  const name = (e as Error)?.name;
  return name === 'ResourceNotFound' || name === 'StateMachineDoesNotExist';
};

export interface SfnStateMachinesOptions {
  client?: SFNClient;
  clientConfig?: SFNClientConfig;
}

const loggingOf = (l: StateMachineLogging | undefined): LoggingConfiguration | undefined =>
  l ? { level: l.level, includeExecutionData: l.includeExecutionData, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: l.logGroupArn } }] } : undefined;

const loggingFrom = (l: LoggingConfiguration | undefined): StateMachineLogging | undefined => {
  const arn = l?.destinations?.[0]?.cloudWatchLogsLogGroup?.logGroupArn;
  if (!l || !arn || !l.level || l.level === 'OFF') return undefined;
  return { logGroupArn: arn, level: l.level as StateMachineLogging['level'], includeExecutionData: l.includeExecutionData ?? false };
};

export class SfnStateMachines implements StateMachines {
  readonly client: SFNClient;

  constructor(options: SfnStateMachinesOptions = {}) {
    this.client = options.client ?? new SFNClient({ ...options.clientConfig });
  }

  async validate(definition: string) {
    const out = await this.client.send(new ValidateStateMachineDefinitionCommand({ definition, type: 'STANDARD' }));
    return (out.diagnostics ?? [])
      .filter((d) => d.severity === 'ERROR')
      .map((d) => ({ code: d.code ?? 'INVALID', message: d.message ?? '', ...(d.location ? { location: d.location } : {}) }));
  }

  async list(prefix: string): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for await (const page of paginateListStateMachines({ client: this.client }, {})) {
      for (const m of page.stateMachines ?? []) if (m.name?.startsWith(prefix) && m.stateMachineArn) found.set(m.name, m.stateMachineArn);
    }
    return found;
  }

  async latestVersion(stateMachineArn: string): Promise<{ versionArn: string; state: StateMachineState } | undefined> {
    // ListStateMachineVersions lists newest first.
    const page = await this.client.send(new ListStateMachineVersionsCommand({ stateMachineArn, maxResults: 1 }));
    const versionArn = page.stateMachineVersions?.[0]?.stateMachineVersionArn;
    if (!versionArn) return undefined;
    const d = await this.client.send(new DescribeStateMachineCommand({ stateMachineArn: versionArn }));
    return {
      versionArn,
      state: { definition: d.definition ?? '', roleArn: d.roleArn ?? '', logging: loggingFrom(d.loggingConfiguration), tracing: d.tracingConfiguration?.enabled ?? false },
    };
  }

  async create(config: StateMachineConfig, versionDescription: string) {
    const out = await this.client.send(
      new CreateStateMachineCommand({
        name: config.name,
        definition: config.definition,
        roleArn: config.roleArn,
        type: 'STANDARD',
        publish: true,
        versionDescription,
        ...(config.logging ? { loggingConfiguration: loggingOf(config.logging) } : {}),
        ...(config.tracing ? { tracingConfiguration: { enabled: true } } : {}),
      }),
    );
    return { stateMachineArn: out.stateMachineArn!, versionArn: out.stateMachineVersionArn! };
  }

  async update(stateMachineArn: string, config: StateMachineConfig, versionDescription: string) {
    const out = await this.client.send(
      new UpdateStateMachineCommand({
        stateMachineArn,
        definition: config.definition,
        roleArn: config.roleArn,
        publish: true,
        versionDescription,
        ...(config.logging ? { loggingConfiguration: loggingOf(config.logging) } : {}),
        tracingConfiguration: { enabled: config.tracing },
      }),
    );
    return { versionArn: out.stateMachineVersionArn! };
  }

  async pointAlias(stateMachineArn: string, alias: string, versionArn: string, description: string) {
    const aliasArn = `${stateMachineArn}:${alias}`;
    const routingConfiguration = [{ stateMachineVersionArn: versionArn, weight: 100 }];
    try {
      await this.client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }));
    } catch (e) {
      if (!isMissing(e)) throw e;
      const out = await this.client.send(new CreateStateMachineAliasCommand({ name: alias, description, routingConfiguration }));
      return { aliasArn: out.stateMachineAliasArn! };
    }
    await this.client.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: aliasArn, description, routingConfiguration }));
    return { aliasArn };
  }

  async aliasTarget(aliasArn: string): Promise<string | undefined> {
    try {
      const d = await this.client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }));
      return d.routingConfiguration?.[0]?.stateMachineVersionArn;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async delete(stateMachineArn: string): Promise<void> {
    try {
      const aliases: string[] = [];
      for (let nextToken: string | undefined, first = true; first || nextToken; first = false) {
        const page = await this.client.send(new ListStateMachineAliasesCommand({ stateMachineArn, nextToken }));
        for (const a of page.stateMachineAliases ?? []) aliases.push(a.stateMachineAliasArn!);
        nextToken = page.nextToken;
      }
      for (const a of aliases) await this.client.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: a }));
      const versions: string[] = [];
      for (let nextToken: string | undefined, first = true; first || nextToken; first = false) {
        const page = await this.client.send(new ListStateMachineVersionsCommand({ stateMachineArn, nextToken }));
        for (const v of page.stateMachineVersions ?? []) versions.push(v.stateMachineVersionArn!);
        nextToken = page.nextToken;
      }
      for (const v of versions) await this.client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v }));
      await this.client.send(new DeleteStateMachineCommand({ stateMachineArn }));
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }
}
