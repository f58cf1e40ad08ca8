/**
 * The deployer end to end on the local platform (issue 8): the real platform
 * on 127.0.0.1:0 (its Step Functions and Lambda APIs, dynalite, the Python
 * workers), the deployer's HTTP routes, real `@aws-sdk/client-sfn` and
 * `@aws-sdk/client-lambda` clients, the bundle built with the CLI's
 * `createProjectBundle`, and real Python running the deployed task functions.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  ListStateMachineVersionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateFunctionCommand, LambdaClient, ListFunctionsCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';
import { MAX_BUNDLE_BYTES, type DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { SimulatedCrash } from '../src/Deployer.ts';
import { localPlatformClient } from './localPlatformClient.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/pricing', import.meta.url));
const PREFIX = 'fluxio-local-shop-';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dataDir: string;
let workDir: string;
let platform: Platform;
let sfn: SFNClient;
let lambda: LambdaClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fluxio-deployer-data-'));
  workDir = mkdtempSync(join(tmpdir(), 'fluxio-deployer-work-'));
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: workDir });
  sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  lambda = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  sfn?.destroy();
  lambda?.destroy();
  await platform?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

/** A copy of the fixture project; `rules` replaces pricing/rules.py, `project` replaces project.py. */
function projectDir(name: string, edit: { rules?: string; project?: string } = {}): string {
  const dir = join(workDir, name);
  cpSync(FIXTURE, dir, { recursive: true });
  if (edit.rules) writeFileSync(join(dir, 'pricing', 'rules.py'), edit.rules);
  if (edit.project) writeFileSync(join(dir, 'project.py'), edit.project);
  return dir;
}

const RULES_V2 = 'RULES_VERSION = "v2"\n\n\ndef price(amount):\n    return amount * 3\n';

const { api, upload, runAlias } = localPlatformClient(
  () => platform.url,
  () => sfn,
);

async function deploy(project: string, dir: string): Promise<{ status: number; body: any }> {
  return api('POST', `/v1/projects/${project}/deployments`, { bundle: await upload(project, dir) });
}

const aliasTarget = async (aliasArn: string) =>
  (await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }))).routingConfiguration![0]!.stateMachineVersionArn!;
const functionVersions = async (name: string) =>
  ((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions ?? []).map((v) => v.Version);
const machineVersions = async (arn: string) => ((await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }))).stateMachineVersions ?? []).length;

