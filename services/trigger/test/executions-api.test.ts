/**
 * The executions API end to end on the local platform (issue 9): the real
 * platform on 127.0.0.1:0, two projects deployed through the deployer's HTTP
 * API (real Python behind the alias `live`), every executions route over HTTP
 * with its 4xx.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';
import { DeployerClient } from '@fluxio/contracts/deployerClient';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';

/** A task that fails on request, a main that calls it, and a state machine that waits a minute (to stop). */
export const EXECUTIONS_PROJECT = `
class Greet(Task):
    async def run(event, context):
        if event.get("fail"):
            raise ValueError("asked to fail")
        return "hello " + event.get("who", "world")


def main(data):
    data["greeting"] = Greet(key="Greet")


def slow(data):
    wait(seconds=60)
`;

let dataDir: string;
let platform: Platform;
let sfn: SFNClient;

async function deployProject(project: string): Promise<Record<string, { aliasArn: string }>> {
  const dir = join(dataDir, 'src', project);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'project.py'), EXECUTIONS_PROJECT);
  const client = new DeployerClient({ baseUrl: platform.url });
  const bundle = await createProjectBundle(dir);
  await client.uploadBundle(project, bundle);
  const record = await client.deployAndWait(project, { bundle: { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes } });
  expect(record.status, JSON.stringify(record.error)).toBe('SUCCEEDED');
  return record.stateMachines;
}

const base = (project: string, sm = 'main') => `/v1/projects/${project}/state-machines/${sm}/executions`;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${platform.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function finished(project: string, name: string, sm = 'main'): Promise<any> {
  for (;;) {
    const d = await api('GET', `${base(project, sm)}/${name}`);
    expect(d.status).toBe(200);
    if (d.body.status !== 'RUNNING') return d.body;
    await new Promise((r) => setTimeout(r, 25));
  }
}

let shopMachines: Record<string, { aliasArn: string }>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fluxio-executions-api-'));
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: dataDir });
  sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
  shopMachines = await deployProject('shop');
  await deployProject('other');
}, 120_000);

