/**
 * `npm run bench:state-data` — prints JSON lines:
 *
 * 1. put/get of 1 KB items through the service's HTTP handler path (API Gateway
 *    v2 event → middy → validation → domain → DynamoDB adapter) versus the raw
 *    DynamoDB document client doing the same PutItem/GetItem (consistent read)
 *    against the same in-memory dynalite: ops/s, p50/p99 latency (ms) and the
 *    service/raw cost ratio (issue 3 budget: ≤ 1.3x);
 * 2. the same 1 KB put/get over real HTTP on 127.0.0.1 with the TypeScript client;
 * 3. MB/s for a 10 MB item (presigned upload + commit, presigned download + hash check).
 *
 * Env: BENCH_OPS (default 2000 per measurement), BENCH_ROUNDS (default 3; the median round of the
 * handler-vs-raw pairs and the best round of the others is reported).
 */
import { performance } from 'node:perf_hooks';
import type { Context } from 'aws-lambda';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HttpEvent } from '@fluxio/contracts/http';
import { StateDataClient } from '@fluxio/contracts/stateDataClient';
import { handler } from '../src/handlers/items.ts';
import { startStateDataServer } from '../test/server.ts';

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TABLE = 'fluxio-state-data';
const VALUE = { text: 'x'.repeat(1000), n: 42 }; // ~1 KB of JSON
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Measure two operations under identical conditions: op i of `a` and op i of
 * `b` alternate (which one goes first alternates too), so the store's growth
 * and GC pauses hit both alike. ops/s counts only each side's own time.
 */
async function measurePair(names: [string, string], a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>) {
  const results: Array<{ opsPerSec: number; p50: number; p99: number }>[] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    const lat = [new Array<number>(OPS), new Array<number>(OPS)];
    const fns = [a, b];
    for (let i = 0; i < OPS; i++) {
      for (const k of i % 2 ? [1, 0] : [0, 1]) {
        const s = performance.now();
        await fns[k](i);
        lat[k][i] = performance.now() - s;
      }
    }
    for (const k of [0, 1]) {
      const total = lat[k].reduce((x, y) => x + y, 0);
      const sorted = [...lat[k]].sort((x, y) => x - y);
      results[k].push({ opsPerSec: Math.round((OPS / total) * 1000), p50: +quantile(sorted, 0.5).toFixed(3), p99: +quantile(sorted, 0.99).toFixed(3) });
    }
  }
  // median round of each side
  return [0, 1].map((k) => {
    const byOps = [...results[k]].sort((x, y) => x.opsPerSec - y.opsPerSec);
    return { name: names[k], ops: OPS, rounds: ROUNDS, ...byOps[Math.floor(byOps.length / 2)] };
  });
}

async function measure(name: string, fn: (i: number) => Promise<unknown>) {
  let best: { opsPerSec: number; p50: number; p99: number } | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const lat: number[] = new Array(OPS);
    const t0 = performance.now();
    for (let i = 0; i < OPS; i++) {
      const s = performance.now();
      await fn(i);
      lat[i] = performance.now() - s;
    }
    const total = performance.now() - t0;
    lat.sort((a, b) => a - b);
    const r = { opsPerSec: Math.round((OPS / total) * 1000), p50: +quantile(lat, 0.5).toFixed(3), p99: +quantile(lat, 0.99).toFixed(3) };
    if (!best || r.opsPerSec > best.opsPerSec) best = r;
  }
  return { name, ops: OPS, rounds: ROUNDS, ...best! };
}

const routeKey = (m: string) => `${m} /v1/projects/{project}/executions/{execution}/items/{key}/{index}`;
function event(method: 'PUT' | 'GET', execution: string, index: number): HttpEvent {
  const path = `/v1/projects/bench/executions/${execution}/items/k/${index}`;
  return {
    version: '2.0',
    routeKey: routeKey(method),
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: '127.0.0.1' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'r',
      routeKey: routeKey(method),
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    pathParameters: { project: 'bench', execution, key: 'k', index: String(index) },
    body: method === 'PUT' ? JSON.stringify({ value: VALUE }) : undefined,
    isBase64Encoded: false,
  };
}