describe('deploying a project to the local platform', () => {
  let first: DeploymentRecord;
  let second: DeploymentRecord;

  test('deploys a project whose task imports a package beside project.py; the alias runs the real Python', async () => {
    const res = await deploy('shop', projectDir('v1'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    first = res.body;
    expect(first).toMatchObject({ project: 'shop', status: 'SUCCEEDED', kind: 'deploy', stage: 'local' });
    expect(Object.keys(first.stateMachines).sort()).toEqual(['audit', 'main']);
    expect(first.functions.Price).toMatchObject({ version: '1' });
    const main = first.stateMachines.main!;
    expect(main.stateMachineArn).toBe(`arn:aws:states:us-east-1:000000000000:stateMachine:${PREFIX}main`);
    expect(main.aliasArn).toBe(`${main.stateMachineArn}:live`);
    // The definition calls version-qualified functions and the nested state machine's alias.
    const def = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: main.versionArn }))).definition!;
    expect(def).toContain(`function:${PREFIX}Price:1`);
    expect(def).toContain(`stateMachine:${PREFIX}audit:live`);
    // The triggers are active (issue 9): result topics for both state machines, main's schedule in the project's group.
    expect(first.triggers).toMatchObject({
      schedules: [{ stateMachine: 'main', expression: 'rate(1 day)' }],
      active: true,
      topics: {
        main: { successTopicArn: expect.stringMatching(/fluxio-local-shop-main-success$/), successExportName: 'fluxio-local-shop-main-success-topic-arn' },
        audit: { failureTopicArn: expect.stringMatching(/fluxio-local-shop-audit-failure$/) },
      },
    });
    expect(first.triggers!.note).toMatch(/1 schedule\(s\): main rate\(1 day\)/);
    expect((await platform.triggers.scheduler.list('fluxio-local-shop')).map((s) => s.name)).toEqual(['main']);

    const out = await runAlias(main.aliasArn, 5);
    expect(out.quote).toEqual({ price: 10, rules: 'v1' });
  }, 120_000);

  test('changing only the package code publishes a new version and the alias runs the new code', async () => {
    const res = await deploy('shop', projectDir('v2', { rules: RULES_V2 }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    second = res.body;
    expect(second.previousDeploymentId).toBe(first.deploymentId);
    expect(second.functions.Price!.version).toBe('2');
    // Every function carries the whole bundle, so Audit (whose run did not change) gets a new version too.
    expect(second.functions.Audit!.version).toBe('2');
    expect(second.stateMachines.main!.versionArn).not.toBe(first.stateMachines.main!.versionArn);
    expect(await aliasTarget(second.stateMachines.main!.aliasArn)).toBe(second.stateMachines.main!.versionArn);
    expect((await runAlias(second.stateMachines.main!.aliasArn, 5)).quote).toEqual({ price: 15, rules: 'v2' });
  }, 120_000);

  test('redeploying the unchanged project publishes no new version', async () => {
    const versionsBefore = await functionVersions(`${PREFIX}Price`);
    const machineVersionsBefore = await machineVersions(second.stateMachines.main!.stateMachineArn);
    const res = await deploy('shop', projectDir('v2-again', { rules: RULES_V2 }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.functions).toEqual(second.functions);
    expect(res.body.stateMachines).toEqual(second.stateMachines);
    expect(await functionVersions(`${PREFIX}Price`)).toEqual(versionsBefore);
    expect(await machineVersions(second.stateMachines.main!.stateMachineArn)).toBe(machineVersionsBefore);
  }, 120_000);

  test('a project that does not compile is refused with every error, and the alias is unchanged', async () => {
    const broken = 'class Price(Task):\n    async def run(event, context):\n        return 1\n\n\ndef main(data):\n    data["x"] = Nope(key="a")\n    data["y"] = Missing(key="b")\n';
    const res = await deploy('shop', projectDir('broken', { project: broken }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('Compile.Failed');
    expect(res.body.error.details.errors.length).toBeGreaterThanOrEqual(2);
    expect(await aliasTarget(second.stateMachines.main!.aliasArn)).toBe(second.stateMachines.main!.versionArn);
    const described = await api('GET', '/v1/projects/shop');
    expect(described.body.currentDeployment.bundle).toEqual(second.bundle);
  }, 60_000);

  test('the plan of a dry run lists what would change and changes nothing', async () => {
    const res = await api('POST', '/v1/projects/shop/deployments?dryRun=true', { bundle: await upload('shop', projectDir('v1-plan')) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.plan.update).toContain('function:Price');
    expect(res.body.plan.publish).toContain('function:Price');
    expect(res.body.plan.update).toContain('stateMachine:main');
    expect(res.body.plan.create).toEqual([]);
    expect(await aliasTarget(second.stateMachines.main!.aliasArn)).toBe(second.stateMachines.main!.versionArn);
    expect(await functionVersions(`${PREFIX}Price`)).toEqual(['$LATEST', '1', '2']);
  }, 60_000);

  test('rollback points the aliases back at the previous deployment: the old code and definition run again', async () => {
    const res = await api('POST', '/v1/projects/shop/rollback', {});
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'rollback', status: 'SUCCEEDED', rolledBackTo: first.deploymentId });
    const main = first.stateMachines.main!;
    expect(await aliasTarget(main.aliasArn)).toBe(main.versionArn);
    const def = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: await aliasTarget(main.aliasArn) }))).definition!;
    expect(def).toContain(`function:${PREFIX}Price:1`);
    expect((await runAlias(main.aliasArn, 5)).quote).toEqual({ price: 10, rules: 'v1' });
    // Newest first; the rolled-back deployment is marked.
    const list = await api('GET', '/v1/projects/shop/deployments');
    const ids = list.body.deployments.map((d: DeploymentRecord) => d.deploymentId);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(ids[0]).toBe(res.body.deploymentId);
    expect(list.body.deployments.find((d: DeploymentRecord) => d.deploymentId === ids[1]).status).toBe('ROLLED_BACK');
  }, 60_000);

  test('destroy deletes the triggers, the state machines (versions, aliases) and the functions; the records stay, marked DESTROYED', async () => {
    expect(platform.triggers.topics.list().filter((t) => t.name.startsWith(PREFIX)).length).toBe(4);
    const res = await api('DELETE', '/v1/projects/shop');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('DESTROYED');
    const machines = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? [];
    expect(machines.filter((m) => m.name!.startsWith(PREFIX))).toEqual([]);
    const functions = (await lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
    expect(functions.filter((f) => f.FunctionName!.startsWith(PREFIX))).toEqual([]);
    // Its result topics, schedule group and exports are gone too.
    expect(platform.triggers.topics.list().filter((t) => t.name.startsWith(PREFIX))).toEqual([]);
    expect(await platform.triggers.scheduler.list('fluxio-local-shop')).toEqual([]);
    expect(await platform.triggers.exports.resolve('fluxio-local-shop-main-success-topic-arn')).toBeUndefined();
    const described = await api('GET', '/v1/projects/shop');
    expect(described.body.currentDeployment).toBeNull();
    const list = await api('GET', '/v1/projects/shop/deployments');
    expect(list.body.deployments.find((d: DeploymentRecord) => d.deploymentId === first.deploymentId).status).toBe('DESTROYED');
  }, 60_000);
});

