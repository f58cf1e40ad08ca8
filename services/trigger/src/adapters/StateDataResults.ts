/**
 * Offloaded result parts as state data items (the state data service's domain
 * and ports, the same on both targets: DynamoDB + S3, or dynalite + a
 * directory). A part is a local item of the upstream execution, in the
 * platform table: partition key `<project>:<execution>:<key>`, index 0, the
 * default item lifetime (7 days). Any project may read it
 * (`get_global_item(table_name, partition_key)`; global reads, spec §20.4).
 */
import type { StateDataService } from '@fluxio/state-data/StateDataService';
import type { OffloadPointer, ResultStore } from '../ports.ts';

export class StateDataResults implements ResultStore {
  /**
   * @param service the state data service (its `defaultTableName` is the platform table)
   * @param origin base URL for presigned reads (unused by values under 5 MiB, which results always are)
   */
  constructor(
    private readonly service: StateDataService,
    private readonly origin = 'http://127.0.0.1',
  ) {}

  async put(project: string, executionName: string, key: string, json: string): Promise<OffloadPointer> {
    const tableName = this.service.defaultTableName;
    const partitionKey = this.service.localPartitionKey(project, executionName, key);
    await this.service.putItem(project, { tableName, partitionKey, index: 0 }, json);
    return { table_name: tableName, partition_key: partitionKey, key };
  }

  async get(pointer: OffloadPointer): Promise<string> {
    const value = await this.service.getItem({ tableName: pointer.table_name, partitionKey: pointer.partition_key, index: 0 }, this.origin);
    if ('json' in value) return value.json;
    throw new Error(`The offloaded value at ${pointer.partition_key} is larger than a read returns inline; download it from ${value.download.url}.`);
  }
}
