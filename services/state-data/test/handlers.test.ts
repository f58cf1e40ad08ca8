/**
 * The handlers with API Gateway HTTP API (payload 2.0) events as API Gateway
 * sends them, and every bad-input case through HTTP: 400 malformed, 404
 * missing, 413 too large, never a 5xx for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '@fluxio/contracts/http';
import { handler as itemsHandler } from '../src/handlers/items.ts';
import { startStateDataServer, type TestPlatform } from './server.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startStateDataServer();
});
afterAll(async () => platform?.stop());

const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
const event = async (name: string): Promise<HttpEvent> => JSON.parse(await readFile(new URL(`./events/${name}`, import.meta.url), 'utf8'));

describe('handlers with API Gateway v2 events', () => {
  it('put then get through the deployed handler, base64 body as API Gateway sends it', async () => {
    const put = await itemsHandler(await event('put-item.json'), context);
    expect(put.statusCode).toBe(200);
    expect(JSON.parse(put.body!)).toEqual({ table_name: 'fluxio-state-data', partition_key: 'demo:exec-42:characters', key: 'characters' });
    const getEvent = await event('put-item.json');
    getEvent.routeKey = getEvent.requestContext.routeKey = 'GET /v1/projects/{project}/executions/{execution}/items/{key}/{index}';
    getEvent.requestContext.http.method = 'GET';
    delete getEvent.body;
    getEvent.isBase64Encoded = false;
    const got = await itemsHandler(getEvent, context);
    expect(got.statusCode).toBe(200);
    expect(JSON.parse(got.body!)).toEqual({ value: { name: 'elaine' } });
  });

  it('an unknown route key is a 404, not a crash', async () => {
    const e = await event('put-item.json');
    e.routeKey = 'PATCH /v1/nope';
    const res = await itemsHandler(e, context);
    expect(res.statusCode).toBe(404);
  });
});

const call = async (method: string, path: string, body?: string | object) => {
  const res = await fetch(platform.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

const L = '/v1/projects/demo/executions/exec-1/items';
const G = '/v1/projects/demo/tables';

describe('bad input gets a 4xx with a clear error', () => {
  it.each([
    ['malformed JSON', 'PUT', `${L}/k/0`, '{"value": ', 400, 'Request.MalformedJson'],
    ['empty body', 'PUT', `${L}/k/0`, '', 400, 'Request.MalformedJson'],
    ['no value', 'PUT', `${L}/k/0`, {}, 400, 'Request.Invalid'],
    ['value and upload', 'PUT', `${L}/k/0`, { value: 1, upload: { sha256: 'a'.repeat(64), sizeBytes: 1 } }, 400, 'Request.Invalid'],
    ['unknown field', 'PUT', `${L}/k/0`, { value: 1, colour: 'red' }, 400, 'Request.Invalid'],
    ['ttlSeconds 0', 'PUT', `${L}/k/0`, { value: 1, ttlSeconds: 0 }, 400, 'Request.Invalid'],
    ['ttlSeconds not a number', 'PUT', `${L}/k/0`, { value: 1, ttlSeconds: '7d' }, 400, 'Request.Invalid'],
    ['negative index', 'PUT', `${L}/k/-1`, { value: 1 }, 400, 'Request.InvalidPath'],
    ['index with leading zero', 'GET', `${L}/k/01`, undefined, 400, 'Request.InvalidPath'],
    ['index not a number', 'GET', `${L}/k/abc`, undefined, 400, 'Request.InvalidPath'],
    ['index above 2^53', 'GET', `${L}/k/9007199254740993`, undefined, 400, 'Request.InvalidPath'],
    ['after not a number', 'GET', `${L}/k?after=x`, undefined, 400, 'Request.InvalidPath'],
    ['items not an array', 'PUT', `${L}/k`, { items: { a: 1 } }, 400, 'Request.Invalid'],
    ['execution name with a space', 'GET', '/v1/projects/demo/executions/a%20b/items/k/0', undefined, 400, 'Request.InvalidPath'],
    ['execution name with a colon', 'GET', '/v1/projects/demo/executions/a%3Ab/items/k/0', undefined, 400, 'Request.InvalidPath'],
    ['project name', 'GET', '/v1/projects/9lives/executions/e/items/k/0', undefined, 400, 'Request.InvalidPath'],
    ['table name too short', 'GET', `${G}/ab/partitions/p/items/0`, undefined, 400, 'Request.InvalidPath'],
    ['table name with bad characters', 'PUT', `${G}/bad%24table/partitions/p/items/0`, { value: 1 }, 400, 'Request.InvalidPath'],
    ['item key with ?', 'GET', `${L}/what%3F/0`, undefined, 400, 'Request.InvalidPath'],
    ['item key with %', 'PUT', `${L}/100%25/0`, { value: 1 }, 400, 'Request.InvalidPath'],
    ['partition key with #', 'GET', `${G}/fluxio-state-data/partitions/a%23b/items/0`, undefined, 400, 'Request.InvalidPath'],
    ['partition key above 2048 bytes', 'GET', `${G}/fluxio-state-data/partitions/${'p'.repeat(2049)}/items/0`, undefined, 400, 'Request.InvalidPath'],
    ['upload-url with a bad sha256', 'POST', `${L}/k/0/upload-url`, { sha256: 'xyz', sizeBytes: 10 }, 400, 'Request.Invalid'],
    ['upload-url with size 0', 'POST', `${L}/k/0/upload-url`, { sha256: 'a'.repeat(64), sizeBytes: 0 }, 400, 'Request.Invalid'],
    ['stop with a 257-character error', 'POST', '/v1/projects/demo/executions/e/stop', { error: 'e'.repeat(257) }, 400, 'Request.Invalid'],
    ['stop with a foreign execution ARN', 'POST', '/v1/projects/demo/executions/e/stop', { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:other' }, 400, 'Request.Invalid'],
    ['stop with malformed JSON', 'POST', '/v1/projects/demo/executions/e/stop', '{', 400, 'Request.MalformedJson'],
    ['missing item', 'GET', `${L}/never-put/0`, undefined, 404, 'StateData.NoItemFound'],
    ['missing global item', 'GET', `${G}/fluxio-state-data/partitions/nope/items/7`, undefined, 404, 'StateData.NoItemFound'],
    ['unknown method on an item route', 'DELETE', `${L}/k/0`, undefined, 405, 'Route.MethodNotAllowed'],
  ])('%s → %i %s', async (_name, method, path, body, status, code) => {
    const res = await call(method as string, path as string, body as string | object | undefined);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(20);
  });

  it('a put_items body above 5 MiB is a 413 that names the alternative', async () => {
    const res = await call('PUT', `${L}/k`, { items: ['x'.repeat(3_000_000), 'y'.repeat(3_000_000)] });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('Request.TooLarge');
    expect(res.body.error.message).toMatch(/upload-url/);
  });

  it('stop with no body at all is accepted (error and cause are optional)', async () => {
    const res = await call('POST', '/v1/projects/demo/executions/never-ran/stop');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('StateData.ExecutionNotFound');
  });

  it('nothing was stored by any rejected request', async () => {
    const res = await call('GET', `${L}/k`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], indexes: [] });
  });
});
