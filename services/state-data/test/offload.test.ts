/**
 * Offload to the blob store at the 390,000-byte boundary, hash verification,
 * the presigned-URL flow up to 100 MB, the 413 with its alternative, expiry,
 * and data surviving a restart of dynalite on the same directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { StateDataClient, NoItemFound, StateDataClientError } from '@fluxio/contracts/stateDataClient';
import { createStateDataService } from '../src/createStateDataService.ts';
import { blobKeyFor, sha256Hex } from '../src/blobKey.ts';
import { DirectoryBlobStore } from '../src/adapters/DirectoryBlobStore.ts';
import { failure, startStateDataServer, type TestPlatform } from './server.ts';

/** A JSON string value whose serialised form is exactly `bytes` bytes. */
const valueOfJsonSize = (bytes: number) => 'x'.repeat(bytes - 2);

let platform: TestPlatform;
let client: StateDataClient;
let ddb: DynamoDBClient;
let clockMs = Date.now();

const rawRow = async (partitionKey: string, index: number) =>
  (
    await ddb.send(
      new GetItemCommand({
        TableName: 'fluxio-state-data',
        Key: { partition_key: { S: partitionKey }, sort_key: { N: String(index) } },
        ConsistentRead: true,
      }),
    )
  ).Item;
/** The stored row of item `index` of partition `partitionKey`: in the generation its head (sort key -1) names. */
const rawItem = async (partitionKey: string, index: number) => {
  const head = await rawRow(partitionKey, -1);
  return head ? rawRow(`${partitionKey}#${head.generation!.S}`, index) : undefined;
};

beforeAll(async () => {
  platform = await startStateDataServer({ now: () => clockMs });
  client = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'big' });
  ddb = new DynamoDBClient({ endpoint: platform.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});
afterAll(async () => {
  ddb?.destroy();
  await platform?.stop();
});

describe('offload boundary (spec §20.3: JSON > 390,000 bytes goes to the blob store)', () => {
  it.each([
    [389_999, 'inline'],
    [390_000, 'inline'],
    [390_001, 'blob'],
  ])('a value of %i JSON bytes is stored %s and reads back equal', async (size, where) => {
    const value = valueOfJsonSize(size);
    expect(Buffer.byteLength(JSON.stringify(value))).toBe(size);
    await client.putItem(`b${size}`, value);
    const item = (await rawItem(`demo:big:b${size}`, 0))!;
    if (where === 'inline') {
      expect(item.data?.S).toBe(JSON.stringify(value));
      expect(item.blob_key).toBeUndefined();
    } else {
      expect(item.data).toBeUndefined();
      const sha = sha256Hex(JSON.stringify(value));
      expect(item.blob_key?.S).toBe(blobKeyFor('fluxio-state-data', `demo:big:b${size}`, 0, sha));
      expect(item.blob_size?.N).toBe(String(size));
      expect(item.blob_sha256?.S).toBe(sha);
    }
    expect(await client.getItem(`b${size}`)).toBe(value);
  });

  it('put_items offloads only the big elements and reads all back in order', async () => {
    const values = [{ small: 1 }, valueOfJsonSize(400_000), { small: 3 }, valueOfJsonSize(390_001)];
    await client.putItems('mixed', values);
    expect((await rawItem('demo:big:mixed', 1))!.blob_key).toBeDefined();
    expect((await rawItem('demo:big:mixed', 2))!.data).toBeDefined();
    expect(await client.getItems('mixed')).toEqual(values);
    expect(await client.getItem('mixed', 3)).toBe(values[3]);
  });

  it('put_items above 5 MiB is split into several requests, and get_items pages past 5 MiB of inline values', async () => {
    // 16 inline elements of 380,000 bytes: 6 MB, more than one request body and one response
    const values = Array.from({ length: 16 }, (_, i) => `${i}`.padEnd(379_998, 'v'));
    const pointer = await client.putItems('paged', values);
    expect(pointer.items).toHaveLength(16);
    const first = await (await fetch(`${platform.url}/v1/projects/demo/executions/big/items/paged`)).json();
    expect(first.next).toBe(first.indexes[first.indexes.length - 1]);
    expect(first.items.length).toBeLessThan(16);
    const rest = await (await fetch(`${platform.url}/v1/projects/demo/executions/big/items/paged?after=${first.next}`)).json();
    expect([...first.indexes, ...rest.indexes]).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(await client.getItems('paged')).toEqual(values);
  });

  it('a corrupted blob is reported, not returned', async () => {
    const value = valueOfJsonSize(500_000);
    await client.putItem('corrupt', value);
    const item = (await rawItem('demo:big:corrupt', 0))!;
    const file = (platform.service.blobs as DirectoryBlobStore).pathOf(item.blob_key!.S!);
    const bytes = await readFile(file);
    bytes[1000] = 'y'.charCodeAt(0);
    await writeFile(file, bytes);
    const err = await failure(client.getItem('corrupt'));
    expect(err).toBeInstanceOf(StateDataClientError);
    expect(err.code).toBe('StateData.IntegrityError');
    expect(err.message).toContain('partition_key=demo:big:corrupt sort_key=0');
    expect(err.message).toContain('Put the item again');
  });

  it('rewriting an offloaded item never changes the bytes the old item points to', async () => {
    await client.putItem('rewrite', valueOfJsonSize(450_000));
    const before = (await rawItem('demo:big:rewrite', 0))!.blob_key!.S!;
    await client.putItem('rewrite', 'y'.repeat(450_000));
    const after = (await rawItem('demo:big:rewrite', 0))!.blob_key!.S!;
    expect(after).not.toBe(before);
    expect(await client.getItem('rewrite')).toBe('y'.repeat(450_000));
  });
});

