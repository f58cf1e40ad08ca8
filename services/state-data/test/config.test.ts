/**
 * Handler configuration from the environment (what a Lambda or a separate
 * local process gets): target, table, bucket, endpoints, lifetimes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readStateDataConfig } from '../src/config.ts';
import { serviceFromEnv } from '../src/serviceRegistry.ts';
import { startEmbeddedDynalite, type EmbeddedDynalite } from '../src/embedded.ts';

describe('readStateDataConfig', () => {
  it('defaults: embedded outside Lambda, aws inside, platform table, 7 days', () => {
    expect(readStateDataConfig({ FLUXIO_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', FLUXIO_BLOB_DIR: '/tmp/b' })).toMatchObject({
      target: 'embedded',
      tableName: 'fluxio-state-data',
      defaultTtlSeconds: 604_800,
      maxTtlSeconds: 366 * 86_400,
    });
    expect(readStateDataConfig({ AWS_LAMBDA_FUNCTION_NAME: 'fn', FLUXIO_BUCKET_NAME: 'b', FLUXIO_TABLE_NAME: 't' })).toMatchObject({
      target: 'aws',
      tableName: 't',
      bucketName: 'b',
    });
  });

  it.each([
    [{ FLUXIO_TARGET: 'cloud' }, /FLUXIO_TARGET must be "aws" or "embedded"/],
    [{ FLUXIO_TARGET: 'aws' }, /FLUXIO_BUCKET_NAME is required/],
    [{ FLUXIO_TARGET: 'embedded' }, /FLUXIO_DYNAMODB_ENDPOINT/],
    [{ FLUXIO_TARGET: 'aws', FLUXIO_BUCKET_NAME: 'b', FLUXIO_STATE_DATA_TTL_SECONDS: '7d' }, /FLUXIO_STATE_DATA_TTL_SECONDS must be a whole number/],
    [{ FLUXIO_TARGET: 'aws', FLUXIO_BUCKET_NAME: 'b', FLUXIO_STATE_DATA_TTL_SECONDS: '100', FLUXIO_STATE_DATA_MAX_TTL_SECONDS: '50' }, /FLUXIO_STATE_DATA_MAX_TTL_SECONDS/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => readStateDataConfig(env)).toThrow(message);
  });
});

describe('serviceFromEnv (embedded)', () => {
  let db: EmbeddedDynalite;
  let dir: string;
  beforeAll(async () => {
    db = await startEmbeddedDynalite();
    dir = await mkdtemp(path.join(os.tmpdir(), 'fluxio-cfg-'));
  });
  afterAll(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uses the configured endpoint, blob directory, table and lifetimes', async () => {
    const service = serviceFromEnv({
      FLUXIO_TARGET: 'embedded',
      FLUXIO_DYNAMODB_ENDPOINT: db.endpoint,
      FLUXIO_BLOB_DIR: dir,
      FLUXIO_TABLE_NAME: 'cfg-table',
      FLUXIO_STATE_DATA_TTL_SECONDS: '3600',
      FLUXIO_STATE_DATA_MAX_TTL_SECONDS: '7200',
    });
    const address = { tableName: service.defaultTableName, partitionKey: 'e:k', index: 0 };
    expect(service.defaultTableName).toBe('cfg-table');
    await service.putItem('demo', address, JSON.stringify('v'.repeat(400_000)));
    expect(await readdir(path.join(dir, 'workflow_state_data', 'cfg-table'))).toEqual(['e%3Ak']);
    const head = await service.items.getHead('cfg-table', 'e:k');
    const item = await service.items.get('cfg-table', `e:k#${head!.generation}`, 0);
    expect(item!.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    expect(item!.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
    await expect(service.putItem('demo', address, '1', 7201)).rejects.toMatchObject({ code: 'StateData.TtlTooLong', statusCode: 400 });
  });
});
