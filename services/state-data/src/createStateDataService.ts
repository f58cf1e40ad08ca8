/**
 * Build a {@link StateDataService} with the adapters of one target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { SFNClientConfig } from '@aws-sdk/client-sfn';
import { DEFAULT_STATE_DATA_TABLE } from '@fluxio/contracts/schemas/stateData';
import { StateDataService } from './StateDataService.ts';
import type { BlobStore, ExecutionController, ItemStore } from './ports.ts';
import { DynamoDbItemStore } from './adapters/DynamoDbItemStore.ts';
import { DirectoryBlobStore } from './adapters/DirectoryBlobStore.ts';
import { S3BlobStore } from './adapters/S3BlobStore.ts';
import { SfnExecutionController } from './adapters/SfnExecutionController.ts';
import { InMemoryExecutionRegistry } from './adapters/InMemoryExecutionRegistry.ts';
import { startEmbeddedDynalite, type EmbeddedDynalite } from './embedded.ts';

/** Credentials dynalite accepts (it checks none). */
const LOCAL_CREDENTIALS = { accessKeyId: 'fluxio-local', secretAccessKey: 'fluxio-local' };

export interface EmbeddedStateDataOptions {
  target: 'embedded';
  /**
   * Directory for data that survives restarts (`<dataDir>/dynamodb` for
   * dynalite's LevelDB, `<dataDir>/blobs` for offloaded values), e.g. `.fluxio`.
   * Omit for in-memory items and a temporary blob directory removed on close.
   */
  dataDir?: string;
  /** Stops local executions. @default a new, empty {@link InMemoryExecutionRegistry} */
  executions?: ExecutionController;
  /** Use this running DynamoDB endpoint instead of starting dynalite. */
  dynamodbEndpoint?: string;
  /** @default 'fluxio-state-data' */
  tableName?: string;
  /** Default item lifetime, seconds. @default 604800 */
  defaultTtlSeconds?: number;
  /** HMAC key of local presigned URLs. @default random */
  signingSecret?: string;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

export interface AwsStateDataOptions {
  target: 'aws';
  tableName?: string;
  bucketName: string;
  executions?: ExecutionController;
  defaultTtlSeconds?: number;
  dynamodb?: DynamoDBClientConfig;
  s3?: S3ClientConfig;
  sfn?: SFNClientConfig;
  /** Deployment stage (state machines `fluxio-<stage>-<project>-<fn>`, the deployer's names), for the stop ownership check. */
  stage?: string;
  /** Create missing tables (only against a local DynamoDB). @default false */
  autoCreateTables?: boolean;
  now?: () => number;
}

export interface StateDataServiceHandle {
  service: StateDataService;
  /** The execution controller in use (the registry on the embedded target). */
  executions: ExecutionController;
  /** The dynalite this call started, if any. */
  dynalite?: EmbeddedDynalite;
  /** The DynamoDB endpoint in use (embedded). */
  dynamodbEndpoint?: string;
  /** The blob directory in use (embedded). */
  blobDir?: string;
  /** Release clients, stop the dynalite this call started, remove temporary blob directories. */
  close(): Promise<void>;
}

/**
 * Create the state data service for a target.
 *
 * @example
 * ```ts
 * const registry = new InMemoryExecutionRegistry();
 * const { service, close } = await createStateDataService({ target: 'embedded', dataDir: '.fluxio', executions: registry });
 * setStateDataService(service); // the handlers now use it
 * ```
 */
export async function createStateDataService(options: EmbeddedStateDataOptions | AwsStateDataOptions): Promise<StateDataServiceHandle> {
  const tableName = options.tableName ?? DEFAULT_STATE_DATA_TABLE;
  /** The domain service over one target's adapters (the only part both targets share). */
  const assemble = (items: ItemStore, blobs: BlobStore, executions: ExecutionController) =>
    new StateDataService({ items, blobs, executions, defaultTableName: tableName, defaultTtlSeconds: options.defaultTtlSeconds, now: options.now });
  if (options.target === 'aws') {
    const items = new DynamoDbItemStore({ clientConfig: options.dynamodb, autoCreateTables: options.autoCreateTables });
    const blobs = new S3BlobStore({ bucket: options.bucketName, clientConfig: options.s3 });
    const executions = options.executions ?? new SfnExecutionController({ clientConfig: options.sfn, stage: options.stage });
    if (options.autoCreateTables) await items.ensureTable(tableName);
    const service = assemble(items, blobs, executions);
    return {
      service,
      executions,
      close: async () => {
        items.client.destroy();
        blobs.client.destroy();
      },
    };
  }

  let dynalite: EmbeddedDynalite | undefined;
  let endpoint = options.dynamodbEndpoint;
  if (!endpoint) {
    dynalite = await startEmbeddedDynalite({ path: options.dataDir ? path.join(options.dataDir, 'dynamodb') : undefined });
    endpoint = dynalite.endpoint;
  }
  const tempBlobDir = options.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'fluxio-blobs-'));
  const blobDir = options.dataDir ? path.join(options.dataDir, 'blobs') : tempBlobDir!;
  const items = new DynamoDbItemStore({
    clientConfig: { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
    autoCreateTables: true,
  });
  await items.ensureTable(tableName);
  const blobs = new DirectoryBlobStore({ root: blobDir, signingSecret: options.signingSecret });
  const executions = options.executions ?? new InMemoryExecutionRegistry();
  const service = assemble(items, blobs, executions);
  return {
    service,
    executions,
    dynalite,
    dynamodbEndpoint: endpoint,
    blobDir,
    close: async () => {
      items.client.destroy();
      await dynalite?.close();
      if (tempBlobDir) await rm(tempBlobDir, { recursive: true, force: true });
    },
  };
}
