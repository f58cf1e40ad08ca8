/**
 * The state data domain (issue 3; original semantics from py2sfn-task-tools,
 * spec §20): put/get items by table, partition key and index, offloading big
 * values to the blob store, with expiry, and stopping executions.
 *
 * Never sees HTTP or Lambda types; the handlers in `handlers/` map to it.
 */
import {
  DEFAULT_STATE_DATA_TABLE,
  DEFAULT_TTL_SECONDS,
  MAX_TTL_SECONDS,
  MAX_VALUE_BYTES,
  OFFLOAD_THRESHOLD_BYTES,
  PRESIGNED_URL_TTL_SECONDS,
  STATE_DATA_MAX_BODY_BYTES,
  type BlobDownload,
} from '@fluxio/contracts/schemas/stateData';
import type { BlobStore, ExecutionController, ItemAddress, ItemStore, StopOutcome, StoredItem } from './ports.ts';
import { StateDataError, noItemFound } from './errors.ts';
import { blobKeyFor, sha256Hex } from './blobKey.ts';

export interface StateDataServiceOptions {
  items: ItemStore;
  blobs: BlobStore;
  executions: ExecutionController;
  /** Table of local (project-scoped) items. @default 'fluxio-state-data' */
  defaultTableName?: string;
  /** Item lifetime when a request names none, in seconds. @default 604800 (7 days) */
  defaultTtlSeconds?: number;
  /**
   * Longest lifetime a request may ask for, in seconds. On AWS it must not
   * exceed the bucket's lifecycle expiry of offloaded values (serverless.yml).
   * @default 31622400 (366 days; MAX_TTL_SECONDS)
   */
  maxTtlSeconds?: number;
  /** Values whose JSON exceeds this many bytes go to the blob store. @default 390000 (spec §20.3) */
  offloadThresholdBytes?: number;
  /** Largest value returned inline by a read, in bytes; bigger ones get a download URL. @default 5 MiB */
  inlineLimitBytes?: number;
  /** Clock, epoch milliseconds (tests). @default Date.now */
  now?: () => number;
}

/** A value read back: its JSON text, or where to download it. */
export type ReadValue = { json: string } | { download: BlobDownload };

/** How many blobs a put_items call uploads at once. */
const BLOB_UPLOAD_CONCURRENCY = 4;

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The state data service. */
export class StateDataService {
  readonly items: ItemStore;
  readonly blobs: BlobStore;
  readonly executions: ExecutionController;
  readonly defaultTableName: string;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly offloadThresholdBytes: number;
  readonly inlineLimitBytes: number;
  private readonly now: () => number;

  constructor(options: StateDataServiceOptions) {
    this.items = options.items;
    this.blobs = options.blobs;
    this.executions = options.executions;
    this.defaultTableName = options.defaultTableName ?? DEFAULT_STATE_DATA_TABLE;
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? DEFAULT_TTL_SECONDS;
    this.maxTtlSeconds = options.maxTtlSeconds ?? MAX_TTL_SECONDS;
    this.offloadThresholdBytes = options.offloadThresholdBytes ?? OFFLOAD_THRESHOLD_BYTES;
    this.inlineLimitBytes = options.inlineLimitBytes ?? STATE_DATA_MAX_BODY_BYTES;
    this.now = options.now ?? Date.now;
  }

  /** Partition key of a local item: `<execution name>:<key>` (spec §20.2). */
  localPartitionKey(execution: string, key: string): string {
    return `${execution}:${key}`;
  }

  private expiresAt(ttlSeconds?: number): number {
    if (ttlSeconds !== undefined && ttlSeconds > this.maxTtlSeconds)
      throw new StateDataError(
        'StateData.TtlTooLong',
        400,
        `ttlSeconds ${ttlSeconds} is above this platform's maximum item lifetime of ${this.maxTtlSeconds} seconds (offloaded values expire from the bucket after that). Ask for at most ${this.maxTtlSeconds}.`,
      );
    return Math.floor(this.now() / 1000) + (ttlSeconds ?? this.defaultTtlSeconds);
  }

  private isExpired(item: StoredItem): boolean {
    return item.expiresAt <= Math.floor(this.now() / 1000);
  }

