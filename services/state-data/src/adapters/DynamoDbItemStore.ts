/**
 * ItemStore on DynamoDB (`@aws-sdk/lib-dynamodb`). The same adapter serves the
 * embedded target, pointed at dynalite (which speaks DynamoDB's protocol).
 *
 * Attributes (spec §20.2): `partition_key` (S, HASH), `sort_key` (N, RANGE),
 * `data` (S, the value's JSON) or `blob_key`/`blob_size`/`blob_sha256`, and
 * `expires_at` (N, epoch seconds; the table's TTL attribute). A partition's
 * head (ports.ts `PartitionHead`) is the row at `sort_key` -1 with
 * `generation` and `owner_project`.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createTableIfMissing } from './createTableIfMissing.ts';
import {
  DynamoDBDocumentClient,
  PutCommand,
  GetCommand,
  QueryCommand,
  BatchWriteCommand,
  UpdateCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { HeadWrite, ItemStore, PartitionHead, StoredItem } from '../ports.ts';
import { StateDataError } from '../errors.ts';

/** BatchWriteItem accepts at most 25 put requests. @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html */
export const BATCH_WRITE_MAX_ITEMS = 25;
/** How many times unprocessed batch items are re-sent before giving up. */
export const UNPROCESSED_MAX_ATTEMPTS = 8;
/** First backoff before re-sending unprocessed items, in ms (doubles, full jitter, capped at 2 s). */
export const UNPROCESSED_BASE_DELAY_MS = 50;
/** SDK attempts per request (throttling and 5xx), with the SDK's standard backoff. */
export const SDK_MAX_ATTEMPTS = 6;

export interface DynamoDbItemStoreOptions {
  /** A ready client; otherwise one is built from `clientConfig`. */
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /** Create a missing table on first use (embedded target only). @default false */
  autoCreateTables?: boolean;
}

type Row = Record<string, unknown>;

const toRow = (item: StoredItem): Row => {
  const row: Row = { partition_key: item.partitionKey, sort_key: item.index, expires_at: item.expiresAt };
  if (item.blob) {
    row.blob_key = item.blob.key;
    row.blob_size = item.blob.sizeBytes;
    row.blob_sha256 = item.blob.sha256;
  } else row.data = item.data;
  return row;
};

const fromRow = (row: Row): StoredItem => ({
  partitionKey: String(row.partition_key),
  index: Number(row.sort_key),
  expiresAt: Number(row.expires_at ?? 0),
  ...(typeof row.blob_key === 'string'
    ? { blob: { key: row.blob_key, sizeBytes: Number(row.blob_size), sha256: String(row.blob_sha256) } }
    : { data: typeof row.data === 'string' ? row.data : JSON.stringify(row.data ?? null) }),
});

/** The sort key of a partition's head row (item indexes are ≥ 0). */
export const HEAD_SORT_KEY = -1;

const headFromRow = (row: Row): PartitionHead => ({
  partitionKey: String(row.partition_key),
  generation: String(row.generation),
  ownerProject: String(row.owner_project),
  expiresAt: Number(row.expires_at ?? 0),
});

const writeTimeout = (tableName: string) =>
  new StateDataError(
    'StateData.WriteTimeout',
    503,
    `Writing to table ${tableName} did not finish in time; nothing was committed (the key still reads as before). ` +
      'Retry, or send fewer items per request (split the list over several requests of one generation; the clients do this).',
  );

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** DynamoDB-backed {@link ItemStore}. */
export class DynamoDbItemStore implements ItemStore {
  readonly client: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  private readonly autoCreate: boolean;
  private readonly created = new Map<string, Promise<void>>();

  constructor(options: DynamoDbItemStoreOptions = {}) {
    this.client = options.client ?? new DynamoDBClient({ maxAttempts: SDK_MAX_ATTEMPTS, ...options.clientConfig });
    this.doc = DynamoDBDocumentClient.from(this.client, { marshallOptions: { removeUndefinedValues: true } });
    this.autoCreate = options.autoCreateTables ?? false;
  }

  /** Create `tableName` with the state data key schema unless it exists (used by the embedded target). */
  async ensureTable(tableName: string): Promise<void> {
    let pending = this.created.get(tableName);
    if (!pending) {
      pending = createTableIfMissing(this.client, { tableName, partitionKey: 'partition_key', sortKey: { name: 'sort_key', type: 'N' } });
      this.created.set(tableName, pending);
      pending.catch(() => this.created.delete(tableName));
    }
    return pending;
  }

