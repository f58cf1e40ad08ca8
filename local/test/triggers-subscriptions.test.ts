/**
 * Subscriptions and result topics end to end on the local platform (issue 9,
 * "Tests"): the README's example pair (examples/orders, examples/orders-report)
 * deployed through the deployer's HTTP API; executions of orders' `main`
 * started with the real SFN client; the status feed, the topic bus and the
 * trigger's real status and subscribe handlers do the rest, with Python task
 * functions and the EventProcessor running in the platform's Lambda API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { handler as statusHandler } from '@fluxio/trigger/handlers/status';
import { handler as subscribeHandler } from '@fluxio/trigger/handlers/subscribe';
import type { Context } from 'aws-lambda';
import { EXECUTION_STATUS_CHANGE, type BusEvent, type ExecutionStatusChangeDetail } from '../src/events/bus.ts';
import { snsEvent, type PublishedMessage } from '../src/triggers/index.ts';
import { closedExecution, copyExample, deployProject, eventually, listExecutions, removeDir, startTriggerPlatform, tempDir, writeProject, type TriggerPlatform } from './triggers-helpers.ts';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';

let dataDir: string;
let workDir: string;
let t: TriggerPlatform;
let orders: DeploymentRecord;
let report: DeploymentRecord;
const published: PublishedMessage[] = [];
const statusEvents: Array<BusEvent<ExecutionStatusChangeDetail>> = [];
const lambdaContext = { functionName: 'test', awsRequestId: 'test', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

beforeAll(async () => {
  dataDir = tempDir('fluxio-triggers-data-');
  workDir = tempDir('fluxio-triggers-work-');
  t = await startTriggerPlatform(dataDir, workDir);
  t.platform.triggers.topics.onPublish((m) => published.push(m));
  t.platform.bus.subscribe((e) => void statusEvents.push(e as BusEvent<ExecutionStatusChangeDetail>), { source: 'aws.states', detailType: EXECUTION_STATUS_CHANGE });
  // The downstream project first: its subscriptions create the upstream's topics, which orders' deployment then finds.
  report = await deployProject(t.deployer, 'orders-report', copyExample(workDir, 'orders-report'));
  orders = await deployProject(t.deployer, 'orders', copyExample(workDir, 'orders'));
}, 180_000);

afterAll(async () => {
  await t?.close();
  removeDir(dataDir);
  removeDir(workDir);
});

/** Starts orders' main on its alias and waits for it to end. */
async function runOrder(input: Record<string, unknown>) {
  const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: orders.stateMachines.main!.aliasArn, input: JSON.stringify(input) }));
  return closedExecution(t.sfn, executionArn!);
}

/** The ended execution of `stateMachine` of orders-report whose input's trace id is `traceId`. */
async function downstreamOf(stateMachine: string, traceId: string) {
  const arn = report.stateMachines[stateMachine]!.stateMachineArn;
  const found = await eventually(`an execution of orders-report/${stateMachine} traced ${traceId}`, async () => {
    for (const e of await listExecutions(t.sfn, arn)) {
      const d = await closedExecution(t.sfn, e.executionArn!);
      if ((JSON.parse(d.input!) as { __trace?: { id?: string } }).__trace?.id === traceId) return d;
    }
    return undefined;
  });
  return found;
}

