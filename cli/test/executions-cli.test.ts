/**
 * `fluxio start`, `executions`, `describe`, `history`, `stop`, `redrive` and
 * `schedules` (issue 9) as a user runs them: the real binary against the real
 * local platform (127.0.0.1, port 0) with a project deployed by `fluxio deploy`,
 * real Python behind the alias `live`; output and exit codes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { runFluxio } from '../../test/helpers.ts';

const PROJECT = `
class Greet(Task):
    async def run(event, context):
        if event.get("fail"):
            raise ValueError("asked to fail")
        return "hello " + event.get("who", "world")


def main(data):
    data["greeting"] = Greet(key="Greet")


def careful(data):
    try:
        data["greeting"] = Greet(key="Greet carefully")
    except ValueError:
        data["fallback"] = {"used": True}


def retrying(data):
    with retry(on_exceptions=[ValueError], interval=1, max_attempts=1, backoff_rate=1.0):
        data["greeting"] = Greet(key="Greet again")


def slow(data):
    wait(seconds=60)


@schedule(expression="cron(0 9 ? * MON *)")
def weekly(data):
    data["greeting"] = Greet(key="Greet weekly")
`;

let platform: Platform;
let work: string;

/** `fluxio ...args --url <the test platform>`. */
const fluxio = (...args: string[]) => runFluxio([...args, '--url', platform.url], { cwd: work, env: { NO_COLOR: '1' } });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fluxio-executions-cli-'));
  platform = await startPlatform({ dataDir: join(work, 'data'), port: 0, workers: 1, lambdaWorkers: 1, projectDir: work });
  mkdirSync(join(work, 'shop'));
  writeFileSync(join(work, 'shop', 'project.py'), PROJECT);
  const deployed = await fluxio('deploy', join(work, 'shop'));
  expect(deployed.code, deployed.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await platform?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('fluxio start', () => {
  it('starts on the alias and prints the name and how to follow it; the same name and input again start nothing new', async () => {
    const res = await fluxio('start', 'shop', '--name', 'cli-ok', '--input', '{"who": "ann"}');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Started main execution cli-ok of shop\n  arn:aws:states:[^\n]+:execution:fluxio-local-shop-main:cli-ok\nFollow it: fluxio describe shop cli-ok\n$/);
    const again = await fluxio('start', 'shop', '--name', 'cli-ok', '--input', '{"who": "ann"}', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ name: 'cli-ok', created: false });
    const other = await fluxio('start', 'shop', '--name', 'cli-ok', '--input', '{"who": "bea"}');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error Execution\.AlreadyExists: .*another name/m);
  });

  it('--wait shows live progress like fluxio run and prints the output; exit 0 on SUCCEEDED', async () => {
    const res = await fluxio('start', 'shop', '--input', '{"who": "bob"}', '--wait');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ who: 'bob', greeting: 'hello bob' });
    expect(res.stderr).toMatch(/▶ main execution [0-9a-f-]{36}\n/);
    expect(res.stderr).toMatch(/→ Greet \(Task\)\n\s+✓ Greet \d+/);
    expect(res.stderr).toMatch(/■ main SUCCEEDED in [\d.]+ s \(execution [0-9a-f-]{36}\)\n$/);
  });

  it('--wait exits 1 when the execution FAILED, with the task\'s error on the failing state and the summary', async () => {
    const res = await fluxio('start', 'shop', '--name', 'cli-fail', '--input', '{"fail": true}', '--wait');
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    // A Python task's exception (Lambda's error JSON in the history) is printed like fluxio run prints it: message, then traceback.
    expect(res.stderr).toMatch(/✗ Greet raised ValueError after \d+ ms: asked to fail\n(\s+.*\n)*\s+raise ValueError\("asked to fail"\)\n/);
    expect(res.stderr).toMatch(/■ main FAILED in [\d.]+ s \(execution cli-fail\): ValueError: asked to fail\n$/);
  });

  it('--wait shows a retried task as retrying, then its last failure', async () => {
    const res = await fluxio('start', 'shop', '-s', 'retrying', '--input', '{"fail": true}', '--wait');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/│ Greet again: ↻ ValueError: asked to fail — retrying\n/);
    expect(res.stderr).toMatch(/✗ Greet again raised ValueError after [\d.]+ m?s: asked to fail/);
  });

  it('--wait --json prints {name, executionArn, status, output, error, cause} only; a caught error shows as caught', async () => {
    const res = await fluxio('start', 'shop', '--state-machine', 'careful', '--input', '{"fail": true}', '--wait', '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { fail: true, fallback: { used: true } }, error: null, cause: null });
    const human = await fluxio('start', 'shop', '-s', 'careful', '--input', '{"fail": true}', '--wait');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/↳ Greet carefully caught ValueError/);
  });

  it('--wait on a stopped execution exits 1 (ABORTED)', async () => {
    const wait = fluxio('start', 'shop', '-s', 'slow', '--name', 'cli-aborted', '--wait');
    for (;;) {
      const d = await fluxio('describe', 'shop', 'cli-aborted', '-s', 'slow', '--json');
      if (d.code === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await fluxio('stop', 'shop', 'cli-aborted', '-s', 'slow')).code).toBe(0);
    const res = await wait;
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/■ slow ABORTED in/);
  });

  it('refuses bad input (exit 2) and reports what the platform refused (exit 1)', async () => {
    for (const [args, message] of [
      [['--input', '[1, 2]'], /--input must be a JSON object, not an array/],
      [['--input', '{nope'], /--input is not valid JSON/],
      [['--input', '@missing.json'], /cannot read --input file missing\.json/],
      [['--name', 'has space'], /--name 'has space' is not an execution name/],
      [['--state-machine', 'not-python'], /is not a state machine function name/],
    ] as const) {
      const res = await fluxio('start', 'shop', ...args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    expect((await fluxio('start')).stderr).toMatch(/missing PROJECT/);
    const unknown = await fluxio('start', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error Trigger\.StateMachineNotFound: Project nobody has no deployed state machine main; deploy it first/m);
    const json = await fluxio('start', 'shop', '-s', 'nothing', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe('Trigger.StateMachineNotFound');
  });

  it('--input @file reads the input from a file', async () => {
    writeFileSync(join(work, 'input.json'), '{"who": "file"}');
    const res = await fluxio('start', 'shop', '--input', '@input.json', '--wait', '--json');
    expect(JSON.parse(res.stdout).output.greeting).toBe('hello file');
  });
});

describe('fluxio executions, describe, history', () => {
  it('executions lists newest first with status and trigger; --status filters; --json', async () => {
    const res = await fluxio('executions', 'shop');
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME +STATUS +TRIGGER +STARTED +DURATION$/);
    expect(res.stdout).toMatch(/cli-ok +SUCCEEDED +http +\d{4}-/);
    expect(res.stdout).toMatch(/cli-fail +FAILED +http/);
    const failed = await fluxio('executions', 'shop', '--status', 'failed', '--json');
    expect(JSON.parse(failed.stdout).executions.map((e: any) => e.name)).toEqual(['cli-fail']);
    const none = await fluxio('executions', 'shop', '--status', 'TIMED_OUT');
    expect(none.stdout).toMatch(/^No TIMED_OUT executions of shop main/);
    expect((await fluxio('executions', 'shop', '--status', 'DONE')).code).toBe(2);
    expect((await fluxio('executions', 'shop', '--max', '0')).code).toBe(2);
    const paged = await fluxio('executions', 'shop', '--max', '1');
    const more = /\(more: fluxio executions shop --max 1 --next-token (\S+)\)/.exec(paged.stdout);
    expect(more).not.toBeNull();
    const next = await fluxio('executions', 'shop', '--max', '1', '--next-token', more![1]!);
    expect(next.stdout.split('\n')[1]!.split(/ +/)[0]).not.toBe(paged.stdout.split('\n')[1]!.split(/ +/)[0]);
  });

  it('describe shows status, trigger, version, input and output; unknown → exit 1; missing NAME → exit 2', async () => {
    const res = await fluxio('describe', 'shop', 'cli-ok');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^shop main execution cli-ok: SUCCEEDED\n/);
    expect(res.stdout).toMatch(/trigger +http\n/);
    expect(res.stdout).toMatch(/version +arn:aws:states:.*:fluxio-local-shop-main:\d+\n/);
    expect(res.stdout).toMatch(/"greeting": "hello ann"/);
    const failed = await fluxio('describe', 'shop', 'cli-fail');
    expect(failed.stdout).toMatch(/error +ValueError\n +cause +asked to fail\n +traceback\n/);
    expect(failed.stdout).toMatch(/fluxio redrive shop cli-fail/);
    const json = JSON.parse((await fluxio('describe', 'shop', 'cli-ok', '--json')).stdout);
    expect(json.input).toEqual({ who: 'ann', __trace: { id: 'cli-ok', source: 'http' } });
    const unknown = await fluxio('describe', 'shop', 'never-ran');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error Execution\.NotFound/m);
    expect((await fluxio('describe', 'shop')).code).toBe(2);
    expect((await fluxio('describe', 'shop', 'bad name')).code).toBe(2);
  });

  it('history prints every event with its state; --reverse --max 1 the last one; --json', async () => {
    const res = await fluxio('history', 'shop', 'cli-ok');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^ID +TIME +TYPE +DETAIL\n +1  \d{4}-\S+ +ExecutionStarted/);
    expect(res.stdout).toMatch(/TaskStateEntered +Greet\n/);
    expect(res.stdout.trim().split('\n').at(-1)).toMatch(/ExecutionSucceeded$/);
    const last = await fluxio('history', 'shop', 'cli-ok', '--reverse', '--max', '1');
    const lines = last.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/ExecutionSucceeded$/);
    expect(lines[2]).toBe('(more events: raise --max)');
    const failed = await fluxio('history', 'shop', 'cli-fail');
    expect(failed.stdout).toMatch(/LambdaFunctionFailed +ValueError  asked to fail\n/);
    const json = JSON.parse((await fluxio('history', 'shop', 'cli-fail', '--json')).stdout);
    expect(json.events.at(-1).type).toBe('ExecutionFailed');
    expect((await fluxio('history', 'shop', 'never-ran')).code).toBe(1);
  });
});