afterAll(async () => {
  sfn?.destroy();
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('POST …/executions (start on the alias live)', () => {
  test('201 with the execution; it runs the deployed code with __trace {id: name, source: http}', async () => {
    const res = await api('POST', base('shop'), { input: { who: 'sue' }, name: 'first-run' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ executionArn: expect.stringMatching(/:execution:fluxio-local-shop-main:first-run$/), name: 'first-run', startDate: expect.any(String) });
    expect(new Date(res.body.startDate).toISOString()).toBe(res.body.startDate);
    const d = await finished('shop', 'first-run');
    expect(d).toMatchObject({ status: 'SUCCEEDED', trigger: 'http', error: null, cause: null, stopDate: expect.any(String) });
    expect(d.input).toEqual({ who: 'sue', __trace: { id: 'first-run', source: 'http' } });
    expect(d.output).toMatchObject({ who: 'sue', greeting: 'hello sue' });
    expect(d.versionArn).toMatch(/:stateMachine:fluxio-local-shop-main:\d+$/);
  });

  test('the same name and input again → 200 with the same execution (key order does not matter); other input → 409', async () => {
    const first = await api('POST', base('shop'), { name: 'idem', input: { a: 1, b: { c: [1, 2] } } });
    expect(first.status).toBe(201);
    await finished('shop', 'idem');
    const again = await api('POST', base('shop'), { name: 'idem', input: { b: { c: [1, 2] }, a: 1 } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await api('POST', base('shop'), { name: 'idem', input: { a: 2 } });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'Execution.AlreadyExists', details: { name: 'idem', executionArn: first.body.executionArn } });
    expect(other.body.error.message).toMatch(/another name/);
  });

  test('a running execution started again with the same name and input → 200, not a second one', async () => {
    const first = await api('POST', base('shop', 'slow'), { name: 'running-idem', input: {} });
    expect(first.status).toBe(201);
    const again = await api('POST', base('shop', 'slow'), { name: 'running-idem' });
    expect(again.status).toBe(200);
    expect(again.body.executionArn).toBe(first.body.executionArn);
    expect((await api('POST', base('shop', 'slow'), { name: 'running-idem', input: { x: 1 } })).status).toBe(409);
    await api('POST', `${base('shop', 'slow')}/running-idem/stop`, {});
  });

  test('no name → a UUID; no input → {}; the caller\'s __trace.id is kept, source becomes http', async () => {
    const res = await api('POST', base('shop'), {});
    expect(res.status).toBe(201);
    expect(res.body.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await finished('shop', res.body.name)).input).toEqual({ __trace: { id: res.body.name, source: 'http' } });
    const traced = await api('POST', base('shop'), { name: 'carried', input: { __trace: { id: 'upstream-42', source: 'schedule' } } });
    expect(traced.status).toBe(201);
    expect((await finished('shop', 'carried')).input.__trace).toEqual({ id: 'upstream-42', source: 'http' });
  });

  test('unknown project or state machine → 404 Trigger.StateMachineNotFound', async () => {
    for (const path of [base('nobody'), base('shop', 'nothing')]) {
      const res = await api('POST', path, { input: {} });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('Trigger.StateMachineNotFound');
      expect(res.body.error.message).toMatch(/deploy it first/);
    }
  });

  test('input not a JSON object, a bad name, a malformed __trace, unknown fields, bad path → 400', async () => {
    for (const input of [[1, 2], 'text', 3, null]) {
      const res = await api('POST', base('shop'), { input });
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect(res.body.error.code).toBe('Request.Invalid');
      expect(res.body.error.message).toMatch(/\/input/);
    }
    for (const name of ['has space', 'x'.repeat(81), '', 'a:b']) {
      const res = await api('POST', base('shop'), { name });
      expect(res.status, name).toBe(400);
      expect(res.body.error.message).toMatch(/\/name/);
    }
    const trace = await api('POST', base('shop'), { input: { __trace: 'x' } });
    expect(trace.status).toBe(400);
    expect(trace.body.error).toMatchObject({ code: 'Execution.InvalidInput', message: expect.stringMatching(/__trace is reserved/) });
    expect((await api('POST', base('shop'), { Input: {} })).status).toBe(400);
    expect((await api('POST', base('shop'), '{not json')).body.error.code).toBe('Request.MalformedJson');
    const path = await api('POST', base('1bad'), {});
    expect(path.status).toBe(400);
    expect(path.body.error).toMatchObject({ code: 'Request.InvalidPath', details: { parameter: 'project' } });
    expect((await api('POST', base('shop', 'not-python'), {})).body.error.details).toEqual({ parameter: 'stateMachine' });
  });

  test('input above 256 KiB → 413 saying to pass a state data pointer', async () => {
    const res = await api('POST', base('shop'), { input: { blob: 'x'.repeat(256 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/state data/);
  });
});

describe('GET …/executions and …/executions/{name}', () => {
  test('newest first with the trigger of each (null for a start without __trace); ?status= filters; pages with nextToken', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: shopMachines.main!.aliasArn, name: 'direct-start', input: '{"who":"jae"}' }));
    expect(executionArn).toBeDefined();
    await finished('shop', 'direct-start');
    await api('POST', base('shop'), { name: 'failing', input: { fail: true } });
    expect(await finished('shop', 'failing')).toMatchObject({ status: 'FAILED', error: 'ValueError', cause: expect.stringContaining('asked to fail'), output: null });
    const list = await api('GET', base('shop'));
    expect(list.status).toBe(200);
    const names = list.body.executions.map((e: any) => e.name);
    expect(names[0]).toBe('failing');
    expect(names.indexOf('direct-start')).toBeLessThan(names.indexOf('first-run'));
    const direct = list.body.executions.find((e: any) => e.name === 'direct-start');
    expect(direct).toEqual({ name: 'direct-start', executionArn, status: 'SUCCEEDED', startDate: expect.any(String), stopDate: expect.any(String), trigger: null });
    expect(list.body.executions.find((e: any) => e.name === 'first-run').trigger).toBe('http');
    const failed = await api('GET', `${base('shop')}?status=FAILED`);
    expect(failed.body.executions.map((e: any) => e.name)).toEqual(['failing']);
    const page1 = await api('GET', `${base('shop')}?maxResults=2`);
    expect(page1.body.executions).toHaveLength(2);
    expect(page1.body.nextToken).toEqual(expect.any(String));
    const page2 = await api('GET', `${base('shop')}?maxResults=2&nextToken=${encodeURIComponent(page1.body.nextToken)}`);
    expect(page2.body.executions[0].name).toBe(names[2]);
  });

  test('list 4xx: unknown status, maxResults out of range, a foreign nextToken, unknown state machine', async () => {
    const status = await api('GET', `${base('shop')}?status=DONE`);
    expect(status.status).toBe(400);
    expect(status.body.error.message).toMatch(/RUNNING, SUCCEEDED/);
    for (const q of ['maxResults=0', 'maxResults=101', 'maxResults=ten']) expect((await api('GET', `${base('shop')}?${q}`)).status, q).toBe(400);
    expect((await api('GET', `${base('shop')}?nextToken=garbage`)).body.error.code).toBe('Request.InvalidQuery');
    expect((await api('GET', base('shop', 'nothing'))).status).toBe(404);
  });

  test('describe: 404 Execution.NotFound for an unknown name and for another project\'s execution', async () => {
    const mine = await api('POST', base('other'), { name: 'others-run', input: {} });
    expect(mine.status).toBe(201);
    const res = await api('GET', `${base('shop')}/others-run`);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'Execution.NotFound', message: expect.stringMatching(/has no execution others-run/) });
    expect((await api('GET', `${base('other')}/others-run`)).status).toBe(200);
    expect((await api('GET', `${base('shop')}/never-ran`)).status).toBe(404);
    expect((await api('GET', `${base('shop')}/bad%20name`)).status).toBe(400);
    expect((await api('GET', `${base('shop')}/others-run/history`)).status).toBe(404);
    expect((await api('POST', `${base('shop')}/others-run/stop`)).status).toBe(404);
  });
});

