/**
 * Environment configuration of the trigger service on AWS (serverless.yml
 * sets it). The local platform builds its service with
 * {@link ../createTriggerService.ts createLocalTriggerService} and injects it
 * (`setTriggerService`) instead.
 *
 * The event handlers (schedule, status, subscribe functions):
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `FLUXIO_STAGE` | the platform's stage: state machines `fluxio-<stage>-<project>-<fn>` | required |
 * | `FLUXIO_TRIGGERS_TABLE` | the trigger records table (pk S, sk S, TTL `expires_at`) | required |
 * | `FLUXIO_STATE_DATA_TABLE` | the state data table (offloaded result parts) | required |
 * | `FLUXIO_BUCKET_NAME` | the platform bucket (offloaded values above 390,000 bytes) | required |
 *
 * The deployer (it activates triggers), in addition to the first two:
 *
 * | variable | meaning |
 * | --- | --- |
 * | `FLUXIO_SUBSCRIBE_FUNCTION_ARN` | the subscribe function: the endpoint of every SNS subscription |
 * | `FLUXIO_SCHEDULE_FUNCTION_ARN` | the schedule function: every schedule's target |
 * | `FLUXIO_SCHEDULER_ROLE_ARN` | the role Scheduler assumes to invoke it (iam:PassRole) |
 * | `FLUXIO_SCHEDULE_DLQ_ARN` | the schedules' dead-letter queue (SQS) |
 */

/** What the event handlers need. */
export interface TriggerHandlersConfig {
  stage: string;
  triggersTable: string;
  stateDataTable: string;
  bucketName: string;
}

/** What activating triggers (the deployer) needs. */
export interface TriggerActivationConfig {
  stage: string;
  triggersTable: string;
  subscribeFunctionArn: string;
  scheduleFunctionArn: string;
  schedulerRoleArn: string;
  scheduleDlqArn: string;
}

function require(env: NodeJS.ProcessEnv, names: readonly string[], who: string): void {
  const missing = names.filter((n) => !env[n]);
  if (missing.length) throw new Error(`${who} ${missing.join(', ')} (see services/trigger/src/config.ts).`);
}

/** The event handlers' configuration. @throws Error naming every missing variable */
export function readTriggerHandlersConfig(env: NodeJS.ProcessEnv = process.env): TriggerHandlersConfig {
  require(env, ['FLUXIO_STAGE', 'FLUXIO_TRIGGERS_TABLE', 'FLUXIO_STATE_DATA_TABLE', 'FLUXIO_BUCKET_NAME'], 'The trigger functions need');
  return { stage: env.FLUXIO_STAGE!, triggersTable: env.FLUXIO_TRIGGERS_TABLE!, stateDataTable: env.FLUXIO_STATE_DATA_TABLE!, bucketName: env.FLUXIO_BUCKET_NAME! };
}

/** The deployer's trigger configuration. @throws Error naming every missing variable */
export function readTriggerActivationConfig(env: NodeJS.ProcessEnv = process.env): TriggerActivationConfig {
  require(
    env,
    ['FLUXIO_STAGE', 'FLUXIO_TRIGGERS_TABLE', 'FLUXIO_SUBSCRIBE_FUNCTION_ARN', 'FLUXIO_SCHEDULE_FUNCTION_ARN', 'FLUXIO_SCHEDULER_ROLE_ARN', 'FLUXIO_SCHEDULE_DLQ_ARN'],
    'Activating triggers (the deployer) needs',
  );
  return {
    stage: env.FLUXIO_STAGE!,
    triggersTable: env.FLUXIO_TRIGGERS_TABLE!,
    subscribeFunctionArn: env.FLUXIO_SUBSCRIBE_FUNCTION_ARN!,
    scheduleFunctionArn: env.FLUXIO_SCHEDULE_FUNCTION_ARN!,
    schedulerRoleArn: env.FLUXIO_SCHEDULER_ROLE_ARN!,
    scheduleDlqArn: env.FLUXIO_SCHEDULE_DLQ_ARN!,
  };
}
