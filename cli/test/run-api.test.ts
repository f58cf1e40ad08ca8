/**
 * Running compiled projects through the execution service (`createLocalExecutions`
 * → `executions.run` many times → `close`, the path of `fluxio run`): one warm
 * pool across runs, concurrent runs, events, errors.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '@fluxio/compiler-api';
import type { Manifest } from '@fluxio/contracts/manifest';
import { createLocalExecutions, RunUsageError, type LocalExecutions, type RunEvent } from '@fluxio/local';

const FEATURES = resolve(fileURLToPath(new URL('.', import.meta.url)), 'run-fixtures/features');
let local: LocalExecutions;
let manifest: Manifest;

beforeAll(async () => {
  const result = await compile(readFileSync(resolve(FEATURES, 'project.py'), 'utf8'), { project: 'features' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  manifest = result.manifest;
  local = await createLocalExecutions({ projectDir: FEATURES, workers: 2 });
}, 60_000);
afterAll(() => local?.close());

describe('executions.run (createLocalExecutions)', () => {
  it('runs many executions on the same warm pool, concurrently, each with its own result', async () => {
    const runs = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => local.executions.run(manifest, { stateMachine: 'parallel_flow', input: { n } })));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('SUCCEEDED'));
    expect(runs.map((r) => (r.output as { sides: Array<{ side: unknown }> }).sides[1]!.side)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(new Set(runs.map((r) => r.executionName)).size).toBe(6);
  }, 60_000);

  it('reports events: states entered/exited, task output, and the failing task with its traceback and line', async () => {
    const events: RunEvent[] = [];
    const r = await local.executions.run(manifest, { stateMachine: 'uncaught_flow', executionName: 'api-failure', onEvent: (e) => events.push(e) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'KeyError', executionName: 'api-failure', failedState: 'Boom uncaught' });
    expect(r.failedLine).toBe(manifest.stateMachines.uncaught_flow!.states['Boom uncaught']!.line);
    expect(events.some((e) => e.type === 'TaskOutput' && e.line === 'about to fail')).toBe(true);
    const failed = events.find((e) => e.type === 'TaskFailed');
    expect(failed).toMatchObject({ state: 'Boom uncaught', error: 'KeyError', executionName: 'api-failure' });
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', depth: 0 });
  }, 60_000);

  it('child executions report their events with depth 1 and their own execution name', async () => {
    const events: RunEvent[] = [];
    const r = await local.executions.run(manifest, { stateMachine: 'nested_flow', input: { n: 2 }, onEvent: (e) => events.push(e) });
    expect(r.status).toBe('SUCCEEDED');
    const child = events.filter((e) => e.depth === 1);
    expect(child.some((e) => e.type === 'StateExited' && e.state.name === 'Double in child')).toBe(true);
    expect(child[0]!.executionName).not.toBe(r.executionName);
    expect(child[0]!.stateMachine).toBe('child');
  }, 60_000);

  it('aborting the signal stops the execution with status ABORTED', async () => {
    const stop = new AbortController();
    const pending = local.executions.run(manifest, { stateMachine: 'wait_flow', signal: stop.signal });
    setTimeout(() => stop.abort(), 200);
    expect((await pending).status).toBe('ABORTED');
  }, 60_000);

  it('an execution running past the state machine TimeoutSeconds ends TIMED_OUT', async () => {
    const slow: Manifest = {
      ...manifest,
      stateMachines: {
        main: { ...manifest.stateMachines.wait_flow!, definition: { ...manifest.stateMachines.wait_flow!.definition, TimeoutSeconds: 1 } },
      },
    };
    const r = await local.executions.run(slow, { stateMachine: 'main' });
    expect(r).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', output: null });
  }, 60_000);

  it('HeartbeatSeconds does not apply to Lambda tasks (they have no task token to heartbeat with)', async () => {
    // The compiler emits HeartbeatSeconds only on ecs:worker tasks; a hand-written definition may still put it on a Lambda task.
    expect(manifest.stateMachines.lambda_heartbeat_flow!.definition.States['Slow lambda']!.HeartbeatSeconds).toBeUndefined();
    const withHeartbeat = structuredClone(manifest);
    withHeartbeat.stateMachines.lambda_heartbeat_flow!.definition.States['Slow lambda']!.HeartbeatSeconds = 1;
    const r = await local.executions.run(withHeartbeat, { stateMachine: 'lambda_heartbeat_flow' });
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: { slow: 'finished without heartbeats' } });
  }, 60_000);

  it('rejects an unknown state machine with the list of names', async () => {
    await expect(local.executions.run(manifest, { stateMachine: 'nope' })).rejects.toThrow(RunUsageError);
    await expect(local.executions.run(manifest, { stateMachine: 'nope' })).rejects.toThrow(/choice_flow/);
  });
});