describe('one deployment per project at a time', () => {
  test('a second deploy while one runs is a 409 naming the running deployment', async () => {
    const dir = projectDir('concurrent');
    const bundle = await upload('busy', dir);
    let second: { status: number; body: any } | undefined;
    // The first deployment runs in a deployer whose hook starts the second one (over HTTP) while it holds the lease.
    const { deployer, close } = platform.createDeployer({
      afterCheckpoint: async (step) => {
        if (step === 'compile' && !second) second = await api('POST', '/v1/projects/busy/deployments', { bundle });
      },
    });
    try {
      const record = await deployer.deploy('busy', { bundle });
      expect(record.status).toBe('SUCCEEDED');
      expect(second!.status).toBe(409);
      expect(second!.body.error.code).toBe('Deploy.InProgress');
      expect(second!.body.error.message).toContain(record.deploymentId);
    } finally {
      close();
    }
    // Once it finished, the next deploy goes through.
    expect((await api('POST', '/v1/projects/busy/deployments', { bundle })).status).toBe(201);
  }, 120_000);
});

describe('a deployment that dies half way', () => {
  test('is completed by the next deploy once its lease expired', async () => {
    const dir = projectDir('crash');
    const bundle = await upload('crashy', dir);
    const crashing = platform.createDeployer({
      afterCheckpoint: (step) => {
        if (step === 'stateMachine:main') throw new SimulatedCrash('killed after the state machine version was published');
      },
    });
    await expect(crashing.deployer.deploy('crashy', { bundle })).rejects.toThrow(SimulatedCrash);
    crashing.close();
    const dead = (await api('GET', '/v1/projects/crashy/deployments')).body.deployments[0] as DeploymentRecord;
    expect(dead.status).toBe('IN_PROGRESS');
    expect(dead.steps.map((s) => s.name)).toContain('stateMachine:main');
    expect(dead.steps.map((s) => s.name)).not.toContain('alias:main');

    // While its lease lasts, nobody else deploys the project.
    const refused = await api('POST', '/v1/projects/crashy/deployments', { bundle });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(dead.deploymentId);

    // After the lease expired, the next call resumes it: same deployment, the remaining steps done.
    const later = platform.createDeployer({ now: () => Date.now() + 16 * 60_000 });
    try {
      const record = await later.deployer.deploy('crashy', { bundle });
      expect(record.deploymentId).toBe(dead.deploymentId);
      expect(record.status).toBe('SUCCEEDED');
      expect(record.steps.map((s) => s.name)).toContain('resume');
      expect(record.stateMachines.main!.versionArn).toBe(dead.stateMachines.main!.versionArn);
      expect(await aliasTarget(record.stateMachines.main!.aliasArn)).toBe(record.stateMachines.main!.versionArn);
      expect((await runAlias(record.stateMachines.main!.aliasArn, 2)).quote).toEqual({ price: 4, rules: 'v1' });
    } finally {
      later.close();
    }
  }, 120_000);
});

