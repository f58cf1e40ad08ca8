/**
 * The SfnExecutions adapter (the production one) against the local platform's
 * Step Functions API: the real platform on 127.0.0.1:0, state machines with a
 * version and the alias `live` created with the real SFN client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateStateMachineAliasCommand, CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { SfnExecutions, executionArnOf } from '../src/adapters/SfnExecutions.ts';

const ROLE = 'arn:aws:iam::000000000000:role/test';
let dataDir: string;
let platform: Platform;
let sfn: SFNClient;
let adapter: SfnExecutions;
let aliasArn: string;
let waitArn: string;

const wait = async (arn: string) => {
  for (;;) {
    const d = await adapter.describe(arn);
    if (d && d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function machine(name: string, definition: object): Promise<string> {
  const { stateMachineVersionArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, publish: true }));
  const { stateMachineAliasArn } = await sfn.send(
    new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn, weight: 100 }] }),
  );
  return stateMachineAliasArn!;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fluxio-trigger-sfn-'));
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: dataDir });
  const clientConfig = { endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 };
  sfn = new SFNClient(clientConfig);
  adapter = new SfnExecutions({ clientConfig });
  expect(await adapter.aliasArn('fluxio-local-p-main', 'live')).toBeUndefined(); // no state machine at all yet
  aliasArn = await machine('fluxio-local-p-main', {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ Variable: '$.fail', IsPresent: true, Next: 'Boom' }], Default: 'Done' },
      Boom: { Type: 'Fail', Error: 'Bad', Cause: 'asked to fail' },
      Done: { Type: 'Pass', Result: 'ok', ResultPath: '$.result', End: true },
    },
  });
  waitArn = await machine('fluxio-local-p-slow', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } });
}, 60_000);

afterAll(async () => {
  sfn?.destroy();
  adapter?.client.destroy();
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SfnExecutions on the local Step Functions API', () => {
  test('aliasArn is the ARN the service returns; absent alias or state machine → undefined', async () => {
    expect(await adapter.aliasArn('fluxio-local-p-main', 'live')).toBe(aliasArn);
    expect(await adapter.aliasArn('fluxio-local-p-main', 'other')).toBeUndefined();
    expect(await adapter.aliasArn('fluxio-local-p-nothing', 'live')).toBeUndefined();
  });

  test('start, then the same name: exists with sameInput true for the same JSON value, false for other input', async () => {
    const first = await adapter.start({ stateMachineArn: aliasArn, name: 'once', input: { a: 1, b: [1, 2] } });
    expect(first.kind).toBe('started');
    expect(first.executionArn).toBe(executionArnOf(aliasArn, 'once'));
    await wait(first.executionArn);
    const again = await adapter.start({ stateMachineArn: aliasArn, name: 'once', input: { b: [1, 2], a: 1 } });
    expect(again).toEqual({ kind: 'exists', executionArn: first.executionArn, startDate: first.startDate, sameInput: true });
    const other = await adapter.start({ stateMachineArn: aliasArn, name: 'once', input: { a: 2 } });
    expect(other).toMatchObject({ kind: 'exists', sameInput: false });
  });

  test('start on an absent alias → Trigger.StateMachineNotFound naming the project and state machine; bad name → Execution.InvalidName', async () => {
    await expect(adapter.start({ stateMachineArn: aliasArn.replace(':live', ':nope'), name: 'x', input: {} })).rejects.toMatchObject({
      code: 'Trigger.StateMachineNotFound',
      statusCode: 404,
      details: { project: 'p', stateMachine: 'main' },
    });
    await expect(adapter.start({ stateMachineArn: aliasArn, name: 'has space', input: {} })).rejects.toMatchObject({ code: 'Execution.InvalidName', statusCode: 400 });
  });

  test('describe gives input, output, version and alias; absent → undefined', async () => {
    const s = await adapter.start({ stateMachineArn: aliasArn, name: 'described', input: { x: 1 } });
    const d = await wait(s.executionArn);
    expect(d).toMatchObject({ name: 'described', status: 'SUCCEEDED', aliasArn, stateMachineArn: aliasArn.replace(/:live$/, '') });
    expect(JSON.parse(d.input!)).toEqual({ x: 1 });
    expect(JSON.parse(d.output!)).toEqual({ x: 1, result: 'ok' });
    expect(d.versionArn).toMatch(/:fluxio-local-p-main:1$/);
    expect(await adapter.describe(executionArnOf(aliasArn, 'never'))).toBeUndefined();
  });

  test('list newest first with a status filter and pages; a foreign nextToken → Request.InvalidQuery', async () => {
    const failed = await adapter.start({ stateMachineArn: aliasArn, name: 'failing', input: { fail: true } });
    expect(await wait(failed.executionArn)).toMatchObject({ status: 'FAILED', error: 'Bad', cause: 'asked to fail' });
    const sm = aliasArn.replace(/:live$/, '');
    const all = await adapter.list(sm, {});
    expect(all.items[0]!.name).toBe('failing');
    expect(all.items.map((e) => e.name)).toEqual(expect.arrayContaining(['once', 'described', 'failing']));
    expect((await adapter.list(sm, { status: 'FAILED' })).items.map((e) => e.name)).toEqual(['failing']);
    const page1 = await adapter.list(sm, { maxResults: 1 });
    expect(page1.items).toHaveLength(1);
    const page2 = await adapter.list(sm, { maxResults: 1, nextToken: page1.nextToken });
    expect(page2.items[0]!.name).not.toBe(page1.items[0]!.name);
    await expect(adapter.list(sm, { nextToken: 'garbage' })).rejects.toMatchObject({ code: 'Request.InvalidQuery', statusCode: 400 });
  });

  test('history pages forward and in reverse; absent → undefined', async () => {
    const arn = executionArnOf(aliasArn, 'described');
    const h = await adapter.history(arn, {});
    expect(h!.items[0]).toMatchObject({ id: 1, type: 'ExecutionStarted' });
    expect(h!.items.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(new Date(h!.items[0]!.timestamp).toISOString()).toBe(h!.items[0]!.timestamp);
    const rev = await adapter.history(arn, { reverseOrder: true, maxResults: 1 });
    expect(rev!.items.map((e) => e.type)).toEqual(['ExecutionSucceeded']);
    const next = await adapter.history(arn, { reverseOrder: true, maxResults: 1, nextToken: rev!.nextToken });
    expect(next!.items[0]!.id).toBe(rev!.items[0]!.id - 1);
    expect(await adapter.history(executionArnOf(aliasArn, 'never'), {})).toBeUndefined();
  });

  test('stop aborts a running execution with error and cause; redrive of it runs again; redrive of a SUCCEEDED one is refused with the reason', async () => {
    const s = await adapter.start({ stateMachineArn: waitArn, name: 'stopped', input: {} });
    expect(await adapter.stop(s.executionArn, { error: 'Ops', cause: 'by hand' })).toMatchObject({ stopDate: expect.any(Date) });
    expect(await wait(s.executionArn)).toMatchObject({ status: 'ABORTED', error: 'Ops', cause: 'by hand' });
    expect(await adapter.redrive(s.executionArn)).toMatchObject({ redriveDate: expect.any(Date) });
    expect(await adapter.describe(s.executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    await adapter.stop(s.executionArn, {});
    const refused = await adapter.redrive(executionArnOf(aliasArn, 'described'));
    expect(refused).toEqual({ notRedrivable: expect.stringContaining('SUCCEEDED') });
    expect(await adapter.stop(executionArnOf(aliasArn, 'never'), {})).toBeUndefined();
    expect(await adapter.redrive(executionArnOf(aliasArn, 'never'))).toBeUndefined();
  });
});
