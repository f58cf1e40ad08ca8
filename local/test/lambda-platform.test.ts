/**
 * The Lambda API on the real local platform (`startPlatform`, what
 * `npm start` runs): functions and versions survive a restart on the same
 * data directory, and a Step Functions execution started through the
 * platform's Step Functions API calls a function created from a zip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  PutFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startPlatform, type Platform } from '../src/server/platform.ts';
import { payloadOf, ROLE, zipOf } from './lambda-helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'fluxio-lambda-platform-'));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let platform: Platform | undefined;

const clients = (p: Platform) => ({
  lambda: new LambdaClient({ endpoint: p.url, region: 'us-east-1', credentials, maxAttempts: 1 }),
  sfn: new SFNClient({ endpoint: p.url, region: 'us-east-1', credentials, maxAttempts: 1 }),
});
const start = async () => {
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: dataDir });
  return clients(platform);
};

afterAll(async () => {
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the Lambda API on the local platform', () => {
  test('functions, versions, aliases, event invoke configs and their code survive a restart on the same data directory', async () => {
    let { lambda } = await start();
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'durable',
        Role: ROLE,
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Code: { ZipFile: zipOf({ 'app.py': 'def handler(e, c):\n    return "first code"\n' }) },
        Publish: true,
        Tags: { kept: 'yes' },
      }),
    );
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'durable', ZipFile: zipOf({ 'app.py': 'def handler(e, c):\n    return "second code"\n' }) }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'durable', Name: 'live', FunctionVersion: '1' }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'durable', MaximumRetryAttempts: 0 }));
    const before = await lambda.send(new GetFunctionCommand({ FunctionName: 'durable' }));
    lambda.destroy();
    await platform!.close();
    platform = undefined;

    ({ lambda } = await start());
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: 'durable' }));
    expect(after.Configuration).toEqual(before.Configuration);
    expect(after.Tags).toEqual({ kept: 'yes' });
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'durable' }));
    expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName)).toContain('durable');
    expect(payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'durable', Qualifier: '1' })))).toBe('first code');
    expect(payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'durable' })))).toBe('second code');
    expect(payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'durable:live' })))).toBe('first code');
    expect((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'durable' }))).MaximumRetryAttempts).toBe(0);
    lambda.destroy();
  });

  test('an execution started with the Step Functions API calls a function from a zip through its Task state ARN', async () => {
    const { lambda, sfn } = platform ? clients(platform) : await start();
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'greeter',
        Role: ROLE,
        Runtime: 'python3.12',
        Handler: 'greet.handler',
        Code: { ZipFile: zipOf({ 'greet.py': 'def handler(event, context):\n    return {"greeting": "hello " + event["name"]}\n' }) },
      }),
    );
    const definition = {
      StartAt: 'Greet',
      States: {
        Greet: { Type: 'Task', Resource: fn.FunctionArn, Next: 'Invoke' },
        Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'greeter', Payload: { name: 'again' } }, ResultSelector: { 'second.$': '$.Payload.greeting' }, ResultPath: '$.invoke', End: true },
      },
    };
    const sm = await sfn.send(new CreateStateMachineCommand({ name: 'greets', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/sfn' }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: sm.stateMachineArn, input: JSON.stringify({ name: 'world' }) }));
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; i < 200 && described.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ greeting: 'hello world', invoke: { second: 'hello again' } });
    lambda.destroy();
    sfn.destroy();
  });
});
