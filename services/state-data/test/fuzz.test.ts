/**
 * Fuzz: whatever path parameters, query and body a caller sends to any state
 * data route, the answer is a 2xx or a 4xx with the error body, never a 5xx
 * (issue 11 inputs included: deep values, startIndex near 2^53, non-finite
 * numbers, huge item lists, generations, wrong projects, tables that do not
 * exist, foreign execution ARNs), and no other project's data changes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '@fluxio/contracts/http';
import { STATE_DATA_ROUTES } from '@fluxio/contracts/routes';
import { handler as items } from '../src/handlers/items.ts';
import { handler as stop } from '../src/handlers/stop.ts';
import { createStateDataService, type StateDataServiceHandle } from '../src/createStateDataService.ts';
import { setStateDataService } from '../src/serviceRegistry.ts';

let handle: StateDataServiceHandle;
const SEED = { tableName: 'fluxio-state-data', partitionKey: 'alpha:run-1:seed-only' };
beforeAll(async () => {
  handle = await createStateDataService({ target: 'embedded' });
  setStateDataService(handle.service);
  await handle.service.putItems('alpha', SEED.tableName, SEED.partitionKey, ['"a0"', '"a1"']);
});
afterAll(async () => {
  setStateDataService(undefined);
  await handle?.close();
});

const context = { awsRequestId: 'fuzz', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
const routes = STATE_DATA_ROUTES.filter((r) => !r.localOnly);
const segment = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('0', '1', '-1', '01', 'exec-1', 'fluxio-state-data', 'a:b', '9007199254740993', '9007199254740991'),
  // other projects and their partitions, tables that do not exist
  fc.constantFrom('alpha', 'beta', 'run-1', 'alpha:run-1:k', 'beta:run-1:k', 'no-such-table', 'ghost.table_1'),
);
const deep = fc.integer({ min: 90, max: 6000 }).map((n) => `${'['.repeat(n)}1${']'.repeat(n)}`);
const nonFinite = fc.constantFrom('1e400', '-1e400', '1e309', '[1e400]', '{"x":-1e999}');
const generation = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('0000000000000000', 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'));
const body = fc.oneof(
  deep.map((d) => `{"value":${d}}`),
  deep.map((d) => `{"items":[0,${d}]}`),
  nonFinite.map((n) => `{"value":${n}}`),
  nonFinite.map((n) => `{"items":[1,${n}]}`),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 53, 1e21, 999_999, 1_000_000).map((i) => `{"items":[1,2],"startIndex":${i}}`),
  fc.integer({ min: 10_000, max: 10_002 }).map((n) => JSON.stringify({ items: new Array(n).fill(0) })),
  fc.record({ items: fc.array(fc.jsonValue(), { maxLength: 3 }), generation, commit: fc.boolean() }, { requiredKeys: ['items'] }).map((o) => JSON.stringify(o)),
  fc.record({ value: fc.jsonValue(), generation }).map((o) => JSON.stringify(o)),
  fc.record({ sha256: fc.constant('0'.repeat(64)), sizeBytes: fc.integer({ min: 1, max: 200 }), pad: fc.string({ minLength: 0, maxLength: 5000 }) }).map((o) => JSON.stringify(o)),
  fc
    .constantFrom(
      'arn:aws:states:us-east-1:000000000000:execution:alpha-main:run-1',
      'arn:aws:states:us-east-1:000000000000:execution:demo-main:demo',
      'arn:aws:states:us-east-1:000000000000:execution:main:demo',
    )
    .map((executionArn) => JSON.stringify({ executionArn })),
  fc.constant(undefined),
  fc.string({ maxLength: 60 }),
  fc.json().map((j) => j),
  fc.record({ value: fc.jsonValue() }).map((o) => JSON.stringify(o)),
  fc.record({ items: fc.array(fc.jsonValue(), { maxLength: 5 }), startIndex: fc.integer({ min: -3, max: 3 }) }).map((o) => JSON.stringify(o)),
  fc.record({ sha256: fc.string(), sizeBytes: fc.integer() }).map((o) => JSON.stringify(o)),
  fc.record({ error: fc.string(), cause: fc.string(), executionArn: fc.string() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

it('never answers 5xx to any input on any route', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...routes),
      fc.dictionary(fc.constantFrom('project', 'execution', 'key', 'index', 'table', 'partitionKey'), segment),
      body,
      fc.dictionary(fc.constantFrom('after', 'generation'), fc.oneof(segment, generation), { maxKeys: 2 }),
      async (route, params, raw, query) => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const pathParameters = Object.fromEntries(names.map((n) => [n, params[n] ?? 'demo']));
      const event = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: '/x',
        rawQueryString: '',
        headers: { 'content-type': 'application/json', host: '127.0.0.1' },
        requestContext: { http: { method: route.method, path: '/x' } },
        pathParameters,
        queryStringParameters: query,
        body: raw,
        isBase64Encoded: false,
      } as unknown as HttpEvent;
      const res = await (route.functionName === 'stateDataStop' ? stop : items)(event, context);
      expect(res.statusCode, `${route.method} ${route.path} ${JSON.stringify(pathParameters)} ${raw} → ${res.body}`).toBeLessThan(500);
      if ((res.statusCode ?? 200) >= 400) expect(JSON.parse(res.body!).error.message.length).toBeGreaterThan(0);
      },
    ),
    { numRuns: 600 },
  );
  // whatever the other projects sent, alpha's items are as alpha wrote them
  expect((await handle.service.getItems(SEED.tableName, SEED.partitionKey, 'http://x')).values).toEqual([{ json: '"a0"' }, { json: '"a1"' }]);
});
