/**
 * The trigger domain (TriggerService) over in-memory fakes of its ports, fed
 * with the AWS event shapes of test/fixtures: activation (topics, exports,
 * schedules, subscriptions, removal of what is gone), schedule starts,
 * exactly-once result publishing with DescribeExecution and offload, event
 * processors, downstream starts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { scheduleExecutionName, subscriptionExecutionName, type ExecutionStatusEvent, type TriggerActivation } from '../src/TriggerService.ts';
import { aliasArn, fakeService } from './fakes.ts';

const fixture = <T = any>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const TOPIC = (name: string) => `arn:aws:sns:us-east-1:123456789012:${name}`;

/** orders: main (exported topics), nightly (scheduled); reports: on_order subscribed to orders/main success, on_failure to its failure. */
const ORDERS: TriggerActivation = {
  stateMachines: { main: { aliasArn: aliasArn('orders', 'main'), eventProcessor: null }, nightly: { aliasArn: aliasArn('orders', 'nightly'), eventProcessor: null } },
  schedules: [{ stateMachine: 'nightly', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Berlin', inputData: { window: '24h' } }],
  subscriptions: [],
};
const REPORTS: TriggerActivation = {
  stateMachines: { on_order: { aliasArn: aliasArn('reports', 'on_order'), eventProcessor: null }, on_failure: { aliasArn: aliasArn('reports', 'on_failure'), eventProcessor: null } },
  schedules: [],
  subscriptions: [
    { stateMachine: 'on_order', project: 'orders', source: 'main', status: 'success', topicArnImportValue: null },
    { stateMachine: 'on_failure', project: 'orders', source: 'main', status: 'failure', topicArnImportValue: null },
  ],
};

/** An SNS record carrying what `published` was. */
const snsOf = (p: { topicArn: string; message: string }, messageId = 'msg-1') => ({ MessageId: messageId, TopicArn: p.topicArn, Message: p.message });

describe('activate / deactivate (the deployer)', () => {
  test('every state machine gets tagged success and failure topics, recorded and exported; schedules go into the project group', async () => {
    const t = fakeService();
    const result = await t.service.activate('orders', ORDERS);
    expect([...t.topics.topics.keys()].sort()).toEqual(
      ['fluxio-prod-orders-main-failure', 'fluxio-prod-orders-main-success', 'fluxio-prod-orders-nightly-failure', 'fluxio-prod-orders-nightly-success'].map(TOPIC),
    );
    expect(t.topics.topics.get(TOPIC('fluxio-prod-orders-main-success'))).toEqual({ 'fluxio:stage': 'prod', 'fluxio:project': 'orders', 'fluxio:stateMachine': 'main', 'fluxio:result': 'success' });
    expect(await t.records.getStateMachine('orders', 'main')).toEqual({
      project: 'orders',
      stateMachine: 'main',
      aliasArn: aliasArn('orders', 'main'),
      successTopicArn: TOPIC('fluxio-prod-orders-main-success'),
      failureTopicArn: TOPIC('fluxio-prod-orders-main-failure'),
      eventProcessor: null,
    });
    expect(t.exports.owners.get('orders')).toMatchObject({ 'fluxio-prod-orders-main-success-topic-arn': TOPIC('fluxio-prod-orders-main-success') });
    expect(result.topics.main!.failure.exportName).toBe('fluxio-prod-orders-main-failure-topic-arn');
    expect(await t.schedules.list('fluxio-prod-orders')).toEqual([
      {
        group: 'fluxio-prod-orders',
        name: 'nightly',
        expression: 'cron(0 2 * * ? *)',
        timezone: 'Europe/Berlin',
        input: { project: 'orders', stateMachine: 'nightly', schedule: 'nightly', scheduledTime: '<aws.scheduler.scheduled-time>', inputData: { window: '24h' } },
      },
    ]);
    expect(result.note).toMatch(/1 schedule\(s\): nightly cron\(0 2 \* \* \? \*\) \(Europe\/Berlin\)/);
    expect(result.note).toContain('fluxio-prod-orders-main-success-topic-arn');
  });

  test('a subscription subscribes the upstream topic once and records the downstream, even before the upstream is deployed', async () => {
    const t = fakeService();
    const result = await t.service.activate('reports', REPORTS);
    expect([...t.topics.subscribed].sort()).toEqual([TOPIC('fluxio-prod-orders-main-failure'), TOPIC('fluxio-prod-orders-main-success')]);
    expect(await t.records.downstreams(TOPIC('fluxio-prod-orders-main-success'))).toEqual([
      { topicArn: TOPIC('fluxio-prod-orders-main-success'), project: 'reports', stateMachine: 'on_order', aliasArn: aliasArn('reports', 'on_order'), status: 'success', upstream: { project: 'orders', stateMachine: 'main' } },
    ]);
    expect(result.note).toMatch(/on_order ← orders\/main success, on_failure ← orders\/main failure/);
    // The upstream deploying later finds its topics there (same names, same tags).
    await expect(t.service.activate('orders', ORDERS)).resolves.toBeDefined();
  });

  test('topic_arn_import_value resolves the export with ${Environment} = the stage; an unknown export fails before anything changes', async () => {
    const t = fakeService();
    t.exports.foreign.set('prod-billing-topic-arn', 'arn:aws:sns:us-east-1:999999999999:billing-events');
    const base = { stateMachines: { main: { aliasArn: aliasArn('audit', 'main'), eventProcessor: null } }, schedules: [] };
    await t.service.activate('audit', { ...base, subscriptions: [{ stateMachine: 'main', project: null, source: 'main', status: 'success', topicArnImportValue: '${Environment}-billing-topic-arn' }] });
    expect(t.topics.subscribed).toEqual(new Set(['arn:aws:sns:us-east-1:999999999999:billing-events']));
    expect((await t.records.downstreams('arn:aws:sns:us-east-1:999999999999:billing-events'))[0]!.upstream).toEqual({ exportName: 'prod-billing-topic-arn' });

    const fresh = fakeService();
    await expect(
      fresh.service.activate('audit', { ...base, subscriptions: [{ stateMachine: 'main', project: null, source: 'main', status: 'success', topicArnImportValue: '${Environment}-nope-arn' }] }),
    ).rejects.toMatchObject({ code: 'Trigger.ExportNotFound', statusCode: 400, message: expect.stringContaining('nothing exports prod-nope-arn') });
    expect(fresh.topics.topics.size).toBe(0);
    expect(fresh.records.machines.size).toBe(0);
  });

  test('a subscription naming an impossible project or state machine is refused before anything changes', async () => {
    const t = fakeService();
    const bad = { ...REPORTS, subscriptions: [{ ...REPORTS.subscriptions[0]!, source: 'main-report' }] };
    await expect(t.service.activate('reports', bad)).rejects.toMatchObject({ code: 'Trigger.InvalidSubscription', statusCode: 400, message: expect.stringContaining('state_machine="main-report"') });
    expect(t.topics.topics.size).toBe(0);
  });

  test('a redeployment removes what the previous one had and this one does not; a topic others subscribe to is kept', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    await t.service.activate('reports', REPORTS);
    // orders drops nightly and its schedule; reports drops on_failure's subscription.
    await t.service.activate('orders', { ...ORDERS, stateMachines: { main: ORDERS.stateMachines.main! }, schedules: [] });
    expect(t.topics.topics.has(TOPIC('fluxio-prod-orders-nightly-success'))).toBe(false);
    expect(await t.records.getStateMachine('orders', 'nightly')).toBeUndefined();
    expect(t.schedules.groups.has('fluxio-prod-orders')).toBe(false);
    await t.service.activate('reports', { ...REPORTS, subscriptions: [REPORTS.subscriptions[0]!] });
    expect(t.topics.subscribed).toEqual(new Set([TOPIC('fluxio-prod-orders-main-success')]));
    // Destroying orders keeps main's success topic: reports still subscribes to it.
    const { keptTopics } = await t.service.deactivate('orders');
    expect(keptTopics).toEqual([TOPIC('fluxio-prod-orders-main-success')]);
    expect(t.topics.topics.has(TOPIC('fluxio-prod-orders-main-failure'))).toBe(false);
    expect(t.exports.owners.has('orders')).toBe(false);
    await t.service.deactivate('reports');
    expect(t.topics.subscribed.size).toBe(0);
    expect(t.records.downstreamItems.size).toBe(0);
  });
});

describe('onSchedule', () => {
  test('starts the alias once per firing, named from schedule and time, with input_data and a schedule trace', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    const event = fixture('scheduler-input.json');
    const first = await t.service.onSchedule(event);
    expect(first).toMatchObject({ kind: 'started', executionName: 'nightly-20261201T020000Z' });
    expect(t.executions.started).toEqual([
      { stateMachineArn: aliasArn('orders', 'nightly'), name: 'nightly-20261201T020000Z', input: { window: '24h', __trace: { id: 'nightly-20261201T020000Z', source: 'schedule' } } },
    ]);
    // Scheduler delivers at least once: the same firing again starts nothing.
    expect((await t.service.onSchedule(event)).kind).toBe('exists');
    expect(t.executions.started).toHaveLength(1);
    expect(t.logs.some((l) => /redelivered/.test(l.message))).toBe(true);
    // The next firing is a new execution; no input_data → {} plus the trace.
    await t.service.onSchedule({ ...event, inputData: null, scheduledTime: '2026-12-02T02:00:00Z' });
    expect(t.executions.started[1]!.input).toEqual({ __trace: { id: 'nightly-20261202T020000Z', source: 'schedule' } });
  });

  test('refuses an event whose scheduled time was not filled in, and a state machine with no triggers recorded', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    await expect(t.service.onSchedule({ ...fixture('scheduler-input.json'), scheduledTime: '<aws.scheduler.scheduled-time>' })).rejects.toMatchObject({ code: 'Trigger.InvalidScheduleEvent' });
    await expect(t.service.onSchedule({ ...fixture('scheduler-input.json'), project: 'gone' })).rejects.toMatchObject({ code: 'Trigger.StateMachineNotFound', statusCode: 404 });
  });

  test('execution names are deterministic, at most 80 characters of [A-Za-z0-9_-]', () => {
    const long = 'x'.repeat(120);
    const a = scheduleExecutionName(long, '2026-12-01T02:00:00Z');
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(a.endsWith('-20261201T020000Z')).toBe(true);
    expect(scheduleExecutionName(long, '2026-12-01T02:00:00Z')).toBe(a);
    expect(scheduleExecutionName(`${long}y`, '2026-12-01T02:00:00Z')).not.toBe(a);
    const b = subscriptionExecutionName('95df01b4-ee98-5cb9-9903-4c221d41eb5e', 'reports', 'on_order');
    expect(b).toMatch(/^sns-95df01b4-ee98-5cb9-9903-4c221d41eb5e-[0-9a-f]{8}$/);
    expect(subscriptionExecutionName('m'.repeat(200), 'p', 'f')).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('onStatusChange', () => {
  test('a SUCCEEDED execution is published once on its success topic: {project, stateMachine, executionArn, status, output, __trace}', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    const event = fixture<ExecutionStatusEvent>('status-succeeded.json');
    const outcome = await t.service.onStatusChange(event);
    expect(outcome).toMatchObject({ kind: 'published', topicArn: TOPIC('fluxio-prod-orders-main-success'), offloaded: [] });
    expect(t.topics.published).toHaveLength(1);
    const { message, attributes } = t.topics.published[0]!;
    expect(JSON.parse(message)).toEqual({
      project: 'orders',
      stateMachine: 'main',
      executionArn: event.detail.executionArn,
      status: 'SUCCEEDED',
      output: { orderId: 42, total: 99.5, __trace: { id: 'trace-order-42', source: 'http' } },
      __trace: { id: 'trace-order-42', source: 'http' },
    });
    expect(attributes).toEqual({ project: 'orders', stateMachine: 'main', status: 'SUCCEEDED' });
    // EventBridge delivers at least once: the same event again publishes nothing.
    expect(await t.service.onStatusChange(event)).toEqual({ kind: 'duplicate' });
    expect(t.topics.published).toHaveLength(1);
  });

  test('FAILED goes to the failure topic with error, cause and input; a redriven execution failing again is published again', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    const event = fixture<ExecutionStatusEvent>('status-failed.json');
    await t.service.onStatusChange(event);
    expect(t.topics.published[0]!.topicArn).toBe(TOPIC('fluxio-prod-orders-main-failure'));
    expect(JSON.parse(t.topics.published[0]!.message)).toEqual({
      project: 'orders',
      stateMachine: 'main',
      executionArn: event.detail.executionArn,
      status: 'FAILED',
      error: 'PaymentDeclined',
      cause: 'card ending 4242 was declined',
      input: { orderId: 43, __trace: { id: 'trace-order-43', source: 'http' } },
      __trace: { id: 'trace-order-43', source: 'http' },
    });
    await t.service.onStatusChange({ ...event, detail: { ...event.detail, redriveCount: 1 } });
    expect(t.topics.published).toHaveLength(2);
    for (const status of ['TIMED_OUT', 'ABORTED']) await t.service.onStatusChange({ ...event, detail: { ...event.detail, status } });
    expect(t.topics.published.map((p) => [p.topicArn.endsWith('-failure'), p.attributes.status])).toEqual([
      [true, 'FAILED'],
      [true, 'FAILED'],
      [true, 'TIMED_OUT'],
      [true, 'ABORTED'],
    ]);
  });

  test('an output the event left out is read with DescribeExecution', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    const event = fixture<ExecutionStatusEvent>('status-output-omitted.json');
    t.executions.described.set(event.detail.executionArn, { input: event.detail.input!, output: '{"big":"yes"}' });
    await t.service.onStatusChange(event);
    expect(t.executions.describeCalls).toBe(1);
    expect(JSON.parse(t.topics.published[0]!.message).output).toEqual({ big: 'yes' });
    // An event that carries everything needs no DescribeExecution.
    await t.service.onStatusChange(fixture('status-succeeded.json'));
    expect(t.executions.describeCalls).toBe(1);
  });

  test('a failed publish gives the claim back and throws, so the retried event publishes exactly once', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    t.topics.failPublish = 1;
    const event = fixture<ExecutionStatusEvent>('status-succeeded.json');
    await expect(t.service.onStatusChange(event)).rejects.toThrow(/throttled/);
    expect(t.topics.published).toHaveLength(0);
    expect((await t.service.onStatusChange(event)).kind).toBe('published');
    expect((await t.service.onStatusChange(event)).kind).toBe('duplicate');
    expect(t.topics.published).toHaveLength(1);
  });

  test('events of another stage, of state machines without triggers, and RUNNING without a processor publish nothing', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    const event = fixture<ExecutionStatusEvent>('status-succeeded.json');
    const other = { ...event, detail: { ...event.detail, stateMachineArn: event.detail.stateMachineArn.replace('fluxio-prod-', 'fluxio-dev-') } };
    expect(await t.service.onStatusChange(other)).toMatchObject({ kind: 'ignored' });
    const unknown = { ...event, detail: { ...event.detail, stateMachineArn: event.detail.stateMachineArn.replace('orders-main', 'orders-other') } };
    expect(await t.service.onStatusChange(unknown)).toMatchObject({ kind: 'ignored' });
    expect(await t.service.onStatusChange(fixture('status-running.json'))).toMatchObject({ kind: 'ignored' });
    expect(t.topics.published).toHaveLength(0);
  });

  test('a message above the SNS limit has its output offloaded to state data and carries a pointer; the subscriber gets the real output back', async () => {
    const t = fakeService({ maxMessageBytes: 2_000 });
    await t.service.activate('orders', ORDERS);
    await t.service.activate('reports', REPORTS);
    const event = fixture<ExecutionStatusEvent>('status-succeeded.json');
    const output = { orderId: 42, lines: 'x'.repeat(5_000), __trace: { id: 'trace-order-42', source: 'http' } };
    const outcome = await t.service.onStatusChange({ ...event, detail: { ...event.detail, output: JSON.stringify(output) } });
    expect(outcome).toMatchObject({ kind: 'published', offloaded: ['output'] });
    const published = t.topics.published[0]!;
    const message = JSON.parse(published.message);
    expect(message.offloaded).toEqual(['output']);
    expect(message.output).toEqual({ __offloaded: { table_name: 'fluxio-state-data', partition_key: 'orders:order-42:__fluxio_result_output', key: '__fluxio_result_output' } });
    expect(Buffer.byteLength(published.message)).toBeLessThan(2_000);
    expect(JSON.parse(t.results.items.get('orders:order-42:__fluxio_result_output')!)).toEqual(output);
    await t.service.onSubscriptionMessage(snsOf(published));
    expect(t.executions.started[0]!.input).toEqual({ orderId: 42, lines: 'x'.repeat(5_000), __trace: { id: 'trace-order-42', source: 'subscription:orders/main' } });
  });

  test('a failure whose input had to be offloaded: the downstream gets it back; read back too big for an execution input, it gets the pointer', async () => {
    const t = fakeService({ maxMessageBytes: 2_000 });
    await t.service.activate('orders', ORDERS);
    await t.service.activate('reports', REPORTS);
    const event = fixture<ExecutionStatusEvent>('status-failed.json');
    const input = { orderId: 43, note: 'n'.repeat(3_000) };
    await t.service.onStatusChange({ ...event, detail: { ...event.detail, input: JSON.stringify(input) } });
    expect(JSON.parse(t.topics.published[0]!.message)).toMatchObject({ offloaded: ['input'], input: { __offloaded: { partition_key: 'orders:order-43:__fluxio_result_input' } }, error: 'PaymentDeclined' });
    await t.service.onSubscriptionMessage(snsOf(t.topics.published[0]!, 'f-1'));
    expect(t.executions.started[0]!.input).toMatchObject({ error: 'PaymentDeclined', input });

    // A part that, read back, would leave the downstream less than 8 KiB under the 256 KiB of an execution input stays a pointer.
    const pointer = { table_name: 'fluxio-state-data', partition_key: 'orders:order-43:__fluxio_result_input', key: '__fluxio_result_input' };
    t.results.items.set(pointer.partition_key, JSON.stringify({ orderId: 43, note: 'n'.repeat(255_000) }));
    await t.service.onSubscriptionMessage(snsOf(t.topics.published[0]!, 'f-2'));
    expect(t.executions.started[1]!.input).toMatchObject({ error: 'PaymentDeclined', input: { __offloaded: pointer } });
  });
});

