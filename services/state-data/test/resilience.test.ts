/**
 * Throttling and partial failures: BatchWriteItem's unprocessed items are
 * re-sent with backoff up to a bound, and a failure in the middle of a write
 * never leaves a readable half-item (blob first, item last, items whole).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDynalite, type EmbeddedDynalite } from '../src/embedded.ts';
import { DynamoDbItemStore, UNPROCESSED_MAX_ATTEMPTS } from '../src/adapters/DynamoDbItemStore.ts';
import { DirectoryBlobStore } from '../src/adapters/DirectoryBlobStore.ts';
import { InMemoryExecutionRegistry } from '../src/adapters/InMemoryExecutionRegistry.ts';
import { StateDataService } from '../src/StateDataService.ts';
import type { ItemStore, StoredItem } from '../src/ports.ts';
import { isStateDataError } from '../src/errors.ts';

let db: EmbeddedDynalite;
let blobDir: string;
const TABLE = 'resilience';

/** A store whose BatchWriteItem calls process only the first `accept(attempt)` items and report the rest unprocessed, like a throttled table. */
function throttledStore(accept: (attempt: number, size: number) => number) {
  const store = new DynamoDbItemStore({ clientConfig: { endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } } });
  const calls: number[] = [];
  store.client.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, unknown[]> };
      const requests = input.RequestItems[TABLE];
      calls.push(requests.length);
      const n = accept(calls.length, requests.length);
      const result =
        n === 0
          ? ({ output: { $metadata: {} }, response: {} } as Awaited<ReturnType<typeof next>>)
          : await next({ ...args, input: { ...input, RequestItems: { [TABLE]: requests.slice(0, n) } } } as typeof args);
      (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = n < requests.length ? { [TABLE]: requests.slice(n) } : {};
      return result;
    },
    { step: 'initialize', name: 'throttle-double' },
  );
  return { store, calls };
}

beforeAll(async () => {
  db = await startEmbeddedDynalite();
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'fluxio-res-'));
  const store = new DynamoDbItemStore({ clientConfig: { endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } } });
  await store.ensureTable(TABLE);
  store.client.destroy();
});
afterAll(async () => {
  await db?.close();
  if (blobDir) await rm(blobDir, { recursive: true, force: true });
});

const item = (pk: string, index: number): StoredItem => ({ partitionKey: pk, index, data: JSON.stringify({ index }), expiresAt: 9_999_999_999 });

describe('unprocessed batch items', () => {
  it('are re-sent until every item is written (chunks of 25)', async () => {
    // each call accepts only 10 items
    const { store, calls } = throttledStore((_a, size) => Math.min(10, size));
    await store.putMany(TABLE, Array.from({ length: 60 }, (_, i) => item('throttled', i)));
    expect(Math.max(...calls)).toBeLessThanOrEqual(25);
    expect(calls.length).toBeGreaterThan(3); // more calls than the 3 chunks: retries happened
    const back = await store.query(TABLE, 'throttled');
    expect(back.map((i) => i.index)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    store.client.destroy();
  });

  it('give up after a bound with a clear 503 StateData.Throttled', async () => {
    const { store, calls } = throttledStore(() => 0);
    const err = await store.putMany(TABLE, [item('stuck', 0), item('stuck', 1)]).catch((e) => e);
    expect(isStateDataError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'StateData.Throttled', statusCode: 503 });
    expect(err.message).toContain('Retry the put_items call');
    expect(calls).toHaveLength(UNPROCESSED_MAX_ATTEMPTS);
    store.client.destroy();
  });
});

describe('no readable half-item', () => {
  const service = (items: ItemStore, blobs: DirectoryBlobStore) =>
    new StateDataService({ items, blobs, executions: new InMemoryExecutionRegistry(), defaultTableName: TABLE });
  const store = () => new DynamoDbItemStore({ clientConfig: { endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } } });
  const addr = { tableName: TABLE, partitionKey: 'half:k', index: 0 };
  const big = JSON.stringify('b'.repeat(500_000));

  it('a failing blob write writes no item, and the previous value stays readable', async () => {
    const items = store();
    const blobs = new DirectoryBlobStore({ root: blobDir });
    await service(items, blobs).putItem('demo', addr, '"before"');
    const failing = Object.assign(Object.create(blobs), { put: async () => Promise.reject(new Error('disk full')) }) as DirectoryBlobStore;
    await expect(service(items, failing).putItem('demo', addr, big)).rejects.toThrow('disk full');
    expect(await service(items, blobs).getItem(addr, 'http://x')).toEqual({ json: '"before"' });
    items.client.destroy();
  });

  it('a failing item write after the blob leaves the previous value readable (the new blob is unreferenced)', async () => {
    const items = store();
    const blobs = new DirectoryBlobStore({ root: blobDir });
    const failingItems = Object.assign(Object.create(items), { put: async () => Promise.reject(new Error('connection reset')) }) as ItemStore;
    await expect(service(failingItems, blobs).putItem('demo', addr, big)).rejects.toThrow('connection reset');
    expect(await service(items, blobs).getItem(addr, 'http://x')).toEqual({ json: '"before"' });
    items.client.destroy();
  });
});
