/**
 * Persistence of the local Step Functions API: state machines, versions,
 * aliases, activities, executions and history survive a restart on the same
 * data directory; an execution that was running when `fluxio serve` was
 * killed is ABORTED (with a cause that says so) at the next start, and a
 * redrive continues it from the state it was in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { eventually, passMachine, removeDir, ROLE, startSfnPlatform, tempDir, waitForExecution } from './sfn-helpers.ts';

const FLUXIO_BIN = fileURLToPath(new URL('../../cli/bin/fluxio.mjs', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const allEvents = async (sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> =>
  (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;

describe('persistence', () => {
  it('state machines, versions, aliases, activities, executions and history survive a restart', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    let p = await startSfnPlatform(dataDir);
    const c = await p.client.send(new CreateStateMachineCommand({ name: 'kept', definition: passMachine('kept'), roleArn: ROLE, publish: true }));
    const alias = await p.client.send(new CreateStateMachineAliasCommand({ name: 'prod', routingConfiguration: [{ stateMachineVersionArn: c.stateMachineVersionArn, weight: 100 }] }));
    await p.client.send(new CreateActivityCommand({ name: 'kept-activity' }));
    const { executionArn } = await p.client.send(new StartExecutionCommand({ stateMachineArn: alias.stateMachineAliasArn, name: 'before-restart' }));
    const before = await waitForExecution(p.client, executionArn!);
    const historyBefore = await allEvents(p.client, executionArn!);
    await p.close();

    p = await startSfnPlatform(dataDir);
    try {
      expect((await p.client.send(new DescribeStateMachineCommand({ stateMachineArn: c.stateMachineArn }))).definition).toBe(passMachine('kept'));
      expect((await p.client.send(new ListStateMachineVersionsCommand({ stateMachineArn: c.stateMachineArn }))).stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([c.stateMachineVersionArn]);
      expect((await p.client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }))).routingConfiguration).toEqual([
        { stateMachineVersionArn: c.stateMachineVersionArn, weight: 100 },
      ]);
      expect((await p.client.send(new ListActivitiesCommand({}))).activities!.map((a) => a.name)).toEqual(['kept-activity']);
      const after = await p.client.send(new DescribeExecutionCommand({ executionArn }));
      expect(after).toMatchObject({ status: 'SUCCEEDED', output: before.output, stateMachineAliasArn: alias.stateMachineAliasArn, stateMachineVersionArn: c.stateMachineVersionArn });
      expect(after.startDate!.getTime()).toBe(before.startDate!.getTime());
      expect(await allEvents(p.client, executionArn!)).toEqual(historyBefore);
      expect((await p.client.send(new ListExecutionsCommand({ stateMachineArn: c.stateMachineArn }))).executions!.map((e) => e.name)).toEqual(['before-restart']);
      // Names stay taken across restarts.
      await expect(p.client.send(new StartExecutionCommand({ stateMachineArn: c.stateMachineArn, name: 'before-restart' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    } finally {
      await p.close();
    }
  });

  it('stopping the platform (Ctrl-C) aborts running executions with a cause that says so; after a restart they stay ABORTED', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    let p = await startSfnPlatform(dataDir);
    const { stateMachineArn } = await p.client.send(
      new CreateStateMachineCommand({ name: 'long', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } }) }),
    );
    const { executionArn } = await p.client.send(new StartExecutionCommand({ stateMachineArn }));
    await p.close();
    p = await startSfnPlatform(dataDir);
    try {
      const d = await p.client.send(new DescribeExecutionCommand({ executionArn }));
      expect(d).toMatchObject({ status: 'ABORTED', error: 'Fluxio.PlatformStopped', redriveStatus: 'REDRIVABLE' });
      expect(d.cause).toMatch(/platform stopped while this execution was running/);
      expect((await allEvents(p.client, executionArn!)).at(-1)!.type).toBe('ExecutionAborted');
    } finally {
      await p.close();
    }
  });

  it('an execution running when the platform is killed is ABORTED after the restart, and a redrive continues it', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    // `fluxio serve` as its own process, killed with SIGKILL (no shutdown code runs).
    const child: ChildProcess = spawn(process.execPath, [FLUXIO_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--workers', '1'], {
      cwd: dataDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`fluxio serve exited (${code}): ${stderr}`)));
    });
    const remote = new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    const { activityArn } = await remote.send(new CreateActivityCommand({ name: 'slow-work' }));
    const { stateMachineArn } = await remote.send(
      new CreateStateMachineCommand({
        name: 'interrupted',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Prepare',
          States: {
            Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.step', Next: 'Work' },
            Work: { Type: 'Task', Resource: activityArn, ResultPath: '$.work', End: true },
          },
        }),
      }),
    );
    const { executionArn } = await remote.send(new StartExecutionCommand({ stateMachineArn, input: '{"job":1}' }));
    // Wait until the activity task is scheduled (and its history written) before killing the platform.
    await eventually(async () => ((await allEvents(remote, executionArn!)).some((e) => e.type === 'ActivityScheduled') ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    remote.destroy();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const p = await startSfnPlatform(dataDir);
    try {
      const aborted = await p.client.send(new DescribeExecutionCommand({ executionArn }));
      expect(aborted.status).toBe('ABORTED');
      expect(aborted.cause).toMatch(/platform stopped while this execution was running/);
      expect(aborted.redriveStatus).toBe('REDRIVABLE');
      const history = await allEvents(p.client, executionArn!);
      expect(history.at(-1)!.type).toBe('ExecutionAborted');
      expect(history.map((e) => e.type)).toContain('PassStateExited');

      await p.client.send(new RedriveExecutionCommand({ executionArn }));
      const task = await eventually(async () => {
        const t = await p.client.send(new GetActivityTaskCommand({ activityArn }));
        return t.taskToken ? t : undefined;
      });
      // The redrive restarted Work with the input it had (Prepare's output), not the execution input.
      expect(JSON.parse(task.input!)).toEqual({ job: 1, step: 'prepared' });
      await p.client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"done":true}' }));
      const d = await waitForExecution(p.client, executionArn!);
      expect(d).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
      expect(JSON.parse(d.output!)).toEqual({ job: 1, step: 'prepared', work: { done: true } });
      const redriven = await allEvents(p.client, executionArn!);
      expect(redriven.map((e) => e.id)).toEqual(redriven.map((_, i) => i + 1));
      expect(redriven.filter((e) => e.type === 'PassStateEntered')).toHaveLength(1);
    } finally {
      await p.close();
    }
  });
});
