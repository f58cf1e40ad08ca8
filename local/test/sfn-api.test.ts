/**
 * The local Step Functions API through the real @aws-sdk/client-sfn: state
 * machines, versions, aliases, tags, validation, executions and their history,
 * the service's errors, and the status events on the platform's bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  ListStateMachinesCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  PublishStateMachineVersionCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  DescribeMapRunCommand,
  StopExecutionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { EXECUTION_STATUS_CHANGE, type BusEvent, type ExecutionStatusChangeDetail } from '../src/events/bus.ts';
import { passMachine, ROLE, removeDir, startSfnPlatform, waitForExecution, type SfnPlatform } from './sfn-helpers.ts';

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

const create = async (name: string, definition = passMachine(), extra: Record<string, unknown> = {}) =>
  (await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE, ...extra }))).stateMachineArn!;

/** Resolves with the error the SDK threw (its `name` is the service's error code). */
const failure = async (promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> => {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
};

const run = async (stateMachineArn: string, input = '{}', name?: string) => {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input, name }));
  return waitForExecution(sfn, executionArn!);
};

const historyOf = async (executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...page.events!);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
};

const WAIT_MACHINE = JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 600, Next: 'Done' }, Done: { Type: 'Succeed' } } });

describe('state machines', () => {
  it('creates, describes, updates, lists with paging and deletes a state machine', async () => {
    const arn = await create('sm-crud');
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:sm-crud');
    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(d).toMatchObject({ name: 'sm-crud', status: 'ACTIVE', type: 'STANDARD', roleArn: ROLE, definition: passMachine() });
    expect(d.creationDate).toBeInstanceOf(Date);
    expect(Math.abs(d.creationDate!.getTime() - Date.now())).toBeLessThan(60_000);

    const u = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: passMachine('v2') }));
    expect(u.revisionId).toBeTruthy();
    expect(u.revisionId).not.toBe(d.revisionId);
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).definition).toBe(passMachine('v2'));

    for (const n of ['sm-page-a', 'sm-page-b', 'sm-page-c']) await create(n);
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken }));
      expect(page.stateMachines!.length).toBeLessThanOrEqual(2);
      seen.push(...page.stateMachines!.map((s) => s.name!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(expect.arrayContaining(['sm-crud', 'sm-page-a', 'sm-page-b', 'sm-page-c']));
    expect(new Set(seen).size).toBe(seen.length);

    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    expect((await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })))).name).toBe('StateMachineDoesNotExist');
  });

  it('is idempotent on the same definition and refuses another one under the same name', async () => {
    const a = await sfn.send(new CreateStateMachineCommand({ name: 'sm-idem', definition: passMachine(), roleArn: ROLE }));
    const b = await sfn.send(new CreateStateMachineCommand({ name: 'sm-idem', definition: passMachine(), roleArn: ROLE }));
    expect(b.stateMachineArn).toBe(a.stateMachineArn);
    expect(b.creationDate!.getTime()).toBe(a.creationDate!.getTime());
    const err = await failure(sfn.send(new CreateStateMachineCommand({ name: 'sm-idem', definition: passMachine(1), roleArn: ROLE })));
    expect(err.name).toBe('StateMachineAlreadyExists');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses an invalid definition with InvalidDefinition naming the problem, and bad names with InvalidName', async () => {
    const missingTarget = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    const err = await failure(create('sm-bad', missingTarget));
    expect(err.name).toBe('InvalidDefinition');
    expect(err.message).toMatch(/Nowhere/);
    expect((await failure(create('sm-bad-json', '{"StartAt":'))).name).toBe('InvalidDefinition');
    expect((await failure(create('has space'))).name).toBe('InvalidName');
    expect((await failure(create('sm-express', passMachine(), { type: 'EXPRESS' }))).message).toMatch(/EXPRESS.*not supported/);
  });

  it('ValidateStateMachineDefinition reports OK, or FAIL with diagnostics (severity, code, message, location)', async () => {
    const ok = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: passMachine() }));
    expect(ok.result).toBe('OK');
    expect(ok.diagnostics).toEqual([]);
    const bad = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass' } } }) }));
    expect(bad.result).toBe('FAIL');
    expect(bad.diagnostics!.length).toBeGreaterThan(0);
    expect(bad.diagnostics![0]).toMatchObject({ severity: 'ERROR', code: expect.any(String), message: expect.any(String) });
    const schema = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true, OutputPath: 7 } } }) }));
    expect(schema.diagnostics![0]!.location).toMatch(/States\/A/);
  });

  it('tags, lists and untags a state machine; unknown resources are ResourceNotFound', async () => {
    const arn = await create('sm-tags', passMachine(), { tags: [{ key: 'team', value: 'a' }] });
    await sfn.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'dev' }, { key: 'team', value: 'b' }] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: 'env', value: 'dev' },
      { key: 'team', value: 'b' },
    ]);
    await sfn.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'team', value: 'b' }]);
    expect((await failure(sfn.send(new ListTagsForResourceCommand({ resourceArn: arn + '-missing' })))).name).toBe('ResourceNotFound');
  });
});

