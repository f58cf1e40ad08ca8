/**
 * CloudFormation exports (`@aws-sdk/client-cloudformation`; AWS only — the
 * local platform has its export registry behind the same port).
 *
 * - `resolve(name)`: ListExports (every page) → the value of export `name`
 *   (what `@subscribe(topic_arn_import_value=...)` imports);
 * - `publish(project, values)`: exports can only come from a stack, so each
 *   project gets one, `fluxio-<stage>-<project>-exports`, whose template holds
 *   a no-op resource (`AWS::CloudFormation::WaitConditionHandle`; a template
 *   needs one) and one `Output` with `Export.Name` per value. Created or
 *   updated, then waited for (a few seconds to a minute);
 * - `remove(project)`: DeleteStack, waited for. CloudFormation refuses to
 *   delete an export another stack imports (the error says which).
 *
 * At most {@link MAX_OUTPUTS} exports per project (CloudFormation's outputs per template).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html
 */
import { createHash } from 'node:crypto';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
  type CloudFormationClientConfig,
} from '@aws-sdk/client-cloudformation';
import { TriggerError } from '../errors.ts';
import type { ExportRegistry } from '../ports.ts';

/** Outputs per template. @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html */
export const MAX_OUTPUTS = 200;

/** Longest wait for a stack operation, in seconds. */
const MAX_WAIT_SECONDS = 600;

export interface CloudFormationExportsOptions {
  /** The stack holding `owner`'s exports, e.g. `(p) => \`fluxio-prod-${p}-exports\``. */
  stackName: (owner: string) => string;
  /** Tags of every exports stack. */
  tags?: Record<string, string>;
  client?: CloudFormationClient;
  clientConfig?: CloudFormationClientConfig;
}

const isAbsentStack = (e: unknown) => (e as Error)?.name === 'ValidationError' && /does not exist/.test((e as Error).message);
const isNoUpdate = (e: unknown) => (e as Error)?.name === 'ValidationError' && /No updates are to be performed/.test((e as Error).message);
const stackNameOfId = (stackId: string | undefined) => stackId?.split(':stack/')[1]?.split('/')[0];

/** The template of an exports stack: one Output per export, logical id from the export name's hash. */
export function exportsTemplate(owner: string, values: Record<string, string>): string {
  const outputs = Object.fromEntries(
    Object.entries(values)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => [`Export${createHash('sha256').update(name).digest('hex').slice(0, 16)}`, { Description: name, Value: value, Export: { Name: name } }]),
  );
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Fluxio: the exports of project ${owner} (result topic ARNs)`,
    Resources: { Exports: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: outputs,
  });
}

export class CloudFormationExports implements ExportRegistry {
  readonly client: CloudFormationClient;

  constructor(private readonly options: CloudFormationExportsOptions) {
    this.client = options.client ?? new CloudFormationClient({ ...options.clientConfig });
  }

  async resolve(name: string): Promise<string | undefined> {
    return (await this.exports()).get(name)?.value;
  }

  /** Every export of the account and region: name → value and exporting stack name. */
  private async exports(): Promise<Map<string, { value: string; stack?: string }>> {
    const out = new Map<string, { value: string; stack?: string }>();
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListExportsCommand({ NextToken: token }));
      for (const e of page.Exports ?? []) if (e.Name) out.set(e.Name, { value: e.Value ?? '', stack: stackNameOfId(e.ExportingStackId) });
      token = page.NextToken;
    } while (token);
    return out;
  }

  async publish(owner: string, values: Record<string, string>): Promise<void> {
    if (!Object.keys(values).length) return this.remove(owner);
    const StackName = this.options.stackName(owner);
    if (Object.keys(values).length > MAX_OUTPUTS)
      throw new TriggerError('Trigger.TooManyExports', 400, `Project ${owner} would export ${Object.keys(values).length} result topics; one exports stack holds at most ${MAX_OUTPUTS} (two per state machine). Split the project.`);
    const current = await this.exports();
    const taken = Object.keys(values).filter((n) => current.has(n) && current.get(n)!.stack !== StackName);
    if (taken.length)
      throw new TriggerError('Trigger.ExportTaken', 409, `Export name(s) ${taken.join(', ')} are exported by another stack (${taken.map((n) => current.get(n)!.stack).join(', ')}); CloudFormation export names are unique per account and region.`, { taken });
    const TemplateBody = exportsTemplate(owner, values);
    const Tags = Object.entries({ ...this.options.tags, 'fluxio:project': owner }).map(([Key, Value]) => ({ Key, Value }));
    const status = await this.stackStatus(StackName);
    const waiter = { client: this.client, maxWaitTime: MAX_WAIT_SECONDS, minDelay: 2, maxDelay: 10 };
    if (status === 'ROLLBACK_COMPLETE') {
      // A first creation that failed leaves a stack that can only be deleted.
      await this.client.send(new DeleteStackCommand({ StackName }));
      await waitUntilStackDeleteComplete(waiter, { StackName });
    }
    if (status === undefined || status === 'ROLLBACK_COMPLETE' || status === 'DELETE_COMPLETE') {
      await this.client.send(new CreateStackCommand({ StackName, TemplateBody, Tags }));
      await waitUntilStackCreateComplete(waiter, { StackName });
      return;
    }
    try {
      await this.client.send(new UpdateStackCommand({ StackName, TemplateBody, Tags }));
    } catch (e) {
      if (isNoUpdate(e)) return;
      throw e;
    }
    await waitUntilStackUpdateComplete(waiter, { StackName });
  }

  async remove(owner: string): Promise<void> {
    const StackName = this.options.stackName(owner);
    if ((await this.stackStatus(StackName)) === undefined) return;
    await this.client.send(new DeleteStackCommand({ StackName }));
    await waitUntilStackDeleteComplete({ client: this.client, maxWaitTime: MAX_WAIT_SECONDS, minDelay: 2, maxDelay: 10 }, { StackName });
  }

  /** The stack's status, `undefined` when it does not exist. */
  private async stackStatus(StackName: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new DescribeStacksCommand({ StackName }));
      return out.Stacks?.[0]?.StackStatus;
    } catch (e) {
      if (isAbsentStack(e)) return undefined;
      throw e;
    }
  }
}