async function main() {
  const platform = await startStateDataServer();
  const raw = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: platform.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  try {
    const rawPut = (pk: string) => (i: number) =>
      raw.send(
        new PutCommand({
          TableName: TABLE,
          Item: { partition_key: pk, sort_key: i, data: JSON.stringify(VALUE), expires_at: Math.floor(Date.now() / 1000) + 604800 },
        }),
      );
    const rawGet = (pk: string) => async (i: number) => {
      const out = await raw.send(new GetCommand({ TableName: TABLE, Key: { partition_key: pk, sort_key: i }, ConsistentRead: true }));
      return JSON.parse(out.Item!.data as string);
    };
    const check = async (p: Promise<{ statusCode?: number }>) => {
      const r = await p;
      if (r.statusCode !== 200) throw new Error(`handler answered ${r.statusCode}`);
    };
    const putEvents = Array.from({ length: OPS }, (_, i) => event('PUT', 'svc', i));
    const getEvents = Array.from({ length: OPS }, (_, i) => event('GET', 'svc', i));

    // warm up both paths (JIT, connections, table)
    for (let i = 0; i < 200; i++) {
      await rawPut('warm:k')(i);
      await check(handler(event('PUT', 'warm', i), context));
    }

    // raw and service ops alternate, so dynalite's growth affects both alike
    const [rawPutR, svcPutR] = await measurePair(
      ['raw-dynamodb put 1KB', 'service-handler put 1KB'],
      rawPut('raw:k'),
      (i) => check(handler(putEvents[i], context)),
    );
    const [rawGetR, svcGetR] = await measurePair(
      ['raw-dynamodb get 1KB', 'service-handler get 1KB'],
      rawGet('raw:k'),
      (i) => check(handler(getEvents[i], context)),
    );
    for (const r of [rawPutR, svcPutR, rawGetR, svcGetR]) console.log(JSON.stringify(r));
    console.log(
      JSON.stringify({
        name: 'service/raw cost ratio (p50 latency; budget 1.3)',
        put: +(svcPutR.p50 / rawPutR.p50).toFixed(3),
        get: +(svcGetR.p50 / rawGetR.p50).toFixed(3),
        putThroughput: +(rawPutR.opsPerSec / svcPutR.opsPerSec).toFixed(3),
        getThroughput: +(rawGetR.opsPerSec / svcGetR.opsPerSec).toFixed(3),
      }),
    );

    const client = new StateDataClient({ baseUrl: platform.url, project: 'bench', execution: 'http' });
    console.log(JSON.stringify(await measure('http+ts-client put 1KB (loopback)', (i) => client.putItem('k', VALUE, i))));
    console.log(JSON.stringify(await measure('http+ts-client get 1KB (loopback)', (i) => client.getItem('k', i))));

    const big = { blob: 'y'.repeat(10 * 1000 * 1000 - 11) }; // 10 MB of JSON
    const mb = Buffer.byteLength(JSON.stringify(big)) / 1e6;
    const times = { put: Infinity, get: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      await client.putItem('big', big, round);
      times.put = Math.min(times.put, performance.now() - t);
      t = performance.now();
      const back = (await client.getItem('big', round)) as typeof big;
      times.get = Math.min(times.get, performance.now() - t);
      if (back.blob.length !== big.blob.length) throw new Error('10 MB round trip lost data');
    }
    console.log(
      JSON.stringify({
        name: '10 MB item via presigned URLs (http+ts-client, loopback)',
        sizeMB: +mb.toFixed(2),
        putMBps: +(mb / (times.put / 1000)).toFixed(1),
        getMBps: +(mb / (times.get / 1000)).toFixed(1),
        putMs: Math.round(times.put),
        getMs: Math.round(times.get),
      }),
    );
  } finally {
    raw.destroy();
    await platform.stop();
  }
}

await main();
