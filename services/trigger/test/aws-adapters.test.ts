/**
 * The AWS-only adapters (SNS topics, EventBridge Scheduler, CloudFormation
 * exports) on the request shapes they send, with aws-sdk-client-mock standing
 * in for the services (rule 7: AWS-only calls are checked this way).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand, ListExportsCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { SnsTopics } from '../src/adapters/SnsTopics.ts';
import { SCHEDULE_RETRY_POLICY, SchedulerSchedules } from '../src/adapters/SchedulerSchedules.ts';
import { CloudFormationExports } from '../src/adapters/CloudFormationExports.ts';
import type { ScheduleDefinition } from '../src/ports.ts';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const SUBSCRIBE_FN = 'arn:aws:lambda:eu-west-1:123456789012:function:fluxio-prod-triggerSubscribe';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:fluxio-prod-orders-main-success';

const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const cfn = mockClient(CloudFormationClient);
afterEach(() => {
  sns.reset();
  scheduler.reset();
  cfn.reset();
});

describe('SnsTopics', () => {
  const topics = () => new SnsTopics({ subscribeFunctionArn: SUBSCRIBE_FN, client: new SNSClient({ region, credentials }) });

  test('creates tagged topics, publishes with String attributes, subscribes the subscribe function (protocol lambda)', async () => {
    sns.on(CreateTopicCommand).resolves({ TopicArn: TOPIC });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC}:sub-1` });
    const t = topics();
    expect(await t.ensure('fluxio-prod-orders-main-success', { 'fluxio:project': 'orders' })).toBe(TOPIC);
    expect(sns.commandCalls(CreateTopicCommand)[0]!.args[0].input).toEqual({ Name: 'fluxio-prod-orders-main-success', Tags: [{ Key: 'fluxio:project', Value: 'orders' }] });
    expect(await t.publish(TOPIC, '{"a":1}', { project: 'orders', customer: 'acme' })).toEqual({ messageId: 'm-1' });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      Message: '{"a":1}',
      MessageAttributes: { project: { DataType: 'String', StringValue: 'orders' }, customer: { DataType: 'String', StringValue: 'acme' } },
    });
    await t.subscribe(TOPIC);
    expect(sns.commandCalls(SubscribeCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC, Protocol: 'lambda', Endpoint: SUBSCRIBE_FN, ReturnSubscriptionArn: true });
  });

  test("unsubscribes only the subscribe function's subscription, across pages; absent topics are not an error", async () => {
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined })
      .resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:other`, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:eu-west-1:123456789012:q' }], NextToken: 'p2' })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'p2' })
      .resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:ours`, Protocol: 'lambda', Endpoint: SUBSCRIBE_FN }] });
    sns.on(UnsubscribeCommand).resolves({});
    await topics().unsubscribe(TOPIC);
    expect(sns.commandCalls(UnsubscribeCommand).map((c) => c.args[0].input)).toEqual([{ SubscriptionArn: `${TOPIC}:ours` }]);

    sns.reset();
    sns.on(ListSubscriptionsByTopicCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    sns.on(DeleteTopicCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    await expect(topics().unsubscribe(TOPIC)).resolves.toBeUndefined();
    await expect(topics().delete(TOPIC)).resolves.toBeUndefined();
  });
});

describe('SchedulerSchedules', () => {
  const options = {
    targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fluxio-prod-triggerSchedule',
    roleArn: 'arn:aws:iam::123456789012:role/fluxio-scheduler',
    deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:fluxio-prod-schedules-dlq',
    tags: { 'fluxio:stage': 'prod' },
  };
  const schedules = () => new SchedulerSchedules({ ...options, client: new SchedulerClient({ region, credentials }) });
  const def = (name: string, expression: string, timezone: string | null): ScheduleDefinition => ({
    group: 'fluxio-prod-orders',
    name,
    expression,
    timezone,
    input: { project: 'orders', stateMachine: name, schedule: name, scheduledTime: '<aws.scheduler.scheduled-time>', inputData: { window: '24h' } },
  });

  test('replaceGroup: creates the group, creates new schedules (window off, time zone, retry policy, DLQ, scheduled-time input), updates existing ones, deletes the rest', async () => {
    scheduler.on(CreateScheduleGroupCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: 'nightly' }, { Name: 'gone' }] });
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    scheduler.on(DeleteScheduleCommand).resolves({});
    await schedules().replaceGroup('fluxio-prod-orders', [def('nightly', 'cron(0 2 * * ? *)', 'Europe/Berlin'), def('hourly', 'rate(1 hour)', null)]);
    expect(scheduler.commandCalls(CreateScheduleGroupCommand)[0]!.args[0].input).toEqual({ Name: 'fluxio-prod-orders', Tags: [{ Key: 'fluxio:stage', Value: 'prod' }] });
    expect(scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input.Name)).toEqual(['nightly']);
    const created = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(created).toEqual([
      {
        Name: 'hourly',
        GroupName: 'fluxio-prod-orders',
        ScheduleExpression: 'rate(1 hour)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Description: 'Fluxio: starts orders/hourly (alias live)',
        Target: {
          Arn: options.targetArn,
          RoleArn: options.roleArn,
          Input: JSON.stringify(def('hourly', 'rate(1 hour)', null).input),
          RetryPolicy: SCHEDULE_RETRY_POLICY,
          DeadLetterConfig: { Arn: options.deadLetterArn },
        },
      },
    ]);
    expect(JSON.parse(created[0]!.Target!.Input!).scheduledTime).toBe('<aws.scheduler.scheduled-time>');
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input.ScheduleExpressionTimezone).toBe('Europe/Berlin');
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'gone', GroupName: 'fluxio-prod-orders' }]);
  });

  test('list reads every page and each schedule back; an absent group lists nothing and deletes without error', async () => {
    scheduler.on(ListSchedulesCommand, { GroupName: 'g', NextToken: undefined }).resolves({ Schedules: [{ Name: 'a' }], NextToken: 't' });
    scheduler.on(ListSchedulesCommand, { GroupName: 'g', NextToken: 't' }).resolves({ Schedules: [{ Name: 'b' }] });
    scheduler.on(GetScheduleCommand).callsFake((input: { Name: string }) => ({
      ScheduleExpression: `rate(${input.Name === 'a' ? 1 : 2} hours)`,
      ScheduleExpressionTimezone: input.Name === 'a' ? 'UTC' : 'Asia/Tokyo',
      Target: { Input: JSON.stringify({ project: 'p', stateMachine: input.Name }) },
    }));
    const listed = await schedules().list('g');
    expect(listed.map((s) => [s.name, s.expression, s.timezone, s.input.stateMachine])).toEqual([
      ['a', 'rate(1 hours)', null, 'a'],
      ['b', 'rate(2 hours)', 'Asia/Tokyo', 'b'],
    ]);
    scheduler.reset();
    scheduler.on(ListSchedulesCommand).rejects(new ResourceNotFoundException({ message: 'no group', Message: 'no group', $metadata: {} }));
    scheduler.on(DeleteScheduleGroupCommand).rejects(new ResourceNotFoundException({ message: 'no group', Message: 'no group', $metadata: {} }));
    expect(await schedules().list('g')).toEqual([]);
    await expect(schedules().deleteGroup('g')).resolves.toBeUndefined();
  });
});

describe('CloudFormationExports', () => {
  const exports = () => new CloudFormationExports({ stackName: (p) => `fluxio-prod-${p}-exports`, client: new CloudFormationClient({ region, credentials }) });
  const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/fluxio-prod-orders-exports/1a2b';
  const absent = Object.assign(new Error('Stack with id fluxio-prod-orders-exports does not exist'), { name: 'ValidationError' });

  test('resolve reads every page of ListExports', async () => {
    cfn.on(ListExportsCommand, { NextToken: undefined }).resolves({ Exports: [{ Name: 'a', Value: '1' }], NextToken: 'n' });
    cfn.on(ListExportsCommand, { NextToken: 'n' }).resolves({ Exports: [{ Name: 'prod-billing-topic-arn', Value: 'arn:aws:sns:eu-west-1:1:billing' }] });
    expect(await exports().resolve('prod-billing-topic-arn')).toBe('arn:aws:sns:eu-west-1:1:billing');
    expect(await exports().resolve('nope')).toBeUndefined();
  });

  test("publish creates the project's exports stack (outputs with Export names, a no-op resource) and waits for it", async () => {
    cfn.on(ListExportsCommand).resolves({ Exports: [] });
    cfn.on(DescribeStacksCommand).rejectsOnce(absent).resolves({ Stacks: [{ StackName: 'fluxio-prod-orders-exports', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(CreateStackCommand).resolves({ StackId: STACK_ID });
    await exports().publish('orders', { 'fluxio-prod-orders-main-success-topic-arn': 'arn:aws:sns:eu-west-1:123456789012:fluxio-prod-orders-main-success' });
    const input = cfn.commandCalls(CreateStackCommand)[0]!.args[0].input;
    expect(input.StackName).toBe('fluxio-prod-orders-exports');
    const template = JSON.parse(input.TemplateBody!);
    expect(template.Resources).toEqual({ Exports: { Type: 'AWS::CloudFormation::WaitConditionHandle' } });
    expect(Object.values(template.Outputs)).toEqual([
      { Description: 'fluxio-prod-orders-main-success-topic-arn', Value: 'arn:aws:sns:eu-west-1:123456789012:fluxio-prod-orders-main-success', Export: { Name: 'fluxio-prod-orders-main-success-topic-arn' } },
    ]);
    expect(Object.keys(template.Outputs)[0]).toMatch(/^Export[0-9a-f]{16}$/);
    expect(input.Tags).toContainEqual({ Key: 'fluxio:project', Value: 'orders' });
  });

  test('publish updates an existing stack ("no updates" is success), refuses a name another stack exports, and an empty set deletes the stack', async () => {
    cfn.on(ListExportsCommand).resolves({ Exports: [{ Name: 'fluxio-prod-orders-main-success-topic-arn', Value: 'x', ExportingStackId: STACK_ID }] });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'fluxio-prod-orders-exports', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(UpdateStackCommand).rejects(Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' }));
    await expect(exports().publish('orders', { 'fluxio-prod-orders-main-success-topic-arn': 'x' })).resolves.toBeUndefined();
    expect(cfn.commandCalls(UpdateStackCommand)).toHaveLength(1);

    await expect(exports().publish('billing', { 'fluxio-prod-orders-main-success-topic-arn': 'y' })).rejects.toMatchObject({ code: 'Trigger.ExportTaken', message: expect.stringContaining('fluxio-prod-orders-exports') });

    cfn.reset();
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [{ StackName: 'fluxio-prod-orders-exports', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] }).rejects(absent);
    cfn.on(DeleteStackCommand).resolves({});
    await exports().publish('orders', {});
    expect(cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'fluxio-prod-orders-exports' }]);
  });
});