describe('fluxio stop and redrive', () => {
  it('stop aborts a running execution with error and cause; again: already ended; redrive runs it again; a SUCCEEDED one is not redrivable', async () => {
    expect((await fluxio('start', 'shop', '-s', 'slow', '--name', 'cli-stop')).code).toBe(0);
    const stop = await fluxio('stop', 'shop', 'cli-stop', '-s', 'slow', '--error', 'Ops.Manual', '--cause', 'by hand');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/^Stopped shop slow execution cli-stop: ABORTED at /);
    const d = JSON.parse((await fluxio('describe', 'shop', 'cli-stop', '-s', 'slow', '--json')).stdout);
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Ops.Manual', cause: 'by hand' });
    const again = await fluxio('stop', 'shop', 'cli-stop', '-s', 'slow');
    expect(again.stdout).toMatch(/had already ended \(ABORTED/);
    const redrive = await fluxio('redrive', 'shop', 'cli-stop', '-s', 'slow');
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toMatch(/^Redrove shop slow execution cli-stop at .* \(redrive 1\); it is running again/);
    expect(JSON.parse((await fluxio('describe', 'shop', 'cli-stop', '-s', 'slow', '--json')).stdout).status).toBe('RUNNING');
    await fluxio('stop', 'shop', 'cli-stop', '-s', 'slow');
    const refused = await fluxio('redrive', 'shop', 'cli-ok');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error Execution\.NotRedrivable: Execution cli-ok cannot be redriven: .*SUCCEEDED/m);
    expect((await fluxio('stop', 'shop', 'cli-ok', '--error', 'e'.repeat(257))).code).toBe(2);
    expect((await fluxio('stop', 'shop', 'never-ran')).code).toBe(1);
  });
});

