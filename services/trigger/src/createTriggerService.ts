/**
 * Build a {@link TriggerService} with the adapters of one target.
 *
 * - Local platform: {@link createLocalTriggerService} — Step Functions and
 *   Lambda through the platform's APIs, trigger records in its dynalite
 *   (the production DynamoDB adapter), offloaded parts in its state data
 *   service; schedules, topics and exports are the platform's embedded
 *   adapters (local/src/triggers), passed in.
 * - AWS, the event handlers: {@link createAwsHandlersTriggerService}.
 * - AWS, the deployer (activation): createAwsActivationTriggerService, in
 *   createActivationTriggerService.ts (its Scheduler and CloudFormation
 *   clients stay out of the trigger functions' bundles).
 *
 * The AWS-only modules are imported directly (no package barrels), so a
 * Lambda bundle never pulls in the embedded dynalite.
 */
import { DynamoDbItemStore } from '@fluxio/state-data/adapters/DynamoDbItemStore';
import { S3BlobStore } from '@fluxio/state-data/adapters/S3BlobStore';
import { StateDataService } from '@fluxio/state-data/StateDataService';
import { TriggerService, type TriggerServiceOptions } from './TriggerService.ts';
import type { TriggerHandlersConfig } from './config.ts';
import type { ExportRegistry, Schedules, Topics } from './ports.ts';
import { DEFAULT_TRIGGERS_TABLE, DynamoDbTriggerRecords } from './adapters/DynamoDbTriggerRecords.ts';
import { LambdaProcessors } from './adapters/LambdaProcessors.ts';
import { SfnExecutions } from './adapters/SfnExecutions.ts';
import { SnsTopics } from './adapters/SnsTopics.ts';
import { StateDataResults } from './adapters/StateDataResults.ts';

/** Credentials the local platform and dynalite accept (they check none). */
const LOCAL_CREDENTIALS = { accessKeyId: 'fluxio-local', secretAccessKey: 'fluxio-local' };

/** A built service and how to release its SDK clients. */
export interface TriggerServiceHandle {
  service: TriggerService;
  /** The trigger records adapter (tests read it). */
  records: DynamoDbTriggerRecords;
  close(): void;
}

export interface LocalTriggerServiceOptions {
  /** @default 'local' (the local deployer's stage) */
  stage?: string;
  /** The local platform's URL: its Step Functions API (starts, DescribeExecution) and Lambda API (event processors). */
  platformUrl: string;
  /** The platform's dynalite (the trigger records table is created there). */
  dynamodbEndpoint: string;
  /** The platform's in-process scheduler. */
  schedules: Schedules;
  /** The platform's in-process topic bus. */
  topics: Topics;
  /** The platform's export registry. */
  exports: ExportRegistry;
  /** The platform's state data service (offloaded result parts). */
  stateData: StateDataService;
  /** @default 'fluxio-triggers' */
  tableName?: string;
  /** Extra options (tests: a logger, a lower message limit). */
  overrides?: Partial<TriggerServiceOptions>;
}

/**
 * The trigger service of the local platform.
 * @example
 * ```ts
 * const triggers = createLocalTriggerService({ platformUrl: server.url, dynamodbEndpoint, schedules, topics, exports, stateData: stateData.service });
 * setTriggerService(triggers.service); // the schedule, status and subscribe handlers now use it
 * createLocalDeployer({ ..., triggers: new TriggerServicePort(triggers.service) });
 * ```
 */
export function createLocalTriggerService(options: LocalTriggerServiceOptions): TriggerServiceHandle {
  const clientConfig = { endpoint: options.platformUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 2 };
  const executions = new SfnExecutions({ clientConfig });
  const processors = new LambdaProcessors({ clientConfig });
  const records = new DynamoDbTriggerRecords({
    tableName: options.tableName ?? DEFAULT_TRIGGERS_TABLE,
    clientConfig: { endpoint: options.dynamodbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
    autoCreateTable: true,
  });
  const service = new TriggerService({
    stage: options.stage ?? 'local',
    executions,
    processors,
    records,
    topics: options.topics,
    schedules: options.schedules,
    exports: options.exports,
    results: new StateDataResults(options.stateData, options.platformUrl),
    ...options.overrides,
  });
  return { service, records, close: () => [executions.client, processors.client, records.client].forEach((c) => c.destroy()) };
}

/** A port this process never uses: every call is refused, saying who does it. */
export function refused<T extends object>(port: string, who: string): T {
  return new Proxy({} as T, {
    // `then` stays undefined: the stand-in is not a thenable.
    get: (_t, method) => (method === 'then' ? undefined : () => Promise.reject(new Error(`${port}.${String(method)} is not available in this function: ${who}.`))),
  });
}

/** The trigger service of the schedule, status and subscribe functions (AWS): start, publish, invoke processors, offload. */
export function createAwsHandlersTriggerService(config: TriggerHandlersConfig, overrides: Partial<TriggerServiceOptions> = {}): TriggerServiceHandle {
  const executions = new SfnExecutions();
  const processors = new LambdaProcessors();
  const records = new DynamoDbTriggerRecords({ tableName: config.triggersTable });
  const items = new DynamoDbItemStore({});
  const blobs = new S3BlobStore({ bucket: config.bucketName });
  const stateData = new StateDataService({
    items,
    blobs,
    executions: refused('ExecutionController', 'the trigger functions only store offloaded result parts'),
    defaultTableName: config.stateDataTable,
  });
  // Publishing needs no subscribe endpoint; subscribing is the deployer's.
  const topics = new SnsTopics({ subscribeFunctionArn: '' });
  const service = new TriggerService({
    stage: config.stage,
    executions,
    processors,
    records,
    topics,
    schedules: refused<Schedules>('Schedules', 'the deployer activates schedules'),
    exports: refused<ExportRegistry>('Exports', 'the deployer resolves and publishes exports'),
    results: new StateDataResults(stateData),
    ...overrides,
  });
  return { service, records, close: () => [executions.client, processors.client, records.client, items.client, blobs.client, topics.client].forEach((c) => c.destroy()) };
}
