/**
 * The schedule, status and subscribe handlers (thin middy entry points) over
 * an injected service (setTriggerService), called with the AWS event shapes of
 * test/fixtures: what they answer, what they refuse without a retry (4xx
 * trigger errors: logged and answered) and what they throw for the invoker
 * to retry.
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { afterEach, expect, test } from 'vitest';
import { handler as schedule } from '../src/handlers/schedule.ts';
import { handler as status } from '../src/handlers/status.ts';
import { handler as subscribe } from '../src/handlers/subscribe.ts';
import { setTriggerService } from '../src/triggerRegistry.ts';
import { aliasArn, fakeService } from './fakes.ts';

const fixture = <T = any>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const context = { functionName: 'fluxio-prod-trigger', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

afterEach(() => setTriggerService(undefined));

async function serviceWithProjects() {
  const t = fakeService();
  await t.service.activate('orders', {
    stateMachines: { main: { aliasArn: aliasArn('orders', 'main'), eventProcessor: null }, nightly: { aliasArn: aliasArn('orders', 'nightly'), eventProcessor: null } },
    schedules: [{ stateMachine: 'nightly', expression: 'rate(1 day)', timezone: null, inputData: null }],
    subscriptions: [],
  });
  await t.service.activate('reports', {
    stateMachines: { on_order: { aliasArn: aliasArn('reports', 'on_order'), eventProcessor: null } },
    schedules: [],
    subscriptions: [{ stateMachine: 'on_order', project: 'orders', source: 'main', status: 'success', topicArnImportValue: null }],
  });
  setTriggerService(t.service);
  return t;
}

test('schedule: the Scheduler input starts the state machine; an input whose time was not substituted is refused without a retry', async () => {
  const t = await serviceWithProjects();
  expect(await schedule(fixture('scheduler-input.json'), context)).toMatchObject({ kind: 'started', executionName: 'nightly-20261201T020000Z' });
  expect(await schedule({ ...fixture('scheduler-input.json'), scheduledTime: '<aws.scheduler.scheduled-time>' }, context)).toMatchObject({ refused: { code: 'Trigger.InvalidScheduleEvent' } });
  expect(t.executions.started).toHaveLength(1);
});

test('status: the EventBridge event publishes; a publish error is thrown for EventBridge to retry', async () => {
  const t = await serviceWithProjects();
  t.topics.failPublish = 1;
  await expect(status(fixture('status-succeeded.json'), context)).rejects.toThrow(/throttled/);
  expect(await status(fixture('status-succeeded.json'), context)).toMatchObject({ kind: 'published', topicArn: expect.stringContaining('fluxio-prod-orders-main-success') });
  expect(await status({ detail: { nope: true } } as never, context)).toMatchObject({ refused: { code: 'Trigger.InvalidStatusEvent' } });
});

test('subscribe: every Records[].Sns message starts its downstreams; a start that fails is thrown after the other records', async () => {
  const t = await serviceWithProjects();
  const event = fixture('sns-event.json');
  const two = { Records: [event.Records[0], { ...event.Records[0], Sns: { ...event.Records[0].Sns, MessageId: 'second' } }] };
  const answer = (await subscribe(two, context)) as { records: unknown[][] };
  expect(answer.records.map((r) => r.length)).toEqual([1, 1]);
  expect(t.executions.started.map((s) => s.name)).toHaveLength(2);
  t.executions.failFor.add(aliasArn('reports', 'on_order'));
  const third = { Records: [{ ...event.Records[0], Sns: { ...event.Records[0].Sns, MessageId: 'third' } }] };
  await expect(subscribe(third, context)).rejects.toThrow(/StartExecution/);
  expect(await subscribe({} as never, context)).toMatchObject({ refused: { code: 'Trigger.InvalidSubscriptionEvent' } });
});

test('without an injected service, the handlers build one from the environment and name what is missing', async () => {
  const saved = { ...process.env };
  delete process.env.FLUXIO_TRIGGERS_TABLE;
  try {
    await expect(schedule(fixture('scheduler-input.json'), context)).rejects.toThrow(/FLUXIO_TRIGGERS_TABLE/);
  } finally {
    process.env = saved;
  }
});
