/**
 * Every example under examples/ runs end to end through `fluxio run` with
 * real Python tasks and the embedded state data service (issue 4, "Examples").
 */
import { describe, expect, it } from 'vitest';
import { runFluxio } from './helpers.ts';

interface RunJson {
  status: string;
  output: Record<string, unknown> | null;
  error: string | null;
  cause: string | null;
}

async function run(example: string, input: unknown, extra: string[] = []) {
  const res = await runFluxio(['run', `examples/${example}/project.py`, '--json', '--input', JSON.stringify(input), ...extra]);
  let json: RunJson;
  try {
    json = JSON.parse(res.stdout) as RunJson;
  } catch {
    throw new Error(`fluxio run printed no JSON (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  }
  return { ...res, json };
}

describe('examples', () => {
  it('fan-out: put_items, map over the pointer, ecs:worker greets each item, results read back in order', async () => {
    const { code, json } = await run('fan-out', { names: ['sue', 'jae', 'levi', 'ana'] }, ['--fast-waits']);
    expect(json.status).toBe('SUCCEEDED');
    expect(code).toBe(0);
    const items = json.output!.items as Record<string, unknown>;
    expect(items).toMatchObject({ key: 'items', items: [1, 1, 1, 1] });
    expect(items.partition_key).toMatch(/:items$/);
    expect(json.output!.summary).toEqual({
      count: 4,
      greetings: ['Hello, sue!', 'Hello, jae!', 'Hello, levi!', 'Hello, ana!'],
    });
  });

  it('looping-counter: a while loop adds the increment until the counter reaches 10', async () => {
    const { code, json } = await run('looping-counter', { increment: 3 });
    expect(code).toBe(0);
    expect(json.status).toBe('SUCCEEDED');
    expect(json.output).toMatchObject({ increment: 3, counter: 12 });
    const again = await run('looping-counter', { increment: 20 });
    expect(again.json.output).toMatchObject({ counter: 20 });
  });

  it('parallel-errors: branch results stored, a timeout retried, the task error caught into a Fail', async () => {
    const { code, json } = await run('parallel-errors', { level: 20, message: 'foo' }, ['--fast-waits']);
    expect(code).toBe(1);
    expect(json.status).toBe('FAILED');
    expect(json.error).toBe('WorkerError');
    expect(json.cause).toBe('MyError was raised');
  });

  it('parallel-errors: progress shows both branches, the timeout retry, the catch, and the failing line', async () => {
    const res = await runFluxio(['run', 'examples/parallel-errors/project.py', '--input', JSON.stringify({ level: 20, message: 'foo' }), '--fast-waits']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/✓ Log message/);
    expect(res.stderr).toMatch(/✓ Print message/);
    expect(res.stderr).toContain('Print message: foo'); // the task's print()
    // The first attempt overran its 2 s timeout and was retried, the second raised MyError, caught into the Fail.
    expect(res.stderr).toMatch(/↻ Raise after a timeout failed after [\d.]+ s: States\.Timeout — retry 1\/2\n/);
    expect(res.stderr).toMatch(/↳ Raise after a timeout caught MyError: foobar → Fail-\w+ \(project\.py:\d+\)/);
    expect(res.stderr).toContain('│ Log message: [INFO] example: foo'); // the task's logging.info, shown at the default level
    const failLine = (await import('node:fs')).readFileSync('examples/parallel-errors/project.py', 'utf8').split('\n').findIndex((l) => l.includes('raise WorkerError')) + 1;
    expect(res.stderr).toContain(`main FAILED in`);
    expect(res.stderr).toContain(`project.py:${failLine}`);
  });

  it('reminder: waits until the timestamp from the input, then sends the reminder', async () => {
    const due = new Date(Date.now() + 2000);
    const timestamp = due.toISOString().replace(/\.\d+Z$/, 'Z');
    const { code, json } = await run('reminder', { timestamp, message: 'remind me of something' });
    expect(code).toBe(0);
    expect(json.status).toBe('SUCCEEDED');
    const notification = json.output!.notification as { msg: string; due: string; sent_at: string };
    expect(notification.msg).toBe('remind me of something');
    expect(Date.parse(notification.sent_at)).toBeGreaterThanOrEqual(Date.parse(timestamp));
  });

  it('reminder: an input without a timestamp fails with a clear error', async () => {
    const { code, json } = await run('reminder', { message: 'no time' });
    expect(code).toBe(1);
    expect(json).toMatchObject({ status: 'FAILED', error: 'MissingTimestamp' });
    expect(json.cause).toMatch(/timestamp like/);
  });

  it('feature-flag: runs on when the flag is on, and the task stops the execution when it is off', async () => {
    const on = await run('feature-flag', { flags: { 'new-pricing': true } });
    expect(on.code).toBe(0);
    expect(on.json.output).toMatchObject({ enabled: true, price: { amount: 42, currency: 'EUR' } });
    const off = await run('feature-flag', { flags: { 'new-pricing': false } });
    expect(off.code).toBe(1);
    expect(off.json).toMatchObject({ status: 'ABORTED', error: 'FeatureDisabled', cause: 'The new-pricing flag is off' });
    expect(off.json.output).toBeNull();
  });
});
