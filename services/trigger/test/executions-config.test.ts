/**
 * The executions handlers as on Lambda: nothing injected, the service built
 * from the environment (executions/config.ts: FLUXIO_STAGE; the SDK's own
 * region, credentials and endpoint variables), here pointed at the local
 * platform's Step Functions API with `AWS_ENDPOINT_URL_SFN`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateStateMachineAliasCommand, CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { toApiGatewayEvent } from '@fluxio/local/server/apiGatewayEvent';
import { localLambdaContext } from '@fluxio/local/server/httpServer';
import { readExecutionsConfig } from '../src/executions/config.ts';
import { setExecutionsService } from '../src/executionsRegistry.ts';
import { describe as describeHandler, start } from '../src/handlers/executions.ts';

const ENV = ['FLUXIO_STAGE', 'AWS_ENDPOINT_URL_SFN', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let dataDir: string;
let platform: Platform;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fluxio-executions-env-'));
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: dataDir });
  const sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  // A state machine named like a deployment of project p on stage prod (no deployer needed).
  const { stateMachineVersionArn } = await sfn.send(
    new CreateStateMachineCommand({ name: 'fluxio-prod-p-main', roleArn: 'arn:aws:iam::000000000000:role/r', publish: true, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }),
  );
  await sfn.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn, weight: 100 }] }));
  sfn.destroy();
  setExecutionsService(undefined); // the platform injected its own: go back to the environment
  Object.assign(process.env, { FLUXIO_STAGE: 'prod', AWS_ENDPOINT_URL_SFN: platform.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'l', AWS_SECRET_ACCESS_KEY: 'l' });
}, 60_000);

afterAll(async () => {
  for (const k of ENV) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
  setExecutionsService(undefined);
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const event = (method: string, url: string, pathParameters: Record<string, string>, body = '') => {
  const e = toApiGatewayEvent({ method, url, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' }, headers: { 'content-type': 'application/json' } } as unknown as IncomingMessage, Buffer.from(body));
  return { ...e, pathParameters };
};

describe('executions handlers configured from the environment', () => {
  test('readExecutionsConfig needs FLUXIO_STAGE and says where it is documented', () => {
    expect(() => readExecutionsConfig({})).toThrow(/FLUXIO_STAGE .*services\/trigger\/src\/executions\/config\.ts/);
    expect(readExecutionsConfig({ FLUXIO_STAGE: 'prod' })).toEqual({ stage: 'prod' });
  });

  test('FLUXIO_STAGE=prod starts fluxio-prod-<project>-<fn> on its alias live; ARNs come from the service', async () => {
    const path = { project: 'p', stateMachine: 'main' };
    const res = (await start(event('POST', '/v1/projects/p/state-machines/main/executions', path, '{"name":"from-env"}'), localLambdaContext('executionsStart'))) as { statusCode: number; body: string };
    expect(res.statusCode, res.body).toBe(201);
    expect(JSON.parse(res.body).executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:fluxio-prod-p-main:from-env');
    const d = (await describeHandler(event('GET', '/v1/projects/p/state-machines/main/executions/from-env', { ...path, name: 'from-env' }), localLambdaContext('executionsDescribe'))) as { statusCode: number; body: string };
    expect(d.statusCode).toBe(200);
    expect(JSON.parse(d.body).input).toEqual({ __trace: { id: 'from-env', source: 'http' } });
    // The local platform's own stage (local) is not this one: its state machines are not reachable.
    const other = (await start(event('POST', '/v1/projects/q/state-machines/main/executions', { project: 'q', stateMachine: 'main' }, '{}'), localLambdaContext('executionsStart'))) as { statusCode: number; body: string };
    expect(other.statusCode).toBe(404);
  });
});
