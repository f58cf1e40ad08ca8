/**
 * The ports of the state data service: one interface per external system,
 * with one adapter per target in `adapters/` (DESIGN.md §2).
 */

/** Where an item lives: table, partition key and index (the numeric sort key). */
export interface ItemAddress {
  tableName: string;
  partitionKey: string;
  /** The sort key: 0 for single items, the array position for put_items. */
  index: number;
}

/** A blob reference kept on an offloaded item. */
export interface BlobRef {
  /** Blob store key, `workflow_state_data/<table>/<partition>/<index>/<sha256>`. */
  key: string;
  sizeBytes: number;
  /** Lower-case hex SHA-256 of the blob bytes. */
  sha256: string;
}

/**
 * An item as stored (spec §20.2): exactly one of `data` (the value's JSON text)
 * or `blob`. `expiresAt` is epoch seconds (DynamoDB TTL attribute `expires_at`).
 */
export interface StoredItem {
  partitionKey: string;
  index: number;
  data?: string;
  blob?: BlobRef;
  expiresAt: number;
}

/**
 * The head of a partition (issue 11): which generation holds its items and
 * which project owns it. Stored at `(partition key, sort_key -1)`; the items
 * of generation `g` live under partition key `<partition key>#<g>` (`#` cannot
 * occur in a partition key the API accepts, so storage keys never collide).
 */
export interface PartitionHead {
  partitionKey: string;
  generation: string;
  /** The project that may write the partition. */
  ownerProject: string;
  /** Epoch seconds; never before the last expiry of the generation's items. */
  expiresAt: number;
}

/** The outcome of a conditional head write. */
export type HeadWrite = { ok: true; previous?: PartitionHead } | { ok: false; current?: PartitionHead };

/** Item storage (DynamoDB on both targets; dynalite locally). */
export interface ItemStore {
  /** Write one whole item (replacing any item at the same key). */
  put(tableName: string, item: StoredItem): Promise<void>;
  /**
   * Write many items; every item is written whole or not at all. Retries unprocessed items.
   * @param options.deadline epoch ms after which no further batch is sent (throws 503 `StateData.WriteTimeout`)
   */
  putMany(tableName: string, items: StoredItem[], options?: { deadline?: number }): Promise<void>;
  /** Strongly consistent read of a partition's head, or `undefined`. */
  getHead(tableName: string, partitionKey: string): Promise<PartitionHead | undefined>;
  /**
   * Write `head` only if the partition has no head, or its head is owned by
   * `head.ownerProject`, or its head expired before `nowSeconds` (one
   * conditional PutItem). `ok: false` when another project owns it.
   * Creating the table when it is missing is allowed (embedded target).
   */
  putHead(tableName: string, head: PartitionHead, options: { nowSeconds: number; onlyIfAbsent?: boolean }): Promise<HeadWrite>;
  /** Raise the head's expiry to `expiresAt` if it still names `generation` and expires earlier. */
  extendHead(tableName: string, partitionKey: string, generation: string, expiresAt: number): Promise<void>;
  /** Delete every item stored under `partitionKey` (best effort, stops at `deadline`, epoch ms). */
  deletePartition(tableName: string, partitionKey: string, options?: { deadline?: number }): Promise<void>;
  /** Strongly consistent read of one item, or `undefined`. */
  get(tableName: string, partitionKey: string, index: number): Promise<StoredItem | undefined>;
  /** Every item of a partition (after `afterIndex` when given), ascending index, strongly consistent, all pages. */
  query(tableName: string, partitionKey: string, afterIndex?: number): Promise<StoredItem[]>;
}

/** Presigned URL handed to a client. */
export interface PresignedUrl {
  url: string;
  headers: Record<string, string>;
  /** Epoch seconds. */
  expiresAt: number;
}

/** Blob storage (S3 on AWS; a directory on the embedded target). */
export interface BlobStore {
  /** Store the bytes under `key` (whole or not at all). */
  put(key: string, body: Buffer): Promise<void>;
  /** The bytes under `key`, or `undefined` when absent. */
  get(key: string): Promise<Buffer | undefined>;
  /** Size and SHA-256 (hex) of the blob, streamed; `undefined` when absent. */
  digest(key: string): Promise<{ sizeBytes: number; sha256: string } | undefined>;
  /**
   * A URL the client can `PUT` / `GET` the blob with, valid `expiresInSeconds`.
   * `origin` is the base URL the request came in on (used by the embedded
   * target, whose URLs point back at the local server). `sizeBytes` (uploads)
   * is the exact size the URL accepts: a body of another size is refused.
   */
  presign(method: 'PUT' | 'GET', key: string, expiresInSeconds: number, origin: string, sizeBytes?: number): Promise<PresignedUrl>;
}

/** Result of stopping an execution. */
export type StopOutcome = 'stopped' | 'already-finished';

/** Stops executions (Step Functions StopExecution on AWS; the local runner embedded). */
export interface ExecutionController {
  /**
   * Stop the execution named `execution` (a name, or a full execution ARN on
   * AWS) of `project`; an execution of another project is never stopped.
   * Stopping a finished execution is not an error (`'already-finished'`).
   * @throws StateDataError `StateData.ExecutionNotFound` (404) when the project has no such execution;
   *   403 `StateData.ExecutionNotInProject` when the ARN names another project's state machine
   */
  stop(project: string, execution: string, options: { error?: string; cause?: string }): Promise<StopOutcome>;
}
