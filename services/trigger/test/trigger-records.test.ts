/**
 * DynamoDbTriggerRecords (the production adapter) on a real dynalite: the
 * publication claim is one conditional write (of concurrent claims exactly
 * one wins; a released claim can be taken again), the recorded state
 * machines, downstream lists (every page) and applied sets round-trip.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEmbeddedDynalite, type EmbeddedDynalite } from '@fluxio/state-data';
import { DynamoDbTriggerRecords } from '../src/adapters/DynamoDbTriggerRecords.ts';

let dynalite: EmbeddedDynalite;
let records: DynamoDbTriggerRecords;
const ARN = 'arn:aws:states:us-east-1:000000000000:execution:fluxio-local-orders-main:order-1';

beforeAll(async () => {
  dynalite = await startEmbeddedDynalite({});
  records = new DynamoDbTriggerRecords({
    tableName: 'triggers-test',
    clientConfig: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } },
    autoCreateTable: true,
  });
});
afterAll(async () => {
  records?.client.destroy();
  await dynalite?.close();
});

test('of ten concurrent claims of one (execution, status) exactly one wins; another status is its own claim; a released claim is taken again', async () => {
  const results = await Promise.all(Array.from({ length: 10 }, () => records.claimPublication(ARN, 'SUCCEEDED')));
  expect(results.filter(Boolean)).toHaveLength(1);
  expect(await records.claimPublication(ARN, 'FAILED')).toBe(true);
  expect(await records.claimPublication(ARN, 'SUCCEEDED')).toBe(false);
  await records.releasePublication(ARN, 'SUCCEEDED');
  expect(await records.claimPublication(ARN, 'SUCCEEDED')).toBe(true);
});

test('state machines, downstreams (across pages) and applied sets round-trip and are deleted', async () => {
  const sm = {
    project: 'orders',
    stateMachine: 'main',
    aliasArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:fluxio-local-orders-main:live',
    successTopicArn: 'arn:aws:sns:us-east-1:000000000000:fluxio-local-orders-main-success',
    failureTopicArn: 'arn:aws:sns:us-east-1:000000000000:fluxio-local-orders-main-failure',
    eventProcessor: null,
  };
  await records.putStateMachine(sm);
  expect(await records.getStateMachine('orders', 'main')).toEqual(sm);
  expect(await records.getStateMachine('orders', 'other')).toBeUndefined();
  await records.deleteStateMachine('orders', 'main');
  expect(await records.getStateMachine('orders', 'main')).toBeUndefined();

  // Enough downstreams (with a big upstream value each) that a Query needs several 1 MB pages.
  const topicArn = sm.successTopicArn;
  const pad = 'p'.repeat(40_000);
  const all = Array.from({ length: 60 }, (_, i) => ({
    topicArn,
    project: `reports${i}`,
    stateMachine: 'on_order',
    aliasArn: `arn:aws:states:us-east-1:000000000000:stateMachine:fluxio-local-reports${i}-on_order:live`,
    status: 'success' as const,
    upstream: { exportName: pad },
  }));
  for (const d of all) await records.putDownstream(d);
  const read = await records.downstreams(topicArn);
  expect(read.map((d) => d.project).sort()).toEqual(all.map((d) => d.project).sort());
  expect(await records.downstreams('arn:aws:sns:us-east-1:000000000000:other')).toEqual([]);
  await records.deleteDownstream(topicArn, 'reports0', 'on_order');
  expect((await records.downstreams(topicArn)).length).toBe(59);

  const applied = { project: 'orders', stateMachines: ['main'], topics: [topicArn], subscriptions: [], scheduleGroup: null, exports: ['x'] };
  await records.putApplied(applied);
  expect(await records.getApplied('orders')).toEqual(applied);
  await records.deleteApplied('orders');
  expect(await records.getApplied('orders')).toBeUndefined();
});
