/**
 * The state data domain (issue 3; original semantics from py2sfn-task-tools,
 * spec §20): put/get items by table, partition key and index, offloading big
 * values to the blob store, with expiry, and stopping executions.
 *
 * Storage layout (issue 11):
 * - Local items of project P live under partition key `P:<execution>:<key>`
 *   (neither a project nor an execution name contains `:`).
 * - Every partition K has a *head* row (`sort_key` -1) naming the current
 *   *generation* g and the *owner project*; the items of generation g live
 *   under the storage partition key `K#g` (`#` never occurs in an API
 *   partition key). A put_items writes a fresh generation, then makes it
 *   current with one conditional write of the head: its items become visible
 *   together or not at all, and of two concurrent put_items the last commit
 *   wins whole. The previous generation is then deleted (best effort; TTL
 *   removes what is left). Readers read the head, then that generation, and
 *   read again when the head moved meanwhile.
 * - Writes (local or global) go only into partitions of the calling project:
 *   a key shaped like a local key `Q:<execution>:<key>` belongs to project Q,
 *   any other key to the project that first wrote it (the head's owner, kept
 *   while the head lives: the platform's longest item lifetime after the last
 *   put_items). Reads are open to every project (spec §20.4 global reads).
 *
 * Never sees HTTP or Lambda types; the handlers in `handlers/` map to it.
 */
import {
  DEFAULT_STATE_DATA_TABLE,
  DEFAULT_TTL_SECONDS,
  MAX_TTL_SECONDS,
  MAX_VALUE_BYTES,
  MAX_PUT_ITEMS_PER_REQUEST,
  MAX_PUT_ITEMS_TOTAL,
  OFFLOAD_THRESHOLD_BYTES,
  PUT_ITEMS_DEADLINE_MS,
  EXECUTION_NAME_PATTERN,
  ITEM_KEY_PATTERN,
  STATE_DATA_PROJECT_PATTERN,
  PRESIGNED_URL_TTL_SECONDS,
  STATE_DATA_MAX_BODY_BYTES,
  type BlobDownload,
} from '@fluxio/contracts/schemas/stateData';
import { randomBytes } from 'node:crypto';
import type { BlobStore, ExecutionController, ItemAddress, ItemStore, PartitionHead, StopOutcome, StoredItem } from './ports.ts';
import { StateDataError, isStateDataError, noItemFound } from './errors.ts';
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
  /** How long one put_items request may write before giving up uncommitted, ms. @default 20000 (PUT_ITEMS_DEADLINE_MS) */
  putItemsDeadlineMs?: number;
}

/** Options of {@link StateDataService.putItems}. */
export interface PutItemsOptions {
  ttlSeconds?: number;
  /** Index of the first element. @default 0 */
  startIndex?: number;
  /** Continue this uncommitted generation (a list split over several requests). */
  generation?: string;
  /** Make the generation current after writing. @default true */
  commit?: boolean;
}

const strip = (pattern: string) => pattern.replace(/^\^/, '').replace(/\$$/, '');
/** A local item's partition key: `<project>:<execution>:<key>`. */
const LOCAL_PARTITION_KEY = new RegExp(
  `^(${strip(STATE_DATA_PROJECT_PATTERN)}):(?:${strip(EXECUTION_NAME_PATTERN)}):(?:${strip(ITEM_KEY_PATTERN)})$`,
);

/** The storage partition key of generation `generation` of partition `partitionKey`. */
export const generationPartitionKey = (partitionKey: string, generation: string) => `${partitionKey}#${generation}`;

/** A fresh generation id: time (base 36) then 64 random bits, `[0-9a-z]{25}`. */
export const newGeneration = (): string => Date.now().toString(36).padStart(9, '0') + randomBytes(8).toString('hex');

/**
 * The heads this process last saw, by table and partition key (at most
 * {@link HEAD_CACHE_ENTRIES}, oldest dropped first). Only a guess that lets a
 * get_item / put_item read the head *in parallel* with the item it addresses
 * (one round trip instead of two); the head read always decides.
 */