describe('examples/fan-out', () => {
  test('deploys and runs on its alias: its ecs:worker task runs as a local stand-in function', async () => {
    const dir = fileURLToPath(new URL('../../../examples/fan-out', import.meta.url));
    const res = await deploy('fanout', dir);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const record = res.body as DeploymentRecord;
    expect(Object.keys(record.functions).sort()).toEqual(['GenerateItems', 'Summarize', 'Worker']);
    expect(record.steps.find((s) => s.name === 'localStandIns')?.detail).toMatch(/Worker/);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: record.stateMachines.main!.aliasArn, input: JSON.stringify({ names: ['ada', 'bo'] }) }));
    let d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    while (d.status === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 25));
      d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(d.status, `${d.error}: ${d.cause}`).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).summary).toEqual({ count: 2, greetings: ['Hello, ada!', 'Hello, bo!'] });
  }, 120_000);

  test('an ecs task runs locally as a stand-in function; its state still answers the stopped ECS task', async () => {
    const project =
      'class Crunch(Task):\n    service = "ecs"\n    async def run(event, context):\n        from pricing.rules import price\n        return {"crunched": price(event["amount"])}\n\n\n' +
      'def main(data):\n    data["task"] = Crunch(key="Crunch")\n';
    const res = await deploy('ecsy', projectDir('ecs', { project }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const out = await runAlias(res.body.stateMachines.main.aliasArn, 4);
    expect(out.task).toMatchObject({ LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited' });
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fluxio-local-ecsy-Crunch" }));
    expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1']);
  }, 120_000);
});

describe('project exception classes', () => {
  test('a deployed run method raises a project.py exception class, and except of its base catches it', async () => {
    const project =
      'class PaymentError(Exception):\n    pass\n\n\nclass CardDeclined(PaymentError):\n    pass\n\n\n' +
      'class Charge(Task):\n    async def run(event, context):\n        raise CardDeclined("card 4242 declined")\n\n\n' +
      'def main(data):\n    try:\n        Charge(key="Charge")\n    except PaymentError as err:\n        data["declined"] = True\n';
    const res = await deploy('payments', projectDir('payments', { project }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const out = await runAlias(res.body.stateMachines.main.aliasArn, 1);
    expect(out.declined).toBe(true);
    expect(out.err).toMatchObject({ Error: 'CardDeclined' });
    expect(out.err.Cause).toContain('card 4242 declined');
  }, 120_000);
});

describe('editing one task', () => {
  test('publishes a new version of that task only (project.py is not part of the function code)', async () => {
    const first = await deploy('solo', projectDir('solo-1'));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const source = readFileSync(join(FIXTURE, 'project.py'), 'utf8').replace('{"audited": True}', '{"audited": "twice"}');
    const second = await deploy('solo', projectDir('solo-2', { project: source }));
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.functions.Price).toEqual(first.body.functions.Price);
    expect(second.body.functions.Audit.version).toBe('2');
    // The nested state machine audit, started on its own alias, runs the edited task.
    expect((await runAlias(second.body.stateMachines.audit.aliasArn, 1)).audit).toEqual({ audited: 'twice' });
  }, 120_000);
});

describe('a deployment that fails', () => {
  test('points the aliases it moved back, is marked FAILED and releases the lease', async () => {
    const v1 = await deploy('flaky', projectDir('flaky-1'));
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    const bundle = await upload('flaky', projectDir('flaky-2', { rules: RULES_V2 }));
    const failing = platform.createDeployer({
      afterCheckpoint: (step) => {
        if (step === 'alias:audit') throw new Error('the network went away');
      },
    });
    try {
      await expect(failing.deployer.deploy('flaky', { bundle })).rejects.toMatchObject({ code: 'Deploy.Failed', statusCode: 502 });
    } finally {
      failing.close();
    }
    // audit's alias had moved to the new version: it points at v1's again; main's never moved.
    expect(await aliasTarget(v1.body.stateMachines.audit.aliasArn)).toBe(v1.body.stateMachines.audit.versionArn);
    expect(await aliasTarget(v1.body.stateMachines.main.aliasArn)).toBe(v1.body.stateMachines.main.versionArn);
    const failed = (await api('GET', '/v1/projects/flaky/deployments')).body.deployments[0] as DeploymentRecord;
    expect(failed).toMatchObject({ status: 'FAILED', error: { message: 'the network went away' } });
    expect((await api('GET', '/v1/projects/flaky')).body.currentDeployment.deploymentId).toBe(v1.body.deploymentId);
    // The lease was released: the next deploy goes through.
    const retried = await api('POST', '/v1/projects/flaky/deployments', { bundle });
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect((await runAlias(retried.body.stateMachines.main.aliasArn, 5)).quote).toEqual({ price: 15, rules: 'v2' });
  }, 120_000);
});

describe('a deployment that runs past the request', () => {
  test('is answered 202 with its id, and finishes; polling its record shows it', async () => {
    const bundle = await upload('slow', projectDir('slow'));
    process.env.FLUXIO_DEPLOY_WAIT_SECONDS = '0';
    let accepted: { status: number; body: any };
    try {
      accepted = await api('POST', '/v1/projects/slow/deployments', { bundle });
    } finally {
      delete process.env.FLUXIO_DEPLOY_WAIT_SECONDS;
    }
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'IN_PROGRESS', links: { self: `/v1/projects/slow/deployments/${accepted.body.deploymentId}` } });
    let record: DeploymentRecord;
    for (;;) {
      record = (await api('GET', accepted.body.links.self)).body;
      if (record.status !== 'IN_PROGRESS') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(record.status).toBe('SUCCEEDED');
    expect((await runAlias(record.stateMachines.main!.aliasArn, 1)).quote).toEqual({ price: 2, rules: 'v1' });
  }, 120_000);
});

describe('bad requests', () => {
  const expectError = (res: { status: number; body: any }, status: number, code: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
  };

  test('are 4xx with the standard error body, and change nothing', async () => {
    const sha = 'a'.repeat(64);
    expectError(await api('POST', '/v1/projects/shop/bundles/upload-url', { sha256: sha, sizeBytes: MAX_BUNDLE_BYTES + 1 }), 413, 'Deploy.BundleTooLarge');
    expectError(await api('POST', '/v1/projects/never/deployments', { bundle: { sha256: sha, sizeBytes: 10 } }), 404, 'Deploy.BundleNotFound');
    expectError(await api('POST', '/v1/projects/9bad/deployments', { bundle: { sha256: sha, sizeBytes: 10 } }), 400, 'Request.InvalidPath');
    expectError(await api('POST', '/v1/projects/shop/deployments', { bundle: { sha256: 'xyz', sizeBytes: 10 } }), 400, 'Request.Invalid');
    expectError(await api('POST', '/v1/projects/shop/deployments?dryRun=maybe', { bundle: { sha256: sha, sizeBytes: 10 } }), 400, 'Request.InvalidQuery');
    expectError(await api('GET', '/v1/projects/shop/deployments/d-0000000000000000'), 404, 'Deploy.NotFound');
    expectError(await api('GET', '/v1/projects/shop/deployments/nope'), 400, 'Request.InvalidPath');
    expectError(await api('GET', '/v1/projects/shop/deployments?limit=0'), 400, 'Request.InvalidQuery');
    expectError(await api('GET', '/v1/projects/shop/deployments?next=garbage'), 400, 'Request.InvalidQuery');
    expectError(await api('POST', '/v1/projects/never/rollback', {}), 404, 'Deploy.NothingToRollBack');
    expect((await api('GET', '/v1/projects/never')).body).toEqual({ project: 'never', currentDeployment: null, stateMachines: {} });

    // Bytes that are not a zip: uploaded fine, refused at deploy.
    const junk = Buffer.from('not a zip at all');
    const bundle = { sha256: createHash('sha256').update(junk).digest('hex'), sizeBytes: junk.length };
    const signed = await api('POST', '/v1/projects/junk/bundles/upload-url', bundle);
    expect((await fetch(signed.body.url, { method: 'PUT', headers: signed.body.headers, body: junk })).status).toBeLessThan(300);
    expect((await api('POST', '/v1/projects/junk/bundles/upload-url', bundle)).body.exists).toBe(true);
    expectError(await api('POST', '/v1/projects/junk/deployments', { bundle }), 400, 'Deploy.BundleInvalid');
    expect((await api('GET', '/v1/projects/junk/deployments')).body.deployments).toEqual([]);
  }, 60_000);

  test('the list pages newest first', async () => {
    const page1 = await api('GET', '/v1/projects/shop/deployments?limit=2');
    expect(page1.body.deployments).toHaveLength(2);
    expect(typeof page1.body.next).toBe('string');
    const page2 = await api('GET', `/v1/projects/shop/deployments?limit=2&next=${page1.body.next}`);
    const ids = [...page1.body.deployments, ...page2.body.deployments].map((d: DeploymentRecord) => d.deploymentId);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});

describe('removing and leftovers', () => {
  test('a task and state machine the project no longer has are deleted; rolling back to a deployment that had them is refused', async () => {
    const v1 = await deploy('slim', projectDir('slim-1'));
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    const project = 'class Price(Task):\n    async def run(event, context):\n        return {"price": 0}\n\n\ndef main(data):\n    data["quote"] = Price(key="Price")\n';
    const v2 = await deploy('slim', projectDir('slim-2', { project }));
    expect(v2.status, JSON.stringify(v2.body)).toBe(201);
    expect(Object.keys(v2.body.stateMachines)).toEqual(['main']);
    expect(v2.body.steps.find((s: { name: string }) => s.name === 'delete').detail).toBe('stateMachine:audit, function:Audit');
    const names = ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName).filter((n) => n!.startsWith('fluxio-local-slim-'));
    expect(names).toEqual(['fluxio-local-slim-Price']);
    const refused = await api('POST', '/v1/projects/slim/rollback', {});
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('Deploy.CannotRollBack');
    expect(await aliasTarget(v2.body.stateMachines.main.aliasArn)).toBe(v2.body.stateMachines.main.versionArn);
  }, 120_000);

  test("destroy also removes the project's functions no record names (a deployment died before its checkpoint), never another project's", async () => {
    expect((await deploy('orphan', projectDir('orphan'))).status).toBe(201);
    const zip = zipSync({ 'fluxio_task_run.py': strToU8('async def run(event, context):\n    return 1\n') });
    for (const name of ['fluxio-local-orphan-Leftover', 'fluxio-local-orphan-x-Keep'])
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: 'arn:aws:iam::000000000000:role/x', Runtime: 'python3.12', Handler: 'fluxio_task.entry.lambda_handler', Code: { ZipFile: zip } }));
    expect((await api('DELETE', '/v1/projects/orphan')).status).toBe(200);
    const left = ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName).filter((n) => n!.startsWith('fluxio-local-orphan'));
    expect(left).toEqual(['fluxio-local-orphan-x-Keep']);
  }, 120_000);
});

