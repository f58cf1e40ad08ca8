/**
 * The trigger records table on DynamoDB (`@aws-sdk/lib-dynamodb`); the same
 * adapter serves the local platform, pointed at its dynalite.
 *
 * Table (`FLUXIO_TRIGGERS_TABLE`; locally `fluxio-triggers` in the platform's
 * dynalite): `pk` (S, HASH), `sk` (S, RANGE), TTL attribute `expires_at`
 * (epoch seconds; publication claims only):
 * - `publication#<executionArn>` / `<status>[#redrive<n>]`: a claim (exactly-once publishing);
 * - `project#<project>` / `stateMachine#<fn>`: what the deployer recorded ({@link StateMachineTriggers});
 * - `project#<project>` / `applied`: what the project's last activation made ({@link AppliedTriggers});
 * - `topic#<topicArn>` / `downstream#<project>#<fn>`: one downstream of a topic ({@link Downstream}).
 *
 * A claim is one conditional PutItem (`attribute_not_exists(pk)`): of two
 * deliveries of one status event only the first gets it.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createTableIfMissing } from '@fluxio/state-data/adapters/createTableIfMissing';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AppliedTriggers, Downstream, StateMachineTriggers, TriggerRecords } from '../ports.ts';

/** Default table name of the local platform. */
export const DEFAULT_TRIGGERS_TABLE = 'fluxio-triggers';

/** How long a publication claim is kept, in seconds (30 days: far past EventBridge's 24 h of retries). */
export const CLAIM_TTL_SECONDS = 30 * 24 * 3600;

export interface DynamoDbTriggerRecordsOptions {
  tableName: string;
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /** Create the table when missing (local platform only). @default false */
  autoCreateTable?: boolean;
  /** Clock, epoch ms (claim expiry). */
  now?: () => number;
}

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';
const projectKey = (project: string) => `project#${project}`;
const topicKey = (topicArn: string) => `topic#${topicArn}`;

export class DynamoDbTriggerRecords implements TriggerRecords {
  readonly client: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => number;
  private ready?: Promise<void>;

  constructor(private readonly options: DynamoDbTriggerRecordsOptions) {
    this.client = options.client ?? new DynamoDBClient({ maxAttempts: 6, ...options.clientConfig });
    this.doc = DynamoDBDocumentClient.from(this.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
    this.now = options.now ?? Date.now;
  }

  /** Create the table unless it exists (local platform; `autoCreateTable`). */
  async ensureTable(): Promise<void> {
    if (!this.options.autoCreateTable) return;
    this.ready ??= createTableIfMissing(this.client, { tableName: this.table, partitionKey: 'pk', sortKey: { name: 'sk', type: 'S' } });
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  async claimPublication(executionArn: string, status: string): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `publication#${executionArn}`, sk: status, claimedAt: this.now(), expires_at: Math.floor(this.now() / 1000) + CLAIM_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async releasePublication(executionArn: string, status: string): Promise<void> {
    await this.ensureTable();
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: `publication#${executionArn}`, sk: status } }));
  }

  async getStateMachine(project: string, stateMachine: string): Promise<StateMachineTriggers | undefined> {
    const item = await this.get(projectKey(project), `stateMachine#${stateMachine}`);
    return item ? (JSON.parse(String(item.value)) as StateMachineTriggers) : undefined;
  }

  async putStateMachine(item: StateMachineTriggers): Promise<void> {
    await this.put(projectKey(item.project), `stateMachine#${item.stateMachine}`, item);
  }

  async deleteStateMachine(project: string, stateMachine: string): Promise<void> {
    await this.delete(projectKey(project), `stateMachine#${stateMachine}`);
  }

  async downstreams(topicArn: string): Promise<Downstream[]> {
    await this.ensureTable();
    const out: Downstream[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': topicKey(topicArn), ':sk': 'downstream#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(JSON.parse(String(item.value)) as Downstream);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async putDownstream(item: Downstream): Promise<void> {
    await this.put(topicKey(item.topicArn), `downstream#${item.project}#${item.stateMachine}`, item);
  }

  async deleteDownstream(topicArn: string, project: string, stateMachine: string): Promise<void> {
    await this.delete(topicKey(topicArn), `downstream#${project}#${stateMachine}`);
  }

  async getApplied(project: string): Promise<AppliedTriggers | undefined> {
    const item = await this.get(projectKey(project), 'applied');
    return item ? (JSON.parse(String(item.value)) as AppliedTriggers) : undefined;
  }

  async putApplied(item: AppliedTriggers): Promise<void> {
    await this.put(projectKey(item.project), 'applied', item);
  }

  async deleteApplied(project: string): Promise<void> {
    await this.delete(projectKey(project), 'applied');
  }

  // Values are kept as JSON text (`value`): their shape is the port's, not DynamoDB's (no empty-set or nested-null rules).
  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    await this.ensureTable();
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item;
  }

  private async put(pk: string, sk: string, value: unknown): Promise<void> {
    await this.ensureTable();
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk, sk, value: JSON.stringify(value) } }));
  }

  private async delete(pk: string, sk: string): Promise<void> {
    await this.ensureTable();
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk, sk } }));
  }
}
