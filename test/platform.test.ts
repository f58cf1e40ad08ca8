/**
 * The local platform (`npm start` / `fluxio serve`): every route of ROUTES on
 * 127.0.0.1 with the same handlers, the OpenAPI document, the run API, data on
 * disk under the data directory that survives a restart, clean Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '@fluxio/contracts/routes';
import { StateDataClient } from '@fluxio/contracts/stateDataClient';
import { startPlatform, type Platform } from '../local/src/server/platform.ts';
import { FLUXIO_BIN, REPO_ROOT } from './helpers.ts';

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

  it('serves the OpenAPI document listing every route', async () => {
    const doc = (await (await fetch(platform.url + '/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\.1/);
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