describe('a dead deployment superseded by another bundle', () => {
  test('is marked FAILED and the aliases it had moved point back at the previous versions first', async () => {
    const v1 = await deploy('half', projectDir('half-1'));
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    const crashAfterAlias = platform.createDeployer({
      afterCheckpoint: (step) => {
        if (step === 'alias:audit') throw new SimulatedCrash('killed between the two aliases');
      },
    });
    const v2 = await upload('half', projectDir('half-2', { rules: RULES_V2 }));
    await expect(crashAfterAlias.deployer.deploy('half', { bundle: v2 })).rejects.toThrow(SimulatedCrash);
    crashAfterAlias.close();
    expect(await aliasTarget(v1.body.stateMachines.audit.aliasArn)).not.toBe(v1.body.stateMachines.audit.versionArn); // half applied
    const dead = (await api('GET', '/v1/projects/half/deployments')).body.deployments[0] as DeploymentRecord;

    // The next operation (after the lease expired) deploys another bundle and stops right after taking over.
    const v3 = await upload('half', projectDir('half-3', { rules: RULES_V2.replace('* 3', '* 4') }));
    const takeOver = platform.createDeployer({
      now: () => Date.now() + 16 * 60_000,
      afterCheckpoint: (step) => {
        if (step === 'compile') throw new SimulatedCrash('stopped before touching anything');
      },
    });
    await expect(takeOver.deployer.deploy('half', { bundle: v3 })).rejects.toThrow(SimulatedCrash);
    takeOver.close();
    expect(await aliasTarget(v1.body.stateMachines.audit.aliasArn)).toBe(v1.body.stateMachines.audit.versionArn);
    expect(await aliasTarget(v1.body.stateMachines.main.aliasArn)).toBe(v1.body.stateMachines.main.versionArn);
    const superseded = (await api('GET', `/v1/projects/half/deployments/${dead.deploymentId}`)).body;
    expect(superseded).toMatchObject({ status: 'FAILED', error: { code: 'Deploy.Interrupted' } });
  }, 120_000);
});

