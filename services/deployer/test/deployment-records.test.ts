/**
 * DynamoDbDeploymentRecords on a real dynalite: the per-project lease (taken
 * only when free or expired, renewed and released only by its owner) and the
 * records' conditional writes (created once, updated only from the revision
 * read).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEmbeddedDynalite, type EmbeddedDynalite } from '@fluxio/state-data';
import { DynamoDbDeploymentRecords } from '../src/adapters/DynamoDbDeploymentRecords.ts';
import type { StoredRecord } from '../src/ports.ts';

let dynalite: EmbeddedDynalite;
let records: DynamoDbDeploymentRecords;

beforeAll(async () => {
  dynalite = await startEmbeddedDynalite({});
  records = new DynamoDbDeploymentRecords({
    tableName: 'records-test',
    clientConfig: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } },
    autoCreateTable: true,
  });
});
afterAll(async () => {
  records?.client.destroy();
  await dynalite?.close();
});

test('the lease is taken when free or expired, renewed and released only by its owner', async () => {
  const a = { deploymentId: 'd-aaaaaaaaa00000000', owner: 'owner-a', expiresAt: 10_000 };
  const b = { deploymentId: 'd-bbbbbbbbb00000000', owner: 'owner-b', expiresAt: 20_000 };
  expect(await records.acquireLease('p', a, 1_000)).toEqual({ granted: true });
  expect(await records.acquireLease('p', b, 5_000)).toEqual({ granted: false, holder: a });
  expect(await records.renewLease('p', { ...b, expiresAt: 30_000 })).toBe(false);
  expect(await records.renewLease('p', { ...a, expiresAt: 15_000 })).toBe(true);
  expect(await records.acquireLease('p', b, 12_000)).toMatchObject({ granted: false, holder: { owner: 'owner-a', expiresAt: 15_000 } });
  // a died: after its expiry b takes over, and a can no longer renew or release it.
  expect(await records.acquireLease('p', b, 16_000)).toEqual({ granted: true });
  expect(await records.renewLease('p', a)).toBe(false);
  await records.releaseLease('p', 'owner-a');
  expect(await records.getLease('p')).toEqual(b);
  await records.releaseLease('p', 'owner-b');
  expect(await records.getLease('p')).toBeUndefined();
  // Another project's lease is its own.
  expect(await records.acquireLease('q', a, 1_000)).toEqual({ granted: true });
});

test('the lease is handed over only by its owner, for its deployment, and only once', async () => {
  const a = { deploymentId: 'd-ccccccccc00000000', owner: 'owner-a', expiresAt: 10_000 };
  const token = { ...a, owner: 'handed-over:d-ccccccccc00000000' };
  expect(await records.acquireLease('h', a, 1_000)).toEqual({ granted: true });
  expect(await records.handOverLease('h', 'owner-x', token)).toBe(false); // not the owner
  expect(await records.handOverLease('h', 'owner-a', { ...token, deploymentId: 'd-ddddddddd00000000' })).toBe(false); // another deployment
  expect(await records.getLease('h')).toEqual(a);
  expect(await records.handOverLease('h', 'owner-a', token)).toBe(true);
  // The continuation takes it from the token; a second one (a repeated event) cannot.
  expect(await records.handOverLease('h', token.owner, { ...a, owner: 'worker-1', expiresAt: 20_000 })).toBe(true);
  expect(await records.handOverLease('h', token.owner, { ...a, owner: 'worker-2', expiresAt: 20_000 })).toBe(false);
  expect(await records.renewLease('h', { ...a, owner: 'owner-a' })).toBe(false);
  expect(await records.getLease('h')).toEqual({ ...a, owner: 'worker-1', expiresAt: 20_000 });
  await records.releaseLease('h', 'worker-1');
  expect(await records.getLease('h')).toBeUndefined();
  expect(await records.handOverLease('h', 'worker-1', a)).toBe(false); // released: nothing to hand over
  expect(await records.getLease('h')).toBeUndefined();
});

test('a record is created once and updated only from the revision it was read at', async () => {
  const record: StoredRecord = {
    project: 'p',
    deploymentId: 'd-000000001aaaaaaaa',
    status: 'IN_PROGRESS',
    kind: 'deploy',
    stage: 'local',
    createdAt: new Date(0).toISOString(),
    stateMachines: {},
    functions: {},
    steps: [],
    revision: 0,
  };
  await records.put(record);
  await expect(records.put(record)).rejects.toMatchObject({ code: 'Deploy.Conflict', statusCode: 409 });
  await records.put({ ...record, status: 'SUCCEEDED', revision: 1 });
  // A writer that read revision 0 cannot overwrite revision 1.
  await expect(records.put({ ...record, status: 'FAILED', revision: 1 })).rejects.toMatchObject({ code: 'Deploy.Conflict' });
  expect(await records.get('p', record.deploymentId)).toMatchObject({ status: 'SUCCEEDED', revision: 1 });
  await records.put({ ...record, deploymentId: 'd-000000002aaaaaaaa' });
  expect((await records.list('p', 10)).records.map((r) => r.deploymentId)).toEqual(['d-000000002aaaaaaaa', 'd-000000001aaaaaaaa']);
});