  /** Build the stored item for `json`, uploading the blob first when it is above the threshold. */
  private async prepare(address: ItemAddress, json: string, expiresAt: number): Promise<StoredItem> {
    const size = Buffer.byteLength(json);
    if (size > MAX_VALUE_BYTES)
      throw new StateDataError(
        'StateData.ValueTooLarge',
        413,
        `The value is ${size} bytes of JSON; the limit is ${MAX_VALUE_BYTES} bytes (100 MiB). Split it into several items (put_items).`,
      );
    const base = { partitionKey: address.partitionKey, index: address.index, expiresAt };
    if (size <= this.offloadThresholdBytes) return { ...base, data: json };
    const bytes = Buffer.from(json);
    const sha256 = sha256Hex(bytes);
    const key = blobKeyFor(address.tableName, address.partitionKey, address.index, sha256);
    await this.blobs.put(key, bytes); // blob before item: no item ever points to nothing
    return { ...base, blob: { key, sizeBytes: size, sha256 } };
  }

  /**
   * Store one value (its JSON text) at `address`, replacing any item there.
   * @param json the value serialised as JSON (UTF-8 size decides offload)
   * @param ttlSeconds lifetime, seconds (default: the service default)
   * @throws StateDataError 413 `StateData.ValueTooLarge` above 100 MiB; 404 `StateData.TableNotFound`
   */
  async putItem(address: ItemAddress, json: string, ttlSeconds?: number): Promise<void> {
    const item = await this.prepare(address, json, this.expiresAt(ttlSeconds));
    await this.items.put(address.tableName, item);
  }

  /**
   * Store `jsons[i]` at index i of the partition (original `put_items`): every
   * element shares one `expires_at`; blobs are written before any item; items
   * go out in BatchWriteItem chunks of 25.
   */
  async putItems(tableName: string, partitionKey: string, jsons: string[], ttlSeconds?: number, startIndex = 0): Promise<void> {
    const expiresAt = this.expiresAt(ttlSeconds);
    const stored: StoredItem[] = new Array(jsons.length);
    await eachLimited(
      jsons.map((json, index) => ({ json, index })),
      BLOB_UPLOAD_CONCURRENCY,
      async ({ json, index }) => {
        stored[index] = await this.prepare({ tableName, partitionKey, index: startIndex + index }, json, expiresAt);
      },
    );
    await this.items.putMany(tableName, stored);
  }

  /**
   * A presigned URL to upload a value's JSON bytes (values above the inline
   * body limit). Follow with {@link commitUpload}.
   */
  async createUploadUrl(address: ItemAddress, upload: { sha256: string; sizeBytes: number }, origin: string) {
    if (upload.sizeBytes > MAX_VALUE_BYTES)
      throw new StateDataError(
        'StateData.ValueTooLarge',
        413,
        `The value is ${upload.sizeBytes} bytes; the limit is ${MAX_VALUE_BYTES} bytes (100 MiB). Split it into several items (put_items).`,
      );
    const key = blobKeyFor(address.tableName, address.partitionKey, address.index, upload.sha256);
    const signed = await this.blobs.presign('PUT', key, PRESIGNED_URL_TTL_SECONDS, origin);
    return { url: signed.url, method: 'PUT' as const, headers: signed.headers, expiresAt: signed.expiresAt };
  }

  /**
   * Make the item at `address` point to bytes uploaded through
   * {@link createUploadUrl}, after checking their size and SHA-256.
   * @throws StateDataError 409 `StateData.UploadNotFound`; 400 `StateData.UploadMismatch`
   */
  async commitUpload(address: ItemAddress, upload: { sha256: string; sizeBytes: number }, ttlSeconds?: number): Promise<void> {
    const key = blobKeyFor(address.tableName, address.partitionKey, address.index, upload.sha256);
    const actual = await this.blobs.digest(key);
    if (!actual)
      throw new StateDataError(
        'StateData.UploadNotFound',
        409,
        `Nothing was uploaded for sha256 ${upload.sha256} at partition_key=${address.partitionKey} sort_key=${address.index}. ` +
          'Request an upload URL (POST …/upload-url), PUT the bytes to it, then commit.',
      );
    if (actual.sha256 !== upload.sha256 || actual.sizeBytes !== upload.sizeBytes)
      throw new StateDataError(
        'StateData.UploadMismatch',
        400,
        `The uploaded bytes (${actual.sizeBytes} bytes, sha256 ${actual.sha256}) do not match the declared ${upload.sizeBytes} bytes, sha256 ${upload.sha256}. Upload again.`,
      );
    await this.items.put(address.tableName, {
      partitionKey: address.partitionKey,
      index: address.index,
      expiresAt: this.expiresAt(ttlSeconds),
      blob: { key, sizeBytes: actual.sizeBytes, sha256: actual.sha256 },
    });
  }

