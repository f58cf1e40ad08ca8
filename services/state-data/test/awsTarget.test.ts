/**
 * The aws target as deployed: handlers configured from the environment
 * (FLUXIO_TARGET=aws) with the DynamoDB adapter on dynalite, the S3 adapter on
 * s3rver (real S3 protocol, presigned URLs included) and the Step Functions
 * adapter on a double speaking the Step Functions JSON protocol.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import S3rver from 's3rver';
import { StateDataClient, StateDataClientError } from '@fluxio/contracts/stateDataClient';
import { startHttpServer, type LambdaHttpHandler, type RunningServer } from '../../../local/src/server/httpServer.ts';
import { STATE_DATA_ROUTES } from '@fluxio/contracts/routes';
import { startEmbeddedDynalite, type EmbeddedDynalite } from '../src/embedded.ts';
import { DynamoDbItemStore } from '../src/adapters/DynamoDbItemStore.ts';
import { S3BlobStore } from '../src/adapters/S3BlobStore.ts';
import { serviceFromEnv, setStateDataService } from '../src/serviceRegistry.ts';
import { sha256Hex } from '../src/blobKey.ts';
import { failure } from './server.ts';
import { handler as items } from '../src/handlers/items.ts';
import { handler as stop } from '../src/handlers/stop.ts';

const BUCKET = 'fluxio-state-data-test';
/** An execution of project demo's state machine `main`, named as the deployer names it on stage prod. */
const ARN = (name: string, machine = 'fluxio-prod-demo-main') => `arn:aws:states:us-east-1:123456789012:execution:${machine}:${name}`;

let dynalite: EmbeddedDynalite;
let s3: S3rver;
let s3Dir: string;
let s3Endpoint: string;
let sfn: http.Server;
let server: RunningServer;
/** Executions of the double by ARN; `machine` overrides the state machine DescribeExecution names (default: the ARN's). */
const executions = new Map<string, { status: string; error?: string; cause?: string; machine?: string }>();
const sfnCalls: { target: string; body: Record<string, unknown> }[] = [];

