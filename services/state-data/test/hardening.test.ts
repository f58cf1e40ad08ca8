/**
 * Issue 11 ("Hardening the shared service"), state data part: each
 * reproduction from the issue, against the embedded service behind the real
 * handlers on 127.0.0.1 (dynalite, the directory blob store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { StateDataClient } from '@fluxio/contracts/stateDataClient';
import { MAX_PUT_ITEMS_PER_REQUEST, MAX_VALUE_DEPTH, UPLOAD_URL_MAX_BODY_BYTES } from '@fluxio/contracts/schemas/stateData';
import { InMemoryExecutionRegistry } from '../src/adapters/InMemoryExecutionRegistry.ts';
import { StateDataService } from '../src/StateDataService.ts';
import type { ItemStore } from '../src/ports.ts';
import { failure, startStateDataServer, type TestPlatform } from './server.ts';

let platform: TestPlatform;
const registry = new InMemoryExecutionRegistry();

beforeAll(async () => {
  platform = await startStateDataServer({ executions: registry });
});
afterAll(async () => platform?.stop());

const local = (project: string, execution: string, key: string) => `/v1/projects/${project}/executions/${execution}/items/${encodeURIComponent(key)}`;
const global = (project: string, table: string, pk: string) => `/v1/projects/${project}/tables/${table}/partitions/${encodeURIComponent(pk)}/items`;

async function call(method: string, path: string, body?: string) {
  const res = await fetch(platform.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const nested = (depth: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('projects are isolated', () => {
  it('project beta neither reads nor overwrites alpha\'s local items at the same execution and key', async () => {
    const alpha = new StateDataClient({ baseUrl: platform.url, project: 'alpha', execution: 'run-1' });
    const beta = new StateDataClient({ baseUrl: platform.url, project: 'beta', execution: 'run-1' });
    await alpha.putItems('items', ['a0', 'a1']);
    await alpha.putItem('one', 'alpha-secret');
    expect(await beta.getItems('items')).toEqual([]);
    expect((await failure(beta.getItem('one'))).code).toBe('StateData.NoItemFound');
    await beta.putItems('items', ['b0']);
    await beta.putItem('one', 'beta');
    expect(await alpha.getItems('items')).toEqual(['a0', 'a1']);
    expect(await alpha.getItem('one')).toBe('alpha-secret');
    expect(await beta.getItems('items')).toEqual(['b0']);
  });

  it('any project reads a partition it was handed, but writes into another project\'s partition are a 403 and change nothing', async () => {
    const alpha = new StateDataClient({ baseUrl: platform.url, project: 'alpha', execution: 'run-2' });
    const beta = new StateDataClient({ baseUrl: platform.url, project: 'beta' });
    const pointer = await alpha.putItems('out', [{ n: 1 }, { n: 2 }]);
    expect(pointer.partition_key).toBe('alpha:run-2:out');
    expect(await beta.getGlobalItems(pointer.table_name, pointer.partition_key)).toEqual([{ n: 1 }, { n: 2 }]);
    for (const attempt of [
      () => beta.putGlobalItems(pointer.table_name, pointer.partition_key, ['x']),
      () => beta.putGlobalItem(pointer.table_name, pointer.partition_key, 'x', 1),
      () => beta.putGlobalItem(pointer.table_name, pointer.partition_key, 'y'.repeat(6 * 1024 * 1024), 0), // via upload-url
    ]) {
      const err = await failure(attempt());
      expect([err.status, err.code]).toEqual([403, 'StateData.PartitionNotOwned']);
      expect(err.message).toContain('belongs to project alpha');
    }
    expect(await alpha.getItems('out')).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a project cannot claim another project\'s local partition before it exists', async () => {
    const beta = new StateDataClient({ baseUrl: platform.url, project: 'beta' });
    const err = await failure(beta.putGlobalItems('fluxio-state-data', 'alpha:sched-0800:items', ['planted']));
    expect([err.status, err.code]).toEqual([403, 'StateData.PartitionNotOwned']);
    const alpha = new StateDataClient({ baseUrl: platform.url, project: 'alpha', execution: 'sched-0800' });
    expect(await alpha.getItems('items')).toEqual([]);
    await alpha.putItems('items', ['mine']);
    expect(await alpha.getItems('items')).toEqual(['mine']);
  });

  it('a global partition belongs to the project that first wrote it; others read it', async () => {
    const alpha = new StateDataClient({ baseUrl: platform.url, project: 'alpha' });
    const beta = new StateDataClient({ baseUrl: platform.url, project: 'beta' });
    await alpha.putGlobalItem('shared-table', 'config', { v: 1 });
    expect(await beta.getGlobalItem('shared-table', 'config')).toEqual({ v: 1 });
    expect((await failure(beta.putGlobalItem('shared-table', 'config', { v: 666 }))).status).toBe(403);
    await alpha.putGlobalItem('shared-table', 'config', { v: 2 });
    expect(await beta.getGlobalItem('shared-table', 'config')).toEqual({ v: 2 });
  });

  it('offloaded values of two projects at the same execution and key have separate blob keys', async () => {
    const alpha = new StateDataClient({ baseUrl: platform.url, project: 'alpha', execution: 'run-3' });
    const beta = new StateDataClient({ baseUrl: platform.url, project: 'beta', execution: 'run-3' });
    await alpha.putItem('big', 'a'.repeat(400_000));
    await beta.putItem('big', 'b'.repeat(400_000));
    expect(await alpha.getItem('big')).toBe('a'.repeat(400_000));
    expect(await beta.getItem('big')).toBe('b'.repeat(400_000));
  });

  it('beta cannot stop alpha\'s execution, by name or by ARN; alpha can', async () => {
    const aborted: string[] = [];
    registry.register('run-9', () => aborted.push('alpha'), 'alpha');
    const byName = await call('POST', '/v1/projects/beta/executions/run-9/stop', '{}');
    expect(byName.status).toBe(404);
    const arn = 'arn:aws:states:us-east-1:000000000000:execution:alpha-main:run-9';
    const byArn = await call('POST', '/v1/projects/beta/executions/run-9/stop', JSON.stringify({ executionArn: arn }));
    expect([byArn.status, byArn.body.error.code]).toEqual([403, 'StateData.ExecutionNotInProject']);
    expect(aborted).toEqual([]);
    expect(registry.isRunning('run-9', 'alpha')).toBe(true);
    // the same name in beta is another execution
    registry.register('run-9', () => aborted.push('beta'), 'beta');
    expect((await call('POST', '/v1/projects/beta/executions/run-9/stop', '{}')).body).toEqual({ status: 'stopped' });
    expect(aborted).toEqual(['beta']);
    expect((await call('POST', '/v1/projects/alpha/executions/run-9/stop', JSON.stringify({ executionArn: arn }))).body).toEqual({ status: 'stopped' });
    expect(aborted).toEqual(['beta', 'alpha']);
  });

  it('a deployed state machine (fluxio-local-<project>-<fn>) is its project\'s: a project named after its prefix cannot stop it', async () => {
    const aborted: string[] = [];
    registry.register('run-d', (error, cause) => aborted.push(`${error}: ${cause}`), 'billing-eu');
    const arn = 'arn:aws:states:us-east-1:000000000000:execution:fluxio-local-billing-eu-main:run-d';
    // "billing" is a prefix of "billing-eu"; "fluxio-local-billing-eu" is what reading the name as <project>-<fn> would give
    for (const project of ['billing', 'fluxio-local-billing-eu', 'eu']) {
      const res = await call('POST', `/v1/projects/${project}/executions/run-d/stop`, JSON.stringify({ executionArn: arn }));
      expect([res.status, res.body.error.code], project).toEqual([403, 'StateData.ExecutionNotInProject']);
    }
    expect(aborted).toEqual([]);
    const own = await call('POST', '/v1/projects/billing-eu/executions/run-d/stop', JSON.stringify({ executionArn: arn, error: 'Off', cause: 'flag' }));
    expect(own.body).toEqual({ status: 'stopped' });
    expect(aborted).toEqual(['Off: flag']);
  });
});

describe('bad input is a 4xx and stores nothing', () => {
  it(`a value nested 5,000 levels deep is a 400 on put_item and put_items; ${MAX_VALUE_DEPTH} levels are stored`, async () => {
    const deep = `${'['.repeat(5000)}0${']'.repeat(5000)}`; // JSON.stringify itself overflows the stack on this
    for (const [path, body] of [
      [`${local('demo', 'e1', 'deep')}/0`, `{"value":${deep}}`],
      [local('demo', 'e1', 'deep'), `{"items":[1,${deep}]}`],
    ]) {
      const res = await call('PUT', path, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'StateData.ValueTooDeep']);
      expect(res.body.error.message).toContain(`${MAX_VALUE_DEPTH} levels`);
    }
    expect((await call('PUT', `${local('demo', 'e1', 'deep')}/0`, `{"value":${JSON.stringify(nested(MAX_VALUE_DEPTH + 1))}}`)).status).toBe(400);
    expect((await call('GET', local('demo', 'e1', 'deep'))).body.items).toEqual([]);
    expect((await call('PUT', `${local('demo', 'e1', 'deep')}/0`, `{"value":${JSON.stringify(nested(MAX_VALUE_DEPTH))}}`)).status).toBe(200);
    expect((await call('GET', `${local('demo', 'e1', 'deep')}/0`)).body).toEqual({ value: nested(MAX_VALUE_DEPTH) });
  });

  it('startIndex near 2^53 is a 400', async () => {
    const res = await call('PUT', local('demo', 'e1', 'far'), '{"items":[1,2],"startIndex":9007199254740991}');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/startIndex/);
  });

  it('1e400 (Infinity once parsed) is a 400, not a stored null', async () => {
    const one = await call('PUT', `${local('demo', 'e1', 'inf')}/0`, '{"value":{"x":1e400}}');
    expect([one.status, one.body.error.code]).toEqual([400, 'StateData.NonFiniteNumber']);
    const many = await call('PUT', local('demo', 'e1', 'inf'), '{"items":[1,-1e400]}');
    expect([many.status, many.body.error.code]).toEqual([400, 'StateData.NonFiniteNumber']);
    expect((await call('GET', `${local('demo', 'e1', 'inf')}/0`)).status).toBe(404);
  });

  it('put_items with 400,000 items is a 413 that says how to split, and writes nothing', async () => {
    const path = local('demo', 'e1', 'huge');
    await call('PUT', path, '{"items":["before"]}');
    const res = await call('PUT', path, JSON.stringify({ items: new Array(400_000).fill(1) }));
    expect([res.status, res.body.error.code]).toEqual([413, 'StateData.TooManyItems']);
    expect(res.body.error.message).toContain(`at most ${MAX_PUT_ITEMS_PER_REQUEST}`);
    expect(res.body.error.message).toContain('"commit": false');
    expect((await call('GET', path)).body.items).toEqual([{ value: 'before' }]);
  });

  it('a GET on a table that does not exist is a 404 and creates no table', async () => {
    const ddb = new DynamoDBClient({ endpoint: platform.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      const before = (await ddb.send(new ListTablesCommand({}))).TableNames;
      for (let i = 0; i < 5; i++) {
        const one = await call('GET', `${global('demo', `ghost-table-${i}`, 'p')}/0`);
        expect([one.status, one.body.error.code]).toEqual([404, 'StateData.TableNotFound']);
        expect((await call('GET', global('demo', `ghost-table-${i}`, 'p'))).status).toBe(404);
      }
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(before);
    } finally {
      ddb.destroy();
    }
  });

  it(`the upload-url route takes at most ${UPLOAD_URL_MAX_BODY_BYTES} bytes`, async () => {
    const body = JSON.stringify({ sha256: '0'.repeat(64), sizeBytes: 10, pad: 'x'.repeat(8192) });
    const res = await call('POST', `${local('demo', 'e1', 'up')}/0/upload-url`, body);
    expect([res.status, res.body.error.code]).toEqual([413, 'Request.TooLarge']);
  });

  it('a presigned upload with more bytes than declared is refused and stores nothing; fewer is a 400', async () => {
    const bytes = Buffer.from(JSON.stringify('u'.repeat(1000)));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const grant = (await call('POST', `${local('demo', 'e1', 'up')}/0/upload-url`, JSON.stringify({ sha256, sizeBytes: bytes.length }))).body;
    const more = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: Buffer.concat([bytes, Buffer.alloc(5000, 32)]) });
    expect([more.status, (await more.json()).error.code]).toEqual([413, 'StateData.UploadTooLarge']);
    const fewer = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: bytes.subarray(0, 10) });
    expect([fewer.status, (await fewer.json()).error.code]).toEqual([400, 'StateData.UploadSizeMismatch']);
    const commit = await call('PUT', `${local('demo', 'e1', 'up')}/0`, JSON.stringify({ upload: { sha256, sizeBytes: bytes.length } }));
    expect([commit.status, commit.body.error.code]).toEqual([409, 'StateData.UploadNotFound']);
    const exact = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: bytes });
    expect(exact.status).toBe(200);
    expect((await call('PUT', `${local('demo', 'e1', 'up')}/0`, JSON.stringify({ upload: { sha256, sizeBytes: bytes.length } }))).status).toBe(200);
    expect((await call('GET', `${local('demo', 'e1', 'up')}/0`)).body).toEqual({ value: 'u'.repeat(1000) });
  });
});

describe('presigned local uploads are refused while they are received', () => {
  const grantFor = async (key: string, bytes: Buffer) => {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { sha256, grant: (await call('POST', `${local('demo', 'e7', key)}/0/upload-url`, JSON.stringify({ sha256, sizeBytes: bytes.length }))).body };
  };

  it('a chunked upload far past the declared size is answered 413 long before it is all sent, and nothing is stored', async () => {
    const bytes = Buffer.from(JSON.stringify('s'.repeat(1000)));
    const { sha256, grant } = await grantFor('stream', bytes);
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 32);
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      let answered = false;
      const req = http.request(grant.url, { method: 'PUT', headers: { ...grant.headers, 'transfer-encoding': 'chunked' } }, (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', (e) => (answered ? undefined : reject(e)));
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(total / 2);
    const commit = await call('PUT', `${local('demo', 'e7', 'stream')}/0`, JSON.stringify({ upload: { sha256, sizeBytes: bytes.length } }));
    expect(commit.status).toBe(409);
  });

  it('a token that is not valid URL encoding is a 403, not a crash', async () => {
    for (const token of ['%ZZ', '%C3%28', 'abc.def']) {
      const res = await fetch(`${platform.url}/v1/local-blobs/${token}`, { method: 'PUT', body: 'x' });
      expect([res.status, (await res.json()).error.code]).toEqual([403, 'StateData.InvalidSignature']);
    }
  });

  it('a Content-Length above the declared size is refused before any byte is read', async () => {
    const bytes = Buffer.from(JSON.stringify('c'.repeat(100)));
    const { grant } = await grantFor('declared', bytes);
    const res = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: Buffer.alloc(bytes.length + 1) });
    expect([res.status, (await res.json()).error.code]).toEqual([413, 'StateData.UploadTooLarge']);
  });
});

describe('put_items replaces the list as a whole', () => {
  it('3 items over an earlier 10 read back as exactly the 3', async () => {
    const c = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'e2' });
    await c.putItems('list', Array.from({ length: 10 }, (_, i) => i));
    const before = (await platform.service.items.getHead('fluxio-state-data', 'demo:e2:list'))!;
    await c.putItems('list', ['new', 'new', 'new']);
    expect(await c.getItems('list')).toEqual(['new', 'new', 'new']);
    // the replaced generation's items are deleted, not only hidden
    expect(await platform.service.items.query('fluxio-state-data', `demo:e2:list#${before.generation}`)).toEqual([]);
    expect((await failure(c.getItem('list', 3))).code).toBe('StateData.NoItemFound');
    // put_item still writes one element of the current list (spec §20.4)
    await c.putItem('list', 'patched', 1);
    expect(await c.getItems('list')).toEqual(['new', 'patched', 'new']);
  });

  it('two concurrent put_items to one key: every read is wholly one writer\'s list (20 trials)', async () => {
    const c = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'e3' });
    const a = Array.from({ length: 60 }, (_, i) => `A${i}`);
    const b = Array.from({ length: 45 }, (_, i) => `B${i}`);
    const whole = (got: unknown[]) => JSON.stringify(got) === JSON.stringify(a) || JSON.stringify(got) === JSON.stringify(b);
    for (let trial = 0; trial < 20; trial++) {
      const key = `race-${trial}`;
      await c.putItems(key, trial % 2 ? a : b);
      const reads: unknown[][] = [];
      const reader = (async () => {
        for (let i = 0; i < 3; i++) reads.push(await c.getItems(key));
      })();
      await Promise.all([c.putItems(key, a), c.putItems(key, b), reader]);
      const final = await c.getItems(key);
      expect(whole(final), `trial ${trial}: ${JSON.stringify(final)}`).toBe(true);
      for (const r of reads) expect(whole(r), `trial ${trial} mid-write read: ${JSON.stringify(r)}`).toBe(true);
    }
  });

  it('a list split over several requests is invisible until the last one commits it', async () => {
    const c = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'e4', maxItemsPerRequest: 4 });
    await c.putItems('split', ['old']);
    const path = local('demo', 'e4', 'split');
    const first = await call('PUT', path, '{"items":[0,1,2],"commit":false}');
    expect(first.body.generation).toMatch(/^[0-9a-z]+$/);
    await call('PUT', path, JSON.stringify({ items: [3, 4], startIndex: 3, generation: first.body.generation, commit: false }));
    expect(await c.getItems('split')).toEqual(['old']);
    await call('PUT', path, JSON.stringify({ items: [], startIndex: 5, generation: first.body.generation }));
    expect(await c.getItems('split')).toEqual([0, 1, 2, 3, 4]);
    // the client does the same by itself (4 per request here)
    expect((await c.putItems('split', Array.from({ length: 10 }, (_, i) => i * 10))).items).toHaveLength(10);
    expect(await c.getItems('split')).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
  });

  it('paging names its generation: replaced between pages is a 409, and the clients read again from the start', async () => {
    const big = (tag: string) => Array.from({ length: 16 }, (_, i) => `${tag}${i}`.padEnd(379_998, 'v'));
    const c = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'e5' });
    await c.putItems('paged', big('a'));
    const path = local('demo', 'e5', 'paged');
    const first = await call('GET', path);
    expect(first.body.next).toBeDefined();
    await c.putItems('paged', big('b'));
    const stale = await call('GET', `${path}?after=${first.body.next}&generation=${first.body.generation}`);
    expect([stale.status, stale.body.error.code]).toEqual([409, 'StateData.ItemsReplaced']);
    expect(await c.getItems('paged')).toEqual(big('b'));
  });
});

describe('never report failure for a write that happened, or success for one that did not', () => {
  const service = (items: ItemStore, putItemsDeadlineMs?: number) =>
    new StateDataService({ items, blobs: platform.service.blobs, executions: registry, putItemsDeadlineMs });
  const addr = (key: string) => ({ tableName: 'fluxio-state-data', partitionKey: `demo:e6:${key}` });

  it('a put_items past its deadline commits nothing and says so (503); the earlier list stays', async () => {
    const s = service(platform.service.items);
    await s.putItems('demo', addr('slow').tableName, addr('slow').partitionKey, ['"kept"']);
    const late = service(platform.service.items, -1);
    await expect(late.putItems('demo', addr('slow').tableName, addr('slow').partitionKey, ['1', '2'])).rejects.toMatchObject({
      code: 'StateData.WriteTimeout',
      statusCode: 503,
    });
    expect((await s.getItems(addr('slow').tableName, addr('slow').partitionKey, 'http://x')).values).toEqual([{ json: '"kept"' }]);
  });

  it('a process whose remembered head is stale still reads and writes the current items', async () => {
    const a = service(platform.service.items);
    const b = service(platform.service.items); // another Lambda container / process
    const { tableName, partitionKey } = addr('stale');
    const at = (index: number) => ({ tableName, partitionKey, index });
    await a.putItems('demo', tableName, partitionKey, ['"a0"', '"a1"']);
    expect(await a.getItem(at(1), 'http://x')).toEqual({ json: '"a1"' });
    await b.putItems('demo', tableName, partitionKey, ['"b0"', '"b1"']);
    expect(await a.getItem(at(1), 'http://x')).toEqual({ json: '"b1"' });
    await b.putItems('demo', tableName, partitionKey, ['"c0"', '"c1"']);
    await a.putItem('demo', at(0), '"patched"');
    expect((await b.getItems(tableName, partitionKey, 'http://x')).values).toEqual([{ json: '"patched"' }, { json: '"c1"' }]);
  });

  it('a commit whose answer is lost is reported as done when it happened', async () => {
    const items = platform.service.items;
    const lossy = Object.assign(Object.create(items), {
      putHead: async (...args: Parameters<ItemStore['putHead']>) => {
        await items.putHead(...args);
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      },
    }) as ItemStore;
    await service(lossy).putItems('demo', addr('lossy').tableName, addr('lossy').partitionKey, ['"new"']);
    const read = await service(items).getItems(addr('lossy').tableName, addr('lossy').partitionKey, 'http://x');
    expect(read.values).toEqual([{ json: '"new"' }]);
  });
});
