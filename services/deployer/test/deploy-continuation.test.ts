/**
 * The AWS continuation of a deployment answered 202 (issue 8): on Lambda the
 * process is frozen once it answers, so the deploy handler starts the
 * deployment (compiled, record IN_PROGRESS, lease handed over), invokes the
 * deployer worker asynchronously (`InvokeCommand`, `InvocationType: 'Event'`,
 * checked with aws-sdk-client-mock) and answers 202; the worker's event, run
 * here in-process, finishes the deployment from its checkpoints against the
 * real local platform (its Step Functions and Lambda APIs, dynalite, Python).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { LambdaContinuation } from '../src/adapters/LambdaContinuation.ts';
import { continueDeployment } from '../src/handlers/worker.ts';
import { getContinuation, setContinuation } from '../src/serviceRegistry.ts';
import { localPlatformClient } from './localPlatformClient.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/pricing', import.meta.url));
const WORKER = 'fluxio-ci-deployerWorker';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dataDir: string;
let workDir: string;
let platform: Platform;
let sfn: SFNClient;
// The worker's client only (the deployer's own Lambda client talks to the local platform, unmocked).
const workerClient = new LambdaClient({ region: 'eu-west-1', credentials });
const invokeMock = mockClient(workerClient);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fluxio-continuation-data-'));
  workDir = mkdtempSync(join(tmpdir(), 'fluxio-continuation-work-'));
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: workDir });
  sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}, 60_000);

afterEach(() => {
  setContinuation(undefined);
  invokeMock.reset();
});

afterAll(async () => {
  sfn?.destroy();
  workerClient.destroy();
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

function projectDir(name: string, project?: string): string {
  const dir = join(workDir, name);
  cpSync(FIXTURE, dir, { recursive: true });
  if (project) writeFileSync(join(dir, 'project.py'), project);
  return dir;
}

const { api, upload, runAlias } = localPlatformClient(
  () => platform.url,
  () => sfn,
);

/** The events the handler sent to the worker, decoded. */
const invokes = () =>
  invokeMock.commandCalls(InvokeCommand).map((c) => ({ ...c.args[0].input, Payload: JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)) }));