describe('fluxio schedules', () => {
  it('lists the deployed schedules with their next fire times (cron: every Monday 09:00 UTC)', async () => {
    const before = Date.now();
    const res = await fluxio('schedules', 'shop', '--json');
    expect(res.code, res.stderr).toBe(0);
    const body = JSON.parse(res.stdout);
    expect(body).toMatchObject({ project: 'shop', deploymentId: expect.stringMatching(/^d-/) });
    expect(body.schedules).toHaveLength(1);
    const [s] = body.schedules;
    expect(s).toMatchObject({ stateMachine: 'weekly', expression: 'cron(0 9 ? * MON *)', timezone: null });
    const times = (s.nextFireTimes as string[]).map((t) => new Date(t));
    expect(times).toHaveLength(3);
    for (const t of times) expect([t.getUTCDay(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()]).toEqual([1, 9, 0, 0]);
    expect(times[0]!.getTime()).toBeGreaterThan(before);
    expect(times[0]!.getTime() - before).toBeLessThanOrEqual(7 * 86_400_000);
    expect(times[1]!.getTime() - times[0]!.getTime()).toBe(7 * 86_400_000);
    const human = await fluxio('schedules', 'shop', '--count', '2');
    expect(human.stdout).toMatch(/^Schedules of shop \(deployment d-\S+?[,)]/);
    expect(human.stdout).toMatch(/ {2}weekly {2}cron\(0 9 \? \* MON \*\) {2}\(UTC\)\n {4}\d{4}-\d\d-\d\dT09:00:00Z\n {4}\d{4}-\d\d-\d\dT09:00:00Z\n$/);
    expect((await fluxio('schedules', 'shop', '--count', '0')).code).toBe(2);
    const none = await fluxio('schedules', 'nobody');
    expect(none.stdout).toMatch(/nobody is not deployed/);
  });

  it('every command has --help and is listed by fluxio --help', async () => {
    const global = await runFluxio(['--help']);
    for (const name of ['start', 'executions', 'describe', 'history', 'stop', 'redrive', 'schedules']) {
      expect(global.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
      const help = await runFluxio([name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: fluxio ${name} PROJECT`));
    }
  });
});