describe('a project subscribed to another project', () => {
  test('deploying reports the triggers active: topics exported, subscriptions and the schedule', () => {
    expect(orders.triggers).toMatchObject({ active: true });
    expect(report.triggers).toMatchObject({ active: true });
    expect(report.triggers!.note).toMatch(/main ← orders\/main success/);
    expect(report.triggers!.note).toMatch(/on_failure ← orders\/main failure/);
    expect(report.triggers!.note).toMatch(/hourly rate\(1 hour\) \(UTC\)/);
  });

  test('the rate schedule of orders-report fires once when deployed (as Scheduler starts a rate schedule at once)', async () => {
    const run = await eventually('the first hourly summary', async () => {
      const [e] = await listExecutions(t.sfn, report.stateMachines.hourly!.stateMachineArn);
      return e ? closedExecution(t.sfn, e.executionArn!) : undefined;
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(JSON.parse(run.input!)).toMatchObject({ period: 'hour', __trace: { source: 'schedule' } });
    const [state] = t.platform.triggers.scheduler.states('fluxio-local-orders-report');
    expect(state).toMatchObject({ name: 'hourly', expression: 'rate(1 hour)' });
    expect(Date.parse(state!.nextFireTime!) - Date.parse(state!.lastFiredTime!)).toBe(3_600_000);
  });

  test("orders' success starts orders-report's main with orders' output and orders' trace id", async () => {
    const a = await runOrder({ order_id: 'A-1001', items: [{ sku: 'tea', quantity: 2, unit_price: 3.5 }], __trace: { id: 'trace-A-1001', source: 'http' } });
    expect(a.status).toBe('SUCCEEDED');
    const b = await downstreamOf('main', 'trace-A-1001');
    expect(b.status, `${b.error}: ${b.cause}`).toBe('SUCCEEDED');
    const { __trace: upstreamTrace, ...upstreamOutput } = JSON.parse(a.output!) as Record<string, unknown>;
    expect(upstreamTrace).toEqual({ id: 'trace-A-1001', source: 'http' });
    expect(JSON.parse(b.input!)).toEqual({ ...upstreamOutput, __trace: { id: 'trace-A-1001', source: 'subscription:orders/main' } });
    expect(JSON.parse(b.output!).report).toEqual({ order_id: 'A-1001', total: 7, trace: 'trace-A-1001' });
    // Only the success subscriber ran for it.
    const failures = await listExecutions(t.sfn, report.stateMachines.on_failure!.stateMachineArn);
    for (const f of failures) expect(JSON.parse((await closedExecution(t.sfn, f.executionArn!)).input!).__trace.id).not.toBe('trace-A-1001');
  });

  test("orders' failure starts orders-report's on_failure with the error, the cause, the input and the execution", async () => {
    const input = { order_id: 'A-1002', items: [], __trace: { id: 'trace-A-1002', source: 'http' } };
    const a = await runOrder(input);
    expect(a.status).toBe('FAILED');
    expect(a.error).toBe('EmptyOrder');
    const c = await downstreamOf('on_failure', 'trace-A-1002');
    expect(c.status, `${c.error}: ${c.cause}`).toBe('SUCCEEDED');
    expect(JSON.parse(c.input!)).toEqual({
      error: 'EmptyOrder',
      cause: a.cause,
      input,
      execution: a.executionArn,
      __trace: { id: 'trace-A-1002', source: 'subscription:orders/main' },
    });
    expect(JSON.parse(c.output!).alert).toEqual({ order_id: 'A-1002', error: 'EmptyOrder', cause: a.cause });
  });

  test("the EventProcessor's tags reach the published message as message attributes", async () => {
    const a = await runOrder({ order_id: 'A-1003', items: [{ sku: 'cake', quantity: 3, unit_price: 2.5 }] });
    const message = await eventually('the result of A-1003 on the success topic', () => published.find((m) => JSON.parse(m.message).executionArn === a.executionArn));
    expect(message.topicArn).toBe('arn:aws:sns:us-east-1:000000000000:fluxio-local-orders-main-success');
    expect(message.attributes).toEqual({ order_id: 'A-1003', total: '7.5', project: 'orders', stateMachine: 'main', status: 'SUCCEEDED' });
    expect(JSON.parse(message.message)).toMatchObject({ project: 'orders', stateMachine: 'main', executionArn: a.executionArn, status: 'SUCCEEDED', output: JSON.parse(a.output!) });
  });

  test('a redelivered SNS message and a redelivered status event start and publish nothing new', async () => {
    const a = await runOrder({ order_id: 'A-1004', items: [{ sku: 'tea', quantity: 1, unit_price: 3.5 }], __trace: { id: 'trace-A-1004', source: 'http' } });
    await downstreamOf('main', 'trace-A-1004');
    const message = published.find((m) => JSON.parse(m.message).executionArn === a.executionArn)!;
    const mainArn = report.stateMachines.main!.stateMachineArn;
    await t.platform.triggers.idle();
    const before = (await listExecutions(t.sfn, mainArn)).length;
    const resultsOfA = () => published.filter((m) => JSON.parse(m.message).executionArn === a.executionArn).length;
    expect(resultsOfA()).toBe(1);

    // SNS delivers at least once: the same message again (same MessageId) finds its execution.
    const subscription = t.platform.triggers.topics.list().find((x) => x.topicArn === message.topicArn)!.subscriptionArn!;
    const again = (await subscribeHandler(snsEvent(message, subscription), lambdaContext)) as { records: Array<Array<{ kind: string }>> };
    expect(again.records[0]!.map((r) => r.kind)).toEqual(['exists']);

    // EventBridge delivers at least once: the same SUCCEEDED event again is not published twice.
    const event = statusEvents.find((e) => e.detail.executionArn === a.executionArn && e.detail.status === 'SUCCEEDED')!;
    expect(await statusHandler(event as never, lambdaContext)).toEqual({ kind: 'duplicate' });

    await t.platform.triggers.idle();
    expect((await listExecutions(t.sfn, mainArn)).length).toBe(before);
    expect(resultsOfA()).toBe(1);
  });

  test("a topic outside Fluxio declared in the data directory's exports.json can be subscribed to; an unknown export fails the deployment", async () => {
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:billing-events';
    writeFileSync(join(dataDir, 'exports.json'), JSON.stringify({ 'local-billing-topic-arn': topicArn }));
    const source = (exportName: string) => `@subscribe(topic_arn_import_value="${exportName}")\ndef main(data):\n    data["seen"] = True\n`;
    const billing = await deployProject(t.deployer, 'billing-watch', writeProject(workDir, 'billing-watch', source('${Environment}-billing-topic-arn')));
    const { messageId } = await t.platform.triggers.topics.publish(topicArn, JSON.stringify({ invoice: 'I-7' }), {});
    const run = await eventually('the subscriber of billing-events', async () => {
      const [e] = await listExecutions(t.sfn, billing.stateMachines.main!.stateMachineArn);
      return e ? closedExecution(t.sfn, e.executionArn!) : undefined;
    });
    expect(JSON.parse(run.input!)).toEqual({ invoice: 'I-7', __trace: { id: messageId, source: 'subscription:sns/billing-events' } });

    const bad = writeProject(workDir, 'billing-typo', source('${Environment}-biling-topic-arn'));
    const bundle = await createProjectBundle(bad);
    await t.deployer.uploadBundle('billing-typo', bundle);
    await expect(t.deployer.deployAndWait('billing-typo', { bundle: { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes } })).rejects.toMatchObject({
      status: 400,
      code: 'Trigger.ExportNotFound',
    });
  });
});