describe('stopping the platform', () => {
  test('lets a deployment answered 202 finish; its record and resources survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluxio-deployer-restart-'));
    try {
      let other = await startPlatform({ dataDir: dir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: workDir });
      const b = await createProjectBundle(projectDir('restart'));
      const bundle = { sha256: b.sha256, sizeBytes: b.sizeBytes };
      const post = (path: string, body: unknown) =>
        fetch(`${other.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      const signed = await post('/v1/projects/restart/bundles/upload-url', bundle);
      await fetch(signed.body.url, { method: 'PUT', headers: signed.body.headers, body: Buffer.from(b.zip) });
      process.env.FLUXIO_DEPLOY_WAIT_SECONDS = '0';
      let accepted: { status: number; body: any };
      try {
        accepted = await post('/v1/projects/restart/deployments', { bundle });
      } finally {
        delete process.env.FLUXIO_DEPLOY_WAIT_SECONDS;
      }
      expect(accepted.status).toBe(202);
      await other.close(); // waits for the deployment
      other = await startPlatform({ dataDir: dir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: workDir });
      try {
        const record = (await (await fetch(`${other.url}${accepted.body.links.self}`)).json()) as DeploymentRecord;
        expect(record.status).toBe('SUCCEEDED');
        const client = new SFNClient({ endpoint: other.url, region: 'us-east-1', credentials, maxAttempts: 1 });
        const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: record.stateMachines.main!.aliasArn, input: '{"amount":3}' }));
        let d = await client.send(new DescribeExecutionCommand({ executionArn }));
        while (d.status === 'RUNNING') {
          await new Promise((r) => setTimeout(r, 25));
          d = await client.send(new DescribeExecutionCommand({ executionArn }));
        }
        client.destroy();
        expect(d.status, d.cause).toBe('SUCCEEDED');
        expect(JSON.parse(d.output!).quote).toEqual({ price: 6, rules: 'v1' });
      } finally {
        await other.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

