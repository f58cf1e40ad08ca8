/**
 * The service the handlers use: injected by the local platform
 * ({@link setStateDataService}) or built once per Lambda container from the
 * environment (see config.ts).
 */
import { StateDataService } from './StateDataService.ts';
import { readStateDataConfig } from './config.ts';
import { DynamoDbItemStore } from './adapters/DynamoDbItemStore.ts';
import { S3BlobStore } from './adapters/S3BlobStore.ts';
import { DirectoryBlobStore } from './adapters/DirectoryBlobStore.ts';
import { SfnExecutionController } from './adapters/SfnExecutionController.ts';
import { InMemoryExecutionRegistry } from './adapters/InMemoryExecutionRegistry.ts';

let current: StateDataService | undefined;

/** Make the handlers use `service` (the local platform's embedded one); `undefined` resets to env configuration. */
export function setStateDataService(service: StateDataService | undefined): void {
  current = service;
}

/** Build the service from environment variables (config.ts). */
export function serviceFromEnv(env: NodeJS.ProcessEnv = process.env): StateDataService {
  const config = readStateDataConfig(env);
  const local = config.target === 'embedded';
  const items = new DynamoDbItemStore({
    clientConfig: {
      ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
      ...(local ? { region: env.AWS_REGION || 'us-east-1', credentials: { accessKeyId: 'fluxio-local', secretAccessKey: 'fluxio-local' } } : {}),
    },
    autoCreateTables: local,
  });
  const blobs = local
    ? new DirectoryBlobStore({ root: config.blobDir!, signingSecret: env.FLUXIO_BLOB_URL_SECRET })
    : new S3BlobStore({
        bucket: config.bucketName!,
        clientConfig: config.s3Endpoint
          ? { endpoint: config.s3Endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
          : {},
      });
  const executions = local
    ? new InMemoryExecutionRegistry()
    : new SfnExecutionController({
        clientConfig: config.sfnEndpoint ? { endpoint: config.sfnEndpoint } : {},
        stage: config.stage,
        region: env.AWS_REGION || undefined,
        account: env.FLUXIO_AWS_ACCOUNT_ID || undefined,
      });
  return new StateDataService({
    items,
    blobs,
    executions,
    defaultTableName: config.tableName,
    defaultTtlSeconds: config.defaultTtlSeconds,
    maxTtlSeconds: config.maxTtlSeconds,
  });
}

/** The service for this process (built from env on first use). */
export function getService(): StateDataService {
  return (current ??= serviceFromEnv());
}
