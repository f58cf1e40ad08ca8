/**
 * `npm run package` builds the platform stack offline (dummy credentials, no
 * network) and the bundles it produces work: the compile function's zip,
 * unzipped and invoked with an API Gateway event in a fresh Node process,
 * compiles a project (esbuild bundle + tree-sitter wasm).
 *
 * Packaging takes ~10-30 s, so it runs once in beforeAll; every assertion
 * reads its output.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYER_ROUTES, ROUTES } from '@fluxio/contracts/routes';
import { findFunction, findHttpRoute, readTemplate, resourcesOfType, type CfnTemplate } from './helpers/cloudformation.ts';
import { apiGatewayEvent } from './helpers/apiGatewayEvent.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE_TIMEOUT_MS = 300_000;

let work: string;
let out: string;
let template: CfnTemplate;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fluxio-package-'));
  out = join(work, 'package');
  // A clean environment: no real AWS credentials or profile can leak into packaging.
  const env = { PATH: process.env.PATH ?? '', HOME: work, CI: '1' };
  const command = [process.execPath, 'scripts/package.mjs', '--stage', 'ci', '--region', 'eu-west-1', '--out', out];
  // Where the machine allows it, package inside an empty network namespace:
  // any attempt to reach the network (telemetry, update checks, AWS) fails the run.
  const offline = await run('unshare', ['-rn', 'true']).then(
    () => true,
    () => false,
  );
  const [file, ...args] = offline ? ['unshare', '-rn', ...command] : command;
  await run(file, args, {
    cwd: root,
    env,
    timeout: PACKAGE_TIMEOUT_MS,
    maxBuffer: 32 * 1024 * 1024,
  });
  template = readTemplate(join(out, 'cloudformation-template-update-stack.json'));
}, PACKAGE_TIMEOUT_MS + 10_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Unzips the deployment package of serverless.yml function `name` and returns its directory. */
async function unzipFunction(name: string): Promise<{ dir: string; handler: string }> {
  const fn = findFunction(template, name);
  if (!fn) throw new Error(`no function ${name} in the template`);
  const zip = join(out, basename(fn.resource.Properties!.Code.S3Key as string));
  const dir = join(work, `unzipped-${name}`);
  await run('python3', ['-m', 'zipfile', '-e', zip, dir]);
  return { dir, handler: fn.resource.Properties!.Handler as string };
}

/**
 * Imports the bundled handler (`path/to/module.export`) in a fresh Node
 * process, as the Lambda runtime does, and invokes it with `event`.
 */
