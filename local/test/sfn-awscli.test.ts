/**
 * End to end with Debian's AWS CLI (`/usr/bin/aws`, 2.9): the commands the
 * README gives a newcomer, against the real platform. `.ci/run` installs
 * awscli when it is missing, so this test never skips.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startSfnPlatform, type SfnPlatform } from './sfn-helpers.ts';

const exec = promisify(execFile);
const AWS = '/usr/bin/aws';
let p: SfnPlatform;
beforeAll(async () => {
  p = await startSfnPlatform();
});
afterAll(async () => {
  await p.close();
  removeDir(p.dataDir);
});

const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
/** Runs `aws stepfunctions ARGS --endpoint-url URL --output json` and parses stdout. */
async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec(AWS, ['stepfunctions', ...args, '--endpoint-url', p.platform.url, '--output', 'json'], { env });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

describe('aws stepfunctions (awscli 2.9)', () => {
  it('create-state-machine, start-execution, describe-execution, get-execution-history, list, stop', async () => {
    const definition = JSON.stringify({
      StartAt: 'Greet',
      States: { Greet: { Type: 'Pass', Parameters: { 'message.$': "States.Format('Hello, {}!', $.who)" }, End: true } },
    });
    const created = await aws('create-state-machine', '--name', 'cli-hello', '--definition', definition, '--role-arn', 'arn:aws:iam::000000000000:role/local');
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:cli-hello');
    expect(typeof created.creationDate).toBe('string');

    const started = await aws('start-execution', '--state-machine-arn', String(created.stateMachineArn), '--name', 'first', '--input', '{"who":"newcomer"}');
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:cli-hello:first');
    let described: Record<string, unknown>;
    do described = await aws('describe-execution', '--execution-arn', String(started.executionArn));
    while (described.status === 'RUNNING');
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(described.output))).toEqual({ message: 'Hello, newcomer!' });

    const history = await aws('get-execution-history', '--execution-arn', String(started.executionArn));
    expect((history.events as Array<{ type: string }>).map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);

    const listed = await aws('list-state-machines');
    expect((listed.stateMachines as Array<{ name: string }>).map((s) => s.name)).toContain('cli-hello');

    const waiting = await aws(
      'create-state-machine',
      '--name',
      'cli-wait',
      '--definition',
      JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } }),
      '--role-arn',
      'arn:aws:iam::000000000000:role/local',
    );
    const running = await aws('start-execution', '--state-machine-arn', String(waiting.stateMachineArn));
    await aws('stop-execution', '--execution-arn', String(running.executionArn), '--cause', 'stopped from the CLI');
    expect(await aws('describe-execution', '--execution-arn', String(running.executionArn))).toMatchObject({ status: 'ABORTED', cause: 'stopped from the CLI' });
    const executions = await aws('list-executions', '--state-machine-arn', String(waiting.stateMachineArn), '--status-filter', 'ABORTED');
    expect((executions.executions as unknown[]).length).toBe(1);
  });

  it('shows the service error codes', async () => {
    const err = await exec(AWS, ['stepfunctions', 'describe-state-machine', '--state-machine-arn', 'arn:aws:states:us-east-1:000000000000:stateMachine:nope', '--endpoint-url', p.platform.url], { env }).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).not.toBe(0);
    expect((err as { stderr: string }).stderr).toMatch(/\(StateMachineDoesNotExist\).*State Machine Does Not Exist/);
  });
});
