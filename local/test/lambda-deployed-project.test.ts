/**
 * A compiled Fluxio project deployed the way DESIGN.md §5b deploys it, against
 * the local platform: each Lambda task becomes a function (its `run` source as
 * `fluxio_task_run.py`, handler `fluxio_task.entry.lambda_handler`) with a
 * published version, the state machine's function ARNs are version-qualified,
 * and the execution runs through the Step Functions API — no project
 * registration, only the Lambda and Step Functions APIs. Updating a
 * function's `$LATEST` afterwards does not change what the deployed state
 * machine runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { CreateFunctionCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { loadCompiler } from '@fluxio/compiler-api';
import { localPlaceholderValue, localStateMachineName } from '../src/engine/placeholders.ts';
import { startPlatform, type Platform } from '../src/server/platform.ts';
import { ROLE, zipOf } from './lambda-helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'fluxio-lambda-deployed-'));
let platform: Platform | undefined;
afterAll(async () => {
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('examples/looping-counter with its task deployed as a Lambda function version runs to SUCCEEDED through the Step Functions API', async () => {
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: dataDir });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const lambda = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });

  const source = readFileSync(fileURLToPath(new URL('../../examples/looping-counter/project.py', import.meta.url)), 'utf8');
  const result = (await loadCompiler()).compile(source, { project: 'looping', fileName: 'project.py' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const manifest = result.manifest;

  // Deploy: one function per Lambda task, version 1 published; the definition names that version.
  const functionArns: Record<string, string> = {};
  for (const [task, t] of Object.entries(manifest.tasks)) {
    if (t.service !== 'lambda' || !t.run) continue;
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: `${manifest.project}-${task}`,
        Role: ROLE,
        Runtime: 'python3.12',
        Handler: 'fluxio_task.entry.lambda_handler',
        Code: { ZipFile: zipOf({ 'fluxio_task_run.py': `${t.run.source}\n` }) },
        Timeout: Number(t.attributes.timeout ?? 300),
        Publish: true,
      }),
    );
    expect(fn.Version).toBe('1');
    functionArns[`LambdaFunction${task}`] = fn.FunctionArn!;
  }
  expect(Object.keys(functionArns)).toEqual(['LambdaFunctionIncrement']);
  const definition = JSON.stringify(manifest.stateMachines.main!.definition).replace(/\$\{([A-Za-z0-9_.:-]+)\}/g, (_, name: string) => functionArns[name] ?? localPlaceholderValue(manifest.project, name));
  expect(definition).toContain('arn:aws:lambda:us-east-1:000000000000:function:looping-Increment:1');
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: localStateMachineName(manifest.project, 'main'), definition, roleArn: 'arn:aws:iam::000000000000:role/sfn' }));

  // $LATEST moves on to code that would fail; the deployed version keeps running version 1.
  await lambda.send(
    new UpdateFunctionCodeCommand({ FunctionName: 'looping-Increment', ZipFile: zipOf({ 'fluxio_task_run.py': 'async def run(event, context):\n    raise RuntimeError("not deployed")\n' }) }),
  );

  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ increment: 3 }) }));
  let d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  for (let i = 0; i < 400 && d.status === 'RUNNING'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  expect(d.status, d.cause).toBe('SUCCEEDED');
  expect(JSON.parse(d.output!)).toMatchObject({ increment: 3, counter: 12 });
  const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
  expect(events.filter((e) => e.type === 'LambdaFunctionSucceeded')).toHaveLength(4);
  lambda.destroy();
  sfn.destroy();
});
