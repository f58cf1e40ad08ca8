/**
 * Issue 11 regressions on the local platform (real HTTP server on 127.0.0.1,
 * real compiler, real python3 workers): a task-less loop no longer spins
 * forever, payloads over Step Functions' 256 KiB quota fail the way the service
 * fails them, a task's output never reaches another project's run, tasks do
 * not see the platform's environment, and a non-object input is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../src/server/platform.ts';

const SPIN = 'def main(data):\n    data["x"] = 0\n    while data["x"] == 0:\n        data["y"] = 1\n';

/** A project whose `main` runs one task with `body` as its `run` method. */
const oneTask = (body: string) =>
  ['class Work(Task):', '    async def run(event, context):', ...body.split('\n').map((l) => `        ${l}`), '', '', 'def main(data):', '    data["out"] = Work(key="Work")', '    return', ''].join('\n');

type Json = Record<string, any>;
const SECRET_NAME = 'FLUXIO_TEST_PLATFORM_SECRET';

describe('local platform: one run cannot harm the platform or another project', () => {
  let dataDir: string;
  let platform: Platform;
  const post = async (body: unknown) => {
    const res = await fetch(platform.url + '/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Json };
  };

  beforeAll(async () => {
    // The platform's own secret: tasks must not see it (the pool spawns its workers from this environment).
    process.env[SECRET_NAME] = 'platform-only-s3cr3t';
    dataDir = await mkdtemp(join(tmpdir(), 'fluxio-limits-'));
    platform = await startPlatform({ port: 0, dataDir, projectDir: dataDir, workers: 1 });
  }, 60_000);
  afterAll(async () => {
    delete process.env[SECRET_NAME];
    await platform?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a workflow without tasks that loops forever fails at the 25,000-event history quota (States.Runtime)', async () => {
    const { status, json } = await post({ source: SPIN, waitSeconds: 20 });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The execution reached the maximum number of history events (25000).',
    });
    // Pass and Choice states: ExecutionStarted + an Entered and an Exited event per state.
    expect(json.statesEntered).toBeGreaterThan(12_000);
    expect(json.statesEntered).toBeLessThanOrEqual(12_500);
  }, 60_000);

  it('waitSeconds is honoured and other requests are answered while the engine loops (and close() stops it)', async () => {
    // Each transition copies a 200 kB input, so the loop takes many seconds before reaching the quota.
    const started = await post({ source: SPIN, input: { blob: 'b'.repeat(200_000) }, waitSeconds: 1 });
    expect(started.status).toBe(202);
    expect(started.json.status).toBe('RUNNING');
    const openapi = await fetch(platform.url + '/v1/openapi.json');
    expect(openapi.status).toBe(200);
    const poll = await fetch(platform.url + started.json.links.self).then((r) => r.json() as Promise<Json>);
    expect(poll.status).toBe('RUNNING');
    expect(poll.statesEntered).toBeGreaterThan(0);
  }, 60_000);

  it('a task returning 50 MB fails with States.DataLimitExceeded, and the cause says to use the state data client', async () => {
    const { json } = await post({ source: oneTask('return "x" * 50_000_000'), waitSeconds: 20 });
    expect(json).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(json.cause).toMatch(/262144 bytes/);
    expect(json.cause).toMatch(/context\.state_data_client\.put_item/);
    expect(json.output).toBeNull();
  }, 60_000);

  it("a task's stderr never reaches another project's run, and a cause carries at most the last 8 KiB of output", async () => {
    const noisy = oneTask(
      ['import os, sys', 'os.write(2, b"A-SECRET-OUTPUT " * 320_000 + b"\\n")', 'sys.stderr.write("A-PRINTED " * 100_000 + "\\n")', 'return 1'].join('\n'),
    );
    const a = await post({ source: noisy, project: 'tenant-a', waitSeconds: 20 });
    expect(a.json.status).toBe('SUCCEEDED');
    const crashing = oneTask(['import os', 'print("B was here")', 'os._exit(1)'].join('\n'));
    const b = await post({ source: crashing, project: 'tenant-b', waitSeconds: 20 });
    expect(b.json).toMatchObject({ status: 'FAILED', error: 'Fluxio.WorkerExited' });
    expect(b.json.cause).not.toMatch(/A-SECRET-OUTPUT|A-PRINTED/);
    expect(b.json.cause.length).toBeLessThan(12_000);
    expect(b.json.cause).toMatch(/B was here/);

    const c = await post({ source: oneTask(['import os', 'print("C " * 20_000)', 'os._exit(3)'].join('\n')), project: 'tenant-c', waitSeconds: 20 });
    expect(c.json.cause).toMatch(/earlier bytes of the task's output cut/);
    expect(c.json.cause.length).toBeLessThan(12_000);
  }, 60_000);

  it('a task sees the Lambda-like environment (PATH, HOME, AWS_REGION, its FLUXIO_* values), not the platform secret', async () => {
    const { json } = await post({ source: oneTask('import os\nreturn dict(os.environ)'), project: 'env-check', waitSeconds: 20 });
    expect(json.status).toBe('SUCCEEDED');
    const env = json.output.out as Record<string, string>;
    expect(env[SECRET_NAME]).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain('platform-only-s3cr3t');
    expect(env).toMatchObject({ FLUXIO_PROJECT: 'env-check', FLUXIO_EXECUTION_NAME: json.executionName, TZ: expect.any(String), LANG: expect.any(String) });
    expect(env.PATH).toContain(process.env.PATH!);
    expect(env.AWS_REGION).toBeTruthy();
    expect(env.FLUXIO_STATE_DATA_URL).toMatch(/^http:\/\/127\.0\.0\.1:/);
  }, 60_000);

  it('refuses an input that is not a JSON object (400) or is over 262,144 bytes (413, with the hint)', async () => {
    const array = await post({ source: SPIN, input: [1, 2] });
    expect(array.status).toBe(400);
    expect(array.json.error.message).toMatch(/input/);
    const big = await post({ source: SPIN, input: { blob: 'z'.repeat(262_144) } });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('Run.InputTooLarge');
    expect(big.json.error.message).toMatch(/state data/);
  }, 60_000);

  it('refuses an input nested 5,000 levels deep or holding 1e400 with a 400 (not a 500, not a silent null)', async () => {
    const raw = async (text: string) => {
      const res = await fetch(platform.url + '/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      return { status: res.status, json: (await res.json()) as Json };
    };
    const source = JSON.stringify(SPIN);
    const deep = await raw(`{"source":${source},"input":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`);
    expect(deep.status).toBe(400);
    expect(deep.json.error.code).toBe('Run.InvalidExecutionInput');
    expect(deep.json.error.message).toMatch(/100 levels/);
    const infinite = await raw(`{"source":${source},"input":{"x":1e400}}`);
    expect(infinite.status).toBe(400);
    expect(infinite.json.error.message).toMatch(/1e400|finite/);
  }, 60_000);
});