async function invokeBundled(dir: string, handler: string, event: unknown): Promise<{ statusCode: number; body: any }> {
  const dot = handler.lastIndexOf('.');
  const modulePath = join(dir, `${handler.slice(0, dot)}.mjs`);
  const script = join(dir, 'invoke.mjs');
  writeFileSync(
    script,
    `const mod = await import(${JSON.stringify(modulePath)});
const event = JSON.parse(process.argv[2]);
const res = await mod[${JSON.stringify(handler.slice(dot + 1))}](event, { getRemainingTimeInMillis: () => 29000, functionName: 'x', awsRequestId: 'r' });
process.stdout.write(JSON.stringify(res));`,
  );
  const { stdout } = await run(process.execPath, [script, JSON.stringify(event)], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  const res = JSON.parse(stdout);
  return { statusCode: res.statusCode, body: JSON.parse(res.body) };
}

describe('npm run package', () => {
  it('packages the compile function (Node.js 22 on arm64, one zip per function)', () => {
    const fn = findFunction(template, 'compile');
    expect(fn).toBeDefined();
    expect(fn!.resource.Properties).toMatchObject({
      FunctionName: 'fluxio-ci-compile',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'services/compiler-api/src/handlers/compile.handler',
    });
    expect(existsSync(join(out, basename(fn!.resource.Properties!.Code.S3Key)))).toBe(true);
  });

  it('routes POST /v1/compile to the compile function with IAM authorization', () => {
    const route = findHttpRoute(template, 'POST', '/v1/compile');
    expect(route).toBeDefined();
    expect(route!.authorizationType).toBe('AWS_IAM');
    expect(route!.functionLogicalId).toBe(findFunction(template, 'compile')!.logicalId);
    expect(route!.integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('deploys every non-local route of ROUTES behind IAM auth, to its function', () => {
    for (const r of ROUTES.filter((x) => !x.localOnly)) {
      const route = findHttpRoute(template, r.method, r.path);
      expect(route, `${r.method} ${r.path} missing from the template`).toBeDefined();
      expect(route!.authorizationType, `${r.method} ${r.path}`).toBe('AWS_IAM');
      expect(route!.functionLogicalId, `${r.method} ${r.path}`).toBe(findFunction(template, r.functionName)?.logicalId);
    }
  });

  it('does not deploy local-only routes', () => {
    for (const r of ROUTES.filter((x) => x.localOnly)) expect(findHttpRoute(template, r.method, r.path)).toBeUndefined();
  });

  it('honours --stage and --region', () => {
    const state = JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8'));
    expect(state.service.provider.stage).toBe('ci');
    expect(state.service.provider.region).toBe('eu-west-1');
  });

  describe('the compile bundle, invoked like Lambda', () => {
    let bundle: { dir: string; handler: string };
    beforeAll(async () => {
      bundle = await unzipFunction('compile');
    });

    it('compiles a project (esbuild bundle with the tree-sitter wasm inlined)', async () => {
      const source = readFileSync(join(root, 'cli/test/fixtures/greeter/project.py'), 'utf8');
      const res = await invokeBundled(bundle.dir, bundle.handler, apiGatewayEvent('POST', '/v1/compile', { body: { source, project: 'zipped' } }));
      expect(res.statusCode).toBe(200);
      expect(res.body.project).toBe('zipped');
      expect(Object.keys(res.body.stateMachines).sort()).toEqual(['greet_one', 'main']);
      expect(res.body.stateMachines.main.states.Greet).toMatchObject({ kind: 'Task', task: 'Greet' });
    });

    it('answers 422 with located errors for a broken project', async () => {
      const source = readFileSync(join(root, 'cli/test/fixtures/broken/project.py'), 'utf8');
      const res = await invokeBundled(bundle.dir, bundle.handler, apiGatewayEvent('POST', '/v1/compile', { body: { source } }));
      expect(res.statusCode).toBe(422);
      expect(res.body.error.code).toBe('Compile.Failed');
      expect(res.body.error.details.errors[0].line).toBeGreaterThan(0);
    });

    it('ships no node_modules (everything is bundled)', async () => {
      const { stdout } = await run('python3', ['-m', 'zipfile', '-l', join(out, basename(findFunction(template, 'compile')!.resource.Properties!.Code.S3Key))]);
      expect(stdout).not.toMatch(/node_modules/);
      expect(stdout).toMatch(/services\/compiler-api\/src\/handlers\/compile\.mjs/);
    });
  });

  describe('operability (issue 11)', () => {
    const functions = () => Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

    it('traces every function with X-Ray and gives each role the X-Ray write permissions', () => {
      expect(functions().length).toBeGreaterThanOrEqual(4);
      for (const [id, fn] of functions()) {
        expect(fn.Properties!.TracingConfig, id).toEqual({ Mode: 'Active' });
        const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        const role = template.Resources[roleId]!.Properties!;
        const inline = JSON.stringify(role.Policies ?? []);
        const managed = JSON.stringify(role.ManagedPolicyArns ?? []);
        expect(inline.includes('xray:PutTraceSegments') || managed.includes('AWSXRayDaemonWriteAccess'), `${id} role ${roleId}`).toBe(true);
      }
    });

    it('configures Powertools (service name, metrics namespace, log level) on every function', () => {
      for (const [id, fn] of functions()) {
        expect(fn.Properties!.Environment.Variables, id).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'fluxio', POWERTOOLS_METRICS_NAMESPACE: 'Fluxio', LOG_LEVEL: 'INFO' });
      }
    });

    it('writes HTTP API access logs as JSON with the request id, route, status, latency and integration error', () => {
      const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
      const settings = stage.Properties!.AccessLogSettings;
      expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
      const format = JSON.parse(settings.Format);
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationLatencyMs: '$context.integrationLatency',
        integrationError: '$context.integration.error',
        integrationErrorMessage: '$context.integrationErrorMessage',
        caller: '$context.identity.userArn',
      });
      expect(template.Resources.HttpApiLogGroup?.Properties?.RetentionInDays).toBe(30);
    });

    it('throttles the default route settings of the stage below the account quota, with detailed metrics', () => {
      const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
      const route = stage.Properties!.DefaultRouteSettings;
      expect(route.DetailedMetricsEnabled).toBe(true);
      expect(route.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(route.ThrottlingRateLimit).toBeLessThan(10_000);
      expect(route.ThrottlingBurstLimit).toBeGreaterThanOrEqual(route.ThrottlingRateLimit);
      expect(route.ThrottlingBurstLimit).toBeLessThan(5_000);
    });

    it('the bundled health function, invoked like Lambda, answers {"status":"ok","version"}', async () => {
      const { dir, handler } = await unzipFunction('health');
      expect(handler).toBe('shared/src/health.handler');
      const event = { ...apiGatewayEvent('GET', '/v1/health', { headers: { 'x-correlation-id': 'pkg-1' } }) };
      const res = await invokeBundled(dir, handler, event);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', version: expect.any(String) });
    });

    it('on Lambda, the bundle emits CloudWatch EMF metrics through Powertools (namespace Fluxio, one Success count) and answers with the tracer on', async () => {
      const { dir } = await unzipFunction('health');
      const script = join(dir, 'invoke-lambda-env.mjs');
      writeFileSync(
        script,
        `const mod = await import(${JSON.stringify(join(dir, 'shared/src/health.mjs'))});
const ctx = { getRemainingTimeInMillis: () => 5000, functionName: 'fluxio-ci-health', awsRequestId: 'req-1', memoryLimitInMB: '256', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fluxio-ci-health' };
const res = await mod.handler(JSON.parse(process.argv[2]), ctx);
process.stdout.write(JSON.stringify({ result: res }) + '\\n');`,
      );
      const env = {
        PATH: process.env.PATH ?? '',
        AWS_LAMBDA_FUNCTION_NAME: 'fluxio-ci-health',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        // No X-Ray daemon here: the tracer is switched off, everything else runs as on Lambda.
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_SERVICE_NAME: 'fluxio',
        POWERTOOLS_METRICS_NAMESPACE: 'Fluxio',
      };
      const event = apiGatewayEvent('GET', '/v1/health', { headers: { 'x-correlation-id': 'pkg-2' } });
      const { stdout } = await run(process.execPath, [script, JSON.stringify(event)], { cwd: dir, env });
      const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const emf = lines.find((l) => l._aws);
      expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Fluxio', Metrics: [{ Name: 'Success', Unit: 'Count' }] });
      expect(emf.Success).toBe(1);
      expect(lines.find((l) => l.result)?.result.headers['x-correlation-id']).toBe('pkg-2');

      // Tracing on (the bundled aws-xray-sdk-core loads): without Lambda's X-Ray daemon and facade segment
      // the tracer can only complain on stderr, and the request is still answered.
      const traced = await run(process.execPath, [script, JSON.stringify(event)], {
        cwd: dir,
        env: { ...env, POWERTOOLS_TRACE_ENABLED: 'true', _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' },
      });
      const result = traced.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.result)?.result;
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body).status).toBe('ok');
    });
  });

  describe('the state data stack (issue 3)', () => {
    const props = (logicalId: string) => template.Resources[logicalId]?.Properties ?? {};

    it('declares the items table: partition_key S HASH, sort_key N RANGE, on demand, TTL on expires_at, PITR', () => {
      expect(template.Resources.FluxioStateDataTable?.Type).toBe('AWS::DynamoDB::Table');
      expect(props('FluxioStateDataTable')).toMatchObject({
        TableName: 'fluxio-state-data-ci',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'partition_key', KeyType: 'HASH' },
          { AttributeName: 'sort_key', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: expect.arrayContaining([
          { AttributeName: 'partition_key', AttributeType: 'S' },
          { AttributeName: 'sort_key', AttributeType: 'N' },
        ]),
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('declares the offload bucket: encrypted, public access blocked, workflow_state_data/ expiring after the longest item lifetime, TLS only', () => {
      const bucket = props('FluxioStateDataBucket');
      expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      const rule = bucket.LifecycleConfiguration.Rules.find((r: { Prefix?: string }) => r.Prefix === 'workflow_state_data/');
      expect(rule.Status).toBe('Enabled');
      const fn = findFunction(template, 'stateDataItems')!.resource.Properties!;
      const maxTtlDays = Number(fn.Environment.Variables.FLUXIO_STATE_DATA_MAX_TTL_SECONDS) / 86_400;
      expect(rule.ExpirationInDays).toBeGreaterThan(maxTtlDays);
      const deny = props('FluxioStateDataBucketPolicy').PolicyDocument.Statement.find((s: { Effect: string }) => s.Effect === 'Deny');
      expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    });

    it('runs the items and the stop function as separate roles, each allowed only the actions it calls (issue 11)', () => {
      const roles = { stateDataItems: 'FluxioStateDataItemsRole', stateDataStop: 'FluxioStateDataStopRole' };
      for (const [name, role] of Object.entries(roles)) {
        const fn = findFunction(template, name)!.resource.Properties!;
        expect(fn.Role).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
        expect(fn.Environment.Variables).toMatchObject({
          FLUXIO_TARGET: 'aws',
          FLUXIO_STAGE: 'ci',
          FLUXIO_TABLE_NAME: { Ref: 'FluxioStateDataTable' },
          FLUXIO_BUCKET_NAME: { Ref: 'FluxioStateDataBucket' },
        });
      }
      type Statement = { Action: string[]; Resource: unknown[]; Effect: string };
      const statementsOf = (role: string) => props(role).Policies[0].PolicyDocument.Statement as Statement[];
      const items = statementsOf('FluxioStateDataItemsRole');
      expect(items.flatMap((s) => s.Action).sort()).toEqual(
        [
          'dynamodb:BatchWriteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          's3:GetObject',
          's3:PutObject',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].sort(),
      );
      const stop = statementsOf('FluxioStateDataStopRole');
      expect(stop.flatMap((s) => s.Action).sort()).toEqual(
        ['logs:CreateLogStream', 'logs:PutLogEvents', 'states:DescribeExecution', 'states:StopExecution', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
      );
      for (const statements of [items, stop]) {
        // '*' only where AWS has no resource-level permissions (X-Ray's write actions)
        const scoped = statements.filter((s) => !s.Action.every((a) => a.startsWith('xray:')));
        expect(JSON.stringify(scoped)).not.toMatch(/"\*"|:\*"\]|dynamodb:\*|s3:\*|states:\*/);
      }
      const s3 = items.find((s) => s.Action.includes('s3:PutObject'))!;
      expect(s3.Resource).toEqual([{ 'Fn::Sub': '${FluxioStateDataBucket.Arn}/workflow_state_data/*' }]);
      // Stop: only executions of this stage's state machines (fluxio-<stage>-<project>-<fn>, the deployer's names), never execution:*:*.
      const states = stop.find((s) => s.Action.includes('states:StopExecution'))!;
      expect(states.Resource).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:fluxio-ci-*:*' }]);
    });

    it('the bundled items handler, run like Lambda on the aws target, stores and reads an item in DynamoDB (dynalite)', async () => {
      const { startEmbeddedDynalite } = await import('../services/state-data/src/embedded.ts');
      const { DynamoDbItemStore } = await import('../services/state-data/src/adapters/DynamoDbItemStore.ts');
      const db = await startEmbeddedDynalite();
      try {
        const store = new DynamoDbItemStore({ clientConfig: { endpoint: db.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } } });
        await store.ensureTable('fluxio-state-data-ci');
        store.client.destroy();
        const { dir, handler } = await unzipFunction('stateDataItems');
        const path = '/v1/projects/demo/executions/exec-1/items/k/0';
        const routeKey = (m: string) => `${m} /v1/projects/{project}/executions/{execution}/items/{key}/{index}`;
        const params = { project: 'demo', execution: 'exec-1', key: 'k', index: '0' };
        const put = { ...apiGatewayEvent('PUT', path, { body: { value: { hello: 'zip' } } }), routeKey: routeKey('PUT'), pathParameters: params };
        const get = { ...apiGatewayEvent('GET', path), routeKey: routeKey('GET'), pathParameters: params };
        const script = join(dir, 'invoke-state-data.mjs');
        writeFileSync(
          script,
          `const mod = await import(${JSON.stringify(join(dir, handler.slice(0, handler.lastIndexOf('.')) + '.mjs'))});
const ctx = { getRemainingTimeInMillis: () => 29000, functionName: 'x', awsRequestId: 'r' };
const out = [];
for (const e of JSON.parse(process.argv[2])) out.push(await mod.handler(e, ctx));
process.stdout.write(JSON.stringify(out));`,
        );
        const env = {
          PATH: process.env.PATH ?? '',
          FLUXIO_TARGET: 'aws',
          FLUXIO_TABLE_NAME: 'fluxio-state-data-ci',
          FLUXIO_BUCKET_NAME: 'unused-for-small-items',
          FLUXIO_DYNAMODB_ENDPOINT: db.endpoint,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
        };
        const { stdout } = await run(process.execPath, [script, JSON.stringify([put, get])], { cwd: dir, env });
        const [putRes, getRes] = JSON.parse(stdout);
        expect(putRes.statusCode).toBe(200);
        expect(JSON.parse(putRes.body)).toEqual({ table_name: 'fluxio-state-data-ci', partition_key: 'demo:exec-1:k', key: 'k' });
        expect(JSON.parse(getRes.body)).toEqual({ value: { hello: 'zip' } });
      } finally {
        await db.close();
      }
    });
  });

  describe('the deployer stack (issue 8)', () => {
    const props = (logicalId: string) => template.Resources[logicalId]?.Properties ?? {};
    type Statement = { Sid?: string; Effect: string; Action: string | string[]; NotAction?: string[]; Resource: unknown; NotResource?: unknown[]; Condition?: Record<string, unknown> };
    const statementsOf = (role: string) => props(role).Policies[0].PolicyDocument.Statement as Statement[];
    // The actions a statement names (none for a NotAction statement).
    const actions = (s: Statement) => (s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action]);
    const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
    const allowed = (role: string) => statementsOf(role).filter((s) => s.Effect === 'Allow');
    const subs = (s: Statement) => resources(s).map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
    const DEPLOYER_FUNCTIONS = {
      deployerBundleUploadUrl: 'FluxioDeployerBundlesRole',
      deployerDeploy: 'FluxioDeployerRole',
      deployerRollback: 'FluxioDeployerRole',
      deployerDestroy: 'FluxioDeployerRole',
      deployerListDeployments: 'FluxioDeployerReadRole',
      deployerGetDeployment: 'FluxioDeployerReadRole',
      deployerDescribe: 'FluxioDeployerReadRole',
    };
    const WORKER_ARN = JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:fluxio-ci-deployerWorker' });

    it('packages every deployer route as its own function, behind IAM, with its least-privilege role and configuration', () => {
      const names = new Set(DEPLOYER_ROUTES.filter((r) => !r.localOnly).map((r) => r.functionName));
      expect([...names].sort()).toEqual(Object.keys(DEPLOYER_FUNCTIONS).sort());
      for (const r of DEPLOYER_ROUTES.filter((x) => !x.localOnly)) {
        const route = findHttpRoute(template, r.method, r.path);
        expect(route?.authorizationType, `${r.method} ${r.path}`).toBe('AWS_IAM');
        expect(route?.functionLogicalId, `${r.method} ${r.path}`).toBe(findFunction(template, r.functionName)?.logicalId);
      }
      for (const [name, role] of Object.entries(DEPLOYER_FUNCTIONS)) {
        const fn = findFunction(template, name)!.resource.Properties!;
        expect(fn.Role, name).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
        expect(fn.Timeout, name).toBeLessThanOrEqual(29); // under API Gateway's 30 s integration timeout
        expect(fn.Environment.Variables, name).toMatchObject({
          FLUXIO_TARGET: 'aws',
          FLUXIO_STAGE: 'ci',
          FLUXIO_DEPLOYMENTS_TABLE: { Ref: 'FluxioDeploymentsTable' },
          FLUXIO_BUCKET_NAME: { Ref: 'FluxioStateDataBucket' },
          FLUXIO_TASK_ROLE_ARN: { 'Fn::GetAtt': ['FluxioTaskFunctionRole', 'Arn'] },
          FLUXIO_STATE_MACHINE_ROLE_ARN: { 'Fn::GetAtt': ['FluxioStateMachineRole', 'Arn'] },
          FLUXIO_STATE_DATA_URL: { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] },
        });
      }
    });

    it('packages the deployer worker: the rest of a deployment answered 202, up to 15 minutes, invoked by the deploy function only', () => {
      const worker = findFunction(template, 'deployerWorker')!.resource.Properties!;
      expect(worker).toMatchObject({ FunctionName: 'fluxio-ci-deployerWorker', Handler: 'services/deployer/src/handlers/worker.continueDeployment', Timeout: 900, Role: { 'Fn::GetAtt': ['FluxioDeployerRole', 'Arn'] } });
      expect(worker.Environment.Variables).toMatchObject({ FLUXIO_DEPLOYMENTS_TABLE: { Ref: 'FluxioDeploymentsTable' }, FLUXIO_TASK_RUNTIME_DIR: '/var/task/shared/python/fluxio_task' });
      // No route: only the asynchronous Invoke of deployerDeploy starts it.
      const logicalId = findFunction(template, 'deployerWorker')!.logicalId;
      expect(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').filter(([, r]) => JSON.stringify(r.Properties).includes(logicalId))).toEqual([]);
      const deploy = findFunction(template, 'deployerDeploy')!.resource.Properties!;
      expect(deploy.Environment.Variables.FLUXIO_DEPLOYER_WORKER_FUNCTION).toBe('fluxio-ci-deployerWorker');
      expect(deploy.Environment.Variables.FLUXIO_DEPLOYMENTS_TABLE).toEqual({ Ref: 'FluxioDeploymentsTable' });
      // lambda:InvokeFunction: exactly the worker, and every other function denied.
      const statements = statementsOf('FluxioDeployerRole');
      const invoke = statements.filter((s) => s.Effect === 'Allow' && actions(s).includes('lambda:InvokeFunction'));
      expect(invoke.map((s) => [actions(s), subs(s)])).toEqual([[['lambda:InvokeFunction'], [WORKER_ARN]]]);
      const onlyWorker = statements.find((s) => s.Effect === 'Deny' && s.NotResource)!;
      expect(actions(onlyWorker)).toEqual(['lambda:InvokeFunction']);
      expect(onlyWorker.NotResource!.map((r) => JSON.stringify(r))).toEqual([WORKER_ARN]);
      for (const role of ['FluxioDeployerReadRole', 'FluxioDeployerBundlesRole'])
        expect(statementsOf(role).filter((s) => s.Effect === 'Allow').flatMap(actions), role).not.toContain('lambda:InvokeFunction');
    });

    it('keeps deployment records in their own table: pk S HASH, sk S RANGE, on demand, PITR, retained, no TTL', () => {
      const table = template.Resources.FluxioDeploymentsTable!;
      expect(table).toMatchObject({ Type: 'AWS::DynamoDB::Table' });
      expect((table as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
      expect(props('FluxioDeploymentsTable')).toMatchObject({
        TableName: 'fluxio-deployments-ci',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect(props('FluxioDeploymentsTable').TimeToLiveSpecification).toBeUndefined();
    });

    it('passes exactly the task-function and state-machine roles (to Lambda and Step Functions) and the Scheduler role (to Scheduler) with iam:PassRole', () => {
      const roles = new Set(Object.keys(DEPLOYER_FUNCTIONS).map((n) => (findFunction(template, n)!.resource.Properties!.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]));
      const pass = [...roles].flatMap((role) => statementsOf(role).filter((s) => actions(s).some((a) => a.startsWith('iam:'))));
      expect(pass).toHaveLength(2); // FluxioDeployerRole's two statements (deploy, rollback, destroy); the read and bundle roles pass none
      for (const s of pass) expect(actions(s)).toEqual(['iam:PassRole']);
      expect(pass.map((s) => [s.Resource, s.Condition])).toEqual([
        [[{ 'Fn::GetAtt': ['FluxioSchedulerRole', 'Arn'] }], { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }],
        [
          [{ 'Fn::GetAtt': ['FluxioTaskFunctionRole', 'Arn'] }, { 'Fn::GetAtt': ['FluxioStateMachineRole', 'Arn'] }],
          { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'states.amazonaws.com'] } },
        ],
      ]);
      const trust = (role: string) => props(role).AssumeRolePolicyDocument.Statement[0].Principal.Service;
      expect(trust('FluxioTaskFunctionRole')).toBe('lambda.amazonaws.com');
      expect(trust('FluxioStateMachineRole')).toBe('states.amazonaws.com');
    });

    it("limits the deployer role's Step Functions, Lambda and Logs permissions to fluxio-ci-* names ('*' only where AWS has no resource-level permissions)", () => {
      const statements = allowed('FluxioDeployerRole');
      const unscoped = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'states:ValidateStateMachineDefinition', 'scheduler:ListSchedules', 'cloudformation:ListExports', 'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups']);
      for (const s of statements) {
        const star = resources(s).includes('*');
        if (star) expect(actions(s).filter((a) => !unscoped.has(a)), s.Sid).toEqual([]);
        for (const a of actions(s)) expect(a, s.Sid).not.toMatch(/\*/);
        if (actions(s).some((a) => a.startsWith('states:')) && !star)
          for (const r of subs(s)) expect(r, s.Sid).toMatch(/:states:\$\{AWS::Region\}:\$\{AWS::AccountId\}:stateMachine:fluxio-ci-\*/);
        // Invoking: the deployer worker only (checked above); everything else on Lambda: fluxio-ci-* names.
        if (actions(s).some((a) => a.startsWith('lambda:')) && !actions(s).includes('lambda:InvokeFunction'))
          for (const r of subs(s)) expect(r, s.Sid).toMatch(/:lambda:\$\{AWS::Region\}:\$\{AWS::AccountId\}:function:fluxio-ci-\*/);
        if (actions(s).includes('logs:CreateLogGroup')) for (const r of subs(s)) expect(r, s.Sid).toMatch(/log-group:\/aws\/vendedlogs\/states\/fluxio-ci-\*/);
        if (actions(s).some((a) => a.startsWith('s3:'))) expect(subs(s)).toEqual([JSON.stringify({ 'Fn::Sub': '${FluxioStateDataBucket.Arn}/bundles/*' })]);
        if (actions(s).some((a) => a.startsWith('dynamodb:'))) expect([[{ 'Fn::GetAtt': ['FluxioDeploymentsTable', 'Arn'] }], [{ 'Fn::GetAtt': ['FluxioTriggersTable', 'Arn'] }]], s.Sid).toContainEqual(s.Resource);
        // Triggers (issue 9): topics, schedules and exports stacks of this stage's names only.
        if (actions(s).some((a) => a.startsWith('sns:'))) for (const r of subs(s)) expect(r, s.Sid).toMatch(/:sns:\$\{AWS::Region\}:\$\{AWS::AccountId\}:fluxio-ci-\*/);
        if (!star && actions(s).some((a) => a.startsWith('scheduler:'))) for (const r of subs(s)) expect(r, s.Sid).toMatch(/:scheduler:\$\{AWS::Region\}:\$\{AWS::AccountId\}:schedule(-group)?\/fluxio-ci-\*/);
        if (!star && actions(s).some((a) => a.startsWith('cloudformation:'))) for (const r of subs(s)) expect(r, s.Sid).toMatch(/:cloudformation:\$\{AWS::Region\}:\$\{AWS::AccountId\}:stack\/fluxio-ci-\*\/\*/);
      }
      const all = statements.flatMap(actions);
      expect(all).toEqual(expect.arrayContaining(['states:CreateStateMachine', 'states:UpdateStateMachine', 'states:DeleteStateMachine', 'states:PublishStateMachineVersion', 'states:CreateStateMachineAlias', 'states:UpdateStateMachineAlias', 'lambda:CreateFunction', 'lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:DeleteFunction', 'logs:CreateLogGroup', 'logs:PutRetentionPolicy', 's3:GetObject', 'dynamodb:PutItem']));
      // The read and bundle roles change nothing on Step Functions, Lambda or Logs.
      expect(allowed('FluxioDeployerReadRole').flatMap(actions).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      expect(allowed('FluxioDeployerBundlesRole').flatMap(actions).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:PutObject', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });

    it('allows every AWS call the deployer adapters make (services/deployer/src/adapters, and the trigger adapters it activates triggers with)', () => {
      const dir = join(root, 'services/deployer/src/adapters');
      const triggerDir = join(root, 'services/trigger/src/adapters');
      const files = [
        ...readdirSync(dir).filter((n) => n.endsWith('.ts')).map((f) => join(dir, f)),
        ...['SnsTopics.ts', 'SchedulerSchedules.ts', 'CloudFormationExports.ts', 'DynamoDbTriggerRecords.ts'].map((f) => join(triggerDir, f)),
      ];
      const commands = new Set<string>();
      for (const f of files) {
        const source = readFileSync(f, 'utf8');
        const from = (pkg: string) => new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'${pkg}'`).exec(source)?.[1] ?? '';
        const prefixes: Array<[string, string]> = [
          ['@aws-sdk/client-sfn', 'states'],
          ['@aws-sdk/client-lambda', 'lambda'],
          ['@aws-sdk/client-cloudwatch-logs', 'logs'],
          ['@aws-sdk/lib-dynamodb', 'dynamodb'],
          ['@aws-sdk/client-sns', 'sns'],
          ['@aws-sdk/client-scheduler', 'scheduler'],
          ['@aws-sdk/client-cloudformation', 'cloudformation'],
        ];
        for (const [pkg, service] of prefixes)
          for (const m of from(pkg).matchAll(/(\w+)Command\b/g)) {
            // IAM names: dynamodb:GetItem for GetCommand, lambda:InvokeFunction for InvokeCommand.
            const name = service === 'dynamodb' && ['Get', 'Put', 'Delete', 'Update', 'BatchGet', 'BatchWrite'].includes(m[1]!) ? `${m[1]}Item` : service === 'lambda' && m[1] === 'Invoke' ? 'InvokeFunction' : m[1]!;
            commands.add(`${service}:${name}`);
          }
        // CreateTopic with Tags needs sns:TagResource; the stack waiters poll DescribeStacks.
        if (from('@aws-sdk/client-sns').includes('CreateTopicCommand')) commands.add('sns:TagResource');
      }
      expect(commands.size).toBeGreaterThan(20);
      expect(commands).toContain('sns:Subscribe');
      expect(commands).toContain('scheduler:CreateSchedule');
      expect(commands).toContain('cloudformation:CreateStack');
      // SnsTopics also publishes, which only the status function does (FluxioTriggerRole).
      commands.delete('sns:Publish');
      const granted = new Set(allowed('FluxioDeployerRole').flatMap(actions));
      expect([...commands].filter((c) => !granted.has(c)).sort()).toEqual([]);
    });

    it("never lets the deployer or a deployed state machine touch the platform's own functions (fluxio-ci-* matches them too)", () => {
      const own = resourcesOfType(template, 'AWS::Lambda::Function').map(([, r]) => r.Properties!.FunctionName as string);
      expect(own).toContain('fluxio-ci-deployerDeploy');
      for (const role of ['FluxioDeployerRole', 'FluxioStateMachineRole', 'FluxioTriggerRole']) {
        const deny = statementsOf(role).find((s) => s.Effect === 'Deny')!;
        expect(deny, role).toBeDefined();
        // The deployer role: every Lambda action but lambda:InvokeFunction (allowed on the worker only, denied on every other function).
        if (role === 'FluxioDeployerRole') expect([deny.Action, deny.NotAction]).toEqual([undefined, ['lambda:InvokeFunction']]);
        const arns = subs(deny);
        for (const name of own) {
          expect(arns, `${role} ${name}`).toContain(JSON.stringify({ 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}` }));
          expect(arns, `${role} ${name} versions`).toContain(JSON.stringify({ 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}:*` }));
        }
      }
      // A deployed state machine invokes task functions of this stage only.
      const invoke = allowed('FluxioStateMachineRole').find((s) => actions(s).includes('lambda:InvokeFunction'))!;
      expect(subs(invoke)).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:fluxio-ci-*' })]);
    });

    it('the bundled deployer handler, loaded like Lambda, answers (a bad project name is a 400) and ships the fluxio_task runtime it points at', async () => {
      const { dir, handler } = await unzipFunction('deployerDeploy');
      expect(handler).toBe('services/deployer/src/handlers/deployments.deploy');
      const runtimeDir = findFunction(template, 'deployerDeploy')!.resource.Properties!.Environment.Variables.FLUXIO_TASK_RUNTIME_DIR as string;
      expect(runtimeDir).toBe('/var/task/shared/python/fluxio_task');
      expect(existsSync(join(dir, runtimeDir.replace('/var/task/', ''), 'entry.py'))).toBe(true);
      const event = {
        ...apiGatewayEvent('POST', '/v1/projects/9bad/deployments', { body: { bundle: { sha256: 'a'.repeat(64), sizeBytes: 10 } } }),
        routeKey: 'POST /v1/projects/{project}/deployments',
        pathParameters: { project: '9bad' },
      };
      const res = await invokeBundled(dir, handler, event);
      expect(res.statusCode).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'Request.InvalidPath', message: expect.stringMatching(/project/) });
    });
  });

  describe('the trigger stack (issue 9)', () => {
    const props = (logicalId: string) => template.Resources[logicalId]?.Properties ?? {};
    type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
    const statementsOf = (role: string) => props(role).Policies[0].PolicyDocument.Statement as Statement[];
    const actions = (s: Statement) => (s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action]);
    const subs = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
    const allowed = (role: string) => statementsOf(role).filter((s) => s.Effect === 'Allow');
    const TRIGGER_FUNCTIONS = { triggerSchedule: 'schedule', triggerStatus: 'status', triggerSubscribe: 'subscribe' };
    const arnOf = (name: string) => ({ 'Fn::GetAtt': [findFunction(template, name)!.logicalId, 'Arn'] });

    it('packages the schedule, status and subscribe functions with the trigger role and configuration, and no route', () => {
      const integrations = JSON.stringify(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration'));
      for (const [name, file] of Object.entries(TRIGGER_FUNCTIONS)) {
        const fn = findFunction(template, name);
        expect(fn, name).toBeDefined();
        expect(fn!.resource.Properties).toMatchObject({ FunctionName: `fluxio-ci-${name}`, Handler: `services/trigger/src/handlers/${file}.handler`, Role: { 'Fn::GetAtt': ['FluxioTriggerRole', 'Arn'] } });
        expect(fn!.resource.Properties!.Environment.Variables, name).toMatchObject({
          FLUXIO_STAGE: 'ci',
          FLUXIO_TRIGGERS_TABLE: { Ref: 'FluxioTriggersTable' },
          FLUXIO_STATE_DATA_TABLE: { Ref: 'FluxioStateDataTable' },
          FLUXIO_BUCKET_NAME: { Ref: 'FluxioStateDataBucket' },
        });
        expect(integrations).not.toContain(fn!.logicalId);
      }
    });

    it('routes the status changes of this stage\'s state machines (aws.states, by ARN prefix) to the status function, with retries', () => {
      const rule = template.Resources.FluxioExecutionStatusRule!;
      expect(rule.Type).toBe('AWS::Events::Rule');
      expect(rule.Properties!.EventPattern).toEqual({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ prefix: { 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:fluxio-ci-' } }] },
      });
      expect(rule.Properties!.Targets).toEqual([{ Id: 'triggerStatus', Arn: arnOf('triggerStatus'), RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } }]);
      expect(props('FluxioTriggerStatusPermission')).toEqual({ FunctionName: arnOf('triggerStatus'), Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['FluxioExecutionStatusRule', 'Arn'] } });
      expect(props('FluxioTriggerSubscribePermission')).toMatchObject({ FunctionName: arnOf('triggerSubscribe'), Principal: 'sns.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } });
    });

    it('keeps trigger records in their own table (pk/sk, claims expiring on expires_at) and undeliverable schedule events in an SQS dead-letter queue', () => {
      expect(props('FluxioTriggersTable')).toMatchObject({
        TableName: 'fluxio-triggers-ci',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      });
      expect(template.Resources.FluxioScheduleDeadLetterQueue).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { QueueName: 'fluxio-ci-schedules-dlq', MessageRetentionPeriod: 1209600 } });
      // An event a trigger function still fails on after Lambda's retries is kept too.
      expect(template.Resources.FluxioTriggerDeadLetterQueue).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { QueueName: 'fluxio-ci-trigger-events-dlq' } });
      for (const name of Object.keys(TRIGGER_FUNCTIONS))
        expect(findFunction(template, name)!.resource.Properties!.DeadLetterConfig, name).toEqual({ TargetArn: { 'Fn::GetAtt': ['FluxioTriggerDeadLetterQueue', 'Arn'] } });
      expect(allowed('FluxioTriggerRole').find((s) => actions(s).includes('sqs:SendMessage'))?.Resource).toEqual([{ 'Fn::GetAtt': ['FluxioTriggerDeadLetterQueue', 'Arn'] }]);
    });

    it('lets EventBridge Scheduler (this account only) invoke the schedule function and write to the DLQ, nothing else', () => {
      const trust = props('FluxioSchedulerRole').AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }]);
      expect(statementsOf('FluxioSchedulerRole').map((s) => [s.Effect, actions(s), s.Resource])).toEqual([
        ['Allow', ['lambda:InvokeFunction'], [arnOf('triggerSchedule')]],
        ['Allow', ['sqs:SendMessage'], [{ 'Fn::GetAtt': ['FluxioScheduleDeadLetterQueue', 'Arn'] }]],
      ]);
    });

    it("gives the deployer the trigger configuration: records table, subscribe and schedule functions, Scheduler role, DLQ", () => {
      for (const name of ['deployerDeploy', 'deployerWorker', 'deployerRollback', 'deployerDestroy'])
        expect(findFunction(template, name)!.resource.Properties!.Environment.Variables, name).toMatchObject({
          FLUXIO_TRIGGERS_TABLE: { Ref: 'FluxioTriggersTable' },
          FLUXIO_SUBSCRIBE_FUNCTION_ARN: arnOf('triggerSubscribe'),
          FLUXIO_SCHEDULE_FUNCTION_ARN: arnOf('triggerSchedule'),
          FLUXIO_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': ['FluxioSchedulerRole', 'Arn'] },
          FLUXIO_SCHEDULE_DLQ_ARN: { 'Fn::GetAtt': ['FluxioScheduleDeadLetterQueue', 'Arn'] },
        });
    });

    it('allows every AWS call the trigger functions make, scoped to fluxio-ci-* names', () => {
      const dir = join(root, 'services/trigger/src/adapters');
      const commands = new Set<string>();
      const prefixes: Array<[string, string, string[]]> = [
        ['@aws-sdk/client-sfn', 'states', ['SfnExecutions.ts']],
        ['@aws-sdk/client-lambda', 'lambda', ['LambdaProcessors.ts']],
        ['@aws-sdk/lib-dynamodb', 'dynamodb', ['DynamoDbTriggerRecords.ts']],
      ];
      for (const [pkg, service, files] of prefixes)
        for (const f of files) {
          const source = readFileSync(join(dir, f), 'utf8');
          const names = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'${pkg}'`).exec(source)?.[1] ?? '';
          for (const m of names.matchAll(/(\w+)Command\b/g)) {
            const name = service === 'dynamodb' && ['Get', 'Put', 'Delete'].includes(m[1]!) ? `${m[1]}Item` : service === 'lambda' && m[1] === 'Invoke' ? 'InvokeFunction' : m[1]!;
            commands.add(`${service}:${name}`);
          }
        }
      // What the trigger functions call of those: start/describe executions, invoke processors, the records; and publish.
      const used = ['states:StartExecution', 'states:DescribeExecution', 'lambda:InvokeFunction', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'sns:Publish'];
      for (const c of used.filter((c) => !c.startsWith('sns:'))) expect(commands, c).toContain(c);
      const statements = allowed('FluxioTriggerRole');
      const granted = new Set(statements.flatMap(actions));
      expect(used.filter((c) => !granted.has(c))).toEqual([]);
      for (const s of statements) {
        for (const r of subs(s)) {
          if (actions(s).some((a) => a.startsWith('states:'))) expect(r, s.Sid).toMatch(/:states:\$\{AWS::Region\}:\$\{AWS::AccountId\}:(stateMachine|execution):fluxio-ci-\*/);
          if (actions(s).some((a) => a.startsWith('sns:'))) expect(r, s.Sid).toMatch(/:sns:\$\{AWS::Region\}:\$\{AWS::AccountId\}:fluxio-ci-\*/);
          if (actions(s).includes('lambda:InvokeFunction')) expect(r, s.Sid).toMatch(/:lambda:\$\{AWS::Region\}:\$\{AWS::AccountId\}:function:fluxio-ci-\*/);
        }
        expect(actions(s), s.Sid).not.toContain('sns:CreateTopic');
        expect(actions(s), s.Sid).not.toContain('scheduler:CreateSchedule');
      }
    });

    it('the bundled status and schedule handlers, loaded like Lambda, answer without AWS: another stage\'s event is ignored, an unfilled schedule event refused', async () => {
      const env = {
        PATH: process.env.PATH ?? '',
        FLUXIO_STAGE: 'ci',
        FLUXIO_TRIGGERS_TABLE: 'fluxio-triggers-ci',
        FLUXIO_STATE_DATA_TABLE: 'fluxio-state-data-ci',
        FLUXIO_BUCKET_NAME: 'unused',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      };
      const invoke = async (name: string, event: unknown) => {
        const { dir, handler } = await unzipFunction(name);
        const dot = handler.lastIndexOf('.');
        const script = join(dir, 'invoke-event.mjs');
        writeFileSync(
          script,
          `const mod = await import(${JSON.stringify(join(dir, `${handler.slice(0, dot)}.mjs`))});
const res = await mod[${JSON.stringify(handler.slice(dot + 1))}](JSON.parse(process.argv[2]), { getRemainingTimeInMillis: () => 29000, functionName: ${JSON.stringify(name)}, awsRequestId: 'r' });
process.stdout.write(JSON.stringify(res));`,
        );
        const { stdout } = await run(process.execPath, [script, JSON.stringify(event)], { cwd: dir, env });
        return JSON.parse(stdout);
      };
      const status = JSON.parse(readFileSync(join(root, 'services/trigger/test/fixtures/status-succeeded.json'), 'utf8'));
      expect(await invoke('triggerStatus', status)).toEqual({ kind: 'ignored', reason: 'state machine fluxio-prod-orders-main is not one of stage ci' });
      const schedule = { ...JSON.parse(readFileSync(join(root, 'services/trigger/test/fixtures/scheduler-input.json'), 'utf8')), scheduledTime: '<aws.scheduler.scheduled-time>' };
      expect((await invoke('triggerSchedule', schedule)).refused.code).toBe('Trigger.InvalidScheduleEvent');
    });
  });
});
