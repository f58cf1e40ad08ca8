/** @fluxio/trigger: schedules, subscriptions, result topics and the executions API (issue 9). */
export * from './ports.ts';
export {
  TriggerService,
  scheduleExecutionName,
  subscriptionExecutionName,
  snsMessageBytes,
  topicTags,
  SNS_MAX_MESSAGE_BYTES,
  type TriggerServiceOptions,
  type TriggerActivation,
  type ActivationResult,
  type ActivatedTopics,
  type ExecutionStatusEvent,
  type ExecutionStatusDetail,
  type SnsMessage,
  type ScheduleOutcome,
  type StatusOutcome,
  type SubscriptionOutcome,
} from './TriggerService.ts';
export { createLocalTriggerService, createAwsHandlersTriggerService, type LocalTriggerServiceOptions, type TriggerServiceHandle } from './createTriggerService.ts';
export { createAwsActivationTriggerService } from './createActivationTriggerService.ts';
export { setTriggerService, getTriggerService } from './triggerRegistry.ts';
export { readTriggerHandlersConfig, readTriggerActivationConfig, type TriggerHandlersConfig, type TriggerActivationConfig } from './config.ts';
export { DynamoDbTriggerRecords, DEFAULT_TRIGGERS_TABLE } from './adapters/DynamoDbTriggerRecords.ts';