class HeadCache {
  private readonly heads = new Map<string, PartitionHead>();
  constructor(private readonly capacity: number) {}
  private key = (tableName: string, partitionKey: string) => `${tableName}\n${partitionKey}`;
  get(tableName: string, partitionKey: string): PartitionHead | undefined {
    return this.heads.get(this.key(tableName, partitionKey));
  }
  set(tableName: string, head: PartitionHead | undefined, partitionKey = head?.partitionKey): void {
    if (partitionKey === undefined) return;
    const key = this.key(tableName, partitionKey);
    this.heads.delete(key);
    if (!head) return;
    this.heads.set(key, head);
    if (this.heads.size > this.capacity) this.heads.delete(this.heads.keys().next().value as string);
  }
}

/** Heads remembered per process (a few MB at most). */
const HEAD_CACHE_ENTRIES = 10_000;

/** How many times a read starts over when the key's items were replaced while it read. */
const READ_ATTEMPTS = 4;

const notOwned = (tableName: string, partitionKey: string, owner: string, project: string) =>
  new StateDataError(
    'StateData.PartitionNotOwned',
    403,
    `Partition ${partitionKey} of table ${tableName} belongs to project ${owner}; project ${project} may read it ` +
      `(get_global_item / get_global_items) but not write it. Write to a partition key of your own (for example "${project}:…").`,
    { table_name: tableName, partition_key: partitionKey, owner_project: owner },
  );

const itemsReplaced = (tableName: string, partitionKey: string) =>
  new StateDataError(
    'StateData.ItemsReplaced',
    409,
    `The items of partition_key=${partitionKey} table_name=${tableName} were replaced (put_items) while you were paging. Read them again from the start (without after/generation).`,
    { table_name: tableName, partition_key: partitionKey },
  );

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

/**
 * The bounds of one put_items request (issue 11): at most
 * {@link MAX_PUT_ITEMS_PER_REQUEST} elements, and `startIndex + count` at most
 * {@link MAX_PUT_ITEMS_TOTAL}.
 * @throws StateDataError 413 `StateData.TooManyItems`; 400 `StateData.IndexTooLarge`
 */
