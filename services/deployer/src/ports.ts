/**
 * The deployer's ports: one adapter per target behind each (DESIGN.md §3).
 * The production adapters (src/adapters/) talk AWS SDK v3 to AWS, or to the
 * local platform's Step Functions and Lambda APIs and dynalite with only the
 * endpoints changed.
 */
import type { BlobStore } from '@fluxio/state-data';
import type { DeploymentRecord, DeploymentTriggers } from '@fluxio/contracts/schemas/deployments';

/** Configuration of one task function (Lambda CreateFunction / UpdateFunctionConfiguration). */
export interface FunctionConfig {
  functionName: string;
  /** Lambda runtime identifier, e.g. `python3.12`. */
  runtime: string;
  /** `fluxio_task.entry.lambda_handler`. */
  handler: string;
  /** Execution role ARN (passed with iam:PassRole). */
  roleArn: string;
  /** Lambda `Timeout`, seconds (1–900). */
  timeoutSeconds: number;
  /** Lambda `MemorySize`, MB (128–10240). */
  memoryMb: number;
  environment: Record<string, string>;
  /** `fluxio code+config sha256 <hex>`: how the deployer recognises an unchanged function. */
  description: string;
  /** X-Ray active tracing (AWS target). */
  tracing: boolean;
}

/** Task functions (Lambda). */
export interface Functions {
  /** `$LATEST`'s ARN and description, or `undefined` when the function does not exist. */
  describe(functionName: string): Promise<{ functionArn: string; description: string } | undefined>;
  /** The newest published version whose description is `description`, or `undefined`. */
  findVersion(functionName: string, description: string): Promise<string | undefined>;
  /** CreateFunction, then wait until it is Active. */
  create(config: FunctionConfig, zip: Uint8Array): Promise<{ functionArn: string }>;
  /** UpdateFunctionCode and UpdateFunctionConfiguration, each waited for (`LastUpdateStatus` Successful). */
  update(config: FunctionConfig, zip: Uint8Array): Promise<void>;
  /** PublishVersion of `$LATEST` with `description`. */
  publish(functionName: string, description: string): Promise<{ version: string }>;
  /** DeleteFunction (every version); absent is not an error. */
  delete(functionName: string): Promise<void>;
  /** Names of the functions starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}

/** CloudWatch Logs destination of a state machine (AWS target). */
export interface StateMachineLogging {
  logGroupArn: string;
  level: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  includeExecutionData: boolean;
}

/** Configuration of one state machine (CreateStateMachine / UpdateStateMachine). */
export interface StateMachineConfig {
  name: string;
  /** The ASL definition, placeholders resolved (JSON text). */
  definition: string;
  roleArn: string;
  logging?: StateMachineLogging;
  tracing: boolean;
}

/** What a state machine (or one of its versions) holds, to compare with a new configuration. */
export interface StateMachineState {
  definition: string;
  roleArn: string;
  logging?: StateMachineLogging;
  tracing: boolean;
}

/** Step Functions state machines, their versions and aliases. */
export interface StateMachines {
  /** ValidateStateMachineDefinition: the ERROR diagnostics (empty when valid). */
  validate(definition: string): Promise<Array<{ code: string; message: string; location?: string }>>;
  /** State machines whose name starts with `prefix`: name → ARN. */
  list(prefix: string): Promise<Map<string, string>>;
  /** The newest version ARN of the state machine and what it holds, or `undefined` when it has none. */
  latestVersion(stateMachineArn: string): Promise<{ versionArn: string; state: StateMachineState } | undefined>;
  /** CreateStateMachine (STANDARD) with `publish: true`, `versionDescription`. */
  create(config: StateMachineConfig, versionDescription: string): Promise<{ stateMachineArn: string; versionArn: string }>;
  /** UpdateStateMachine with `publish: true`, `versionDescription`. */
  update(stateMachineArn: string, config: StateMachineConfig, versionDescription: string): Promise<{ versionArn: string }>;
  /** Point alias `alias` at `versionArn` (created when absent, else updated, 100 % weight). */
  pointAlias(stateMachineArn: string, alias: string, versionArn: string, description: string): Promise<{ aliasArn: string }>;
  /** The version alias `aliasArn` points at, or `undefined` when the alias does not exist. */
  aliasTarget(aliasArn: string): Promise<string | undefined>;
  /** Delete the aliases, then the versions, then the state machine; absent is not an error. */
  delete(stateMachineArn: string): Promise<void>;
}

/** A log group for each deployed state machine (CloudWatch Logs; AWS target only). */
export interface LogGroups {
  /** Create `name` when absent; its ARN (`arn:…:log-group:<name>:*`). */
  ensure(name: string): Promise<string>;
}

/** The per-project lease: who may deploy the project now. */
export interface Lease {
  deploymentId: string;
  /** Random token of the operation holding it (two calls resuming one dead deployment still exclude each other). */
  owner: string;
  /** Epoch ms after which another deployer may take the lease over (its holder died). */
  expiresAt: number;
}

/** Deployment records, the per-project lease and head (DynamoDB, conditional writes). */
export interface DeploymentRecords {
  /** The project's lease, expired or not, or `undefined`. */
  getLease(project: string): Promise<Lease | undefined>;
  /**
   * Take the project's lease: granted when nobody holds it or its holder's
   * lease expired before `now` (epoch ms); otherwise the current holder.
   */
  acquireLease(project: string, lease: Lease, now: number): Promise<{ granted: true } | { granted: false; holder: Lease }>;
  /** Extend the lease; false when `lease.owner` no longer holds it. */
  renewLease(project: string, lease: Lease): Promise<boolean>;
  /**
   * Give the lease held by `fromOwner` to `lease.owner` (same deployment id):
   * how a request hands its deployment to the continuation. False when
   * `fromOwner` no longer holds it for `lease.deploymentId` (another
   * continuation took it first).
   */
  handOverLease(project: string, fromOwner: string, lease: Lease): Promise<boolean>;
  /** Release the lease if `owner` holds it. */
  releaseLease(project: string, owner: string): Promise<void>;
  /** Write `record` (`revision` 0 = create, must not exist; else the stored revision must be `revision - 1`). */
  put(record: StoredRecord): Promise<void>;
  get(project: string, deploymentId: string): Promise<StoredRecord | undefined>;
  /** Records newest first (deployment ids sort by time). */
  list(project: string, limit: number, next?: string): Promise<{ records: StoredRecord[]; next?: string }>;
  /** The deployment the aliases point at now (`undefined`: never deployed, or destroyed). */
  getCurrent(project: string): Promise<string | undefined>;
  setCurrent(project: string, deploymentId: string | undefined): Promise<void>;
}

/** A record as stored: the API record plus an optimistic-concurrency revision. */
export type StoredRecord = DeploymentRecord & { revision: number };

/** Project bundles, in the platform bucket (the state data service's blob store port: S3, or a directory locally). */
export type BundleStore = Pick<BlobStore, 'get' | 'digest' | 'presign'>;

/** The `@schedule` / `@subscribe` / `@process_events` declarations of a deployment (the record's `triggers` without the outcome). */
export type TriggerDeclarations = Omit<DeploymentTriggers, 'active' | 'note' | 'topics'>;

/** What the deployer hands the trigger service after the aliases moved: the declarations and the deployed state machines. */
export interface TriggerApplyRequest extends TriggerDeclarations {
  /** Every deployed first-class state machine of this deployment: its `live` alias ARN, and its event processor's version-qualified function ARN. */
  stateMachines: Record<string, { aliasArn: string; eventProcessorFunction?: string }>;
}

/**
 * The trigger service's port (issue 9): result topics for every deployed
 * state machine, the project's schedules, subscriptions and exports
 * ({@link ../adapters/TriggerServicePort.ts}, over `@fluxio/trigger`'s
 * TriggerService; {@link ../adapters/RecordingTriggers.ts} records only).
 */
export interface TriggerPort {
  /**
   * Activate the project's triggers, replacing the previous ones (what the
   * previous deployment had and this one does not is removed).
   * @throws DeployError 400 for a trigger that cannot be activated (e.g. `Trigger.ExportNotFound`)
   */
  apply(project: string, triggers: TriggerApplyRequest): Promise<{ active: boolean; note: string; topics?: DeploymentTriggers['topics'] }>;
  /** Remove every trigger of the project. */
  remove(project: string): Promise<void>;
}

/**
 * Where a deployment started by a request continues once the request is
 * answered. On AWS a Lambda process is frozen as soon as it answers, so the
 * deploy function hands the deployment to the deployer worker function, invoked
 * asynchronously ({@link ../adapters/LambdaContinuation.ts}); locally the
 * deployment simply goes on in the platform's process (no continuation).
 */
export interface DeploymentContinuation {
  /** Have deployment `deploymentId` of `project` continued elsewhere (returns once it is queued). */
  continueLater(project: string, deploymentId: string): Promise<void>;
}
