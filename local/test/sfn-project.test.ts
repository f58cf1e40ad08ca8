/**
 * A compiled Fluxio project run through the Step Functions API: compiled with
 * @fluxio/compiler-api, placeholders resolved to local ARNs, the state machine
 * created and started with @aws-sdk/client-sfn; its Python tasks (Lambda
 * function ARNs of the project) run in the platform's warm worker pool.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
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
  p.platform.stepFunctions.executions.registerProject(manifest);
  const definition = resolvePlaceholders(manifest.stateMachines.main!.definition, manifest.project);
  const { stateMachineArn } = await p.client.send(
    new CreateStateMachineCommand({ name: localStateMachineName(manifest.project, 'main'), definition: JSON.stringify(definition), roleArn: ROLE }),
  );
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
