/**
 * TypeScript client of the state data API (issue 3), with the operations of
 * py2sfn-task-tools' `StateDataClient` (spec §20.4) in camelCase. Works with
 * any `fetch`; values above the 5 MiB body limit go through presigned URLs
 * transparently, and downloaded values are checked against their SHA-256.
 *
 * @example
 * ```ts
 * const client = new StateDataClient({ baseUrl: 'http://127.0.0.1:4510', project: 'demo', execution: 'exec-1' });
 * const pointer = await client.putItems('characters', [{ name: 'jerry' }, { name: 'elaine' }]);
 * // → {table_name: 'fluxio-state-data', partition_key: 'demo:exec-1:characters', key: 'characters', items: [1, 1]}
 * await client.getItem('characters', 1); // → {name: 'elaine'}
 * ```
 */
import { createHash } from 'node:crypto';
import { PlatformClientError, errorOfBody, sendPlatformRequest, type RequestSigner } from './platformHttp.ts';
import {
  MAX_PUT_ITEMS_PER_REQUEST,
  STATE_DATA_MAX_BODY_BYTES,
  type BlobDownload,
  type ItemPointer,
  type ItemValue,
  type StopExecutionResponse,
  type UploadUrlResponse,
} from './schemas/stateData.ts';

/** Any failure reported by the state data API (or a failed integrity check). */
export class StateDataClientError extends PlatformClientError {
  override name = 'StateDataClientError';
}

/** The item does not exist (or has expired): HTTP 404 `StateData.NoItemFound`. */
export class NoItemFound extends StateDataClientError {
  override name = 'NoItemFound';
}

/** The input a Map iteration receives from a put_items pointer (spec §10). */
export interface MapIterationEvent {
  items_result_table_name: string;
  items_result_partition_key: string;
  items_result_key?: string;
  context_index: number | string;
  [k: string]: unknown;
}

