/**
 * The Python worker pool on its own (real python3): a result over Step
 * Functions' payload quota is refused in the worker instead of crossing the
 * pipe, and what a task writes to file descriptor 2 belongs to that task only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PythonWorkerPool } from '../src/workers/workerPool.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxio-pool-'));
const pool = new PythonWorkerPool({ projectDir: dir, size: 1 });
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});
const task = (body: string) => `async def run(event, context):\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n`;

describe('PythonWorkerPool', () => {
  it('refuses a 50 MB result in the worker (States.DataLimitExceeded, terminal) and keeps serving', async () => {
    const err = (await pool.invoke({ kind: 'run', source: task('return "x" * 50_000_000'), event: {}, meta: {} }).catch((e: unknown) => e)) as Error & { isCatchable: boolean };
    expect(err).toMatchObject({ name: 'States.DataLimitExceeded', isCatchable: false, isRetryable: false });
    expect(err.message).toMatch(/50000002 bytes/);
    expect(err.message).toMatch(/state_data_client\.put_item/);
    // Exactly at the quota is fine: 262,142 characters + 2 quotes.
    const ok = await pool.invoke({ kind: 'run', source: task('return "y" * 262_142'), event: {}, meta: {} });
    expect((ok as string).length).toBe(262_142);
  }, 60_000);

  it("gives each task its own fd-2 output: an unterminated last line is not glued to the next task's output", async () => {
    const first: string[] = [];
    const second: string[] = [];
    await pool.invoke({ kind: 'run', source: task('import os\nos.write(2, b"first-task partial")\nreturn 1'), event: {}, meta: {} }, { onOutput: (l) => first.push(l) });
    await pool.invoke({ kind: 'run', source: task('import os\nos.write(2, b"second-task line\\n")\nreturn 2'), event: {}, meta: {} }, { onOutput: (l) => second.push(l) });
    expect(first).toEqual(['first-task partial']);
    expect(second).toEqual(['second-task line']);
  }, 60_000);
});