  /**
   * Run `op`; map DynamoDB errors to state data errors. A missing table is
   * created first only for writes (`write`) on the embedded target: reads of a
   * table that does not exist are a 404 `StateData.TableNotFound`.
   */
  private async call<T>(tableName: string, op: () => Promise<T>, write = false): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException' || !this.autoCreate || !write) throw mapError(tableName, e);
    }
    // embedded target: create the missing table once, then retry once
    this.created.delete(tableName);
    await this.ensureTable(tableName);
    try {
      return await op();
    } catch (e) {
      throw mapError(tableName, e);
    }
  }

  async put(tableName: string, item: StoredItem): Promise<void> {
    await this.call(tableName, () => this.doc.send(new PutCommand({ TableName: tableName, Item: toRow(item) })), true);
  }

  async getHead(tableName: string, partitionKey: string): Promise<PartitionHead | undefined> {
    const out = await this.call(tableName, () =>
      this.doc.send(new GetCommand({ TableName: tableName, Key: { partition_key: partitionKey, sort_key: HEAD_SORT_KEY }, ConsistentRead: true })),
    );
    return out.Item && typeof out.Item.generation === 'string' ? headFromRow(out.Item) : undefined;
  }

  async putHead(tableName: string, head: PartitionHead, options: { nowSeconds: number; onlyIfAbsent?: boolean }): Promise<HeadWrite> {
    const condition = options.onlyIfAbsent
      ? 'attribute_not_exists(partition_key) OR expires_at <= :now'
      : 'attribute_not_exists(partition_key) OR owner_project = :p OR expires_at <= :now';
    try {
      const out = await this.call(
        tableName,
        () =>
          this.doc.send(
            new PutCommand({
              TableName: tableName,
              Item: {
                partition_key: head.partitionKey,
                sort_key: HEAD_SORT_KEY,
                generation: head.generation,
                owner_project: head.ownerProject,
                expires_at: head.expiresAt,
              },
              ConditionExpression: condition,
              ExpressionAttributeValues: options.onlyIfAbsent ? { ':now': options.nowSeconds } : { ':now': options.nowSeconds, ':p': head.ownerProject },
              ReturnValues: 'ALL_OLD',
            }),
          ),
        true,
      );
      const previous = out.Attributes && typeof out.Attributes.generation === 'string' ? headFromRow(out.Attributes) : undefined;
      return { ok: true, previous };
    } catch (e) {
      if (isConditionFailure(e))
        return { ok: false, current: await this.getHead(tableName, head.partitionKey) };
      throw e;
    }
  }

  async extendHead(tableName: string, partitionKey: string, generation: string, expiresAt: number): Promise<void> {
    try {
      await this.call(
        tableName,
        () =>
          this.doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { partition_key: partitionKey, sort_key: HEAD_SORT_KEY },
              UpdateExpression: 'SET expires_at = :e',
              ConditionExpression: 'generation = :g AND expires_at < :e',
              ExpressionAttributeValues: { ':g': generation, ':e': expiresAt },
            }),
          ),
        true,
      );
    } catch (e) {
      if (isConditionFailure(e)) return; // replaced, or already expires later: nothing to do
      throw e;
    }
  }

  async deletePartition(tableName: string, partitionKey: string, options: { deadline?: number } = {}): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      if (options.deadline !== undefined && Date.now() > options.deadline) return;
      const out: QueryCommandOutput = await this.call(tableName, () =>
        this.doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'partition_key = :pk',
            ExpressionAttributeValues: { ':pk': partitionKey },
            ProjectionExpression: 'partition_key, sort_key',
            ExclusiveStartKey: start,
          }),
        ),
      );
      const keys = (out.Items ?? []).map((row) => ({ DeleteRequest: { Key: { partition_key: row.partition_key, sort_key: row.sort_key } } }));
      let next = 0;
      const worker = async () => {
        while (next < keys.length) {
          if (options.deadline !== undefined && Date.now() > options.deadline) return;
          let requests = keys.slice(next, (next += BATCH_WRITE_MAX_ITEMS));
          for (let attempt = 0; requests.length > 0 && attempt < UNPROCESSED_MAX_ATTEMPTS; attempt++) {
            const res = await this.call(tableName, () => this.doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } })));
            requests = (res.UnprocessedItems?.[tableName] ?? []) as typeof requests;
            if (requests.length) await sleep(Math.random() * Math.min(2000, UNPROCESSED_BASE_DELAY_MS * 2 ** attempt));
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, Math.ceil(keys.length / BATCH_WRITE_MAX_ITEMS)) }, worker)); // 4 batches in flight, like putMany
      start = out.LastEvaluatedKey;
    } while (start);
  }

  async putMany(tableName: string, items: StoredItem[], options: { deadline?: number } = {}): Promise<void> {
    const chunks: StoredItem[][] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_MAX_ITEMS) chunks.push(items.slice(i, i + BATCH_WRITE_MAX_ITEMS));
    // A few chunks in flight at once; each chunk retries its own unprocessed items.
    const inFlight = 4;
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        if (options.deadline !== undefined && Date.now() > options.deadline) throw writeTimeout(tableName);
        const chunk = chunks[next++];
        await this.writeChunk(tableName, chunk);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, chunks.length) }, worker));
  }

  private async writeChunk(tableName: string, chunk: StoredItem[]): Promise<void> {
    let requests = chunk.map((item) => ({ PutRequest: { Item: toRow(item) } }));
    for (let attempt = 0; ; attempt++) {
      const out = await this.call(tableName, () => this.doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } })), true);
      const left = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      if (left.length === 0) return;
      if (attempt + 1 >= UNPROCESSED_MAX_ATTEMPTS) {
        throw new StateDataError(
          'StateData.Throttled',
          503,
          `DynamoDB left ${left.length} of ${chunk.length} items unprocessed after ${UNPROCESSED_MAX_ATTEMPTS} attempts (table ${tableName} is throttled). ` +
            'Retry the put_items call; items already written are whole and will be overwritten.',
        );
      }
      requests = left;
      await sleep(Math.random() * Math.min(2000, UNPROCESSED_BASE_DELAY_MS * 2 ** attempt));
    }
  }

  async get(tableName: string, partitionKey: string, index: number): Promise<StoredItem | undefined> {
    const out = await this.call(tableName, () =>
      this.doc.send(
        new GetCommand({ TableName: tableName, Key: { partition_key: partitionKey, sort_key: index }, ConsistentRead: true }),
      ),
    );
    return out.Item ? fromRow(out.Item) : undefined;
  }

  async query(tableName: string, partitionKey: string, afterIndex?: number): Promise<StoredItem[]> {
    const items: StoredItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out: QueryCommandOutput = await this.call(tableName, () =>
        this.doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: afterIndex === undefined ? 'partition_key = :pk' : 'partition_key = :pk AND sort_key > :after',
            ExpressionAttributeValues: afterIndex === undefined ? { ':pk': partitionKey } : { ':pk': partitionKey, ':after': afterIndex },
            ConsistentRead: true,
            ScanIndexForward: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const row of out.Items ?? []) items.push(fromRow(row));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

function mapError(tableName: string, e: unknown): unknown {
  const name = (e as Error)?.name;
  const message = (e as Error)?.message ?? String(e);
  if (name === 'ResourceNotFoundException')
    return new StateDataError(
      'StateData.TableNotFound',
      404,
      `Table ${tableName} does not exist (or this platform may not use it). Use the table_name from a pointer returned by a put, or the platform table.`,
      { table_name: tableName },
      { cause: e },
    );
  if (name === 'AccessDeniedException')
    return new StateDataError(
      'StateData.AccessDenied',
      403,
      `The state data service may not access table ${tableName}. Global items must live in a table the platform grants (fluxio-state-data*).`,
      { table_name: tableName },
      { cause: e },
    );
  if (name === 'ValidationException')
    return new StateDataError('StateData.InvalidItem', 400, `DynamoDB rejected the item: ${message}`, undefined, { cause: e });
  if (name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException' || name === 'RequestLimitExceeded')
    return new StateDataError('StateData.Throttled', 503, `Table ${tableName} is throttled; retry with backoff.`, undefined, { cause: e });
  return e;
}
