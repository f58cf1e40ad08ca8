/**
 * Creating a platform table on an embedded target (dynalite): the state data
 * items table, the deployments table and the triggers table are created on
 * first use there. On AWS the tables come from `serverless.yml` and this is
 * never called.
 */
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** A table with a composite primary key (partition key `S`, sort key `S` or `N`), on demand. */
export interface TableKeySchema {
  tableName: string;
  partitionKey: string;
  sortKey: { name: string; type: 'S' | 'N' };
}

/** How long to wait for a new table to become ACTIVE: 500 polls 10 ms apart (dynalite reports CREATING briefly). */
const ACTIVE_POLLS = 500;

/**
 * Create `schema.tableName` unless it exists, then wait until it is ACTIVE.
 * Safe to call concurrently from several processes: a table created by
 * another caller in between (`ResourceInUseException`) is waited for too.
 * @throws the SDK's error for anything else, or an Error when the table is not ACTIVE after about 5 s
 */
export async function createTableIfMissing(client: DynamoDBClient, schema: TableKeySchema): Promise<void> {
  const status = async () => {
    try {
      return (await client.send(new DescribeTableCommand({ TableName: schema.tableName }))).Table?.TableStatus;
    } catch (e) {
      if ((e as Error).name === 'ResourceNotFoundException') return undefined;
      throw e;
    }
  };
  let current = await status();
  if (current === 'ACTIVE') return;
  if (current === undefined) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: schema.tableName,
          AttributeDefinitions: [
            { AttributeName: schema.partitionKey, AttributeType: 'S' },
            { AttributeName: schema.sortKey.name, AttributeType: schema.sortKey.type },
          ],
          KeySchema: [
            { AttributeName: schema.partitionKey, KeyType: 'HASH' },
            { AttributeName: schema.sortKey.name, KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (e) {
      if ((e as Error).name !== 'ResourceInUseException') throw e;
    }
  }
  for (let i = 0; i < ACTIVE_POLLS; i++) {
    current = await status();
    if (current === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`DynamoDB table ${schema.tableName} is not ACTIVE after ${ACTIVE_POLLS * 10} ms (status ${current ?? 'absent'})`);
}