  private async read(tableName: string, item: StoredItem, origin: string, inlineBudget: number): Promise<ReadValue> {
    if (!item.blob) return { json: item.data ?? 'null' };
    const { blob } = item;
    if (blob.sizeBytes > inlineBudget) {
      const signed = await this.blobs.presign('GET', blob.key, PRESIGNED_URL_TTL_SECONDS, origin);
      return { download: { url: signed.url, method: 'GET', sha256: blob.sha256, sizeBytes: blob.sizeBytes, expiresAt: signed.expiresAt } };
    }
    const bytes = await this.blobs.get(blob.key);
    const where = `partition_key=${item.partitionKey} sort_key=${item.index} table_name=${tableName}`;
    if (!bytes)
      throw new StateDataError('StateData.BlobMissing', 500, `The offloaded value of ${where} is missing from the blob store (key ${blob.key}). Put the item again.`);
    const sha256 = sha256Hex(bytes);
    if (sha256 !== blob.sha256 || bytes.length !== blob.sizeBytes)
      throw new StateDataError(
        'StateData.IntegrityError',
        500,
        `The offloaded value of ${where} is corrupt: expected ${blob.sizeBytes} bytes with sha256 ${blob.sha256}, found ${bytes.length} bytes with sha256 ${sha256}. Put the item again.`,
      );
    const json = bytes.toString('utf8');
    try {
      JSON.parse(json);
    } catch {
      throw new StateDataError('StateData.IntegrityError', 500, `The offloaded value of ${where} is not JSON. Put the item again.`);
    }
    return { json };
  }

  /**
   * Read one item (consistent read). Expired items read as absent.
   * @param origin base URL of the request (for embedded presigned URLs)
   * @throws StateDataError 404 `StateData.NoItemFound` naming partition key, sort key and table
   */
  async getItem(address: ItemAddress, origin: string): Promise<ReadValue> {
    const item = await this.items.get(address.tableName, address.partitionKey, address.index);
    if (!item || this.isExpired(item)) throw noItemFound(address.tableName, address.partitionKey, address.index);
    return this.read(address.tableName, item, origin, this.inlineLimitBytes);
  }

  /**
   * Read the unexpired items of a partition in index order (Query, all pages,
   * consistent), starting after `afterIndex` when given. Values are inlined
   * until the response budget (`inlineLimitBytes`) is spent: offloaded values
   * that do not fit come as download URLs, and when inline values no longer
   * fit the page ends and `next` is the index to continue after.
   * `values: []` when there are none.
   */
  async getItems(
    tableName: string,
    partitionKey: string,
    origin: string,
    afterIndex?: number,
  ): Promise<{ values: ReadValue[]; indexes: number[]; next?: number }> {
    const items = (await this.items.query(tableName, partitionKey, afterIndex)).filter((i) => !this.isExpired(i));
    let budget = this.inlineLimitBytes;
    const values: ReadValue[] = [];
    const indexes: number[] = [];
    for (const item of items) {
      if (!item.blob) {
        const size = Buffer.byteLength(item.data ?? 'null') + 16;
        if (size > budget && values.length > 0) return { values, indexes, next: indexes[indexes.length - 1] };
        budget -= size;
      }
      const value = await this.read(tableName, item, origin, item.blob ? budget : Infinity);
      if (item.blob && 'json' in value) budget -= item.blob.sizeBytes;
      else if (item.blob) budget -= 512; // the download descriptor
      if (budget < 0 && values.length > 0) return { values, indexes, next: indexes[indexes.length - 1] };
      values.push(value);
      indexes.push(item.index);
    }
    return { values, indexes };
  }

  /** Stop an execution (name, or ARN on AWS); a finished execution is not an error. */
  stopExecution(execution: string, options: { error?: string; cause?: string }): Promise<StopOutcome> {
    return this.executions.stop(execution, options);
  }
}
