/**
 * Build a {@link Deployer} with the production adapters of one target. Both
 * use the same SDK clients; only the endpoints and the AWS-only pieces differ.
 */
// The adapter module, not the package barrel: the barrel also exports the embedded dynalite, which
// must not end up in the Lambda bundle (it does not load there: __dirname in ESM).
import { S3BlobStore } from '@fluxio/state-data/adapters/S3BlobStore';
import { Deployer, type DeployerOptions } from './Deployer.ts';
import type { DeployerConfig } from './config.ts';
import type { BundleStore } from './ports.ts';
import { CloudWatchLogGroups } from './adapters/CloudWatchLogGroups.ts';
import { DEFAULT_DEPLOYMENTS_TABLE, DynamoDbDeploymentRecords } from './adapters/DynamoDbDeploymentRecords.ts';
import { LambdaFunctions } from './adapters/LambdaFunctions.ts';
import { RecordingTriggers } from './adapters/RecordingTriggers.ts';
import { TriggerServicePort } from './adapters/TriggerServicePort.ts';
import { createAwsActivationTriggerService } from '@fluxio/trigger/createActivationTriggerService';
import type { TriggerPort } from './ports.ts';
import { SfnStateMachines } from './adapters/SfnStateMachines.ts';

/** Roles of the local target (the local platform checks none). */
export const LOCAL_TASK_ROLE_ARN = 'arn:aws:iam::000000000000:role/fluxio-local-task';
export const LOCAL_STATE_MACHINE_ROLE_ARN = 'arn:aws:iam::000000000000:role/fluxio-local-state-machine';
/** Stage of the local target. */
export const LOCAL_STAGE = 'local';

const LOCAL_CREDENTIALS = { accessKeyId: 'fluxio-local', secretAccessKey: 'fluxio-local' };

export interface LocalDeployerOptions {
  /** The local platform's URL: its Step Functions and Lambda APIs. */
  platformUrl: string;
  /** The platform's dynalite. */
  dynamodbEndpoint: string;
  /** The platform's blob store (the state data service's, so its presigned upload route serves bundles too). */
  bundles: BundleStore;
  /** @default 'fluxio-deployments' */
  tableName?: string;
  /**
   * The trigger port: the local platform passes a {@link TriggerServicePort}
   * over its trigger service. @default a {@link RecordingTriggers} (records the
   * declarations, activates nothing)
   */
  triggers?: TriggerPort;
  /** Extra options (tests: clock, fault injection, lease). */
  overrides?: Partial<DeployerOptions>;
}

export interface DeployerHandle {
  deployer: Deployer;
  /** Release the SDK clients. */
  close(): void;
}

/** The deployer of the local platform: its SFN and Lambda APIs, its dynalite, stage `local`. */
export function createLocalDeployer(options: LocalDeployerOptions): DeployerHandle {
  const common = { endpoint: options.platformUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 2 };
  const functions = new LambdaFunctions({ clientConfig: common });
  const stateMachines = new SfnStateMachines({ clientConfig: common });
  const records = new DynamoDbDeploymentRecords({
    tableName: options.tableName ?? DEFAULT_DEPLOYMENTS_TABLE,
    clientConfig: { endpoint: options.dynamodbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
    autoCreateTable: true,
  });
  const deployer = new Deployer({
    target: 'local',
    stage: LOCAL_STAGE,
    functions,
    stateMachines,
    records,
    bundles: options.bundles,
    triggers: options.triggers ?? new RecordingTriggers(),
    taskRoleArn: LOCAL_TASK_ROLE_ARN,
    stateMachineRoleArn: LOCAL_STATE_MACHINE_ROLE_ARN,
    ...options.overrides,
  });
  return handle(deployer, [functions.client, stateMachines.client, records.client]);
}

/** The deployer of a deployed platform (a Lambda container), from its configuration (config.ts). */
export function createAwsDeployer(config: DeployerConfig, overrides: Partial<DeployerOptions> = {}): DeployerHandle {
  const functions = new LambdaFunctions();
  const stateMachines = new SfnStateMachines();
  const records = new DynamoDbDeploymentRecords({ tableName: config.deploymentsTable });
  const logGroups = new CloudWatchLogGroups();
  const bundles = new S3BlobStore({ bucket: config.bucketName });
  // Built only when no trigger port is given (tests give one).
  const triggerService = overrides.triggers ? undefined : createAwsActivationTriggerService(config.triggers);
  const deployer = new Deployer({
    target: 'aws',
    stage: config.stage,
    functions,
    stateMachines,
    records,
    bundles,
    logGroups,
    triggers: triggerService ? new TriggerServicePort(triggerService.service) : new RecordingTriggers(),
    taskRoleArn: config.taskRoleArn,
    stateMachineRoleArn: config.stateMachineRoleArn,
    taskEnvironment: { FLUXIO_STATE_DATA_URL: config.stateDataUrl, FLUXIO_STATE_DATA_AUTH: 'iam' },
    taskRuntimeDir: config.taskRuntimeDir,
    leaseSeconds: config.leaseSeconds,
    ...overrides,
  });
  const clients = [functions.client, stateMachines.client, records.client, logGroups.client, bundles.client];
  return handle(deployer, triggerService ? [...clients, { destroy: triggerService.close }] : clients);
}

/** The handle of `deployer`: closing it destroys the SDK clients its adapters made. */
function handle(deployer: Deployer, clients: Array<{ destroy(): void }>): DeployerHandle {
  return { deployer, close: () => clients.forEach((c) => c.destroy()) };
}