describe('a deployment on Lambda (the deploy function hands it to the deployer worker)', () => {
  test('is started, handed to the worker by an asynchronous Invoke and answered 202; the worker event deploys it to SUCCEEDED', async () => {
    invokeMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    setContinuation(new LambdaContinuation({ functionName: WORKER, client: workerClient }));
    const bundle = await upload('cont', projectDir('cont'));

    const accepted = await api('POST', '/v1/projects/cont/deployments', { bundle });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const id = accepted.body.deploymentId as string;
    expect(accepted.body).toEqual({ deploymentId: id, status: 'IN_PROGRESS', links: { self: `/v1/projects/cont/deployments/${id}` } });
    expect(invokes()).toEqual([{ FunctionName: WORKER, InvocationType: 'Event', Payload: { fluxioDeploymentContinuation: { project: 'cont', deploymentId: id } } }]);

    // Nothing but the start ran in the request; the lease stays taken while the worker is queued.
    const started: DeploymentRecord = (await api('GET', accepted.body.links.self)).body;
    expect(started).toMatchObject({ status: 'IN_PROGRESS', functions: {}, stateMachines: {} });
    expect(started.steps.map((s) => s.name)).toEqual(['compile']);
    const second = await api('POST', '/v1/projects/cont/deployments', { bundle });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'Deploy.InProgress', message: expect.stringContaining(id) });
    expect(invokes()).toHaveLength(1);

    // The worker's event (what Lambda delivers), in-process.
    const event = invokes()[0]!.Payload;
    expect(await continueDeployment(event)).toEqual({ deploymentId: id, status: 'SUCCEEDED' });
    const done: DeploymentRecord = (await api('GET', accepted.body.links.self)).body;
    expect(done.status).toBe('SUCCEEDED');
    expect(done.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['compile', 'resume', 'function:Price', 'stateMachine:main', 'alias:main', 'triggers']));
    expect((await api('GET', '/v1/projects/cont')).body.currentDeployment.deploymentId).toBe(id);
    expect((await runAlias(done.stateMachines.main!.aliasArn, 1)).quote).toEqual({ price: 2, rules: 'v1' });

    // Lambda delivers asynchronous events at least once: a repeated event changes nothing.
    expect(await continueDeployment(event)).toEqual({ deploymentId: id, status: 'SUCCEEDED' });
    expect((await api('GET', accepted.body.links.self)).body.steps).toEqual(done.steps);
  }, 120_000);

  test('a project that does not compile is still refused in the request (422), and no worker is invoked', async () => {
    invokeMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    setContinuation(new LambdaContinuation({ functionName: WORKER, client: workerClient }));
    const broken = 'class Price(Task):\n    async def run(event, context):\n        return 1\n\n\ndef main(data):\n    data["x"] = Nope(key="a")\n';
    const res = await api('POST', '/v1/projects/contbad/deployments', { bundle: await upload('contbad', projectDir('contbad', broken)) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('Compile.Failed');
    expect(invokes()).toEqual([]);
    expect((await api('GET', '/v1/projects/contbad/deployments')).body.deployments).toEqual([]);
  }, 60_000);

  test('when the worker cannot be invoked, the deployment goes on in the request (201)', async () => {
    invokeMock.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    setContinuation(new LambdaContinuation({ functionName: WORKER, client: workerClient }));
    const res = await api('POST', '/v1/projects/contfallback/deployments', { bundle: await upload('contfallback', projectDir('contfallback')) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('SUCCEEDED');
    expect(invokes()).toHaveLength(1);
    expect((await api('GET', '/v1/projects/contfallback')).body.currentDeployment.deploymentId).toBe(res.body.deploymentId);
  }, 120_000);

  test('a handed-over deployment that cannot be prepared by the worker is marked FAILED and its lease released', async () => {
    invokeMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    setContinuation(new LambdaContinuation({ functionName: WORKER, client: workerClient }));
    const bundle = await upload('contfail', projectDir('contfail'));
    const accepted = await api('POST', '/v1/projects/contfail/deployments', { bundle });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const broken = platform.createDeployer({
      compile: () => {
        throw new Error('compiler unavailable');
      },
    });
    try {
      await expect(broken.deployer.continueDeployment('contfail', accepted.body.deploymentId)).rejects.toThrow(/compiler unavailable/);
    } finally {
      broken.close();
    }
    const record: DeploymentRecord = (await api('GET', accepted.body.links.self)).body;
    expect(record).toMatchObject({ status: 'FAILED', error: { message: expect.stringContaining('compiler unavailable') } });
    // The lease was released: the next deploy runs (here handed over again, and finished by the worker).
    const again = await api('POST', '/v1/projects/contfail/deployments', { bundle });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(await continueDeployment(invokes()[1]!.Payload)).toEqual({ deploymentId: again.body.deploymentId, status: 'SUCCEEDED' });
  }, 120_000);

  test('the worker refuses an event that is not a continuation', async () => {
    await expect(continueDeployment({ Records: [] })).rejects.toThrow(/fluxioDeploymentContinuation/);
    await expect(continueDeployment({ fluxioDeploymentContinuation: { project: '9bad', deploymentId: 'd-1' } })).rejects.toThrow(/fluxioDeploymentContinuation/);
  });

  test('on Lambda the continuation is the worker named by FLUXIO_DEPLOYER_WORKER_FUNCTION; off Lambda there is none', () => {
    expect(getContinuation({})).toBeNull();
    setContinuation(undefined);
    expect(getContinuation({ AWS_LAMBDA_FUNCTION_NAME: 'fluxio-ci-deployerDeploy', FLUXIO_DEPLOYER_WORKER_FUNCTION: WORKER })).toBeInstanceOf(LambdaContinuation);
    setContinuation(undefined);
    expect(() => getContinuation({ AWS_LAMBDA_FUNCTION_NAME: 'fluxio-ci-deployerDeploy' })).toThrow(/FLUXIO_DEPLOYER_WORKER_FUNCTION/);
  });
});
