/**
 * The log groups deployed state machines log to (`@aws-sdk/client-cloudwatch-logs`;
 * AWS target only: the local platform has no CloudWatch Logs). Names under
 * `/aws/vendedlogs/states/` (so Step Functions' log delivery does not grow the
 * account's CloudWatch Logs resource policy).
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand, type CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import type { LogGroups } from '../ports.ts';

/** Retention of deployed state machines' logs, days (a CloudWatch Logs retention value). */
export const LOG_RETENTION_DAYS = 30;

export interface CloudWatchLogGroupsOptions {
  client?: CloudWatchLogsClient;
  clientConfig?: CloudWatchLogsClientConfig;
}

export class CloudWatchLogGroups implements LogGroups {
  readonly client: CloudWatchLogsClient;

  constructor(options: CloudWatchLogGroupsOptions = {}) {
    this.client = options.client ?? new CloudWatchLogsClient({ ...options.clientConfig });
  }

  async ensure(name: string): Promise<string> {
    try {
      await this.client.send(new CreateLogGroupCommand({ logGroupName: name }));
      await this.client.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: LOG_RETENTION_DAYS }));
    } catch (e) {
      if ((e as Error).name !== 'ResourceAlreadyExistsException') throw e;
    }
    const out = await this.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 1 }));
    const group = out.logGroups?.find((g) => g.logGroupName === name);
    if (!group?.arn) throw new Error(`CloudWatch Logs did not describe log group ${name} after creating it.`);
    // Step Functions wants the ARN ending in `:*`.
    return group.arn.endsWith(':*') ? group.arn : `${group.arn}:*`;
  }
}
