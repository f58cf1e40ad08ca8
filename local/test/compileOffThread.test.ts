/**
 * The local platform compiles in worker threads (issue 11: `GET
 * /v1/openapi.json` waited 40 s behind one compile): while a big compile runs,
 * other requests are answered first, and `POST /v1/runs` compiles there too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../src/server/platform.ts';
import { generateProject } from '../../services/compiler-api/bench/generate.ts';

const SMALL = 'class T(Task):\n    async def run(event, context):\n        return event\n\ndef main(data):\n    T(data)\n';

let platform: Platform;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fluxio-compile-pool-'));
  platform = await startPlatform({ port: 0, dataDir, workers: 1 });
});
afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(platform.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it('GET /v1/openapi.json and a small compile are answered while a big compile runs', async () => {
  // warm both compile workers
  const warm = await Promise.all([post('/v1/compile', { source: SMALL }), post('/v1/compile', { source: SMALL })]);
  expect(warm.map((r) => r.status)).toEqual([200, 200]);
  const order: string[] = [];
  const big = post('/v1/compile', { source: generateProject(5000) }).then((r) => order.push(`big ${r.status}`));
  await new Promise((r) => setTimeout(r, 100)); // the big compile is running
  const openapi = fetch(platform.url + '/v1/openapi.json').then((r) => order.push(`openapi ${r.status}`));
  const small = post('/v1/compile', { source: SMALL }).then((r) => order.push(`small ${r.status}`));
  await Promise.all([big, openapi, small]);
  expect(order.indexOf('big 200')).toBe(2);
  expect(order.slice(0, 2).sort()).toEqual(['openapi 200', 'small 200']);
});

it('POST /v1/runs answers compile errors as 422 with the first 100 errors and the total', async () => {
  const res = await post('/v1/runs', { source: 'def main(data):\n' + '    foo()\n'.repeat(500) });
  expect(res.status).toBe(422);
  const body = await res.json();
  expect(body.error.code).toBe('Compile.Failed');
  expect(body.error.details.errors).toHaveLength(100);
  expect(body.error.details.totalErrors).toBe(500);
});
