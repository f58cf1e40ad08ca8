/**
 * Issue 12 at run time: `fluxio run` (the real CLI, compiler, python3
 * workers) on cli/test/run-fixtures/exceptions — a task's KeyError caught by
 * `except LookupError` and `except Exception`, a project exception raised in
 * a (sync) run method caught by `except` of its base, and raised in main.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFluxio } from '../../../test/helpers.ts';
import { compileOk } from './helpers.ts';

const PYTHON_RUNTIME = fileURLToPath(new URL('../../../shared/python', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../cli/test/run-fixtures/exceptions', import.meta.url));
const T = 60_000;

async function run(stateMachine: string, input: unknown) {
  const r = await runFluxio(['run', FIXTURE, '--state-machine', stateMachine, '--input', JSON.stringify(input), '--json']);
  try {
    return { code: r.code, body: JSON.parse(r.stdout) as { status: string; output: Record<string, any> | null; error: string | null; cause: string | null } };
  } catch {
    throw new Error(`fluxio run printed no JSON (exit ${r.code}).\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

describe('fluxio run: exceptions mean what Python means', () => {
  it.each([
    ['lookup_error', 'LookupError'],
    ['any_exception', 'Exception'],
  ])('%s: a task KeyError is caught by except %s', async (sm, caught) => {
    const { code, body } = await run(sm, {});
    expect([code, body.status]).toEqual([0, 'SUCCEEDED']);
    expect(body.output).toMatchObject({ caught, e: { Error: 'KeyError' } });
  }, T);

  it.each([
    ['expired', 'CardExpired'],
    ['declined', 'PaymentDeclined'],
  ])('a sync run raising the project exception for card=%s is caught by except PaymentDeclined', async (card, error) => {
    const { code, body } = await run('payment', { card });
    expect([code, body.status]).toEqual([0, 'SUCCEEDED']);
    expect(body.output).toMatchObject({ caught: 'PaymentDeclined', e: { Error: error } });
  }, T);

  it('a sync run returns its value, and an uncaught project exception fails the run with the class name', async () => {
    const ok = await run('uncaught_payment', { card: 'valid' });
    expect([ok.code, ok.body.status, ok.body.output?.charge]).toEqual([0, 'SUCCEEDED', 'charged']);
    const failed = await run('uncaught_payment', { card: 'expired' });
    expect([failed.code, failed.body.status, failed.body.error]).toEqual([1, 'FAILED', 'CardExpired']);
  }, T);

  it('raise PaymentDeclined(...) in main fails the run with that error', async () => {
    const { code, body } = await run('raise_in_main', { card: 'declined' });
    expect([code, body.status, body.error, body.cause]).toEqual([1, 'FAILED', 'PaymentDeclined', 'declined in main']);
  }, T);
});

describe('the deployed Lambda entry (fluxio_task.entry.lambda_handler) defines the manifest exceptions', () => {
  it('reads fluxio_exceptions.json beside fluxio_task_run.py, so a run method raises a project exception by its class name', async () => {
    const m = await compileOk(
      'class PaymentDeclined(Exception):\n    pass\n\nclass CardExpired(PaymentDeclined):\n    pass\n\nclass Charge(Task):\n    def run(event, context):\n        raise CardExpired(event["why"])\n\ndef main(data):\n    Charge(data)\n',
    );
    const dir = mkdtempSync(join(tmpdir(), 'fluxio-lambda-entry-'));
    try {
      const run = m.tasks.Charge.run!;
      // what the deployer writes (services/deployer/src/functionCode.ts runSourceFile), plus the manifest's exceptions
      writeFileSync(join(dir, 'fluxio_task_run.py'), `${'\n'.repeat(run.line - 1)}${run.source}\n`);
      writeFileSync(join(dir, 'fluxio_exceptions.json'), JSON.stringify(m.exceptions));
      const script = [
        'from fluxio_task.entry import lambda_handler',
        'try:',
        '    lambda_handler({"meta": {}, "data": {"why": "too old"}}, None)',
        'except Exception as e:',
        '    print(type(e).__name__, [c.__name__ for c in type(e).__mro__][:3], e)',
      ].join('\n');
      const out = execFileSync('python3', ['-c', script], { cwd: dir, env: { ...process.env, PYTHONPATH: PYTHON_RUNTIME }, encoding: 'utf8' });
      expect(out.trim()).toBe("CardExpired ['CardExpired', 'PaymentDeclined', 'Exception'] too old");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