describe('event processors', () => {
  const WITH_PROCESSOR: TriggerActivation = { ...ORDERS, stateMachines: { ...ORDERS.stateMachines, main: { aliasArn: aliasArn('orders', 'main'), eventProcessor: 'OrderEvents' } } };

  test('the processor function runs for every status event; its tags become message attributes and a log line', async () => {
    const t = fakeService();
    await t.service.activate('orders', WITH_PROCESSOR);
    t.processors.answer = (r) => ({ eventType: r.eventType, customer: 'acme', amount: 99.5, 'AWS.bad': 'x', empty: '' });
    expect(await t.service.onStatusChange(fixture('status-running.json'))).toMatchObject({ kind: 'processed', tags: { eventType: 'ExecutionStarted', customer: 'acme' } });
    await t.service.onStatusChange(fixture('status-succeeded.json'));
    expect(t.processors.calls.map((c) => [c.functionName, c.request.processor, c.request.eventType])).toEqual([
      ['fluxio-prod-orders-OrderEvents', 'OrderEvents', 'ExecutionStarted'],
      ['fluxio-prod-orders-OrderEvents', 'OrderEvents', 'ExecutionSucceeded'],
    ]);
    expect(t.processors.calls[1]!.request.inputData).toEqual({ orderId: 42, __trace: { id: 'trace-order-42', source: 'http' } });
    expect(t.processors.calls[1]!.request.message).toMatchObject({ status: 'SUCCEEDED', output: { total: 99.5 } });
    expect(t.topics.published[0]!.attributes).toEqual({ eventType: 'ExecutionSucceeded', customer: 'acme', amount: '99.5', project: 'orders', stateMachine: 'main', status: 'SUCCEEDED' });
    expect(t.logs.find((l) => l.message === 'Execution status event' && (l.fields as { eventType: string }).eventType === 'ExecutionSucceeded')?.fields).toMatchObject({ tags: { customer: 'acme' } });
    expect(t.logs.some((l) => l.level === 'warn' && JSON.stringify(l.fields).includes('AWS.bad'))).toBe(true);
  });

  test('the processor function is invoked at the version the deployment recorded', async () => {
    const t = fakeService();
    const qualified = 'arn:aws:lambda:us-east-1:123456789012:function:fluxio-prod-orders-OrderEvents:7';
    await t.service.activate('orders', { ...WITH_PROCESSOR, stateMachines: { main: { ...WITH_PROCESSOR.stateMachines.main!, eventProcessorFunction: qualified } } });
    await t.service.onStatusChange(fixture('status-succeeded.json'));
    expect(t.processors.calls.map((c) => c.functionName)).toEqual([qualified]);
  });

  test('a processor that fails is logged and the result is still published, without tags', async () => {
    const t = fakeService();
    await t.service.activate('orders', WITH_PROCESSOR);
    t.processors.answer = () => {
      throw new Error('KeyError: customer');
    };
    expect((await t.service.onStatusChange(fixture('status-failed.json'))).kind).toBe('published');
    expect(t.topics.published[0]!.attributes).toEqual({ project: 'orders', stateMachine: 'main', status: 'FAILED' });
    expect(t.logs.some((l) => l.level === 'error' && /Event processor failed/.test(l.message))).toBe(true);
  });
});

