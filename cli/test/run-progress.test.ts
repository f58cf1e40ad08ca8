/**
 * What `fluxio run` prints while it runs (issue 12, "Progress output"): the
 * real CLI in a child process, the real compiler and python3 workers, one
 * state machine of run-fixtures/progress per test. Progress goes to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFluxio } from '../../test/helpers.ts';
import { afterAll, describe, expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PROGRESS = resolve(HERE, 'run-fixtures/progress');
const tmp = mkdtempSync(join(tmpdir(), 'fluxio-run-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T = 60_000;

const run = (stateMachine: string, input: unknown = {}, extra: string[] = []) =>
  runFluxio(['run', PROGRESS, '--state-machine', stateMachine, '--input', JSON.stringify(input), '--workers', '1', ...extra]);

/** The progress lines, without the execution's random name. */
const linesOf = (stderr: string) => stderr.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>').trimEnd().split('\n');

describe('fluxio run progress output', () => {
  it('never shows the compiler internal states (trace envelope, map dispatch)', async () => {
    const r = await run('caught_flow');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/Trace-Check|Trace-Default|-input\b|-items\b|-array\b|-pointer\b|-list\b/);
  }, T);

  it('a caught error: one ↳ line (error, cause, handler state), no ✓ or ✗ for the failing state', async () => {
    const r = await run('caught_flow');
    expect(r.code).toBe(0);
    const lines = linesOf(r.stderr);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}↳ Look up caught KeyError: 'missing-key' → Pass-[0-9a-f]{8} \(project\.py:\d+\)$/));
    expect(r.stderr).not.toMatch(/✓ Look up|✗/);
    expect(r.stderr).not.toContain('Traceback');
  }, T);

  it('a retried task: each failed attempt once with its retry count and wait, then ✓', async () => {
    const dir = mkdtempSync(join(tmp, 'retry-'));
    const r = await run('retry_flow', { dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/↻ Flaky call raised ConnectionError after \d+ ms: attempt 1 failed — retry 1\/3 in 1\.0 s\n/);
    expect(r.stderr).toMatch(/↻ Flaky call raised ConnectionError after \d+ ms: attempt 2 failed — retry 2\/3 in 2\.0 s\n/);
    expect(r.stderr.match(/attempt 1 failed/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/✓ Flaky call \d+ ms/);
    expect(r.stderr).not.toContain('✗');
  }, T);

  it('a timeout: States.Timeout once per line (no "States.Timeout: States.Timeout"), the task failure once', async () => {
    const r = await run('timeout_flow');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('States.Timeout: States.Timeout');
    expect(r.stderr.match(/✗/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/✗ Sleep too long failed after 1\.\d s: States\.Timeout \(project\.py:\d+\)\n/);
    expect(r.stderr).toMatch(/■ timeout_flow FAILED in [\d.]+ s at \S*project\.py:\d+ \(state "Sleep too long"\): States\.Timeout\n/);
  }, T);

  it('an abort (context.stop_execution): the open state closed, one ■ line with the error and cause', async () => {
    const r = await run('abort_flow');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/→ Stop here \(Task\)\n {2}⊘ Stop here stopped after \d+ ms \(execution ABORTED\)\n/);
    expect(r.stderr.match(/■/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/■ abort_flow ABORTED in [\d.]+ s: Halt: stopped by the task\n/);
  }, T);

  it('a Map over a list: each iteration state with its item index, the Map summarised, no internal states', async () => {
    const r = await run('map_flow', { users: [1, 2, 3, 4] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).scores.map((s: { score: number }) => s.score)).toEqual([10, 20, 30, 40]);
    for (const i of [0, 1, 2, 3]) {
      expect(r.stderr).toMatch(new RegExp(`\\n {4}→ Score user \\[${i}\\] \\(Task\\)\\n`));
      expect(r.stderr).toMatch(new RegExp(`\\n {4}✓ Score user \\[${i}\\] \\d+ ms\\n`));
    }
    expect(r.stderr).toMatch(/→ Map-[0-9a-f]{8} \(Map of score_user\)/);
    expect(r.stderr).toMatch(/✓ Map-[0-9a-f]{8} 4 iterations \(4 succeeded\) \d/);
    expect(r.stderr).not.toMatch(/Trace-|Score user-\d|Map-[0-9a-f]{8}-/);
  }, T);

  it('a Map whose iteration raises: that iteration once with its index and traceback, the Map once without repeating the cause', async () => {
    const r = await run('map_flow', { users: [1, null, 3] });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n {4}✗ Score user \[1\] raised TypeError after \d+ ms: unsupported operand type\(s\) for \*: 'NoneType' and 'int' \(project\.py:\d+\)\n/);
    expect(r.stderr).toMatch(/\n {2}✗ Map-[0-9a-f]{8} failed after \d+ ms: TypeError — 3 iterations \(\d succeeded, 1 failed\) \(project\.py:\d+\)\n/);
    expect(r.stderr.match(/✗/g)).toHaveLength(2);
    expect(r.stderr.match(/Traceback/g)).toHaveLength(1);
  }, T);
});

describe('fluxio run --log-level', () => {
  const logLines = (stderr: string) => stderr.split('\n').filter((l) => l.includes('│ Chatty:')).map((l) => l.trim());

  it('shows a task logging at INFO and above by default (DEBUG hidden); print() always shows', async () => {
    const r = await run('log_flow');
    expect(r.code).toBe(0);
    expect(logLines(r.stderr)).toEqual([
      '│ Chatty: [INFO] info progress',
      '│ Chatty: [WARNING] warning sign',
      '│ Chatty: [ERROR] fluxio.test: error from a named logger',
      '│ Chatty: plain print',
    ]);
  }, T);

  it('--log-level DEBUG shows DEBUG too', async () => {
    const r = await run('log_flow', {}, ['--log-level', 'DEBUG']);
    expect(r.code).toBe(0);
    expect(logLines(r.stderr)).toEqual(expect.arrayContaining(['│ Chatty: [DEBUG] debug detail', '│ Chatty: [INFO] info progress']));
  }, T);

  it('--log-level warning (any case) shows WARNING and ERROR only; with --json the lines still go to stderr', async () => {
    const r = await run('log_flow', {}, ['--log-level', 'warning', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { logged: 'done' } });
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('Chatty:'));
    expect(lines).toEqual(['Chatty: [WARNING] warning sign', 'Chatty: [ERROR] fluxio.test: error from a named logger', 'Chatty: plain print']);
  }, T);

  it('refuses an unknown level with the ones it takes (usage error, exit 2)', async () => {
    const r = await run('log_flow', {}, ['--log-level', 'VERBOSE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--log-level must be one of DEBUG, INFO, WARNING, ERROR, got 'VERBOSE'/);
  }, T);
});
