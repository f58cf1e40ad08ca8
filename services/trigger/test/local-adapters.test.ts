/**
 * The adapters the local platform shares with AWS, against the real thing:
 * LambdaProcessors through the local platform's Lambda API (real Python
 * functions), StateDataResults over the embedded state data service
 * (dynalite + a blob directory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { createStateDataService, type StateDataServiceHandle } from '@fluxio/state-data';
import { LambdaProcessors } from '../src/adapters/LambdaProcessors.ts';
import { StateDataResults } from '../src/adapters/StateDataResults.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('LambdaProcessors on the local Lambda API', () => {
  let dataDir: string;
  let platform: Platform;
  let processors: LambdaProcessors;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fluxio-trigger-processors-'));
    platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: dataDir });
    const clientConfig = { endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    processors = new LambdaProcessors({ clientConfig });
    const lambda = new LambdaClient(clientConfig);
    const code = [
      'import json',
      'def tags(event, context):',
      '    return {"tags": {"eventType": event["eventType"], "status": event["message"]["status"], "order": str(event["inputData"]["orderId"])}}',
      'def boom(event, context):',
      '    raise KeyError("customer")',
      'def not_tags(event, context):',
      '    return {"tags": ["a", "b"]}',
      'def nothing(event, context):',
      '    return {"tags": None}',
    ].join('\n');
    const zip = zipSync({ 'processor.py': strToU8(code) });
    for (const fn of ['tags', 'boom', 'not_tags', 'nothing'])
      await lambda.send(new CreateFunctionCommand({ FunctionName: `fluxio-local-p-${fn}`, Role: 'arn:aws:iam::000000000000:role/x', Runtime: 'python3.12', Handler: `processor.${fn}`, Code: { ZipFile: zip } }));
    lambda.destroy();
  }, 120_000);

  afterAll(async () => {
    processors?.client.destroy();
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const request = { processor: 'OrderEvents', eventType: 'ExecutionSucceeded' as const, message: { status: 'SUCCEEDED' }, inputData: { orderId: 42 } };

  test("sends {processor, eventType, message, inputData} and returns the function's tags", async () => {
    expect(await processors.invoke('fluxio-local-p-tags', request)).toEqual({ eventType: 'ExecutionSucceeded', status: 'SUCCEEDED', order: '42' });
    expect(await processors.invoke('fluxio-local-p-nothing', request)).toEqual({});
  });

  test('a function that raises, or answers tags that are not an object, is Trigger.ProcessorFailed naming the function and the error', async () => {
    await expect(processors.invoke('fluxio-local-p-boom', request)).rejects.toMatchObject({ code: 'Trigger.ProcessorFailed', message: expect.stringMatching(/fluxio-local-p-boom raised KeyError/) });
    await expect(processors.invoke('fluxio-local-p-not_tags', request)).rejects.toMatchObject({ code: 'Trigger.ProcessorFailed', message: expect.stringMatching(/must return a dict/) });
  });
});

describe('StateDataResults on the embedded state data service', () => {
  let stateData: StateDataServiceHandle;
  beforeAll(async () => {
    stateData = await createStateDataService({ target: 'embedded' });
  });
  afterAll(async () => {
    await stateData?.close();
  });

  test('stores a result part as a local item of the upstream execution and reads it back by its pointer', async () => {
    const results = new StateDataResults(stateData.service);
    const json = JSON.stringify({ lines: 'x'.repeat(300_000) });
    const pointer = await results.put('orders', 'order-42', '__fluxio_result_output', json);
    expect(pointer).toEqual({ table_name: 'fluxio-state-data', partition_key: 'orders:order-42:__fluxio_result_output', key: '__fluxio_result_output' });
    expect(await results.get(pointer)).toBe(json);
    // The same address a task of that execution reads with get_item("__fluxio_result_output").
    const read = await stateData.service.getItem({ tableName: 'fluxio-state-data', partitionKey: 'orders:order-42:__fluxio_result_output', index: 0 }, 'http://127.0.0.1');
    expect(read).toEqual({ json });
    await expect(results.get({ ...pointer, partition_key: 'orders:order-43:__fluxio_result_output' })).rejects.toMatchObject({ code: 'StateData.NoItemFound' });
  });
});