/** Step Functions double: DescribeExecution and StopExecution over awsJson1_0. */
function startSfnDouble(): Promise<string> {
  sfn = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop()!;
      const body = JSON.parse(raw || '{}');
      sfnCalls.push({ target, body });
      const exec = executions.get(body.executionArn);
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (!exec) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist', message: `Execution Does Not Exist: '${body.executionArn}'` }));
        return;
      }
      if (target === 'DescribeExecution') {
        const machine = exec.machine ?? String(body.executionArn).split(':')[6];
        res.end(JSON.stringify({ executionArn: body.executionArn, stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`, status: exec.status, startDate: 1 }));
      } else if (target === 'StopExecution') {
        Object.assign(exec, { status: 'ABORTED', error: body.error, cause: body.cause });
        res.end(JSON.stringify({ stopDate: 2 }));
      } else {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'UnknownOperationException' }));
      }
    });
  });
  return new Promise((resolve) => sfn.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(sfn.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  dynalite = await startEmbeddedDynalite();
  s3Dir = await mkdtemp(path.join(os.tmpdir(), 'fluxio-s3rver-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const addr = (await s3.run()) as AddressInfo;
  s3Endpoint = `http://127.0.0.1:${addr.port}`;
  const sfnEndpoint = await startSfnDouble();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  // the platform table, created like serverless.yml's resource
  const store = new DynamoDbItemStore({ clientConfig: { endpoint: dynalite.endpoint, region: 'us-east-1' } });
  await store.ensureTable('fluxio-state-data-dev');
  store.client.destroy();
  setStateDataService(
    serviceFromEnv({
      FLUXIO_TARGET: 'aws',
      FLUXIO_TABLE_NAME: 'fluxio-state-data-dev',
      FLUXIO_BUCKET_NAME: BUCKET,
      FLUXIO_DYNAMODB_ENDPOINT: dynalite.endpoint,
      FLUXIO_S3_ENDPOINT: s3Endpoint,
      FLUXIO_SFN_ENDPOINT: sfnEndpoint,
      FLUXIO_STAGE: 'prod',
      AWS_REGION: 'us-east-1',
    }),
  );
  const handlers: Record<string, LambdaHttpHandler> = { stateDataItems: items, stateDataStop: stop };
  server = await startHttpServer(
    STATE_DATA_ROUTES.filter((r) => !r.localOnly).map((r) => ({ method: r.method, path: r.path, handler: handlers[r.functionName] })),
  );
});

afterAll(async () => {
  setStateDataService(undefined);
  await server?.close();
  await dynalite?.close();
  await new Promise<void>((r) => (s3 ? s3.close(() => r()) : r()));
  await new Promise<void>((r) => (sfn ? sfn.close(() => r()) : r()));
  if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
});

describe('aws target (DynamoDB + S3 + Step Functions adapters)', () => {
  it('puts and gets local items in the configured table', async () => {
    const client = new StateDataClient({ baseUrl: server.url, project: 'demo', execution: 'exec-aws' });
    expect(await client.putItem('k', { a: 1 })).toEqual({ table_name: 'fluxio-state-data-dev', partition_key: 'demo:exec-aws:k', key: 'k' });
    await client.putItems('list', [1, 2, 3]);
    expect(await client.getItem('k')).toEqual({ a: 1 });
    expect(await client.getItems('list')).toEqual([1, 2, 3]);
  });

  it('offloads above 390,000 bytes to S3 under workflow_state_data/ and reads it across projects', async () => {
    const writer = new StateDataClient({ baseUrl: server.url, project: 'producer', execution: 'exec-aws' });
    const value = 'z'.repeat(500_000);
    const pointer = await writer.putItem('big', value);
    const blobs = new S3BlobStore({
      bucket: BUCKET,
      clientConfig: { endpoint: s3Endpoint, forcePathStyle: true, region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' },
    });
    const key = `workflow_state_data/fluxio-state-data-dev/producer:exec-aws:big/0/${sha256Hex(JSON.stringify(value))}`;
    expect((await blobs.get(key))?.toString()).toBe(JSON.stringify(value));
    expect(await blobs.digest(key)).toEqual({ sizeBytes: 500_002, sha256: sha256Hex(JSON.stringify(value)) });
    expect(await blobs.get('workflow_state_data/nope')).toBeUndefined();
    blobs.client.destroy();
    const reader = new StateDataClient({ baseUrl: server.url, project: 'consumer' });
    expect(await reader.getGlobalItem(pointer.table_name, pointer.partition_key)).toBe(value);
  });

  it('moves a 12 MB value through S3 presigned upload and download URLs', async () => {
    const client = new StateDataClient({ baseUrl: server.url, project: 'demo', execution: 'exec-aws' });
    const value = { rows: Array.from({ length: 120_000 }, (_, i) => ({ i, text: 'lorem ipsum dolor sit amet ' + i })) };
    await client.putItem('huge', value, 2);
    const raw = await (await fetch(`${server.url}/v1/projects/demo/executions/exec-aws/items/huge/2`)).json();
    expect(raw.download.url).toContain(`${s3Endpoint}/${BUCKET}/workflow_state_data/`);
    expect(raw.download.url).toContain('X-Amz-Signature=');
    expect(await client.getItem('huge', 2)).toEqual(value);
  });

  it('stops a running execution by ARN with error and cause; a finished one is already-finished; a missing one 404', async () => {
    executions.set(ARN('exec-run'), { status: 'RUNNING' });
    executions.set(ARN('exec-done'), { status: 'SUCCEEDED' });
    const running = new StateDataClient({ baseUrl: server.url, project: 'demo', execution: 'exec-run' });
    expect(await running.stopExecution({ error: 'Off', cause: 'flag off', executionArn: ARN('exec-run') })).toBe('stopped');
    expect(executions.get(ARN('exec-run'))).toEqual({ status: 'ABORTED', error: 'Off', cause: 'flag off' });
    const done = new StateDataClient({ baseUrl: server.url, project: 'demo', execution: 'exec-done' });
    expect(await done.stopExecution({ executionArn: ARN('exec-done') })).toBe('already-finished');
    expect(sfnCalls.filter((c) => c.target === 'StopExecution')).toHaveLength(1);
    const missing = new StateDataClient({ baseUrl: server.url, project: 'demo', execution: 'exec-x' });
    const err = await failure(missing.stopExecution({ executionArn: ARN('exec-x') }));
    expect(err).toBeInstanceOf(StateDataClientError);
    expect(err.status).toBe(404);
    const noArn = await failure(missing.stopExecution());
    expect(noArn.status).toBe(400);
    expect(noArn.message).toContain('executionArn');
  });

  it('a project stops only its own executions: another project\'s ARN (or a look-alike) is a 403 and Step Functions is never asked to stop it (issue 11)', async () => {
    executions.set(ARN('exec-guarded'), { status: 'RUNNING' });
    const stopsBefore = sfnCalls.filter((c) => c.target === 'StopExecution').length;
    const post = (project: string, executionArn: string) =>
      fetch(`${server.url}/v1/projects/${project}/executions/exec-guarded/stop`, { method: 'POST', body: JSON.stringify({ executionArn }) });
    // beta names demo's execution: the last segment matches, the state machine is demo's
    const beta = await post('beta', ARN('exec-guarded'));
    expect(beta.status, await beta.clone().text()).toBe(403);
    expect((await beta.json()).error).toMatchObject({ code: 'StateData.ExecutionNotInProject' });
    for (const machine of [
      'fluxio-prod-demo-x-main', // project "demo-x"'s: project "demo" does not own it
      'fluxio-dev-demo-main', // demo's, but of another stage
      'prod-demo-main', // not a name the deployer makes (the old <stage>-<project>-<fn> rule)
      'demo-main', // a local development run's name
    ]) {
      executions.set(ARN('exec-guarded', machine), { status: 'RUNNING' });
      expect((await post('demo', ARN('exec-guarded', machine))).status, machine).toBe(403);
    }
    // another region
    expect((await post('demo', 'arn:aws:states:eu-west-1:123456789012:execution:fluxio-prod-demo-main:exec-guarded')).status).toBe(403);
    expect(sfnCalls.filter((c) => c.target === 'StopExecution').length).toBe(stopsBefore);
    expect(executions.get(ARN('exec-guarded'))).toEqual({ status: 'RUNNING' });
    // the owner still can
    expect((await post('demo', ARN('exec-guarded'))).status).toBe(200);
    expect(executions.get(ARN('exec-guarded'))!.status).toBe('ABORTED');
    // a project whose name has "-" in it owns fluxio-prod-<project>-<fn>
    executions.set(ARN('exec-guarded', 'fluxio-prod-demo-x-main'), { status: 'RUNNING' });
    expect((await post('demo-x', ARN('exec-guarded', 'fluxio-prod-demo-x-main'))).status).toBe(200);
  });

  it('the stop function accepts the names the deployer gives (fluxio-<stage>-<project>-<fn>, shared rule) and refuses a shortened name it cannot read back', async () => {
    const { stateMachineName } = await import('@fluxio/contracts/names');
    const machine = stateMachineName({ stage: 'prod', project: 'billing-eu', fn: 'nightly_run' });
    expect(machine).toBe('fluxio-prod-billing-eu-nightly_run');
    executions.set(ARN('exec-named', machine), { status: 'RUNNING' });
    const client = new StateDataClient({ baseUrl: server.url, project: 'billing-eu', execution: 'exec-named' });
    expect(await client.stopExecution({ error: 'Done', cause: 'early', executionArn: ARN('exec-named', machine) })).toBe('stopped');
    expect(executions.get(ARN('exec-named', machine))).toMatchObject({ status: 'ABORTED', error: 'Done', cause: 'early' });
    // > 80 characters: shortened with a hash, the project's end is cut away, so it is refused rather than guessed
    const long = `p${'x'.repeat(60)}`;
    const shortened = stateMachineName({ stage: 'prod', project: long, fn: 'a_long_function_name' });
    expect(shortened).toHaveLength(80);
    executions.set(ARN('exec-long', shortened), { status: 'RUNNING' });
    const res = await fetch(`${server.url}/v1/projects/${long}/executions/exec-long/stop`, { method: 'POST', body: JSON.stringify({ executionArn: ARN('exec-long', shortened) }) });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toContain('shortened');
    expect(executions.get(ARN('exec-long', shortened))).toEqual({ status: 'RUNNING' });
  });

  it('with a stage, only fluxio-<stage>-<project>-<fn> machines are the project\'s, and DescribeExecution must agree before StopExecution', async () => {
    const { SfnExecutionController } = await import('../src/adapters/SfnExecutionController.ts');
    const endpoint = `http://127.0.0.1:${(sfn.address() as AddressInfo).port}`;
    const controller = new SfnExecutionController({ clientConfig: { endpoint, region: 'us-east-1' }, stage: 'staging', region: 'us-east-1' });
    // prod's machine: not this stage's
    executions.set(ARN('exec-staged'), { status: 'RUNNING' });
    await expect(controller.stop('demo', ARN('exec-staged'), {})).rejects.toMatchObject({ code: 'StateData.ExecutionNotInProject', statusCode: 403 });
    // this stage's ARN, but Step Functions describes an execution of another project's machine: refused before StopExecution
    const staged = ARN('exec-staged', 'fluxio-staging-demo-main');
    executions.set(staged, { status: 'RUNNING', machine: 'fluxio-staging-other-main' });
    await expect(controller.stop('demo', staged, {})).rejects.toMatchObject({ code: 'StateData.ExecutionNotInProject' });
    expect(executions.get(staged)).toMatchObject({ status: 'RUNNING' });
    // Step Functions agrees: stopped
    executions.set(staged, { status: 'RUNNING' });
    expect(await controller.stop('demo', staged, { error: 'E', cause: 'C' })).toBe('stopped');
    expect(executions.get(staged)).toMatchObject({ status: 'ABORTED', error: 'E', cause: 'C' });
    controller.client.destroy();
  });

  it('a global put to a table that does not exist is a 404 naming it', async () => {
    const client = new StateDataClient({ baseUrl: server.url, project: 'demo' });
    const err = await failure(client.putGlobalItem('no-such-table', 'p', 1));
    expect(err.status).toBe(404);
    expect(err.code).toBe('StateData.TableNotFound');
    expect(err.message).toContain('no-such-table');
    // and a read of it is a 404 too (reads never create tables)
    expect((await failure(client.getGlobalItems('no-such-table', 'p'))).code).toBe('StateData.TableNotFound');
  });
});
