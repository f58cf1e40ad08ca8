/**
 * Nothing a trigger owes is lost when the local platform stops (issue 9,
 * "nothing is dropped"): an execution the shutdown interrupts ends ABORTED,
 * and its status event, recorded while the platform stops, is published on the
 * next start — so the project subscribed to its failures runs then.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { INTERRUPTED_ERROR } from '../src/stepfunctions/ExecutionService.ts';
import { deployProject, onlyExecution, removeDir, startTriggerPlatform, tempDir, writeProject, eventually, type TriggerPlatform } from './triggers-helpers.ts';

let dataDir: string;
let workDir: string;
let t: TriggerPlatform | undefined;
let slow: DeploymentRecord;
let watcher: DeploymentRecord;

beforeAll(async () => {
  dataDir = tempDir('fluxio-triggers-restart-');
  workDir = tempDir('fluxio-triggers-restart-work-');
  t = await startTriggerPlatform(dataDir, workDir);
  watcher = await deployProject(t.deployer, 'watcher', writeProject(workDir, 'watcher', '@subscribe(project="slow", state_machine="main", status="failure")\ndef main(data):\n    data["seen"] = True\n'));
  slow = await deployProject(t.deployer, 'slow', writeProject(workDir, 'slow', 'def main(data):\n    wait(seconds=600)\n    data["done"] = True\n'));
}, 120_000);

afterAll(async () => {
  await t?.close();
  removeDir(dataDir);
  removeDir(workDir);
});

test('an execution the shutdown interrupts is published ABORTED on the next start, and its failure subscriber runs', async () => {
  const { executionArn } = await t!.sfn.send(new StartExecutionCommand({ stateMachineArn: slow.stateMachines.main!.aliasArn, input: JSON.stringify({ job: 7, __trace: { id: 'trace-slow-7', source: 'http' } }) }));
  await eventually('the slow execution to be running', async () => ((await t!.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING' ? true : undefined));
  await t!.close();
  t = await startTriggerPlatform(dataDir, workDir);
  const aborted = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
  expect(aborted).toMatchObject({ status: 'ABORTED', error: INTERRUPTED_ERROR });
  const run = await onlyExecution(t.sfn, watcher.stateMachines.main!.stateMachineArn);
  expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
  expect(JSON.parse(run.input!)).toEqual({
    error: INTERRUPTED_ERROR,
    cause: aborted.cause,
    input: { job: 7, __trace: { id: 'trace-slow-7', source: 'http' } },
    execution: executionArn,
    __trace: { id: 'trace-slow-7', source: 'subscription:slow/main' },
  });
}, 120_000);
