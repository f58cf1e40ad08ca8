/**
 * Lifecycle of the runner and its Python workers: closing the runner stops an
 * execution that never ends by itself, and a worker busy in a long task does
 * not outlive the process that owns its pool when that process is SIGKILLed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '@fluxio/compiler-api';
import { createLocalExecutions } from '../src/stepfunctions/index.ts';

const SPIN = 'def main(data):\n    data["x"] = 0\n    while data["x"] == 0:\n        data["y"] = 1\n';
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('runner lifecycle', () => {
  const orphans: number[] = [];
  afterAll(() => {
    for (const pid of orphans) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('close() aborts an execution still looping (ABORTED, Fluxio.RunnerClosed) instead of waiting for it', async () => {
    const compiled = await compile(SPIN, { project: 'spin' });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const local = await createLocalExecutions({ projectDir: fileURLToPath(new URL('.', import.meta.url)), stateData: false, workers: 1 });
    let entered = 0;
    let closing: Promise<void> | undefined;
    // A 200 kB input makes every transition slow: the loop would take many seconds to reach the history quota.
    const result = await local.executions.run(compiled.manifest, {
      input: { blob: 'b'.repeat(200_000) },
      onEvent: (e) => {
        if (e.type === 'StateEntered' && ++entered === 20) closing = local.runner.close();
      },
    });
    await closing;
    await local.close();
    expect(result).toMatchObject({ status: 'ABORTED', error: 'Fluxio.RunnerClosed' });
    expect(entered).toBeLessThan(1000);
  }, 60_000);

  it('a worker busy in a long task exits when the process owning the pool is SIGKILLed', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/pool-with-long-task.ts', import.meta.url));
    const owner = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((found, fail) => {
      let out = '';
      owner.stdout.on('data', (d) => {
        out += d;
        const m = /PID (\d+)/.exec(out);
        if (m) found(Number(m[1]));
      });
      owner.on('close', (code) => fail(new Error(`the pool owner exited (${code}) before the task started: ${out}`)));
    });
    orphans.push(pid);
    expect(alive(pid)).toBe(true);
    owner.kill('SIGKILL');
    // Poll with a generous bound: the worker's watchdog checks its parent every 0.5 s (PR_SET_PDEATHSIG is immediate on Linux).
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  }, 60_000);
});
