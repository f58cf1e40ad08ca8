/**
 * The state data error family. Domain code throws these; the handlers map them
 * to HTTP (`statusCode`, `code`) at the edge.
 */
import { ServiceError, isServiceErrorNamed } from '@fluxio/contracts/errors';

export class StateDataError extends ServiceError {
  override name = 'StateDataError';
}

export const isStateDataError = (e: unknown): e is StateDataError => isServiceErrorNamed<StateDataError>(e, 'StateDataError');

/** 404: no (unexpired) item at the address. The message names partition key, sort key and table (spec §20.4). */
export const noItemFound = (tableName: string, partitionKey: string, index: number) =>
  new StateDataError(
    'StateData.NoItemFound',
    404,
    `No item found: partition_key=${partitionKey} sort_key=${index} table_name=${tableName}. ` +
      'Put it first (put_item / put_items), check the key and index, or it has expired.',
    { table_name: tableName, partition_key: partitionKey, sort_key: index },
  );
