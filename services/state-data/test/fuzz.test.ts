/**
 * Fuzz: whatever path parameters and body a caller sends to any state data
 * route, the answer is a 2xx or a 4xx with the error body, never a 5xx.
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
beforeAll(async () => {
  handle = await createStateDataService({ target: 'embedded' });
  setStateDataService(handle.service);
});
afterAll(async () => {
  setStateDataService(undefined);
  await handle?.close();
});

const context = { awsRequestId: 'fuzz', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
const routes = STATE_DATA_ROUTES.filter((r) => !r.localOnly);
const segment = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('0', '1', '-1', '01', 'exec-1', 'fluxio-state-data', 'a:b', '9007199254740993'));
const body = fc.oneof(
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
    fc.asyncProperty(fc.constantFrom(...routes), fc.dictionary(fc.constantFrom('project', 'execution', 'key', 'index', 'table', 'partitionKey'), segment), body, async (route, params, raw) => {
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
        body: raw,
        isBase64Encoded: false,
      } as unknown as HttpEvent;
      const res = await (route.functionName === 'stateDataStop' ? stop : items)(event, context);
      expect(res.statusCode, `${route.method} ${route.path} ${JSON.stringify(pathParameters)} ${raw} → ${res.body}`).toBeLessThan(500);
      if ((res.statusCode ?? 200) >= 400) expect(JSON.parse(res.body!).error.message.length).toBeGreaterThan(0);
    }),
    { numRuns: 600 },
  );
});