describe('versions and aliases', () => {
  it('publishes versions (unchanged definition → the latest), lists, routes an alias by weight and deletes', async () => {
    const c = await sfn.send(new CreateStateMachineCommand({ name: 'sm-ver', definition: passMachine('one'), roleArn: ROLE, publish: true, versionDescription: 'first' }));
    const v1 = c.stateMachineVersionArn!;
    expect(v1).toBe(`${c.stateMachineArn}:1`);
    const again = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: c.stateMachineArn }));
    expect(again.stateMachineVersionArn).toBe(v1);

    const u = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: c.stateMachineArn, definition: passMachine('two') }));
    const stale = await failure(sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: c.stateMachineArn, revisionId: 'not-the-revision' })));
    expect(stale.name).toBe('ConflictException');
    const v2 = (await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: c.stateMachineArn, revisionId: u.revisionId, description: 'second' }))).stateMachineVersionArn!;
    expect(v2).toBe(`${c.stateMachineArn}:2`);
    const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: c.stateMachineArn }));
    expect(versions.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([v2, v1]);
    const dv1 = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: v1 }));
    expect(dv1).toMatchObject({ definition: passMachine('one'), description: 'first' });

    // A version runs its own definition, and the execution says which version ran.
    const onV1 = await run(v1);
    expect(JSON.parse(onV1.output!).greeting).toBe('one');
    expect(onV1.stateMachineVersionArn).toBe(v1);
    expect(onV1.stateMachineAliasArn).toBeUndefined();

    const alias = await sfn.send(
      new CreateStateMachineAliasCommand({ name: 'live', description: 'split', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 50 }, { stateMachineVersionArn: v2, weight: 50 }] }),
    );
    expect(alias.stateMachineAliasArn).toBe(`${c.stateMachineArn}:live`);
    const da = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
    expect(da).toMatchObject({ name: 'live', description: 'split', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 50 }, { stateMachineVersionArn: v2, weight: 50 }] });
    expect((await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: c.stateMachineArn }))).stateMachineAliases!.map((a) => a.stateMachineAliasArn)).toEqual([
      alias.stateMachineAliasArn,
    ]);

    // 50/50 routing: 40 executions land on both versions (chance of not: 2 * 0.5^40).
    const ran = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const d = await run(alias.stateMachineAliasArn!);
      expect(d.stateMachineAliasArn).toBe(alias.stateMachineAliasArn);
      expect(JSON.parse(d.output!).greeting).toBe(d.stateMachineVersionArn === v1 ? 'one' : 'two');
      ran.add(d.stateMachineVersionArn!);
    }
    expect(ran).toEqual(new Set([v1, v2]));

    // Routed-to versions cannot be deleted; after moving the alias they can.
    expect((await failure(sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 })))).name).toBe('ConflictException');
    await sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }] }));
    const routed = await run(alias.stateMachineAliasArn!);
    expect(routed.stateMachineVersionArn).toBe(v2);
    await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 }));
    expect((await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: c.stateMachineArn }))).stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([v2]);
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: v1 })))).name).toBe('StateMachineDoesNotExist');

    await sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
    expect((await failure(sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn })))).name).toBe('ResourceNotFound');
  });

  it('refuses routing configurations whose weights do not sum to 100 or name missing versions', async () => {
    const c = await sfn.send(new CreateStateMachineCommand({ name: 'sm-alias-bad', definition: passMachine(), roleArn: ROLE, publish: true }));
    const v1 = c.stateMachineVersionArn!;
    const bad = await failure(sfn.send(new CreateStateMachineAliasCommand({ name: 'a', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 60 }] })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(/sum to 60/);
    const missing = await failure(sfn.send(new CreateStateMachineAliasCommand({ name: 'a', routingConfiguration: [{ stateMachineVersionArn: `${c.stateMachineArn}:9`, weight: 100 }] })));
    expect(missing.name).toBe('ResourceNotFound');
  });
});

