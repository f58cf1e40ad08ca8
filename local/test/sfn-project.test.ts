/**
 * A compiled Fluxio project run through the Step Functions API: compiled with
 * @fluxio/compiler-api, placeholders resolved to local ARNs, the state machine
 * created and started with @aws-sdk/client-sfn; its Python tasks (Lambda
 * function ARNs of the project) run in the platform's warm worker pool.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunEvent } from '../src/engine/events.ts';
import { createRunner } from '../src/engine/runner.ts';
import { openPlatformDatabase } from '../src/store/database.ts';
import { EventBus } from '../src/events/bus.ts';
import { createStepFunctionsApi } from '../src/stepfunctions/index.ts';
import { loadCompiler } from '@fluxio/compiler-api';
import { localStateMachineName, resolvePlaceholders } from '../src/engine/placeholders.ts';
import { removeDir, ROLE, startSfnPlatform, waitForExecution, type SfnPlatform } from './sfn-helpers.ts';

let p: SfnPlatform;
beforeAll(async () => {
  p = await startSfnPlatform();
});
afterAll(async () => {
  await p.close();
  removeDir(p.dataDir);
});

it('examples/looping-counter compiles, is created through the API, and runs its Python tasks to SUCCEEDED', async () => {
  const source = readFileSync(fileURLToPath(new URL('../../examples/looping-counter/project.py', import.meta.url)), 'utf8');
  const result = (await loadCompiler()).compile(source, { project: 'looping', fileName: 'project.py' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const manifest = result.manifest;
  const definition = resolvePlaceholders(manifest.stateMachines.main!.definition, manifest.project);
  const { stateMachineArn } = await p.client.send(
    new CreateStateMachineCommand({ name: localStateMachineName(manifest.project, 'main'), definition: JSON.stringify(definition), roleArn: ROLE }),
  );
  // The platform learns where the project's task code is (its Lambda function ARNs run the tasks' Python).
  p.platform.stepFunctions.executions.registerProject(manifest);
  const { executionArn } = await p.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ increment: 3 }) }));
  const d = await waitForExecution(p.client, executionArn!);
  expect(d.status).toBe('SUCCEEDED');
  expect(JSON.parse(d.output!)).toMatchObject({ increment: 3, counter: 12 });
  const events = (await p.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
  // Four Increment tasks ran as Lambda functions of the project.
  expect(events.filter((e) => e.type === 'LambdaFunctionSucceeded')).toHaveLength(4);
  expect(events.find((e) => e.type === 'LambdaFunctionScheduled')!.lambdaFunctionScheduledEventDetails!.resource).toBe(
    'arn:aws:lambda:us-east-1:000000000000:function:looping-Increment',
  );
});

it('runManifest (the path of fluxio run and /v1/runs) runs examples/parallel-errors as an execution of the API, with the result and events of the runner', async () => {
  const source = readFileSync(fileURLToPath(new URL('../../examples/parallel-errors/project.py', import.meta.url)), 'utf8');
  const result = (await loadCompiler()).compile(source, { project: 'perr', fileName: 'project.py' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const events: RunEvent[] = [];
  const run = await p.platform.stepFunctions.executions.runManifest(result.manifest, { input: { level: 20, message: 'foo' }, fastWaits: true, onEvent: (e) => events.push(e) });
  // The same result `fluxio run` gives for this example (test/examples.test.ts).
  expect(run).toMatchObject({ status: 'FAILED', error: 'WorkerError', cause: 'MyError was raised' });
  expect(run.failedState).toBeTruthy();
  expect(run.failedLine).toBeGreaterThan(0);
  expect(events.some((e) => e.type === 'StateEntered' && e.depth === 0)).toBe(true);
  expect(events.some((e) => e.type === 'TaskFailed')).toBe(true);
  // The execution is a real one of the API.
  const listed = await p.client.send(new ListExecutionsCommand({ stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:perr-main` }));
  expect(listed.executions!.map((e) => e.name)).toEqual([run.executionName]);
});

it('POST /v1/runs runs on the same execution service: the run is an execution of the Step Functions API', async () => {
  const source = readFileSync(fileURLToPath(new URL('../../examples/looping-counter/project.py', import.meta.url)), 'utf8');
  const res = await fetch(`${p.platform.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source, project: 'viaruns', input: { increment: 5 } }) });
  const body = (await res.json()) as { runId: string; status: string; output: { counter: number } };
  expect(body).toMatchObject({ status: 'SUCCEEDED', output: { counter: 10 } });
  const listed = await p.client.send(new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:viaruns-main' }));
  expect(listed.executions!.map((e) => [e.name, e.status])).toEqual([[body.runId, 'SUCCEEDED']]);
});

it('without history (the fluxio run service) events are still counted: the 25,000-event quota holds and nothing is stored', async () => {
  const runner = await createRunner({ projectDir: p.dataDir, stateData: false, workers: 1 });
  const database = openPlatformDatabase();
  const api = createStepFunctionsApi({ database, runner, bus: new EventBus(), recordHistory: false });
  try {
    const definition = { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } } };
    const manifest = { project: 'quota', stateMachines: { main: { definition, states: {} } }, tasks: {} } as never;
    const over = await api.executions.run(manifest, { input: { items: Array.from({ length: 6500 }, (_, i) => i) } });
    expect(over).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    const under = await api.executions.run(manifest, { input: { items: [1, 2, 3] } });
    expect(under).toMatchObject({ status: 'SUCCEEDED', output: [1, 2, 3] });
    const history = api.operations.GetExecutionHistory({ executionArn: under.executionArn } as never, new AbortController().signal) as { json: string };
    expect(JSON.parse(history.json).events).toEqual([]);
  } finally {
    await api.close();
    await runner.close();
    database.close();
  }
});