export interface StateDataClientOptions {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:4510` or the API Gateway URL. */
  baseUrl: string;
  /** Project the calls are made for (routes are scoped by project). */
  project: string;
  /** Execution name: local items live under `<project>:<execution>:<key>`. Required for local methods. */
  execution?: string;
  /** Store local items in this table (global routes) instead of the platform table. */
  tableName?: string;
  /** Item lifetime in seconds. @default the service's (7 days) */
  ttlSeconds?: number;
  /** Signs or decorates each request (e.g. SigV4 for IAM auth); returns extra headers. */
  sign?: RequestSigner;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Largest inline request body, in bytes. @default 5 MiB (STATE_DATA_MAX_BODY_BYTES) */
  maxBodyBytes?: number;
  /** Most elements per put_items request. @default 10,000 (MAX_PUT_ITEMS_PER_REQUEST) */
  maxItemsPerRequest?: number;
}

type Json = unknown;

const enc = encodeURIComponent;

/** Client of the state data API. Methods throw {@link StateDataClientError} / {@link NoItemFound}. */
export class StateDataClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly maxBody: number;
  private readonly maxItems: number;

  constructor(readonly options: StateDataClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.maxBody = options.maxBodyBytes ?? STATE_DATA_MAX_BODY_BYTES;
    this.maxItems = options.maxItemsPerRequest ?? MAX_PUT_ITEMS_PER_REQUEST;
  }

  // ---- addressing -------------------------------------------------------

  private localPath(key: string): { path: string; pointer: (n?: number) => ItemPointer } {
    const execution = this.options.execution;
    if (!execution) throw new StateDataClientError('Local items need an execution name: pass `execution` to the client.', 0, 'Client.NoExecution');
    const project = enc(this.options.project);
    if (this.options.tableName) {
      const pk = `${this.options.project}:${execution}:${key}`;
      return {
        path: `/v1/projects/${project}/tables/${enc(this.options.tableName)}/partitions/${enc(pk)}/items`,
        pointer: (n) => ({ table_name: this.options.tableName!, partition_key: pk, key, ...(n === undefined ? {} : { items: ones(n) }) }),
      };
    }
    return { path: `/v1/projects/${project}/executions/${enc(execution)}/items/${enc(key)}`, pointer: () => ({}) as ItemPointer };
  }

  private globalPath(tableName: string, partitionKey: string): string {
    return `/v1/projects/${enc(this.options.project)}/tables/${enc(tableName)}/partitions/${enc(partitionKey)}/items`;
  }

  // ---- HTTP --------------------------------------------------------------

  private async request(method: string, path: string, body?: string): Promise<unknown> {
    const url = this.base + path;
    const res = await sendPlatformRequest(
      { fetch: this.fetchFn, sign: this.options.sign, onNetworkError: (message) => new StateDataClientError(message, 0, 'Client.Network') },
      method,
      url,
      body,
    );
    const { text, body: parsed } = res;
    if (!res.ok) {
      const err = errorOfBody(parsed);
      const Ctor = res.status === 404 && err?.code === 'StateData.NoItemFound' ? NoItemFound : StateDataClientError;
      throw new Ctor(err?.message ?? `${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`, res.status, err?.code ?? `Http.${res.status}`, err?.details);
    }
    return parsed;
  }

  /**
   * Store one value (JSON text) at `path/index`, through a presigned URL when
   * it is too big for a body; into the uncommitted `generation` when given.
   */
  private async putOne(path: string, index: number, json: string, generation?: string): Promise<ItemPointer> {
    const ttl = this.options.ttlSeconds;
    const extra = (ttl === undefined ? '' : `,"ttlSeconds":${ttl}`) + (generation === undefined ? '' : `,"generation":"${generation}"`);
    const bytes = Buffer.from(json);
    if (bytes.length + 128 <= this.maxBody) return (await this.request('PUT', `${path}/${index}`, `{"value":${json}${extra}}`)) as ItemPointer;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const upload = (await this.request('POST', `${path}/${index}/upload-url`, JSON.stringify({ sha256, sizeBytes: bytes.length }))) as UploadUrlResponse;
    const put = await this.fetchFn(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
    if (!put.ok) throw new StateDataClientError(`Upload to the presigned URL failed with ${put.status}: ${(await put.text()).slice(0, 300)}`, put.status, 'Client.UploadFailed');
    await put.arrayBuffer().catch(() => undefined);
    return (await this.request('PUT', `${path}/${index}`, `{"upload":${JSON.stringify({ sha256, sizeBytes: bytes.length })}${extra}}`)) as ItemPointer;
  }

  /**
   * Replace the items at `path` with `values[i]` at index i, as one put_items
   * (issue 11: visible together or not at all). A list that fits one request
   * (5 MiB, 10,000 elements) is one request; a longer one is several requests
   * of one generation (`commit: false`, then `generation`, the last commits),
   * with elements above the body limit uploaded one by one into it.
   */
  private async putMany(path: string, values: Json[]): Promise<ItemPointer> {
    const jsons = values.map(toJson);
    const ttl = this.options.ttlSeconds;
    const ttlPart = ttl === undefined ? '' : `,"ttlSeconds":${ttl}`;
    type Step = { start: number; chunk: string[] } | { index: number; json: string };
    const steps: Step[] = [];
    let chunk: string[] = [];
    let chunkStart = 0;
    let size = 0;
    for (let i = 0; i < jsons.length; i++) {
      const len = Buffer.byteLength(jsons[i]) + 1;
      if (len + 256 > this.maxBody) {
        if (chunk.length) steps.push({ start: chunkStart, chunk });
        steps.push({ index: i, json: jsons[i] });
        chunk = [];
        size = 0;
        chunkStart = i + 1;
        continue;
      }
      if (chunk.length && (size + len + 256 > this.maxBody || chunk.length >= this.maxItems)) {
        steps.push({ start: chunkStart, chunk });
        chunk = [];
        size = 0;
        chunkStart = i;
      }
      chunk.push(jsons[i]);
      size += len;
    }
    if (chunk.length || steps.length === 0) steps.push({ start: chunkStart, chunk });
    const send = async (start: number, items: string[], generation: string | undefined, commit: boolean) =>
      (await this.request(
        'PUT',
        path,
        `{"items":[${items.join(',')}],"startIndex":${start}${ttlPart}` +
          (generation === undefined ? '' : `,"generation":"${generation}"`) +
          (commit ? '' : ',"commit":false') +
          '}',
      )) as ItemPointer;
    let pointer: ItemPointer;
    if (steps.length === 1 && 'chunk' in steps[0]) pointer = await send(steps[0].start, steps[0].chunk, undefined, true);
    else {
      let generation: string | undefined;
      for (const step of steps) {
        if ('chunk' in step) generation = (await send(step.start, step.chunk, generation, false)).generation ?? generation;
        else {
          generation ??= (await send(0, [], undefined, false)).generation;
          await this.putOne(path, step.index, step.json, generation);
        }
      }
      pointer = await send(jsons.length, [], generation, true); // one conditional write makes the whole list current
    }
    const { generation: _g, ...rest } = pointer;
    return { ...rest, items: ones(jsons.length) };
  }

  private async download(d: BlobDownload): Promise<Json> {
    const res = await this.fetchFn(d.url, { method: 'GET' });
    if (!res.ok) throw new StateDataClientError(`Download from the presigned URL failed with ${res.status}.`, res.status, 'Client.DownloadFailed');
    const bytes = Buffer.from(await res.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== d.sha256 || bytes.length !== d.sizeBytes)
      throw new StateDataClientError(
        `Downloaded value does not match its record: expected ${d.sizeBytes} bytes with sha256 ${d.sha256}, got ${bytes.length} bytes with sha256 ${sha256}.`,
        0,
        'StateData.IntegrityError',
      );
    return JSON.parse(bytes.toString('utf8'));
  }

  private resolve(v: ItemValue): Promise<Json> | Json {
    return 'download' in v ? this.download(v.download) : v.value;
  }

  private async getOne(path: string, index: number): Promise<Json> {
    return this.resolve((await this.request('GET', `${path}/${index}`)) as ItemValue);
  }

  /** Every value at `path`, all pages from one put_items (started over when it was replaced while paging). */
  private async getMany(path: string): Promise<Json[]> {
    for (let attempt = 0; ; attempt++) {
      const out: Json[] = [];
      let cursor: string | undefined;
      try {
        for (;;) {
          const page = (await this.request('GET', cursor === undefined ? path : `${path}?${cursor}`)) as { items: ItemValue[]; next?: number; generation?: string };
          for (const v of page.items) out.push(await this.resolve(v));
          if (page.next === undefined) return out;
          cursor = `after=${page.next}` + (page.generation ? `&generation=${enc(page.generation)}` : '');
        }
      } catch (e) {
        if (!(e instanceof StateDataClientError && e.code === 'StateData.ItemsReplaced') || attempt >= 4) throw e;
      }
    }
  }

  // ---- local items (spec §20.4) -----------------------------------------

  /** `put_item`: store `value` under `key` at `index` (default 0). Returns `{table_name, partition_key, key}`. */
  async putItem(key: string, value: Json, index = 0): Promise<ItemPointer> {
    const { path, pointer } = this.localPath(key);
    const res = await this.putOne(path, checkIndex(index), toJson(value));
    return { ...res, ...pointer() };
  }

  /** `put_items`: store `values[i]` at index i. Returns the pointer with `items: [1,…]` a Map state iterates. */
  async putItems(key: string, values: Json[]): Promise<ItemPointer> {
    const { path, pointer } = this.localPath(key);
    const res = await this.putMany(path, values);
    return { ...res, ...pointer(values.length) };
  }

  /** `get_item`: the value stored under `key` at `index` (consistent read). @throws NoItemFound */
  async getItem(key: string, index = 0): Promise<Json> {
    return this.getOne(this.localPath(key).path, checkIndex(index));
  }

  /** `get_items`: every value stored under `key`, in index order; `[]` when none. */
  async getItems(key: string): Promise<Json[]> {
    return this.getMany(this.localPath(key).path);
  }

  /** `put_item_for_map_iteration`: `putItem(event.items_result_key, value, event.context_index)`. */
  async putItemForMapIteration(event: MapIterationEvent, value: Json): Promise<ItemPointer> {
    return this.putItem(mapKey(event), value, mapIndex(event));
  }

  /** `get_item_for_map_iteration`: `getItem(event.items_result_key, event.context_index)`. */
  async getItemForMapIteration(event: MapIterationEvent): Promise<Json> {
    return this.getItem(mapKey(event), mapIndex(event));
  }

  // ---- global items -----------------------------------------------------

  /** `put_global_item`: store in the named table (spec §20.4 bug fixed: the named table is used). Returns `{table_name, partition_key}`. */
  async putGlobalItem(tableName: string, partitionKey: string, value: Json, index = 0): Promise<ItemPointer> {
    return this.putOne(this.globalPath(tableName, partitionKey), checkIndex(index), toJson(value));
  }

  /** `put_global_items`: returns `{table_name, partition_key, items: [1,…]}`. */
  async putGlobalItems(tableName: string, partitionKey: string, values: Json[]): Promise<ItemPointer> {
    return this.putMany(this.globalPath(tableName, partitionKey), values);
  }

  /** `get_global_item`. @throws NoItemFound */
  async getGlobalItem(tableName: string, partitionKey: string, index = 0): Promise<Json> {
    return this.getOne(this.globalPath(tableName, partitionKey), checkIndex(index));
  }

  /** `get_global_items`: every value of the partition, in index order. */
  async getGlobalItems(tableName: string, partitionKey: string): Promise<Json[]> {
    return this.getMany(this.globalPath(tableName, partitionKey));
  }

  /** `get_global_item_for_map_iteration`: locate the item from the Map iteration input. */
  async getGlobalItemForMapIteration(event: MapIterationEvent): Promise<Json> {
    return this.getGlobalItem(event.items_result_table_name, event.items_result_partition_key, mapIndex(event));
  }

  /** `put_global_item_for_map_iteration`. */
  async putGlobalItemForMapIteration(event: MapIterationEvent, value: Json): Promise<ItemPointer> {
    return this.putGlobalItem(event.items_result_table_name, event.items_result_partition_key, value, mapIndex(event));
  }

  // ---- stop -------------------------------------------------------------

  /** Stop this client's execution (optional `error`, `cause`; `executionArn` on AWS). A finished execution is not an error. */
  async stopExecution(options: { error?: string; cause?: string; executionArn?: string } = {}): Promise<StopExecutionResponse['status']> {
    const execution = this.options.execution;
    if (!execution) throw new StateDataClientError('stopExecution needs the execution name: pass `execution` to the client.', 0, 'Client.NoExecution');
    const res = (await this.request(
      'POST',
      `/v1/projects/${enc(this.options.project)}/executions/${enc(execution)}/stop`,
      JSON.stringify(options),
    )) as StopExecutionResponse;
    return res.status;
  }
}

const ones = (n: number): 1[] => new Array<1>(n).fill(1);

function toJson(value: Json): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`Value of type ${typeof value} is not JSON-serialisable.`);
  return json;
}

function checkIndex(index: number): number {
  if (!Number.isSafeInteger(index) || index < 0) throw new StateDataClientError(`index must be a whole number ≥ 0, not ${index}.`, 0, 'Client.InvalidIndex');
  return index;
}

function mapKey(event: MapIterationEvent): string {
  if (typeof event.items_result_key !== 'string')
    throw new StateDataClientError('The event has no items_result_key: call this inside a Map iteration over a put_items pointer.', 0, 'Client.NotMapIteration');
  return event.items_result_key;
}

function mapIndex(event: MapIterationEvent): number {
  const index = Number(event.context_index);
  if (event.context_index === undefined || !Number.isSafeInteger(index))
    throw new StateDataClientError('The event has no context_index: call this inside a Map iteration over a put_items pointer.', 0, 'Client.NotMapIteration');
  return index;
}
