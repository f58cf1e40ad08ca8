/** Public surface of the state data service. */
export { StateDataService, type StateDataServiceOptions, type ReadValue } from './StateDataService.ts';
export { createStateDataService, type EmbeddedStateDataOptions, type AwsStateDataOptions, type StateDataServiceHandle } from './createStateDataService.ts';
export { startEmbeddedDynalite, type EmbeddedDynalite, type EmbeddedDynaliteOptions } from './embedded.ts';
export { getService, setStateDataService, serviceFromEnv } from './serviceRegistry.ts';
export { readStateDataConfig, type StateDataConfig } from './config.ts';
export { InMemoryExecutionRegistry, type AbortExecution } from './adapters/InMemoryExecutionRegistry.ts';
export { SfnExecutionController } from './adapters/SfnExecutionController.ts';
export { DynamoDbItemStore } from './adapters/DynamoDbItemStore.ts';
export { S3BlobStore } from './adapters/S3BlobStore.ts';
export { DirectoryBlobStore, LOCAL_BLOB_ROUTE_PREFIX } from './adapters/DirectoryBlobStore.ts';
export { StateDataError, isStateDataError } from './errors.ts';
export { blobKeyFor } from './blobKey.ts';
export type { ItemStore, BlobStore, ExecutionController, StoredItem, ItemAddress, StopOutcome, PresignedUrl } from './ports.ts';
export { localBlobUploadStream } from './handlers/localBlobs.ts';