describe('executions', () => {
  it('same name and input while running returns the same execution; otherwise ExecutionAlreadyExists', async () => {
    const arn = await create('sm-wait', WAIT_MACHINE);
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"x":1}' }));
    const b = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"x":1}' }));
    expect(b.executionArn).toBe(a.executionArn);
    expect(b.startDate!.getTime()).toBe(a.startDate!.getTime());
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"x":2}' })))).name).toBe('ExecutionAlreadyExists');

    const stopped = await sfn.send(new StopExecutionCommand({ executionArn: a.executionArn, error: 'Manual', cause: 'test stop' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: a.executionArn }));
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'test stop', redriveStatus: 'REDRIVABLE' });
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"x":1}' })))).name).toBe('ExecutionAlreadyExists');
    const history = await historyOf(a.executionArn!);
    expect(history.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Manual', cause: 'test stop' } });
  });

  it('refuses bad starts with the service errors', async () => {
    const arn = await create('sm-errors');
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: arn + 'x' })))).name).toBe('StateMachineDoesNotExist');
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn' })))).name).toBe('InvalidArn');
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'a/b' })))).name).toBe('InvalidName');
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{nope' })))).name).toBe('InvalidExecutionInput');
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ big: 'x'.repeat(300_000) }) })))).name).toBe('InvalidExecutionInput');
    expect((await failure(sfn.send(new DescribeExecutionCommand({ executionArn: arn.replace('stateMachine', 'execution') + ':missing' })))).name).toBe('ExecutionDoesNotExist');
  });

  it('lists executions newest first with a status filter and nextToken paging', async () => {
    const arn = await create('sm-list');
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      names.push(`e${i}`);
      await run(arn, '{}', `e${i}`);
    }
    const failing = await create('sm-list-fail', JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'on purpose' } } }));
    const f = await run(failing);
    expect(f).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'on purpose' });

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 2, nextToken }));
      seen.push(...page.executions!.map((e) => e.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual([...names].reverse());
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'FAILED' }))).executions).toEqual([]);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: failing, statusFilter: 'FAILED' }))).executions!.map((e) => e.status)).toEqual(['FAILED']);
    expect((await failure(sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: 'forged' })))).name).toBe('InvalidToken');
  });

  it('records the service history events for Pass, Choice, Map, Parallel, Wait, with ids, paging and reverse order', async () => {
    const definition = JSON.stringify({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Result: [1, 2, 3], ResultPath: '$.items', Next: 'Pick' },
        Pick: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Each' }], Default: 'Done' },
        Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', End: true } } }, ResultPath: '$.mapped', Next: 'Both' },
        Both: { Type: 'Parallel', Branches: [{ StartAt: 'L', States: { L: { Type: 'Pass', End: true } } }, { StartAt: 'R', States: { R: { Type: 'Wait', Seconds: 0, End: true } } }], ResultPath: null, Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    const arn = await create('sm-history', definition);
    const d = await run(arn, '{"go":true}');
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).mapped).toEqual([1, 2, 3]);
    const events = await historyOf(d.executionArn!);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.slice(1).every((e, i) => e.previousEventId === i + 1)).toBe(true);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    for (const t of ['PassStateEntered', 'PassStateExited', 'ChoiceStateEntered', 'ChoiceStateExited', 'MapStateEntered', 'MapStateStarted', 'MapIterationStarted', 'MapIterationSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited', 'WaitStateEntered', 'WaitStateExited', 'SucceedStateEntered']) {
      expect(types).toContain(t);
    }
    expect(types.filter((t) => t === 'MapIterationStarted')).toHaveLength(3);
    const entered = events.find((e) => e.type === 'ChoiceStateEntered')!;
    expect(entered.stateEnteredEventDetails).toMatchObject({ name: 'Pick' });
    expect(JSON.parse(entered.stateEnteredEventDetails!.input!)).toEqual({ go: true, items: [1, 2, 3] });
    expect(entered.timestamp).toBeInstanceOf(Date);

    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn: d.executionArn, reverseOrder: true, maxResults: 3 }));
    expect(reversed.events!.map((e) => e.id)).toEqual([events.length, events.length - 1, events.length - 2]);
    const next = await sfn.send(new GetExecutionHistoryCommand({ executionArn: d.executionArn, reverseOrder: true, maxResults: 3, nextToken: reversed.nextToken }));
    expect(next.events!.map((e) => e.id)).toEqual([events.length - 3, events.length - 4, events.length - 5]);
    const noData = await sfn.send(new GetExecutionHistoryCommand({ executionArn: d.executionArn, includeExecutionData: false }));
    expect(noData.events!.find((e) => e.type === 'ChoiceStateEntered')!.stateEnteredEventDetails!.input).toBeUndefined();

    const forExecution = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: d.executionArn }));
    expect(forExecution).toMatchObject({ stateMachineArn: arn, name: 'sm-history', definition, roleArn: ROLE });
  });

  it('records a failing Task as TaskScheduled/TaskFailed and fails the execution with its error', async () => {
    const arn = await create('sm-unsupported-task', JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { Message: 'x' }, End: true } } }));
    const d = await run(arn);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('Fluxio.UnsupportedLocally');
    expect(d.cause).toMatch(/sns:publish/);
    const types = (await historyOf(d.executionArn!)).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed']);
  });

  it('redrives a FAILED execution from the state that failed, with the input it had; SUCCEEDED ones are not redrivable', async () => {
    // The Choice fails (no rule matches, no Default) until the input has "fixed".
    const definition = JSON.stringify({
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Result: 1, ResultPath: '$.counted', Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$.counted', NumericEquals: 2, Next: 'Done' }] },
        Done: { Type: 'Succeed' },
      },
    });
    const arn = await create('sm-redrive', definition);
    const failed = await run(arn, '{}');
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched', redriveStatus: 'REDRIVABLE' });
    // Redrive re-runs Check with {"counted":1}: it fails again, showing it restarted at Check (not Count) with that input.
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
    const again = await waitForExecution(sfn, failed.executionArn!);
    expect(again).toMatchObject({ status: 'FAILED', redriveCount: 1 });
    expect(again.redriveDate).toBeInstanceOf(Date);
    const events = await historyOf(failed.executionArn!);
    const redriven = events.findIndex((e) => e.type === 'ExecutionRedriven');
    expect(redriven).toBeGreaterThan(0);
    expect(events[redriven]!.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    const after = events.slice(redriven + 1);
    expect(after[0]).toMatchObject({ type: 'ChoiceStateEntered', stateEnteredEventDetails: { name: 'Check' } });
    expect(JSON.parse(after[0]!.stateEnteredEventDetails!.input!)).toEqual({ counted: 1 });
    expect(after.some((e) => e.type === 'PassStateEntered')).toBe(false);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));

    const ok = await run(await create('sm-redrive-ok'));
    expect((await failure(sfn.send(new RedriveExecutionCommand({ executionArn: ok.executionArn })))).name).toBe('ExecutionNotRedrivable');
  });

  it('times out an execution past the state machine TimeoutSeconds (TIMED_OUT, ExecutionTimedOut, redrivable)', async () => {
    const arn = await create('sm-timeout', JSON.stringify({ TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } }));
    const d = await run(arn);
    expect(d).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', redriveStatus: 'REDRIVABLE' });
    expect((await historyOf(d.executionArn!)).at(-1)).toMatchObject({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } });
  });

  it('fails an execution at the 25,000-event history quota with States.Runtime', async () => {
    const arn = await create('sm-quota', JSON.stringify({ StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } } }));
    const d = await run(arn, JSON.stringify({ items: Array.from({ length: 6500 }, (_, i) => i) }));
    expect(d).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(d.cause).toMatch(/maximum number of history events \(25000\)/);
  });

  it('runs states:startExecution.sync:2 as a child execution of the API and returns its description', async () => {
    const child = await create('sm-child', JSON.stringify({ StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } } }));
    const parent = await create(
      'sm-parent',
      JSON.stringify({
        StartAt: 'Call',
        States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: child, 'Input.$': '$' }, ResultSelector: { 'out.$': '$.Output', 'status.$': '$.Status', 'arn.$': '$.ExecutionArn' }, End: true } },
      }),
    );
    const d = await run(parent, '{"n":21}');
    expect([d.status, d.error, d.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    const out = JSON.parse(d.output!);
    expect(out).toMatchObject({ out: { twice: 42 }, status: 'SUCCEEDED' });
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: out.arn }))).status).toBe('SUCCEEDED');
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: child }))).executions!.map((e) => e.executionArn)).toEqual([out.arn]);
  });

  it('publishes every status change as a "Step Functions Execution Status Change" event', async () => {
    const events: BusEvent[] = [];
    // The platform's own consumers (the trigger service's status feed) subscribe too: only this one goes away.
    const others = p.platform.bus.subscriberCount;
    const unsubscribe = p.platform.bus.subscribe((e) => events.push(e), { source: 'aws.states', detailType: EXECUTION_STATUS_CHANGE });
    const arn = await create('sm-events');
    const d = await run(arn, '{"n":1}', 'evented');
    unsubscribe();
    const mine = events.filter((e) => (e.detail as ExecutionStatusChangeDetail).executionArn === d.executionArn);
    expect(mine.map((e) => (e.detail as ExecutionStatusChangeDetail).status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(mine[1]).toMatchObject({ source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', account: '000000000000', region: 'us-east-1', resources: [d.executionArn] });
    expect(mine[1]!.detail).toMatchObject({ stateMachineArn: arn, name: 'evented', input: '{"n":1}', output: d.output, startDate: d.startDate!.getTime() });
    expect(p.platform.bus.subscriberCount).toBe(others);
  });

  it('answers operations it does not implement with UnsupportedOperation naming them', async () => {
    const err = await failure(sfn.send(new DescribeMapRunCommand({ mapRunArn: "arn:aws:states:us-east-1:000000000000:mapRun:x/y:z" })));
    expect(err.name).toBe('UnsupportedOperation');
    expect(err.message).toMatch(/DescribeMapRun is not supported/);
  });
});