describe('GET …/executions/{name}/history', () => {
  test('events oldest first, or newest first with reverseOrder, in pages', async () => {
    const h = await api('GET', `${base('shop')}/first-run/history`);
    expect(h.status).toBe(200);
    const types = h.body.events.map((e: any) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types).toContain('TaskStateEntered');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(h.body.events[0]).toMatchObject({ id: 1, timestamp: expect.any(String) });
    const last = await api('GET', `${base('shop')}/first-run/history?reverseOrder=true&maxResults=1`);
    expect(last.body.events.map((e: any) => e.type)).toEqual(['ExecutionSucceeded']);
    const before = await api('GET', `${base('shop')}/first-run/history?reverseOrder=true&maxResults=1&nextToken=${encodeURIComponent(last.body.nextToken)}`);
    expect(before.body.events[0].id).toBe(last.body.events[0].id - 1);
  });

  test('history 4xx', async () => {
    expect((await api('GET', `${base('shop')}/first-run/history?reverseOrder=yes`)).status).toBe(400);
    expect((await api('GET', `${base('shop')}/first-run/history?maxResults=1001`)).status).toBe(400);
    expect((await api('GET', `${base('shop')}/never-ran/history`)).body.error.code).toBe('Execution.NotFound');
  });
});

describe('POST …/stop and …/redrive', () => {
  test('stop a running execution with error and cause (ABORTED); again → stopped false; redrive runs it again', async () => {
    await api('POST', base('shop', 'slow'), { name: 'to-stop' });
    const stop = await api('POST', `${base('shop', 'slow')}/to-stop/stop`, { error: 'Ops.Manual', cause: 'stopped by hand' });
    expect(stop.status).toBe(200);
    expect(stop.body).toMatchObject({ name: 'to-stop', stopped: true, status: 'ABORTED', stopDate: expect.any(String) });
    expect(await finished('shop', 'to-stop', 'slow')).toMatchObject({ status: 'ABORTED', error: 'Ops.Manual', cause: 'stopped by hand', redriveStatus: 'REDRIVABLE' });
    const again = await api('POST', `${base('shop', 'slow')}/to-stop/stop`);
    expect(again.body).toMatchObject({ stopped: false, status: 'ABORTED' });
    const redrive = await api('POST', `${base('shop', 'slow')}/to-stop/redrive`);
    expect(redrive.status).toBe(200);
    expect(redrive.body).toMatchObject({ name: 'to-stop', redriveCount: 1, redriveDate: expect.any(String) });
    expect((await api('GET', `${base('shop', 'slow')}/to-stop`)).body).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    await api('POST', `${base('shop', 'slow')}/to-stop/stop`);
  });

  test('redrive a SUCCEEDED execution → 409 Execution.NotRedrivable with the reason; unknown → 404; stop with a too long error → 400', async () => {
    const res = await api('POST', `${base('shop')}/first-run/redrive`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'Execution.NotRedrivable', message: expect.stringContaining('SUCCEEDED') });
    expect((await api('POST', `${base('shop')}/never-ran/redrive`)).status).toBe(404);
    expect((await api('POST', `${base('shop')}/first-run/stop`, { error: 'e'.repeat(257) })).status).toBe(400);
  });

  test('the OpenAPI document lists every executions route', async () => {
    const doc = await api('GET', '/v1/openapi.json');
    const paths = Object.keys(doc.body.paths).filter((p) => p.includes('/state-machines/'));
    expect(paths.sort()).toEqual(
      [base('{project}', '{stateMachine}'), ...['', '/history', '/stop', '/redrive'].map((s) => `${base('{project}', '{stateMachine}')}/{name}${s}`)].sort(),
    );
  });
});
