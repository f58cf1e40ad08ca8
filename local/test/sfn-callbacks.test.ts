/**
 * Activities and callbacks through @aws-sdk/client-sfn: an activity worker
 * (GetActivityTask long poll, SendTaskSuccess/Failure/Heartbeat) and a
 * `.waitForTaskToken` task completed by SendTaskSuccess with the token from
 * the execution's history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { eventually, removeDir, ROLE, startSfnPlatform, waitForExecution, type SfnPlatform } from './sfn-helpers.ts';

let p: SfnPlatform;
let sfn: SFNClient;
beforeAll(async () => {
  p = await startSfnPlatform();
  sfn = p.client;
});
afterAll(async () => {
  await p.close();
  removeDir(p.dataDir);
});

const failure = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
};

const machine = async (name: string, states: Record<string, unknown>, startAt: string) =>
  (await sfn.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify({ StartAt: startAt, States: states }) }))).stateMachineArn!;

describe('activities', () => {
  it('creates (idempotently), describes, lists and deletes activities', async () => {
    const a = await sfn.send(new CreateActivityCommand({ name: 'act-crud' }));
    expect(a.activityArn).toBe('arn:aws:states:us-east-1:000000000000:activity:act-crud');
    expect((await sfn.send(new CreateActivityCommand({ name: 'act-crud' }))).activityArn).toBe(a.activityArn);
    expect(await sfn.send(new DescribeActivityCommand({ activityArn: a.activityArn }))).toMatchObject({ name: 'act-crud', activityArn: a.activityArn });
    expect((await sfn.send(new ListActivitiesCommand({}))).activities!.map((x) => x.name)).toContain('act-crud');
    await sfn.send(new DeleteActivityCommand({ activityArn: a.activityArn }));
    expect((await failure(sfn.send(new DescribeActivityCommand({ activityArn: a.activityArn })))).name).toBe('ActivityDoesNotExist');
    expect((await failure(sfn.send(new GetActivityTaskCommand({ activityArn: a.activityArn })))).name).toBe('ActivityDoesNotExist');
  });

  it('an activity worker polls, heartbeats and completes the task; the execution continues with its output', async () => {
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'act-work' }));
    const arn = await machine('sm-activity', { Work: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 30, ResultPath: '$.result', End: true } }, 'Work');
    // The worker polls before the task exists: the long poll delivers it when it is scheduled.
    const polling = sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'worker-1' }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"n":20}' }));
    const task = await polling;
    expect(task.taskToken).toBeTruthy();
    expect(JSON.parse(task.input!)).toEqual({ n: 20 });
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify({ doubled: 40 }) }));
    const d = await waitForExecution(sfn, executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ n: 20, result: { doubled: 40 } });
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    expect(history.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(history[3]!.activityStartedEventDetails).toEqual({ workerName: 'worker-1' });
    // The token is spent.
    expect((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{}' })))).name).toBe('TaskDoesNotExist');
  });

  it('SendTaskFailure fails the state with the worker error, which Catch can handle', async () => {
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'act-fail' }));
    const arn = await machine(
      'sm-activity-fail',
      {
        Work: { Type: 'Task', Resource: activityArn, Catch: [{ ErrorEquals: ['Worker.Broken'], ResultPath: '$.caught', Next: 'Recovered' }], End: true },
        Recovered: { Type: 'Pass', End: true },
      },
      'Work',
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    // Queued before any worker polls: the next poll gets it.
    const task = await eventually(async () => {
      const t = await sfn.send(new GetActivityTaskCommand({ activityArn }));
      return t.taskToken ? t : undefined;
    });
    await sfn.send(new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Worker.Broken', cause: 'disk full' }));
    const d = await waitForExecution(sfn, executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).caught).toEqual({ Error: 'Worker.Broken', Cause: 'disk full' });
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type);
    expect(types).toContain('ActivityFailed');
  });

  it('a task without heartbeats within HeartbeatSeconds times out; a late SendTaskSuccess gets TaskTimedOut', async () => {
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'act-heartbeat' }));
    const arn = await machine('sm-activity-hb', { Work: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 1, End: true } }, 'Work');
    const polling = sfn.send(new GetActivityTaskCommand({ activityArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const task = await polling;
    const d = await waitForExecution(sfn, executionArn!);
    expect(d).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect((await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type)).toContain('ActivityTimedOut');
    expect((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{}' })))).name).toBe('TaskTimedOut');
  });

  it('refuses unknown tokens and non-JSON output', async () => {
    expect((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: 'no-such-token', output: '{}' })))).name).toBe('InvalidToken');
    expect((await failure(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'no-such-token' })))).name).toBe('InvalidToken');
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'act-json' }));
    const arn = await machine('sm-activity-json', { Work: { Type: 'Task', Resource: activityArn, End: true } }, 'Work');
    const polling = sfn.send(new GetActivityTaskCommand({ activityArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const task = await polling;
    expect((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: 'not json' })))).name).toBe('InvalidOutput');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"fine"' }));
    expect((await waitForExecution(sfn, executionArn!)).output).toBe('"fine"');
  });
});

describe('.waitForTaskToken', () => {
  it('passes $$.Task.Token in Parameters and waits until SendTaskSuccess with that token', async () => {
    const arn = await machine(
      'sm-callback',
      {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/approvals', MessageBody: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
          ResultPath: '$.approval',
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
      'Ask',
    );
    const issued: Array<{ taskToken: string }> = [];
    const unsubscribe = p.platform.bus.subscribe((e) => issued.push(e.detail as { taskToken: string }), { detailType: 'Task Token Issued' });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"order":7}' }));
    // A consumer finds the token where Step Functions puts it: in TaskScheduled's parameters.
    const scheduled = await eventually(async () => {
      const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
      return events.find((e) => e.type === 'TaskSubmitted') ? events.find((e) => e.type === 'TaskScheduled') : undefined;
    });
    unsubscribe();
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken' });
    const params = JSON.parse(scheduled.taskScheduledEventDetails!.parameters!);
    expect(params.MessageBody.order).toBe(7);
    const token = params.MessageBody.token as string;
    expect(token).toBeTruthy();
    expect(issued.map((i) => i.taskToken)).toEqual([token]);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    const d = await waitForExecution(sfn, executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ order: 7, approval: { approved: true } });
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });
});
