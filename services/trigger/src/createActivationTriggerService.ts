/**
 * The trigger service the deployer activates triggers with on AWS: SNS
 * topics, EventBridge Scheduler, CloudFormation exports and the trigger
 * records. A module of its own so that the trigger functions' bundles do not
 * carry the Scheduler and CloudFormation clients.
 */
import { projectPrefix } from '@fluxio/contracts/names';
import { TriggerService, type TriggerServiceOptions } from './TriggerService.ts';
import type { TriggerActivationConfig } from './config.ts';
import type { Topics } from './ports.ts';
import { refused, type TriggerServiceHandle } from './createTriggerService.ts';
import { CloudFormationExports } from './adapters/CloudFormationExports.ts';
import { DynamoDbTriggerRecords } from './adapters/DynamoDbTriggerRecords.ts';
import { SchedulerSchedules } from './adapters/SchedulerSchedules.ts';
import { SnsTopics } from './adapters/SnsTopics.ts';

/** The trigger service the deployer activates triggers with (AWS): SNS topics, Scheduler, CloudFormation exports, the records. */
export function createAwsActivationTriggerService(config: TriggerActivationConfig, overrides: Partial<TriggerServiceOptions> = {}): TriggerServiceHandle {
  const records = new DynamoDbTriggerRecords({ tableName: config.triggersTable });
  const topics: Topics & { client: { destroy(): void } } = new SnsTopics({ subscribeFunctionArn: config.subscribeFunctionArn });
  const schedules = new SchedulerSchedules({
    targetArn: config.scheduleFunctionArn,
    roleArn: config.schedulerRoleArn,
    deadLetterArn: config.scheduleDlqArn,
    tags: { 'fluxio:stage': config.stage },
  });
  const exports = new CloudFormationExports({ stackName: (project) => `${projectPrefix(config.stage, project)}exports`, tags: { 'fluxio:stage': config.stage } });
  const service = new TriggerService({
    stage: config.stage,
    records,
    topics,
    schedules,
    exports,
    executions: refused('Executions', 'the trigger functions start executions'),
    processors: refused('Processors', 'the status function runs event processors'),
    results: refused('ResultStore', 'the status function offloads results'),
    ...overrides,
  });
  return { service, records, close: () => [records.client, topics.client, schedules.client, exports.client].forEach((c) => c.destroy()) };
}
