/**
 * `fluxio run` end to end: the real CLI binary in a child process, the real
 * compiler, real python3 workers, the embedded state data service on
 * 127.0.0.1. Each test runs one state machine of run-fixtures/features.
 */
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { FLUXIO_BIN, runFluxio } from '../../test/helpers.ts';
import { afterAll, describe, expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FEATURES = resolve(HERE, 'run-fixtures/features');
const tmp = mkdtempSync(join(tmpdir(), 'fluxio-run-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fluxio = (args: string[], env: Record<string, string> = {}) => runFluxio(args, { env });

/** Runs a state machine of the features fixture with --json and returns the parsed result. */
async function runJson(stateMachine: string, input: unknown, extra: string[] = [], env: Record<string, string> = {}) {
  const r = await fluxio(['run', FEATURES, '--state-machine', stateMachine, '--input', JSON.stringify(input), '--json', ...extra], env);
  let body: { status: string; output: Record<string, unknown> | null; error: string | null; cause: string | null };
  try {
    body = JSON.parse(r.stdout);
  } catch {
    throw new Error(`fluxio run printed no JSON (exit ${r.code}).\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { ...r, body };
}

const T = 60_000;

describe('fluxio run: control flow', () => {
  it.each([
    [3, 'small'],
    [7, 'medium'],
    [20, 'big'],
  ])('Choice: n=%i takes the %s branch', async (n, size) => {
    const { code, body } = await runJson('choice_flow', { n });
    expect(code).toBe(0);
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output).toMatchObject({ n, size });
    // The task saw its own state name and the execution's name.
    expect(body.output!.meta).toMatchObject({ state: 'Meta', execution: (body.output!.__trace as { id: string }).id });
  }, T);

  it('Map with MaxConcurrency runs a Python task per item, results in item order', async () => {
    const { code, body } = await runJson('map_flow', { items: [1, 2, 3, 4, 5] });
    expect(code).toBe(0);
    const results = body.output!.results as Array<{ context_value: number; doubled: number }>;
    expect(results.map((r) => r.doubled)).toEqual([2, 4, 6, 8, 10]);
  }, T);

  it('Parallel returns one output per branch', async () => {
    const { body } = await runJson('parallel_flow', { n: 21 });
    expect(body.status).toBe('SUCCEEDED');
    expect((body.output!.sides as Array<{ side: unknown }>).map((b) => b.side)).toEqual(['left', 42]);
  }, T);

  it('Wait with --fast-waits does not wait an hour', async () => {
    const { code, body } = await runJson('wait_flow', {}, ['--fast-waits']);
    expect(code).toBe(0);
    expect(body.output).toMatchObject({ waited: true });
  }, T);

  it('a nested state machine runs as a child execution and returns its output', async () => {
    const { body } = await runJson('nested_flow', { n: 5 });
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output!.from_child).toMatchObject({ n: 5, child_value: 10 });
  }, T);

  it('Fail: raise NotAllowed(...) fails the execution with that error and cause, exit 1', async () => {
    const { code, body } = await runJson('fail_flow', {});
    expect(code).toBe(1);
    expect(body).toEqual({ status: 'FAILED', output: null, error: 'NotAllowed', cause: 'n must be positive' });
  }, T);
});

describe('fluxio run: errors, retries, timeouts', () => {
  it('Retry: a task failing twice with ConnectionError succeeds on the third attempt', async () => {
    const dir = mkdtempSync(join(tmp, 'retry-'));
    const { code, body } = await runJson('retry_flow', { dir }, ['--fast-waits']);
    expect(code).toBe(0);
    expect(body.output!.attempts).toBe(3);
    expect(readFileSync(join(dir, 'attempts.txt'), 'utf8')).toBe('xxx');
  }, T);

  it('Retry with real intervals reports each retry in the progress output', async () => {
    const dir = mkdtempSync(join(tmp, 'retry-real-'));
    const r = await fluxio(['run', FEATURES, '--state-machine', 'retry_flow', '--input', JSON.stringify({ dir })]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/↻ Flaky call raised ConnectionError after \d+ ms: attempt 1 failed — retry 1\/3 in 1\.0 s/);
    expect(r.stderr).toMatch(/↻ Flaky call raised ConnectionError after \d+ ms: attempt 2 failed — retry 2\/3 in 2\.0 s/);
    expect(JSON.parse(r.stdout).attempts).toBe(3);
  }, T);

  it('Catch: a task raising KeyError is caught by `except KeyError:`', async () => {
    const { body } = await runJson('catch_flow', {});
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output).toMatchObject({ recovered: true, error: { Error: 'KeyError', Cause: "'missing-key'" } });
  }, T);

  it('an uncaught task exception fails the run with its class name; progress shows print output, traceback and the project.py line', async () => {
    const r = await fluxio(['run', FEATURES, '--state-machine', 'uncaught_flow']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('│ Boom uncaught: about to fail');
    expect(r.stderr).toMatch(/Traceback \(most recent call last\):[\s\S]*project\.py", line 26, in run[\s\S]*KeyError: 'missing-key'/);
    const line = readFileSync(join(FEATURES, 'project.py'), 'utf8').split('\n').findIndex((l) => l.includes('Boom(key="Boom uncaught")')) + 1;
    expect(r.stderr).toContain(`■ uncaught_flow FAILED`);
    expect(r.stderr).toContain(`project.py:${line}`);
    expect(r.stderr).toContain(`KeyError: 'missing-key'`);
  }, T);

  it('TimeoutSeconds: an overrunning task fails with States.Timeout, its worker is replaced', async () => {
    const { body } = await runJson('timeout_flow', {}, ['--workers', '1']);
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output).toMatchObject({ timed_out: true, error: { Error: 'States.Timeout' } });
    expect(typeof body.output!.pid_after).toBe('number');
  }, T);

  it('HeartbeatSeconds: a TaskWorker that blocks its event loop fails with States.HeartbeatTimeout', async () => {
    const { body } = await runJson('heartbeat_flow', { slow: { block: 4 } });
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output).toMatchObject({ no_heartbeat: true, error: { Error: 'States.HeartbeatTimeout' } });
  }, T);

  it('HeartbeatSeconds: a TaskWorker that awaits keeps heartbeating and finishes', async () => {
    const { body } = await runJson('heartbeat_flow', { slow: { busy: 2.5 } });
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output).toMatchObject({ greeting: 'busy done' });
    expect(body.output).not.toHaveProperty('no_heartbeat');
  }, T);
});

describe('fluxio run: task services', () => {
  it('ecs:worker: on_startup once per worker, run per message, on_cleanup at shutdown', async () => {
    const marker = join(tmp, 'worker-marker.txt');
    const { body } = await runJson('worker_flow', { names: ['ann', 'bob', 'cy'] }, ['--workers', '1'], {
      FLUXIO_TEST_MARKER: marker,
      // Tasks get a Lambda-like environment; FLUXIO_TASK_ENV names the extra variables they may see.
      FLUXIO_TASK_ENV: 'FLUXIO_TEST_MARKER',
    });
    expect(body.status).toBe('SUCCEEDED');
    expect((body.output!.greetings as Array<{ greeting: string }>).map((g) => g.greeting)).toEqual(['Hello, ann!', 'Hello, bob!', 'Hello, cy!']);
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['startup', 'run', 'run', 'run', 'cleanup']);
  }, T);

  it('ecs: the run method receives SFN_INPUT_VALUE; the state result is the stopped ECS task', async () => {
    const dir = mkdtempSync(join(tmp, 'ecs-'));
    const { body } = await runJson('ecs_flow', { job: { dir, n: 41 } });
    expect(body.status).toBe('SUCCEEDED');
    expect(readFileSync(join(dir, 'ecs.txt'), 'utf8')).toBe('41');
    expect(body.output!.ecs).toMatchObject({ LastStatus: 'STOPPED', Containers: [{ Name: 'Store', ExitCode: 0 }] });
  }, T);

  it('ecs: a task called without an input argument receives the whole data (as JSON text in SFN_INPUT_VALUE)', async () => {
    const dir = mkdtempSync(join(tmp, 'ecs-whole-'));
    const { body } = await runJson('ecs_whole_data', { dir, n: 7 });
    expect(body.status).toBe('SUCCEEDED');
    expect(readFileSync(join(dir, 'ecs.txt'), 'utf8')).toBe('7');
  }, T);

  it('context.stop_execution aborts the execution: status ABORTED, exit 1', async () => {
    const { code, body } = await runJson('stop_flow', {});
    expect(body).toEqual({ status: 'ABORTED', output: null, error: 'Halt', cause: 'stopped by the task' });
    expect(code).toBe(1);
  }, T);
});

describe('fluxio run: state data', () => {
  it('--data-dir keeps state data on disk across runs; without it every run starts empty', async () => {
    const dataDir = join(tmp, 'data');
    const first = await runJson('persist_flow', {}, ['--data-dir', dataDir]);
    const second = await runJson('persist_flow', {}, ['--data-dir', dataDir]);
    const inMemory = await runJson('persist_flow', {});
    expect([first.body.output!.visits, second.body.output!.visits, inMemory.body.output!.visits]).toEqual([1, 2, 1]);
  }, T);
});

describe('fluxio run: command line', () => {
  it('--input @file reads the input from a JSON file; progress goes to stderr, output to stdout', async () => {
    const file = join(tmp, 'input.json');
    writeFileSync(file, JSON.stringify({ n: 50 }));
    const r = await fluxio(['run', join(FEATURES, 'project.py'), '--state-machine', 'choice_flow', '--input', `@${file}`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 50, size: 'big' });
    expect(r.stderr).toMatch(/▶ choice_flow execution/);
    expect(r.stderr).toMatch(/✓ Meta \d+ ms/);
    expect(r.stderr).toMatch(/■ choice_flow SUCCEEDED/);
  }, T);

  it('summarises Map iterations in the progress output', async () => {
    const r = await fluxio(['run', FEATURES, '--state-machine', 'map_flow', '--input', '{"items": [1, 2, 3, 4]}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/✓ Map-\S+ 4 iterations \(4 succeeded\) \d/);
  }, T);

  it.each([
    [['run'], /missing FILE/],
    [['run', join(FEATURES, 'nope.py')], /no such file/],
    [['run', FEATURES, '--input', '{oops'], /--input is not valid JSON/],
    [['run', FEATURES, '--input', '@/definitely/missing.json'], /cannot read --input file/],
    [['run', FEATURES, '--state-machine', 'nope'], /no state machine named 'nope'[\s\S]*choice_flow/],
    [['run', FEATURES, '--bogus'], /Unknown option/i],
    [['run', FEATURES, '--workers', '0'], /--workers must be an integer/],
    [['run', FEATURES, '--input', '[1,2]'], /--input is refused: The execution input must be a JSON object[\s\S]*got an array/],
    [['run', FEATURES, '--input', '"text"'], /must be a JSON object/],
  ])('usage error %j exits 2 with a hint', async (args, message) => {
    const r = await fluxio(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  }, T);

  it('compile errors are reported like fluxio compile and exit 1 without running', async () => {
    const dir = mkdtempSync(join(tmp, 'bad-'));
    writeFileSync(join(dir, 'project.py'), 'def main(data)\n    data["x"] = 1\n');
    const r = await fluxio(['run', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/project\.py:1/);
    expect(r.stderr).toMatch(/nothing was run/);
    const j = await fluxio(['run', dir, '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).errors[0]).toMatchObject({ line: 1 });
  }, T);
});

describe('fluxio run: a task-less loop', () => {
  const spinDir = mkdtempSync(join(tmp, 'spin-'));
  writeFileSync(join(spinDir, 'project.py'), 'def main(data):\n    data["x"] = 0\n    while data["x"] == 0:\n        data["y"] = 1\n');

  it('fails at the 25,000-event history quota with States.Runtime, like Step Functions', async () => {
    const r = await fluxio(['run', spinDir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      status: 'FAILED',
      output: null,
      error: 'States.Runtime',
      cause: 'The execution reached the maximum number of history events (25000).',
    });
  }, T);

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops it at once: ABORTED, exit 1', async (signal) => {
    // A 200 kB input makes each transition slow, so the loop would run for many seconds before the quota.
    const input = join(spinDir, 'big-input.json');
    writeFileSync(input, JSON.stringify({ blob: 'b'.repeat(200_000) }));
    const child = spawn(process.execPath, [FLUXIO_BIN, 'run', spinDir, '--input', `@${input}`, '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    await new Promise<void>((ready) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/While-/.test(stderr)) ready();
      }),
    );
    child.kill(signal);
    const code = await exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/main ABORTED/);
    expect(stderr).toMatch(signal === 'SIGINT' ? /Ctrl-C/ : /SIGTERM/);
  }, T);
});
