/**
 * Environment configuration of the deployer handlers on AWS (argument > env > default).
 * The local platform injects a deployer built with {@link createDeployer} instead.
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `FLUXIO_STAGE` | deployment stage (resource names `fluxio-<stage>-…`) | required |
 * | `FLUXIO_DEPLOYMENTS_TABLE` | deployments table (pk S, sk S) | required |
 * | `FLUXIO_BUCKET_NAME` | platform bucket (bundles under `bundles/<project>/<sha256>.zip`) | required |
 * | `FLUXIO_TASK_ROLE_ARN` | execution role of every task function (iam:PassRole) | required |
 * | `FLUXIO_STATE_MACHINE_ROLE_ARN` | execution role of every state machine (iam:PassRole) | required |
 * | `FLUXIO_STATE_DATA_URL` | the state data API the task functions call | required |
 * | `FLUXIO_TASK_RUNTIME_DIR` | directory holding the `fluxio_task` Python package | shared/python/fluxio_task |
 * | `FLUXIO_LEASE_SECONDS` | how long a deployer's per-project lease lasts without renewal | 900 |
 *
 * Activating triggers (issue 9) also needs the variables of
 * `@fluxio/trigger`'s `readTriggerActivationConfig` (services/trigger/src/config.ts:
 * `FLUXIO_TRIGGERS_TABLE`, `FLUXIO_SUBSCRIBE_FUNCTION_ARN`, `FLUXIO_SCHEDULE_FUNCTION_ARN`,
 * `FLUXIO_SCHEDULER_ROLE_ARN`, `FLUXIO_SCHEDULE_DLQ_ARN`), read when the AWS deployer is built.
 */
import { readTriggerActivationConfig, type TriggerActivationConfig } from '@fluxio/trigger/config';
import type { DeployerTarget } from './Deployer.ts';

export interface DeployerConfig {
  target: DeployerTarget;
  stage: string;
  deploymentsTable: string;
  bucketName: string;
  taskRoleArn: string;
  stateMachineRoleArn: string;
  stateDataUrl: string;
  taskRuntimeDir?: string;
  leaseSeconds?: number;
  /** The trigger service's activation configuration (issue 9). */
  triggers: TriggerActivationConfig;
}

/** Read the AWS configuration from `env`. @throws Error naming every missing variable */
export function readDeployerConfig(env: NodeJS.ProcessEnv = process.env): DeployerConfig {
  const names = ['FLUXIO_STAGE', 'FLUXIO_DEPLOYMENTS_TABLE', 'FLUXIO_BUCKET_NAME', 'FLUXIO_TASK_ROLE_ARN', 'FLUXIO_STATE_MACHINE_ROLE_ARN', 'FLUXIO_STATE_DATA_URL'] as const;
  const missing = names.filter((n) => !env[n]);
  if (missing.length) throw new Error(`The deployer needs ${missing.join(', ')} (see services/deployer/src/config.ts).`);
  const lease = env.FLUXIO_LEASE_SECONDS ? Number(env.FLUXIO_LEASE_SECONDS) : undefined;
  if (lease !== undefined && (!Number.isInteger(lease) || lease < 30))
    throw new Error(`FLUXIO_LEASE_SECONDS must be a whole number of seconds, at least 30, not "${env.FLUXIO_LEASE_SECONDS}".`);
  return {
    target: 'aws',
    stage: env.FLUXIO_STAGE!,
    deploymentsTable: env.FLUXIO_DEPLOYMENTS_TABLE!,
    bucketName: env.FLUXIO_BUCKET_NAME!,
    taskRoleArn: env.FLUXIO_TASK_ROLE_ARN!,
    stateMachineRoleArn: env.FLUXIO_STATE_MACHINE_ROLE_ARN!,
    stateDataUrl: env.FLUXIO_STATE_DATA_URL!,
    taskRuntimeDir: env.FLUXIO_TASK_RUNTIME_DIR || undefined,
    leaseSeconds: lease,
    triggers: readTriggerActivationConfig(env),
  };
}
