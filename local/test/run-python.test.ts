/**
 * The fluxio_task runtime outside the local pool: the deployed Lambda handler
 * (`fluxio_task.entry.lambda_handler`) and the ECS container entry
 * (`python3 -m fluxio_task.entry`), run by a real python3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON_RUNTIME_DIR } from '../src/workers/workerPool.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxio-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sourceFile = join(dir, 'fluxio_task_run.py');
writeFileSync(
  sourceFile,
  [
    'async def run(event, context):',
    '    if event.get("fail"):',
    '        raise ValueError("bad input: " + str(event["fail"]))',
    '    return {"sum": event["a"] + event["b"], "state": context.state_name, "execution": context.execution_name}',
    '',
  ].join('\n'),
);
const env = { ...process.env, PYTHONPATH: PYTHON_RUNTIME_DIR, FLUXIO_TASK_SOURCE_FILE: sourceFile };

const lambda = (event: unknown) =>
  spawnSync('python3', ['-c', `import json, sys\nfrom fluxio_task.entry import lambda_handler\nprint(json.dumps(lambda_handler(json.loads(sys.argv[1]), None)))`, JSON.stringify(event)], {
    env,
    encoding: 'utf8',
  });

describe('fluxio_task.entry', () => {
  it('lambda_handler runs run(event["data"], context) with the meta as context', () => {
    const r = lambda({ meta: { sfn_state_name: 'Add', sfn_execution_name: 'exec-1' }, data: { a: 2, b: 3 } });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ sum: 5, state: 'Add', execution: 'exec-1' });
  });

  it('lambda_handler lets the exception propagate (its class name is the Step Functions error)', () => {
    const r = lambda({ meta: {}, data: { fail: 'x' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ValueError: bad input: x/);
  });

  it('the ECS entry reads SFN_INPUT_VALUE and metadata from the environment', () => {
    const r = spawnSync('python3', ['-m', 'fluxio_task.entry'], {
      env: { ...env, SFN_INPUT_VALUE: JSON.stringify({ a: 40, b: 2 }), SFN_STATE_NAME: 'Store', SFN_EXECUTION_NAME: 'exec-2' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ sum: 42, state: 'Store', execution: 'exec-2' });
  });
});