describe('onSubscriptionMessage', () => {
  test("B subscribed to A's success runs with A's output and A's trace id; C subscribed to A's failure with error, cause, input and execution", async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    await t.service.activate('reports', REPORTS);
    await t.service.onStatusChange(fixture('status-succeeded.json'));
    await t.service.onStatusChange(fixture('status-failed.json'));
    const [success, failure] = t.topics.published;
    const started = await t.service.onSubscriptionMessage(snsOf(success!, 'msg-s'));
    expect(started).toEqual([{ project: 'reports', stateMachine: 'on_order', kind: 'started', executionName: subscriptionExecutionName('msg-s', 'reports', 'on_order'), executionArn: expect.any(String) }]);
    expect(t.executions.started[0]).toEqual({
      stateMachineArn: aliasArn('reports', 'on_order'),
      name: subscriptionExecutionName('msg-s', 'reports', 'on_order'),
      input: { orderId: 42, total: 99.5, __trace: { id: 'trace-order-42', source: 'subscription:orders/main' } },
    });
    await t.service.onSubscriptionMessage(snsOf(failure!, 'msg-f'));
    expect(t.executions.started[1]).toMatchObject({
      stateMachineArn: aliasArn('reports', 'on_failure'),
      input: {
        error: 'PaymentDeclined',
        cause: 'card ending 4242 was declined',
        input: { orderId: 43, __trace: { id: 'trace-order-43', source: 'http' } },
        execution: 'arn:aws:states:us-east-1:123456789012:execution:fluxio-prod-orders-main:order-43',
        __trace: { id: 'trace-order-43', source: 'subscription:orders/main' },
      },
    });
    // SNS redelivers: the same MessageId starts nothing new.
    expect((await t.service.onSubscriptionMessage(snsOf(success!, 'msg-s')))[0]!.kind).toBe('exists');
    expect(t.executions.started).toHaveLength(2);
  });

  test('the SNS event fixture (Records[].Sns) starts the downstream; a message of a topic outside Fluxio is the input', async () => {
    const t = fakeService();
    await t.service.activate('reports', REPORTS);
    const sns = fixture('sns-event.json').Records[0].Sns;
    await t.service.onSubscriptionMessage(sns);
    expect(t.executions.started[0]!.input.__trace).toEqual({ id: 'trace-order-42', source: 'subscription:orders/main' });
    t.exports.foreign.set('prod-billing-topic-arn', 'arn:aws:sns:us-east-1:999999999999:billing-events');
    await t.service.activate('audit', {
      stateMachines: { main: { aliasArn: aliasArn('audit', 'main'), eventProcessor: null } },
      schedules: [],
      subscriptions: [{ stateMachine: 'main', project: null, source: 'main', status: 'success', topicArnImportValue: '${Environment}-billing-topic-arn' }],
    });
    await t.service.onSubscriptionMessage({ MessageId: 'ext-1', TopicArn: 'arn:aws:sns:us-east-1:999999999999:billing-events', Message: 'invoice 7 paid' });
    expect(t.executions.started[1]!.input).toEqual({ message: 'invoice 7 paid', __trace: { id: 'ext-1', source: 'subscription:sns/billing-events' } });
  });

  test('every downstream is tried; the first failure is thrown for SNS to retry, and the retry starts only the missing one', async () => {
    const t = fakeService();
    await t.service.activate('orders', ORDERS);
    await t.service.activate('reports', REPORTS);
    await t.service.activate('audit', { stateMachines: { main: { aliasArn: aliasArn('audit', 'main'), eventProcessor: null } }, schedules: [], subscriptions: [REPORTS.subscriptions[0]!].map((s) => ({ ...s, stateMachine: 'main' })) });
    await t.service.onStatusChange(fixture('status-succeeded.json'));
    t.executions.failFor.add(aliasArn('reports', 'on_order'));
    await expect(t.service.onSubscriptionMessage(snsOf(t.topics.published[0]!))).rejects.toThrow(/StartExecution/);
    expect(t.executions.started.map((s) => s.stateMachineArn)).toEqual([aliasArn('audit', 'main')]);
    t.executions.failFor.clear();
    const retry = await t.service.onSubscriptionMessage(snsOf(t.topics.published[0]!));
    expect(retry.map((r) => [r.project, r.kind]).sort()).toEqual([
      ['audit', 'exists'],
      ['reports', 'started'],
    ]);
  });
});
