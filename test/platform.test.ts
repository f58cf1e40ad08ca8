/**
 * The local platform (`npm start` / `fluxio serve`): every route of ROUTES on
 * 127.0.0.1 with the same handlers, the OpenAPI document, the run API, data on
 * disk under the data directory that survives a restart, clean Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '@fluxio/contracts/routes';
import { StateDataClient } from '@fluxio/contracts/stateDataClient';
import { startPlatform, type Platform } from '../local/src/server/platform.ts';
import { FLUXIO_BIN, REPO_ROOT } from './helpers.ts';
import { rawHttp } from './helpers/rawHttp.ts';

const example = (name: string) => readFile(join(REPO_ROOT, 'examples', name, 'project.py'), 'utf8');

const postJson = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
};

describe('local platform', () => {
  let dataDir: string;
  let platform: Platform;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fluxio-platform-'));
    platform = await startPlatform({ port: 0, dataDir, projectDir: REPO_ROOT, workers: 2 });
  });
  afterAll(async () => {
    await platform?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and serves every route of ROUTES (the same set serverless.yml declares)', async () => {
    expect(platform.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(platform.routes.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of ROUTES) {
      const path = r.path.replace(/\{[^}]+\}/g, 'x');
      const res = await fetch(platform.url + path, { method: r.method, headers: { 'content-type': 'application/json' }, body: r.method === 'GET' ? undefined : '{}' });
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
      expect(body.error?.code, `${r.method} ${r.path}`).not.toBe('Route.NotFound');
      expect(res.status, `${r.method} ${r.path}`).toBeLessThan(500);
    }
    const missing = await fetch(platform.url + '/v1/nope');
    expect(missing.status).toBe(404);
  });

  it('answers HEAD on GET routes like GET without a body', async () => {
    const get = await fetch(platform.url + '/v1/health');
    const getBody = await get.text();
    const head = await fetch(platform.url + '/v1/health', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json');
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(getBody)));
    expect(await head.text()).toBe('');
    const headMissing = await fetch(platform.url + '/v1/runs/nope', { method: 'HEAD' });
    expect(headMissing.status).toBe(404);
  });

  it('answers a known path with another method 405 with Allow, and an unknown path 404, both with the standard error body', async () => {
    const put = await fetch(platform.url + '/v1/compile', { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('Route.MethodNotAllowed');
    const patch = await fetch(platform.url + '/v1/projects/p/executions/e/items/k/0', { method: 'PATCH', body: '{}' });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, HEAD, PUT');
    const missing = await fetch(platform.url + '/v1/nope');
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('Route.NotFound');
  });

  it('answers requests Node cannot parse (unknown method, 20 KB header, malformed request line) with the standard error body', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['unknown method', 'FOO /v1/health HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'Request.UnknownMethod'],
      ['20 KB header', `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'Request.HeadersTooLarge'],
      ['malformed request line', 'GET /v1/health HTTQ/1.1\r\nHost: x\r\n\r\n', 400, 'Request.Malformed'],
      ['missing target', 'GET\r\n\r\n', 400, ''],
      ['bad header', 'GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, 'Request.Malformed'],
    ];
    for (const [name, request, status, code] of cases) {
      const res = await rawHttp(platform.url, request);
      expect(res.status, name).toBe(status);
      expect(res.headers, name).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(res.body).error.code, name).toMatch(code ? new RegExp(`^${code.replace('.', '\\.')}$`) : /^Request\./);
    }
    expect((await fetch(platform.url + '/v1/health')).status).toBe(200);
  });

  it('refuses a compile body that is not valid UTF-8 with 400 Request.InvalidUtf8, like fluxio compile (no lossy decoding)', async () => {
    const source = Buffer.concat([Buffer.from('{"source":"def main(data):\\n    data[\\"x\\"] = \\"caf'), Buffer.from([0xe9]), Buffer.from('\\"\\n"}')]);
    const res = await fetch(platform.url + '/v1/compile', { method: 'POST', headers: { 'content-type': 'application/json' }, body: source });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('Request.InvalidUtf8');
    const valid = await postJson(platform.url + '/v1/compile', { source: 'def main(data):\n    data["x"] = "café"\n' });
    expect(valid.status).toBe(200);
  });

  it('GET /v1/health answers {"status":"ok","version"} and what is running locally', async () => {
    const res = await fetch(platform.url + '/v1/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(body.local).toMatchObject({ dataDir, pid: process.pid, workers: 2 });
  });

  it('serves the OpenAPI document listing every route', async () => {
    const doc = (await (await fetch(platform.url + '/v1/openapi.json')).json()) as { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\.1/);
    // port 0: the document names the port the platform actually listens on, not the default 4510
    expect(doc.servers.map((s) => s.url)).toEqual([platform.url]);
    for (const r of ROUTES) expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
  });

  it('compiles over HTTP', async () => {
    const res = await postJson(platform.url + '/v1/compile', { source: await example('looping-counter'), project: 'counter' });
    expect(res.status).toBe(200);
    expect(res.json.project).toBe('counter');
    expect(res.json.stateMachines.main.definition.StartAt).toBeTypeOf('string');
  });

  it('POST /v1/runs runs a project like fluxio run and returns the result', async () => {
    const res = await postJson(platform.url + '/v1/runs', { source: await example('looping-counter'), input: { increment: 3 } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'SUCCEEDED', output: { counter: 12 }, error: null });
    const again = await fetch(platform.url + res.json.links.self);
    expect(((await again.json()) as { status: string }).status).toBe('SUCCEEDED');
  });

  it('a long run answers 202 RUNNING and is pollable until it ends', async () => {
    const timestamp = new Date(Date.now() + 2500).toISOString().replace(/\.\d+Z$/, 'Z');
    const res = await postJson(platform.url + '/v1/runs', { source: await example('reminder'), input: { timestamp, message: 'later' }, waitSeconds: 0 });
    expect(res.status).toBe(202);
    expect(res.json.status).toBe('RUNNING');
    expect(res.headers.get('location')).toBe(res.json.links.self);
    let run: Record<string, any> = res.json;
    for (let i = 0; i < 100 && run.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      run = (await (await fetch(platform.url + res.json.links.self)).json()) as Record<string, any>;
    }
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output.notification.msg).toBe('later');
  });

  it('runs answer 4xx for bad input: compile errors (422), unknown state machine (404), bad JSON (400), unknown run (404)', async () => {
    const bad = await postJson(platform.url + '/v1/runs', { source: 'def main(data)\n    return\n' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe('Compile.Failed');
    expect(bad.json.error.details.errors[0]).toMatchObject({ line: 1 });
    const unknown = await postJson(platform.url + '/v1/runs', { source: await example('looping-counter'), stateMachine: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toMatch(/main/);
    const malformed = await postJson(platform.url + '/v1/runs', '{"source": ');
    expect(malformed.status).toBe(400);
    const missing = await fetch(platform.url + '/v1/runs/does-not-exist');
    expect(missing.status).toBe(404);
  });
});

describe('fluxio serve', () => {
  const start = (dataDir: string) => {
    const child = spawn(process.execPath, [FLUXIO_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--workers', '1'], { cwd: REPO_ROOT });
    let stderr = '';
    const url = new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, url, exited, stderr: () => stderr };
  };

  it('prints where everything is, stops cleanly on Ctrl-C, and keeps the data for the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fluxio-serve-'));
    try {
      const first = start(dataDir);
      const url = await first.url;
      expect(first.stderr()).toContain('/v1/openapi.json');
      expect(first.stderr()).toContain(dataDir);
      const client = new StateDataClient({ baseUrl: url, project: 'demo', execution: 'exec-1' });
      await client.putItems('characters', [{ name: 'jerry' }, { name: 'elaine' }]);
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(0);
      expect(first.stderr()).toContain('Stopped.');

      const second = start(dataDir);
      const url2 = await second.url;
      const client2 = new StateDataClient({ baseUrl: url2, project: 'demo', execution: 'exec-1' });
      expect(await client2.getItems('characters')).toEqual([{ name: 'jerry' }, { name: 'elaine' }]);
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('fluxio serve refuses to start, exit 2, when', () => {
  const serve = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [FLUXIO_BIN, 'serve', '--workers', '1', ...args], { cwd: REPO_ROOT });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // A start that hangs instead of exiting is the bug: kill it after a while so the test fails, not hangs.
      const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (code) => {
        clearTimeout(guard);
        resolve({ code, stderr });
      });
    });

  it('the port is in use: the message names the port and --port, and the process exits', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fluxio-port-'));
    const holder = await import('node:http').then((http) => http.createServer());
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    try {
      const res = await serve(['--port', String(port), '--data-dir', dataDir]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(res.stderr).toMatch(/--port/);
      // The refused start released the data directory: another start may take it.
      expect(existsSync(join(dataDir, 'fluxio.lock'))).toBe(false);
    } finally {
      holder.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('another platform serves the same --data-dir: the message names its pid; a stale lock of a dead process is taken over', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fluxio-lock-'));
    const first = await startPlatform({ port: 0, dataDir, projectDir: REPO_ROOT, workers: 1 });
    try {
      const lock = JSON.parse(await readFile(join(dataDir, 'fluxio.lock'), 'utf8'));
      expect(lock).toMatchObject({ pid: process.pid, url: first.url });
      const res = await serve(['--port', '0', '--data-dir', dataDir]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`data directory ${dataDir} is in use by process ${process.pid}`);
      expect(res.stderr).toContain(first.url);
      expect(res.stderr).toMatch(/another --data-dir/);
      expect(res.stderr).not.toMatch(/Database is closed|at .*\.ts:\d+/);
      // The first platform is unharmed.
      const client = new StateDataClient({ baseUrl: first.url, project: 'demo', execution: 'exec-1' });
      await client.putItems('k', [1, 2]);
      expect(await client.getItems('k')).toEqual([1, 2]);
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, 'fluxio.lock'))).toBe(false);
    // A lock left by a process that died (SIGKILL) is stale: the next start takes it over.
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    await writeFile(join(dataDir, 'fluxio.lock'), JSON.stringify({ pid: deadPid, hostname: hostname(), startedAt: new Date().toISOString() }));
    const second = await startPlatform({ port: 0, dataDir, projectDir: REPO_ROOT, workers: 1 });
    try {
      expect(JSON.parse(await readFile(join(dataDir, 'fluxio.lock'), 'utf8')).pid).toBe(process.pid);
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('non-loopback hosts', () => {
  it('are told apart from loopback ones, and get a warning naming the host and the missing auth', async () => {
    const { isLoopbackHost, exposedHostWarning } = await import('../local/src/server/platform.ts');
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
    expect(exposedHostWarning('0.0.0.0', 'http://0.0.0.0:4510')).toMatch(/^WARNING: listening on 0\.0\.0\.0 .*no authentication.*--host 127\.0\.0\.1/);
  });

  it('a loopback start has no warnings', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fluxio-host-'));
    const platform = await startPlatform({ port: 0, dataDir, projectDir: REPO_ROOT, workers: 1 });
    try {
      expect(platform.warnings).toEqual([]);
    } finally {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('local platform limits', () => {
  it('a body above a route limit gets 413 with what to do instead, before the handler runs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fluxio-limits-'));
    const platform = await startPlatform({ port: 0, dataDir, projectDir: REPO_ROOT, workers: 1 });
    try {
      const big = JSON.stringify({ source: 'x'.repeat(3 * 1024 * 1024) });
      const res = await fetch(platform.url + '/v1/compile', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(res.status).toBe(413);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('Request.TooLarge');
      expect(body.error.message).toMatch(/Split the workflow into several projects/);
    } finally {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('local HTTP server protocol handlers', () => {
  it('tries each protocol handler before the /v1 router with the raw request and body, and falls through when none handles it', async () => {
    const { startHttpServer } = await import('../local/src/server/httpServer.ts');
    const seen: string[] = [];
    const server = await startHttpServer(
      [{ method: 'GET', path: '/v1/ping', handler: async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"pong":true}' }) }],
      {
        protocolHandlers: [
          (req, body, res) => {
            seen.push(`${req.method} ${req.url} ${body.toString('utf8')}`);
            if (req.headers['x-amz-target'] !== 'AWSStepFunctions.ListStateMachines') return false;
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
            res.end(JSON.stringify({ stateMachines: [], echoed: body.toString('utf8') }));
            return true;
          },
        ],
      },
    );
    try {
      const sfn = await fetch(server.url + '/', { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }, body: '{"maxResults":1}' });
      expect(sfn.status).toBe(200);
      expect(await sfn.json()).toEqual({ stateMachines: [], echoed: '{"maxResults":1}' });
      const ping = await fetch(server.url + '/v1/ping');
      expect(await ping.json()).toEqual({ pong: true });
      expect(seen).toEqual(['POST / {"maxResults":1}', 'GET /v1/ping ']);
    } finally {
      await server.close();
    }
  });
});