describe('values above the 5 MiB body limit', () => {
  it('a raw 6 MiB body gets 413 naming the presigned alternative', async () => {
    const body = JSON.stringify({ value: valueOfJsonSize(6 * 1024 * 1024) });
    const res = await fetch(`${platform.url}/v1/projects/demo/executions/big/items/raw/0`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(413);
    const err = (await res.json()).error;
    expect(err.code).toBe('Request.TooLarge');
    expect(err.message).toContain('upload-url');
  });

  it('an 8 MB value round-trips through presigned upload and download URLs', async () => {
    const value = { blob: valueOfJsonSize(8_000_000) };
    await client.putItem('eight', value);
    const got = await fetch(`${platform.url}/v1/projects/demo/executions/big/items/eight/0`);
    const body = await got.json();
    expect(body.download).toMatchObject({ method: 'GET', sizeBytes: Buffer.byteLength(JSON.stringify(value)) });
    expect(await client.getItem('eight')).toEqual(value);
    expect(await client.getItems('eight')).toEqual([value]);
  });

  it('a 100 MB value round-trips through presigned URLs', async () => {
    const value = valueOfJsonSize(100_000_000);
    await client.putItem('hundred', value);
    const back = await client.getItem('hundred');
    expect(typeof back === 'string' && back.length).toBe(value.length);
    expect(back === value).toBe(true);
  });

  it('more than 100 MiB is refused with 413', async () => {
    const res = await fetch(`${platform.url}/v1/projects/demo/executions/big/items/huge/0/upload-url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sha256: 'a'.repeat(64), sizeBytes: 100 * 1024 * 1024 + 1 }),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('StateData.ValueTooLarge');
  });

  it('committing an upload that never happened is a 409; a wrong hash is a 400', async () => {
    const url = `${platform.url}/v1/projects/demo/executions/big/items/up/0`;
    const bytes = Buffer.from(JSON.stringify({ hello: 'world' }));
    const sha256 = sha256Hex(bytes);
    let res = await fetch(url, { method: 'PUT', body: JSON.stringify({ upload: { sha256, sizeBytes: bytes.length } }) });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('StateData.UploadNotFound');
    const grant = await (await fetch(`${url}/upload-url`, { method: 'POST', body: JSON.stringify({ sha256, sizeBytes: bytes.length }) })).json();
    const put = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: Buffer.from('{"hello":"WORLD"}') });
    expect(put.status).toBe(200);
    res = await fetch(url, { method: 'PUT', body: JSON.stringify({ upload: { sha256, sizeBytes: bytes.length } }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('StateData.UploadMismatch');
    await expect(client.getItem('up')).rejects.toBeInstanceOf(NoItemFound);
  });

  it('presigned URLs are method-bound and tamper-evident', async () => {
    const bytes = Buffer.from('"x"');
    const grant = await (
      await fetch(`${platform.url}/v1/projects/demo/executions/big/items/tamper/0/upload-url`, {
        method: 'POST',
        body: JSON.stringify({ sha256: sha256Hex(bytes), sizeBytes: 3 }),
      })
    ).json();
    expect((await fetch(grant.url, { method: 'GET' })).status).toBe(403);
    const forged = grant.url.replace(/\.([^.]+)$/, '.AAAA$1');
    const res = await fetch(forged, { method: 'PUT', headers: grant.headers, body: bytes });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('StateData.InvalidSignature');
    const store = new DirectoryBlobStore({ root: os.tmpdir() });
    const expired = await store.presign('GET', 'k', -5, 'http://x');
    expect(() => store.verifyToken(expired.url.split('/').pop()!, 'GET')).toThrow(/expired/);
  });
});

describe('expiry', () => {
  it('items get expires_at = now + 7 days by default, or the requested lifetime', async () => {
    await client.putItem('ttl-default', 1);
    const nowS = Math.floor(clockMs / 1000);
    expect(Number((await rawItem('demo:big:ttl-default', 0))!.expires_at.N)).toBe(nowS + 7 * 24 * 3600);
    const short = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'big', ttlSeconds: 60 });
    await short.putItems('ttl-short', ['a', 'b']);
    expect(Number((await rawItem('demo:big:ttl-short', 1))!.expires_at.N)).toBe(nowS + 60);
  });

  it('expired items read as absent although DynamoDB (dynalite) still holds them', async () => {
    const short = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'big', ttlSeconds: 60 });
    await short.putItem('ttl-gone', 'soon gone');
    await client.putItem('ttl-gone', 'stays', 1);
    expect(await client.getItems('ttl-gone')).toEqual(['soon gone', 'stays']);
    clockMs += 61_000;
    expect(await rawItem('demo:big:ttl-gone', 0)).toBeDefined();
    await expect(client.getItem('ttl-gone')).rejects.toBeInstanceOf(NoItemFound);
    expect(await client.getItems('ttl-gone')).toEqual(['stays']);
  });
});

describe('persistence', () => {
  it('items and offloaded values survive a restart of dynalite on the same directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fluxio-sd-'));
    try {
      const first = await createStateDataService({ target: 'embedded', dataDir: dir });
      await first.service.putItem('demo', { tableName: 'fluxio-state-data', partitionKey: 'e:k', index: 0 }, '{"a":1}');
      await first.service.putItem('demo', { tableName: 'fluxio-state-data', partitionKey: 'e:k', index: 1 }, JSON.stringify(valueOfJsonSize(400_000)));
      await first.close();
      const second = await createStateDataService({ target: 'embedded', dataDir: dir });
      try {
        expect(await second.service.getItem({ tableName: 'fluxio-state-data', partitionKey: 'e:k', index: 0 }, 'http://x')).toEqual({ json: '{"a":1}' });
        const big = await second.service.getItem({ tableName: 'fluxio-state-data', partitionKey: 'e:k', index: 1 }, 'http://x');
        expect(big).toEqual({ json: JSON.stringify(valueOfJsonSize(400_000)) });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