export function assertPutItemsBounds(count: number, startIndex: number): void {
  if (count > MAX_PUT_ITEMS_PER_REQUEST)
    throw new StateDataError(
      'StateData.TooManyItems',
      413,
      `put_items got ${count} items; one request carries at most ${MAX_PUT_ITEMS_PER_REQUEST}. ` +
        `Split the list: send the first ${MAX_PUT_ITEMS_PER_REQUEST} with "commit": false, then the next ones with "startIndex" and the "generation" returned, the last with "commit": true ` +
        '(the Fluxio clients split automatically). Nothing was written.',
      { maxItems: MAX_PUT_ITEMS_PER_REQUEST, items: count },
    );
  if (!Number.isSafeInteger(startIndex) || startIndex < 0 || startIndex + count > MAX_PUT_ITEMS_TOTAL)
    throw new StateDataError(
      'StateData.IndexTooLarge',
      400,
      `startIndex ${startIndex} + ${count} items is beyond the largest put_items list of ${MAX_PUT_ITEMS_TOTAL} elements. Nothing was written.`,
      { maxItems: MAX_PUT_ITEMS_TOTAL },
    );
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
  readonly putItemsDeadlineMs: number;
  private readonly now: () => number;
  private readonly heads = new HeadCache(HEAD_CACHE_ENTRIES);

  constructor(options: StateDataServiceOptions) {
    this.items = options.items;
    this.blobs = options.blobs;
    this.executions = options.executions;
    this.defaultTableName = options.defaultTableName ?? DEFAULT_STATE_DATA_TABLE;
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? DEFAULT_TTL_SECONDS;
    this.maxTtlSeconds = options.maxTtlSeconds ?? MAX_TTL_SECONDS;
    this.offloadThresholdBytes = options.offloadThresholdBytes ?? OFFLOAD_THRESHOLD_BYTES;
    this.inlineLimitBytes = options.inlineLimitBytes ?? STATE_DATA_MAX_BODY_BYTES;
    this.putItemsDeadlineMs = options.putItemsDeadlineMs ?? PUT_ITEMS_DEADLINE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Partition key of a local item: `<project>:<execution name>:<key>` (spec §20.2, scoped by project: issue 11). */
  localPartitionKey(project: string, execution: string, key: string): string {
    return `${project}:${execution}:${key}`;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private expiresAt(ttlSeconds?: number): number {
    if (ttlSeconds !== undefined && ttlSeconds > this.maxTtlSeconds)
      throw new StateDataError(
        'StateData.TtlTooLong',
        400,
        `ttlSeconds ${ttlSeconds} is above this platform's maximum item lifetime of ${this.maxTtlSeconds} seconds (offloaded values expire from the bucket after that). Ask for at most ${this.maxTtlSeconds}.`,
      );
    return this.nowSeconds() + (ttlSeconds ?? this.defaultTtlSeconds);
  }

  private isExpired(item: { expiresAt: number }): boolean {
    return item.expiresAt <= this.nowSeconds();
  }

  /** The live head of a partition, or `undefined` (absent or expired). */
  private async liveHead(tableName: string, partitionKey: string): Promise<PartitionHead | undefined> {
    const head = await this.items.getHead(tableName, partitionKey);
    const live = head && !this.isExpired(head) ? head : undefined;
    this.heads.set(tableName, live, partitionKey);
    return live;
  }

  /** @throws StateDataError 403 when `partitionKey` has the shape of another project's local key */
  private checkReserved(project: string, tableName: string, partitionKey: string): void {
    const reserved = LOCAL_PARTITION_KEY.exec(partitionKey)?.[1];
    if (reserved !== undefined && reserved !== project) throw notOwned(tableName, partitionKey, reserved, project);
  }

  /**
   * Check that `project` may write the partition and return its live head.
   * A table that does not exist yet reads as no head (the write creates it
   * where the target allows, else answers 404).
   * @throws StateDataError 403 `StateData.PartitionNotOwned`
   */
  private async writableHead(project: string, tableName: string, partitionKey: string): Promise<PartitionHead | undefined> {
    this.checkReserved(project, tableName, partitionKey);
    let head: PartitionHead | undefined;
    try {
      head = await this.liveHead(tableName, partitionKey);
    } catch (e) {
      if (isStateDataError(e) && e.code === 'StateData.TableNotFound') return undefined;
      throw e;
    }
    if (head && head.ownerProject !== project) throw notOwned(tableName, partitionKey, head.ownerProject, project);
    return head;
  }

  /** The head a new partition gets: a fresh generation owned by `project`, living as long as the longest item may. */
  private freshHead(project: string, partitionKey: string, generation = newGeneration()): PartitionHead {
    return { partitionKey, generation, ownerProject: project, expiresAt: this.nowSeconds() + this.maxTtlSeconds };
  }

  /** The live head of a partition `project` may write, created (with a fresh generation) when there is none. */
  private async headForWrite(project: string, tableName: string, partitionKey: string): Promise<PartitionHead> {
    let head = await this.writableHead(project, tableName, partitionKey);
    for (let attempt = 0; !head && attempt < READ_ATTEMPTS; attempt++) {
      const fresh = this.freshHead(project, partitionKey);
      const res = await this.items.putHead(tableName, fresh, { nowSeconds: this.nowSeconds(), onlyIfAbsent: true });
      if (res.ok) {
        this.heads.set(tableName, fresh);
        return fresh;
      }
      // someone created it meanwhile: use theirs if it is ours
      if (res.current && !this.isExpired(res.current)) {
        if (res.current.ownerProject !== project) throw notOwned(tableName, partitionKey, res.current.ownerProject, project);
        head = res.current;
      }
    }
    if (!head) throw new StateDataError('StateData.Contended', 503, `Partition ${partitionKey} of table ${tableName} is being written concurrently; retry.`);
    return head;
  }

  /** Build the stored item for `json` in `generation`, uploading the blob first when it is above the threshold. */
  private async prepare(address: ItemAddress, json: string, expiresAt: number, generation: string): Promise<StoredItem> {
    const size = Buffer.byteLength(json);
    if (size > MAX_VALUE_BYTES)
      throw new StateDataError(
        'StateData.ValueTooLarge',
        413,
        `The value is ${size} bytes of JSON; the limit is ${MAX_VALUE_BYTES} bytes (100 MiB). Split it into several items (put_items).`,
      );
    const base = { partitionKey: generationPartitionKey(address.partitionKey, generation), index: address.index, expiresAt };
    if (size <= this.offloadThresholdBytes) return { ...base, data: json };
    const bytes = Buffer.from(json);
    const sha256 = sha256Hex(bytes);
    const key = blobKeyFor(address.tableName, address.partitionKey, address.index, sha256);
    await this.blobs.put(key, bytes); // blob before item: no item ever points to nothing
    return { ...base, blob: { key, sizeBytes: size, sha256 } };
  }

  /**
   * Write one item built by `make` into the current generation (created when
   * the partition has none) or into the uncommitted `generation` given.
   */
  private async writeOne(
    project: string,
    address: ItemAddress,
    expiresAt: number,
    generation: string | undefined,
    make: (generation: string) => Promise<StoredItem>,
  ): Promise<void> {
    if (generation !== undefined) {
      await this.writableHead(project, address.tableName, address.partitionKey);
      await this.items.put(address.tableName, await make(generation));
      return;
    }
    const { tableName, partitionKey } = address;
    let head: PartitionHead | undefined;
    const guess = this.heads.get(tableName, partitionKey);
    if (guess && guess.ownerProject === project && !this.isExpired(guess)) {
      // Write into the generation last seen while reading the head: done if it is still the current one.
      this.checkReserved(project, tableName, partitionKey);
      const item = await make(guess.generation);
      const [, now] = await Promise.all([this.items.put(tableName, item), this.liveHead(tableName, partitionKey).catch(() => undefined)]);
      if (now?.generation === guess.generation && now.ownerProject === project) head = now;
    }
    if (!head) {
      head = await this.headForWrite(project, tableName, partitionKey);
      await this.items.put(tableName, await make(head.generation));
    }
    // A put_items that replaced the generation meanwhile wins: this write is ordered before it.
    if (expiresAt > head.expiresAt) await this.items.extendHead(tableName, partitionKey, head.generation, this.nowSeconds() + this.maxTtlSeconds);
  }

  /**
   * Store one value (its JSON text) at `address` for `project`, replacing any
   * item at that index of the key's current items (spec §20.4: it may
   * overwrite element i of an earlier put_items, or create it).
   * @param json the value serialised as JSON (UTF-8 size decides offload)
   * @param ttlSeconds lifetime, seconds (default: the service default)
   * @param generation write into this uncommitted put_items generation instead
   * @throws StateDataError 413 `StateData.ValueTooLarge` above 100 MiB; 404 `StateData.TableNotFound`;
   *   403 `StateData.PartitionNotOwned` when the partition belongs to another project
   */
  async putItem(project: string, address: ItemAddress, json: string, ttlSeconds?: number, generation?: string): Promise<void> {
    const expiresAt = this.expiresAt(ttlSeconds);
    await this.writeOne(project, address, expiresAt, generation, (g) => this.prepare(address, json, expiresAt, g));
  }

  /**
   * Replace the items of a partition with `jsons[i]` at index `startIndex + i`
   * (original `put_items`, atomic since issue 11): the elements go into a
   * fresh generation (or the uncommitted `generation` given), share one
   * `expires_at`, blobs are written before any item, items go out in
   * BatchWriteItem chunks of 25; then, unless `commit` is false, one
   * conditional head write makes the generation current.
   * @returns the generation when it was left uncommitted
   * @throws StateDataError 413 `StateData.TooManyItems` above {@link MAX_PUT_ITEMS_PER_REQUEST} elements;
   *   400 `StateData.IndexTooLarge` when startIndex + length exceeds {@link MAX_PUT_ITEMS_TOTAL};
   *   503 `StateData.WriteTimeout` when the writes did not finish within the deadline (nothing committed);
   *   403 `StateData.PartitionNotOwned`
   */
  async putItems(project: string, tableName: string, partitionKey: string, jsons: string[], options: PutItemsOptions = {}): Promise<{ generation?: string }> {
    const startIndex = options.startIndex ?? 0;
    assertPutItemsBounds(jsons.length, startIndex);
    const deadline = Date.now() + this.putItemsDeadlineMs;
    const expiresAt = this.expiresAt(options.ttlSeconds);
    await this.writableHead(project, tableName, partitionKey);
    const generation = options.generation ?? newGeneration();
    const stored: StoredItem[] = new Array(jsons.length);
    await eachLimited(
      jsons.map((json, index) => ({ json, index })),
      BLOB_UPLOAD_CONCURRENCY,
      async ({ json, index }) => {
        if (Date.now() > deadline && Buffer.byteLength(json) > this.offloadThresholdBytes)
          throw new StateDataError('StateData.WriteTimeout', 503, 'put_items did not finish uploading its values in time; nothing was committed. Retry with fewer items per request.');
        stored[index] = await this.prepare({ tableName, partitionKey, index: startIndex + index }, json, expiresAt, generation);
      },
    );
    await this.items.putMany(tableName, stored, { deadline });
    if (options.commit === false) return { generation };
    await this.commit(project, tableName, partitionKey, generation, deadline);
    return {};
  }

  /** Make `generation` the partition's current items (one conditional write), then delete the previous one. */
  private async commit(project: string, tableName: string, partitionKey: string, generation: string, deadline: number): Promise<void> {
    const head = this.freshHead(project, partitionKey, generation);
    let previous: PartitionHead | undefined;
    try {
      const res = await this.items.putHead(tableName, head, { nowSeconds: this.nowSeconds() });
      if (!res.ok) throw notOwned(tableName, partitionKey, res.current?.ownerProject ?? 'another project', project);
      previous = res.previous;
      this.heads.set(tableName, head);
    } catch (e) {
      if (isStateDataError(e) && e.statusCode < 500) throw e;
      // The answer was lost: the head tells whether the commit happened.
      const current = await this.items.getHead(tableName, partitionKey).catch(() => undefined);
      if (current?.generation !== generation) throw e;
    }
    if (previous && previous.generation !== generation) {
      await this.items
        .deletePartition(tableName, generationPartitionKey(partitionKey, previous.generation), { deadline: Math.max(deadline, Date.now() + 2000) })
        .catch(() => undefined); // best effort: what is left expires (TTL) and is never read
    }
  }

  /**
   * A presigned URL to upload a value's JSON bytes (values above the inline
   * body limit) for `project`. Follow with {@link commitUpload}.
   * @throws StateDataError 403 `StateData.PartitionNotOwned`; 413 above 100 MiB
   */
  async createUploadUrl(project: string, address: ItemAddress, upload: { sha256: string; sizeBytes: number }, origin: string) {
    if (upload.sizeBytes > MAX_VALUE_BYTES)
      throw new StateDataError(
        'StateData.ValueTooLarge',
        413,
        `The value is ${upload.sizeBytes} bytes; the limit is ${MAX_VALUE_BYTES} bytes (100 MiB). Split it into several items (put_items).`,
      );
    await this.writableHead(project, address.tableName, address.partitionKey);
    const key = blobKeyFor(address.tableName, address.partitionKey, address.index, upload.sha256);
    const signed = await this.blobs.presign('PUT', key, PRESIGNED_URL_TTL_SECONDS, origin, upload.sizeBytes);
    return { url: signed.url, method: 'PUT' as const, headers: signed.headers, expiresAt: signed.expiresAt };
  }

  /**
   * Make the item at `address` point to bytes uploaded through
   * {@link createUploadUrl}, after checking their size and SHA-256.
   * @throws StateDataError 409 `StateData.UploadNotFound`; 400 `StateData.UploadMismatch`; 403 `StateData.PartitionNotOwned`
   */
  async commitUpload(
    project: string,
    address: ItemAddress,
    upload: { sha256: string; sizeBytes: number },
    ttlSeconds?: number,
    generation?: string,
  ): Promise<void> {
    const expiresAt = this.expiresAt(ttlSeconds);
    await this.writableHead(project, address.tableName, address.partitionKey);
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
    await this.writeOne(project, address, expiresAt, generation, async (g) => ({
      partitionKey: generationPartitionKey(address.partitionKey, g),
      index: address.index,
      expiresAt,
      blob: { key, sizeBytes: actual.sizeBytes, sha256: actual.sha256 },
    }));
  }

  private async read(tableName: string, partitionKey: string, item: StoredItem, origin: string, inlineBudget: number): Promise<ReadValue> {
    if (!item.blob) return { json: item.data ?? 'null' };
    const { blob } = item;
    if (blob.sizeBytes > inlineBudget) {
      const signed = await this.blobs.presign('GET', blob.key, PRESIGNED_URL_TTL_SECONDS, origin);
      return { download: { url: signed.url, method: 'GET', sha256: blob.sha256, sizeBytes: blob.sizeBytes, expiresAt: signed.expiresAt } };
    }
    const bytes = await this.blobs.get(blob.key);
    const where = `partition_key=${partitionKey} sort_key=${item.index} table_name=${tableName}`;
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
   * Read one item of the partition's current items (consistent reads).
   * Expired items read as absent. Any project may read (spec §20.4).
   * @param origin base URL of the request (for embedded presigned URLs)
   * @throws StateDataError 404 `StateData.NoItemFound` naming partition key, sort key and table; 404 `StateData.TableNotFound`
   */
  async getItem(address: ItemAddress, origin: string): Promise<ReadValue> {
    const { tableName, partitionKey, index } = address;
    const guess = this.heads.get(tableName, partitionKey);
    let head: PartitionHead | undefined;
    let first: StoredItem | undefined;
    if (guess) {
      // head and item in parallel, the item from the generation last seen; the head read decides
      const [now, item] = await Promise.all([
        this.liveHead(tableName, partitionKey),
        this.items.get(tableName, generationPartitionKey(partitionKey, guess.generation), index),
      ]);
      head = now;
      if (now?.generation === guess.generation) first = item;
    } else head = await this.liveHead(tableName, partitionKey);
    for (let attempt = 0; head && attempt < READ_ATTEMPTS; attempt++) {
      const item = attempt === 0 && first ? first : await this.items.get(tableName, generationPartitionKey(partitionKey, head.generation), index);
      if (item && !this.isExpired(item)) return this.read(tableName, partitionKey, item, origin, this.inlineLimitBytes);
      const again = await this.liveHead(tableName, partitionKey);
      if (again?.generation === head.generation) break; // really absent
      head = again; // replaced while reading: read the new items
    }
    throw noItemFound(tableName, partitionKey, index);
  }

  /**
   * Read the unexpired items of a partition's current generation in index
   * order (Query, all pages, consistent), starting after `afterIndex` when
   * given. Values are inlined until the response budget (`inlineLimitBytes`)
   * is spent: offloaded values that do not fit come as download URLs, and
   * when inline values no longer fit the page ends, `next` is the index to
   * continue after and `generation` the generation read (pass it back).
   * `values: []` when there are none.
   * @throws StateDataError 409 `StateData.ItemsReplaced` when `generation` is no longer current; 404 `StateData.TableNotFound`
   */
  async getItems(
    tableName: string,
    partitionKey: string,
    origin: string,
    afterIndex?: number,
    generation?: string,
  ): Promise<{ values: ReadValue[]; indexes: number[]; next?: number; generation?: string }> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const head = await this.liveHead(tableName, partitionKey);
      if (generation !== undefined && head?.generation !== generation) throw itemsReplaced(tableName, partitionKey);
      if (!head) return { values: [], indexes: [] };
      const page = await this.readPage(tableName, partitionKey, head.generation, origin, afterIndex);
      const again = await this.liveHead(tableName, partitionKey);
      if (again?.generation === head.generation) return page.next === undefined ? page : { ...page, generation: head.generation };
      if (generation !== undefined) throw itemsReplaced(tableName, partitionKey);
      // replaced (and maybe being deleted) while reading: read the new items
    }
    throw new StateDataError('StateData.Contended', 503, `The items of ${partitionKey} in table ${tableName} keep being replaced; retry the read.`);
  }

  private async readPage(tableName: string, partitionKey: string, generation: string, origin: string, afterIndex?: number) {
    const rows = await this.items.query(tableName, generationPartitionKey(partitionKey, generation), afterIndex);
    const items = rows.filter((i) => !this.isExpired(i));
    let budget = this.inlineLimitBytes;
    const values: ReadValue[] = [];
    const indexes: number[] = [];
    for (const item of items) {
      if (!item.blob) {
        const size = Buffer.byteLength(item.data ?? 'null') + 16;
        if (size > budget && values.length > 0) return { values, indexes, next: indexes[indexes.length - 1] };
        budget -= size;
      }
      const value = await this.read(tableName, partitionKey, item, origin, item.blob ? budget : Infinity);
      if (item.blob && 'json' in value) budget -= item.blob.sizeBytes;
      else if (item.blob) budget -= 512; // the download descriptor
      if (budget < 0 && values.length > 0) return { values, indexes, next: indexes[indexes.length - 1] };
      values.push(value);
      indexes.push(item.index);
    }
    return { values, indexes } as { values: ReadValue[]; indexes: number[]; next?: number };
  }

  /** Stop an execution of `project` (name, or ARN on AWS); a finished execution is not an error. */
  stopExecution(project: string, execution: string, options: { error?: string; cause?: string }): Promise<StopOutcome> {
    return this.executions.stop(project, execution, options);
  }
}
