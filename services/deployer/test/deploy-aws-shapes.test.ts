/**
 * The AWS-only pieces of a deployment (issue 8), checked on the request
 * shapes the production adapters send, with `aws-sdk-client-mock` standing in
 * for Lambda, Step Functions and CloudWatch Logs: the roles passed, X-Ray
 * tracing, logging to `/aws/vendedlogs/states/fluxio-<stage>-<project>-<fn>`
 * (the log group created first), STANDARD state machines published with the
 * deployment id as version description, the alias `live`; and the up-front
 * refusal of tasks whose AWS deployment is not built yet; the triggers (issue 9):
 * event processor functions, and what the trigger service is handed (through
 * TriggerServicePort, over the trigger domain with in-memory ports). The
 * records are on a real dynalite, the bundle in a real blob directory.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeStateMachineAliasCommand,
  ListStateMachinesCommand,
  ResourceNotFound,
  SFNClient,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DirectoryBlobStore, startEmbeddedDynalite, type EmbeddedDynalite } from '@fluxio/state-data';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';
import { Deployer, LAMBDA_TIMEOUT_MARGIN_SECONDS } from '../src/Deployer.ts';
import { LambdaFunctions } from '../src/adapters/LambdaFunctions.ts';
import { SfnStateMachines } from '../src/adapters/SfnStateMachines.ts';
import { CloudWatchLogGroups } from '../src/adapters/CloudWatchLogGroups.ts';
import { DynamoDbDeploymentRecords } from '../src/adapters/DynamoDbDeploymentRecords.ts';
import { RecordingTriggers } from '../src/adapters/RecordingTriggers.ts';
import { TriggerServicePort } from '../src/adapters/TriggerServicePort.ts';
import type { TriggerPort } from '../src/ports.ts';
import { unzipSync } from 'fflate';
import { fakeService } from '../../trigger/test/fakes.ts';
import { functionName, stateMachineName, MAX_FUNCTION_NAME_LENGTH, MAX_STATE_MACHINE_NAME_LENGTH } from '../src/names.ts';
import { isDeployError } from '../src/errors.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/pricing', import.meta.url));
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/fluxio-prod-task`;
const SM_ROLE = `arn:aws:iam::${ACCOUNT}:role/fluxio-prod-state-machine`;

const lambdaMock = mockClient(LambdaClient);
const sfnMock = mockClient(SFNClient);
const logsMock = mockClient(CloudWatchLogsClient);

let dynalite: EmbeddedDynalite;
let blobDir: string;
let workDir: string;
let blobs: DirectoryBlobStore;

beforeAll(async () => {
  dynalite = await startEmbeddedDynalite({});
  blobDir = mkdtempSync(join(tmpdir(), 'fluxio-deployer-blobs-'));
  workDir = mkdtempSync(join(tmpdir(), 'fluxio-deployer-aws-'));
  blobs = new DirectoryBlobStore({ root: blobDir });
});
afterAll(async () => {
  await dynalite?.close();
  rmSync(blobDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  lambdaMock.reset();
  sfnMock.reset();
  logsMock.reset();
  lambdaMock.on(GetFunctionConfigurationCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));
  lambdaMock.on(CreateFunctionCommand).callsFake((input) => ({ FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${input.FunctionName}`, State: 'Pending' }));
  lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });
  lambdaMock.on(PublishVersionCommand).resolves({ Version: '1' });
  sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  sfnMock.on(ValidateStateMachineDefinitionCommand).resolves({ result: 'OK', diagnostics: [] });
  sfnMock.on(CreateStateMachineCommand).callsFake((input) => {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${input.name}`;
    return { stateMachineArn: arn, stateMachineVersionArn: `${arn}:1`, creationDate: new Date() };
  });
  sfnMock.on(DescribeStateMachineAliasCommand).rejects(new ResourceNotFound({ message: 'alias not found', $metadata: {} }));
  sfnMock.on(CreateStateMachineAliasCommand).callsFake((input) => ({
    stateMachineAliasArn: `${input.routingConfiguration[0].stateMachineVersionArn.replace(/:\d+$/, '')}:${input.name}`,
    creationDate: new Date(),
  }));
  logsMock.on(CreateLogGroupCommand).resolves({});
  logsMock.on(PutRetentionPolicyCommand).resolves({});
  logsMock.on(DescribeLogGroupsCommand).callsFake((input) => ({
    logGroups: [{ logGroupName: input.logGroupNamePrefix, arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${input.logGroupNamePrefix}:*` }],
  }));
});

function awsDeployer(tableName: string, triggers: TriggerPort = new RecordingTriggers()): Deployer {
  const clientConfig = { region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  return new Deployer({
    target: 'aws',
    stage: 'prod',
    functions: new LambdaFunctions({ client: new LambdaClient(clientConfig) }),
    stateMachines: new SfnStateMachines({ client: new SFNClient(clientConfig) }),
    logGroups: new CloudWatchLogGroups({ client: new CloudWatchLogsClient(clientConfig) }),
    records: new DynamoDbDeploymentRecords({
      tableName,
      clientConfig: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } },
      autoCreateTable: true,
    }),
    bundles: blobs,
    triggers,
    taskRoleArn: TASK_ROLE,
    stateMachineRoleArn: SM_ROLE,
    taskEnvironment: { FLUXIO_STATE_DATA_URL: 'https://api.example.com' },
  });
}

async function storeBundle(project: string, dir: string) {
  const b = await createProjectBundle(dir);
  await blobs.put(`bundles/${project}/${b.sha256}.zip`, Buffer.from(b.zip));
  expect(createHash('sha256').update(b.zip).digest('hex')).toBe(b.sha256);
  return { sha256: b.sha256, sizeBytes: b.sizeBytes };
}

describe('an AWS deployment', () => {
  test('passes the roles, turns X-Ray tracing on, logs to /aws/vendedlogs/states/... (created first), publishes STANDARD versions and points live at them', async () => {
    const deployer = awsDeployer('deployments-a');
    const record = await deployer.deploy('shop', { bundle: await storeBundle('shop', FIXTURE) });
    expect(record.status).toBe('SUCCEEDED');

    const created = lambdaMock.commandCalls(CreateFunctionCommand).map((c) => c.args[0].input);
    expect(created.map((c) => c.FunctionName).sort()).toEqual(['fluxio-prod-shop-Audit', 'fluxio-prod-shop-Price']);
    for (const c of created) {
      expect(c).toMatchObject({ Role: TASK_ROLE, Runtime: 'python3.12', Handler: 'fluxio_task.entry.lambda_handler', Timeout: 300 + LAMBDA_TIMEOUT_MARGIN_SECONDS, MemorySize: 2048, TracingConfig: { Mode: 'Active' } });
      expect(c.Environment!.Variables).toMatchObject({ FLUXIO_STATE_DATA_URL: 'https://api.example.com', FLUXIO_PROJECT: 'shop', FLUXIO_STAGE: 'prod' });
    }
    // Published once each, after it became Active (the waiter read GetFunction).
    expect(lambdaMock.commandCalls(PublishVersionCommand)).toHaveLength(2);
    expect(lambdaMock.commandCalls(GetFunctionCommand).length).toBeGreaterThanOrEqual(2);

    expect(logsMock.commandCalls(CreateLogGroupCommand).map((c) => c.args[0].input.logGroupName).sort()).toEqual([
      '/aws/vendedlogs/states/fluxio-prod-shop-audit',
      '/aws/vendedlogs/states/fluxio-prod-shop-main',
    ]);
    const machines = sfnMock.commandCalls(CreateStateMachineCommand).map((c) => c.args[0].input);
    // The nested state machine first: main's definition names its alias.
    expect(machines.map((m) => m.name)).toEqual(['fluxio-prod-shop-audit', 'fluxio-prod-shop-main']);
    for (const m of machines) {
      expect(m).toMatchObject({
        type: 'STANDARD',
        publish: true,
        versionDescription: record.deploymentId,
        roleArn: SM_ROLE,
        tracingConfiguration: { enabled: true },
        loggingConfiguration: {
          level: 'ALL',
          includeExecutionData: true,
          destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/vendedlogs/states/${m.name}:*` } }],
        },
      });
    }
    const mainDefinition = machines[1]!.definition!;
    expect(mainDefinition).toContain(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:fluxio-prod-shop-Price:1`);
    expect(mainDefinition).toContain(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:fluxio-prod-shop-audit:live`);
    expect(mainDefinition).not.toContain('${');
    expect(sfnMock.commandCalls(ValidateStateMachineDefinitionCommand)).toHaveLength(2);
    const aliases = sfnMock.commandCalls(CreateStateMachineAliasCommand).map((c) => c.args[0].input);
    expect(aliases).toEqual(
      machines.map((m) => ({
        name: 'live',
        description: `deployment ${record.deploymentId}`,
        routingConfiguration: [{ stateMachineVersionArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${m.name}:1`, weight: 100 }],
      })),
    );
  }, 60_000);

  test('refuses ecs, ecs:worker and codebuild tasks up front, naming each task and its service; nothing is created', async () => {
    const dir = join(workDir, 'ecs');
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(
      join(dir, 'project.py'),
      'class Crunch(Task):\n    service = "ecs"\n    async def run(event, context):\n        return 1\n\n\n' +
        'class Build(Task):\n    service = "codebuild"\n    build_spec = {"version": "0.2"}\n\n\n' +
        'class Price(Task):\n    async def run(event, context):\n        return 2\n\n\n' +
        'def main(data):\n    data["a"] = Crunch(key="Crunch")\n    data["b"] = Build(key="Build")\n    data["c"] = Price(key="Price")\n',
    );
    const deployer = awsDeployer('deployments-b');
    const error = await deployer.deploy('shop', { bundle: await storeBundle('shop', dir) }).catch((e: unknown) => e);
    expect(isDeployError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'Deploy.UnsupportedService', statusCode: 400 });
    expect((error as Error).message).toContain('Crunch (service "ecs")');
    expect((error as Error).message).toContain('Build (service "codebuild")');
    expect(lambdaMock.commandCalls(CreateFunctionCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(CreateStateMachineCommand)).toHaveLength(0);
    expect((await deployer.list('shop', { limit: 10 })).deployments).toEqual([]);
  }, 60_000);
});

describe('ValidateStateMachineDefinition', () => {
  test('errors refuse the state machine (422 Deploy.InvalidDefinition with the diagnostics); it is not created and the record is FAILED', async () => {
    sfnMock.on(ValidateStateMachineDefinitionCommand).resolves({ result: 'FAIL', diagnostics: [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'bad Resource', location: '/States/Price' }] });
    const deployer = awsDeployer('deployments-c');
    const error = await deployer.deploy('shop', { bundle: await storeBundle('shop', FIXTURE) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Deploy.InvalidDefinition', statusCode: 422, details: { diagnostics: [{ code: 'SCHEMA_VALIDATION_FAILED', location: '/States/Price' }] } });
    expect(sfnMock.commandCalls(CreateStateMachineCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(CreateStateMachineAliasCommand)).toHaveLength(0);
    const [record] = (await deployer.list('shop', { limit: 1 })).deployments;
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'Deploy.InvalidDefinition' } });
  }, 60_000);
});

describe('resource names', () => {
  test('fit Lambda (64) and Step Functions (80) limits, keep the fluxio-<stage>- prefix, and stay distinct', () => {
    const project = `p${'x'.repeat(63)}`;
    const a = functionName('prod', project, 'TaskNumberOne');
    const b = functionName('prod', project, 'TaskNumberTwo');
    expect(a.length).toBeLessThanOrEqual(MAX_FUNCTION_NAME_LENGTH);
    expect(a.startsWith('fluxio-prod-')).toBe(true);
    expect(a).not.toBe(b);
    const m = stateMachineName('prod', project, 'a_long_state_machine_function_name');
    expect(m.length).toBeLessThanOrEqual(MAX_STATE_MACHINE_NAME_LENGTH);
    expect(functionName('prod', 'shop', 'Price')).toBe('fluxio-prod-shop-Price');
  });
});

describe('triggers (issue 9)', () => {
  const EVENTS_PROJECT = [
    'class Greet(Task):',
    '    async def run(event, context):',
    '        return {"hello": event.get("name", "you")}',
    '',
    '',
    'class OrderEvents(EventProcessor):',
    '    async def get_custom_tags_ExecutionSucceeded(message, input_data, state_data_client):',
    '        return {"customer": "acme"}',
    '',
    '',
    '@process_events(processor=OrderEvents)',
    '@schedule(expression="rate(1 hour)", input_data={"window": "1h"}, timezone="Europe/Berlin")',
    'def main(data):',
    '    data["greeting"] = Greet(key="Greet")',
    '',
  ].join('\n');

  function projectDir(name: string, source: string): string {
    const dir = join(workDir, name);
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(join(dir, 'project.py'), source);
    return dir;
  }

  test('an EventProcessor class deploys as a function of the project; the trigger service gets the alias, the schedule with its time zone and the processor', async () => {
    const t = fakeService();
    const deployer = awsDeployer('deployments-triggers', new TriggerServicePort(t.service));
    const record = await deployer.deploy('ep', { bundle: await storeBundle('ep', projectDir('ep', EVENTS_PROJECT)) });
    expect(record.status).toBe('SUCCEEDED');

    const processor = lambdaMock.commandCalls(CreateFunctionCommand).map((c) => c.args[0].input).find((c) => c.FunctionName === 'fluxio-prod-ep-OrderEvents')!;
    expect(processor).toMatchObject({ Handler: 'fluxio_task.entry.event_processor_handler', Runtime: 'python3.12', Role: TASK_ROLE, Timeout: 30, MemorySize: 512 });
    const files = unzipSync(processor.Code!.ZipFile!);
    const source = new TextDecoder().decode(files['fluxio_event_processor.py']!);
    // The class at its project.py line (6), so tracebacks point there.
    expect(source.split('\n')[5]).toBe('class OrderEvents(EventProcessor):');
    expect(files['fluxio_task/entry.py']).toBeDefined();
    expect(files['project.py']).toBeUndefined();
    expect(record.functions.OrderEvents).toMatchObject({ version: '1' });

    const alias = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:fluxio-prod-ep-main:live`;
    // The processor is invoked at the version this deployment published (a rollback rolls it back too).
    expect(await t.records.getStateMachine('ep', 'main')).toMatchObject({
      aliasArn: alias,
      eventProcessor: 'OrderEvents',
      eventProcessorFunction: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fluxio-prod-ep-OrderEvents:1`,
    });
    expect(await t.schedules.list('fluxio-prod-ep')).toMatchObject([{ name: 'main', expression: 'rate(1 hour)', timezone: 'Europe/Berlin', input: { inputData: { window: '1h' } } }]);
    expect(record.triggers).toMatchObject({
      active: true,
      schedules: [{ stateMachine: 'main', expression: 'rate(1 hour)', timezone: 'Europe/Berlin' }],
      eventProcessors: { main: 'OrderEvents' },
      topics: {
        main: {
          successTopicArn: 'arn:aws:sns:us-east-1:123456789012:fluxio-prod-ep-main-success',
          failureTopicArn: 'arn:aws:sns:us-east-1:123456789012:fluxio-prod-ep-main-failure',
          successExportName: 'fluxio-prod-ep-main-success-topic-arn',
          failureExportName: 'fluxio-prod-ep-main-failure-topic-arn',
        },
      },
    });
    expect(record.triggers!.note).toMatch(/Event processors: main → OrderEvents/);
    expect(record.steps.find((s) => s.name === 'triggers')?.detail).toBe(record.triggers!.note);
  });

  test('a topic_arn_import_value nothing exports fails the deployment with Trigger.ExportNotFound (400), saying which export', async () => {
    const t = fakeService();
    const deployer = awsDeployer('deployments-triggers-bad', new TriggerServicePort(t.service));
    const source = ['class Greet(Task):', '    async def run(event, context):', '        return 1', '', '', '@subscribe(topic_arn_import_value="${Environment}-billing-topic-arn")', 'def main(data):', '    Greet(key="Greet")', ''].join('\n');
    const error = await deployer.deploy('bad', { bundle: await storeBundle('bad', projectDir('bad', source)) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDeployError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'Trigger.ExportNotFound', statusCode: 400, message: expect.stringContaining('nothing exports prod-billing-topic-arn') });
    expect(t.topics.topics.size).toBe(0);
  });

  test('TriggerServicePort: remove deactivates the project; a schedule without an expression is refused with what to write', async () => {
    const t = fakeService();
    const port = new TriggerServicePort(t.service);
    const stateMachines = { main: { aliasArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:fluxio-prod-p-main:live` } };
    await port.apply('p', { schedules: [], subscriptions: [], stateMachines });
    expect(t.topics.topics.size).toBe(2);
    await port.remove('p');
    expect(t.topics.topics.size).toBe(0);
    await expect(port.apply('p', { schedules: [{ stateMachine: 'main', expression: null, inputData: null }], subscriptions: [], stateMachines })).rejects.toMatchObject({
      code: 'Deploy.InvalidSchedule',
      message: expect.stringContaining('@schedule(expression="rate(1 hour)")'),
    });
  });
});
