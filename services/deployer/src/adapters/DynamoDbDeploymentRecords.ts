/**
 * Deployment records, the per-project lease and the current-deployment pointer
 * on DynamoDB (`@aws-sdk/lib-dynamodb`); the same adapter serves the local
 * platform, pointed at its dynalite.
 *
 * Table (`FLUXIO_DEPLOYMENTS_TABLE`; locally `fluxio-deployments` in the
 * platform's dynalite): `pk` (S, HASH) = project, `sk` (S, RANGE):
 * - `deployment#<deploymentId>`: one record (`record`, its JSON; `revision`, N).
 *   Deployment ids sort by time, so a descending query lists newest first.
 * - `lease`: `deploymentId`, `owner`, `expiresAt` (N, epoch ms).
 * - `current`: `deploymentId` of the deployment the aliases point at.
 *
 * Why a table of its own rather than a key space in the state data table: the
 * state data routes let task code put global items in a table it names, under
 * any partition key; records there could be overwritten by a project's own
 * tasks. A separate table also keeps the IAM grants apart.
 *
 * Every write is conditional: a record is created only if absent and updated
 * only from the revision it was read at; the lease is taken only when free or
 * expired, renewed, handed over and released only by its owner.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createTableIfMissing } from '@fluxio/state-data/adapters/createTableIfMissing';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DeploymentRecords, Lease, StoredRecord } from '../ports.ts';
import { DeployError } from '../errors.ts';

/** Default table name of the local platform. */
export const DEFAULT_DEPLOYMENTS_TABLE = 'fluxio-deployments';

const RECORD_PREFIX = 'deployment#';

export interface DynamoDbDeploymentRecordsOptions {
  tableName: string;
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /** Create the table when missing (local platform only). @default false */
  autoCreateTable?: boolean;
}

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';

export class DynamoDbDeploymentRecords implements DeploymentRecords {
  readonly client: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private ready?: Promise<void>;

  constructor(private readonly options: DynamoDbDeploymentRecordsOptions) {
    this.client = options.client ?? new DynamoDBClient({ maxAttempts: 6, ...options.clientConfig });
    this.doc = DynamoDBDocumentClient.from(this.client);
    this.table = options.tableName;
  }

  /** Create the table unless it exists (local platform). */
  async ensureTable(): Promise<void> {
    if (!this.options.autoCreateTable) return;
    this.ready ??= createTableIfMissing(this.client, { tableName: this.table, partitionKey: 'pk', sortKey: { name: 'sk', type: 'S' } });
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  async getLease(project: string): Promise<Lease | undefined> {
    await this.ensureTable();
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: project, sk: 'lease' }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    return { deploymentId: String(out.Item.deploymentId), owner: String(out.Item.owner), expiresAt: Number(out.Item.expiresAt) };
  }

  async acquireLease(project: string, lease: Lease, now: number): Promise<{ granted: true } | { granted: false; holder: Lease }> {
    await this.ensureTable();
    const granted = await this.conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: project, sk: 'lease', ...lease },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      ),
    );
    if (granted) return { granted: true };
    const holder = await this.getLease(project);
    return { granted: false, holder: holder ?? { ...lease, owner: '?', deploymentId: '(unknown)' } };
  }

  renewLease(project: string, lease: Lease): Promise<boolean> {
    return this.conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: project, sk: 'lease', ...lease },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': lease.owner },
        }),
      ),
    );
  }

  handOverLease(project: string, fromOwner: string, lease: Lease): Promise<boolean> {
    return this.conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: project, sk: 'lease', ...lease },
          ConditionExpression: '#owner = :from AND deploymentId = :id',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':from': fromOwner, ':id': lease.deploymentId },
        }),
      ),
    );
  }

  async releaseLease(project: string, owner: string): Promise<void> {
    await this.conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: project, sk: 'lease' },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }

  /** Run a conditional write: true when written, false when its condition failed (any other error is thrown). */
  private async conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async put(record: StoredRecord): Promise<void> {
    await this.ensureTable();
    const { revision, ...body } = record;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: record.project, sk: `${RECORD_PREFIX}${record.deploymentId}`, revision, record: JSON.stringify(body) },
          ...(revision === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'revision = :previous', ExpressionAttributeValues: { ':previous': revision - 1 } }),
        }),
      );
    } catch (e) {
      if (isConditionFailure(e))
        throw new DeployError('Deploy.Conflict', 409, `Deployment ${record.deploymentId} of ${record.project} was changed by another call meanwhile; retry.`, { deploymentId: record.deploymentId }, { cause: e });
      throw e;
    }
  }

  private static fromItem(item: Record<string, unknown>): StoredRecord {
    return { ...(JSON.parse(String(item.record)) as Omit<StoredRecord, 'revision'>), revision: Number(item.revision) } as StoredRecord;
  }

  async get(project: string, deploymentId: string): Promise<StoredRecord | undefined> {
    await this.ensureTable();
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: project, sk: `${RECORD_PREFIX}${deploymentId}` }, ConsistentRead: true }));
    return out.Item ? DynamoDbDeploymentRecords.fromItem(out.Item) : undefined;
  }

  async list(project: string, limit: number, next?: string): Promise<{ records: StoredRecord[]; next?: string }> {
    await this.ensureTable();
    let start: Record<string, unknown> | undefined;
    if (next !== undefined) {
      try {
        const sk = Buffer.from(next, 'base64url').toString('utf8');
        if (!sk.startsWith(RECORD_PREFIX)) throw new Error('not a page token');
        start = { pk: project, sk };
      } catch {
        throw new DeployError('Request.InvalidQuery', 400, `next=${JSON.stringify(next)} is not a page token from a previous answer; leave it out for the first page.`);
      }
    }
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': project, ':prefix': RECORD_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const records = (out.Items ?? []).map(DynamoDbDeploymentRecords.fromItem);
    const last = out.LastEvaluatedKey?.sk;
    return { records, ...(typeof last === 'string' ? { next: Buffer.from(last, 'utf8').toString('base64url') } : {}) };
  }

  async getCurrent(project: string): Promise<string | undefined> {
    await this.ensureTable();
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: project, sk: 'current' }, ConsistentRead: true }));
    return out.Item ? String(out.Item.deploymentId) : undefined;
  }

  async setCurrent(project: string, deploymentId: string | undefined): Promise<void> {
    await this.ensureTable();
    if (deploymentId === undefined) await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: project, sk: 'current' } }));
    else await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: project, sk: 'current', deploymentId } }));
  }
}
