/**
 * The local Lambda API's management operations, driven by the real
 * `@aws-sdk/client-lambda`: create, get, list (paged), update code and
 * configuration, publish and list versions, delete — and the service's errors.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  ListAliasesCommand,
  UpdateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  GetPolicyCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { payloadOf, ROLE, startLambda, zipOf, type LambdaHarness } from './lambda-helpers.ts';

let h: LambdaHarness;
beforeAll(async () => {
  h = await startLambda();
});
afterAll(async () => {
  await h?.close();
});

const code = (answer: string) => zipOf({ 'app.py': `def handler(event, context):\n    return ${JSON.stringify(answer)}\n` });
const create = (name: string, extra: Partial<CreateFunctionCommandInput> = {}) =>
  h.client.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: code(name) }, ...extra }));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

describe('CreateFunction', () => {
  test('returns the configuration the deployer waits on (Active / Successful), with Lambda defaults and CodeSha256 of the zip', async () => {
    const zip = code('created');
    const c = await h.client.send(
      new CreateFunctionCommand({
        FunctionName: 'created',
        Role: ROLE,
        Runtime: 'python3.11',
        Handler: 'app.handler',
        Code: { ZipFile: zip },
        Environment: { Variables: { STAGE: 'test' } },
        Tags: { team: 'data' },
        Description: 'made by a test',
      }),
    );
    expect(c).toMatchObject({
      FunctionName: 'created',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:created',
      Runtime: 'python3.11',
      Handler: 'app.handler',
      Role: ROLE,
      Timeout: 3,
      MemorySize: 128,
      Version: '$LATEST',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      CodeSha256: sha256(zip),
      CodeSize: zip.byteLength,
      Environment: { Variables: { STAGE: 'test' } },
      Description: 'made by a test',
      $metadata: { httpStatusCode: 201 },
    });
    expect(c.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(c.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('with Publish returns version 1', async () => {
    const c = await create('published-at-once', { Publish: true });
    expect(c).toMatchObject({ Version: '1', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:published-at-once:1' });
  });

  test('refuses a second function of the same name (ResourceConflictException, 409)', async () => {
    await create('twice');
    await expect(create('twice')).rejects.toMatchObject({ name: 'ResourceConflictException', $metadata: { httpStatusCode: 409 }, message: 'Function already exist: twice' });
  });

  test('refuses runtimes other than Python, saying only Python runs locally', async () => {
    const err = await create('node-fn', { Runtime: 'nodejs20.x' }).catch((e) => e);
    expect(err).toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
    expect(err.message).toContain('only Python runs locally');
    await expect(create('py39', { Runtime: 'python3.9' })).resolves.toMatchObject({ Runtime: 'python3.9' });
    await expect(create('py313', { Runtime: 'python3.13' })).resolves.toMatchObject({ Runtime: 'python3.13' });
  });

  test('validates members as the service does (Role required, Timeout 1-900, MemorySize 128-10240)', async () => {
    await expect(h.client.send(new CreateFunctionCommand({ FunctionName: 'no-role', Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: code('x') } } as never))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'role'"),
    });
    await expect(create('long', { Timeout: 901 })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('less than or equal to 900') });
    await expect(create('small', { MemorySize: 64 })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('greater than or equal to 128') });
    await expect(create('bad name!')).rejects.toMatchObject({ name: 'ValidationException' });
    // Function names are letters, digits, - and _ only: never a path such as "..".
    for (const name of ['..', '.', 'a.b']) await expect(create(name)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('refuses reserved environment variables and more than 4 KB of them', async () => {
    await expect(create('reserved', { Environment: { Variables: { AWS_REGION: 'eu-west-1' } } })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('Reserved keys used in this request: AWS_REGION'),
    });
    await expect(create('big-env', { Environment: { Variables: { BIG: 'x'.repeat(5000) } } })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('4KB'),
    });
  });

  test('refuses what is not a zip, and zip entries that escape the package (zip slip)', async () => {
    await expect(create('not-zip', { Code: { ZipFile: strToU8('plain text') } })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'Could not unzip uploaded file. Please check your file, then try to upload again.',
    });
    const evil = zipSync({ '../../escaped.py': strToU8('x = 1\n'), 'app.py': strToU8('def handler(e, c):\n    return 1\n') });
    await expect(create('slip', { Code: { ZipFile: evil } })).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('outside the package') });
    expect(existsSync(join(h.dataDir, 'lambda', 'escaped.py'))).toBe(false);
    expect(existsSync(join(h.dataDir, 'escaped.py'))).toBe(false);
  });

  test('refuses a package that unzips to more than 250 MB (InvalidParameterValueException)', async () => {
    // A small zip whose central directory declares 262,144,001 unzipped bytes (what a zip bomb declares).
    const big = Buffer.from(zipSync({ 'big.bin': strToU8('x') }));
    big.writeUInt32LE(262_144_001, big.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    await expect(create('too-big', { Code: { ZipFile: big } })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'Unzipped size must be smaller than 262144000 bytes',
    });
    await expect(h.client.send(new GetFunctionCommand({ FunctionName: 'too-big' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('refuses code from S3 or an image, and layers, as not supported locally (never ignored)', async () => {
    await expect(create('s3', { Code: { S3Bucket: 'b', S3Key: 'k' } })).rejects.toMatchObject({ name: 'UnsupportedOperationException', message: expect.stringContaining('Code.S3Bucket') });
    await expect(create('layers', { Layers: ['arn:aws:lambda:us-east-1:000000000000:layer:x:1'] })).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
      message: expect.stringContaining('Layers'),
    });
  });
});

describe('GetFunction and GetFunctionConfiguration', () => {
  test('GetFunction returns the configuration, the tags and a Code.Location that serves the zip', async () => {
    const zip = code('fetched');
    await h.client.send(new CreateFunctionCommand({ FunctionName: 'fetched', Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: zip }, Tags: { owner: 'me' } }));
    const got = await h.client.send(new GetFunctionCommand({ FunctionName: 'fetched' }));
    expect(got.Configuration).toMatchObject({ FunctionName: 'fetched', CodeSha256: sha256(zip) });
    expect(got.Tags).toEqual({ owner: 'me' });
    expect(got.Code?.RepositoryType).toBe('S3');
    const download = await fetch(got.Code!.Location!);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(zip))).toBe(true);
    const hash = /\/([0-9a-f]{64})\.zip$/.exec(got.Code!.Location!)![1];
    for (const bad of [`%2E%2E/${hash}.zip`, `fetched/${'0'.repeat(64)}.zip`, `%E0%A4%A/${hash}.zip`]) {
      expect((await fetch(`${h.url}/fluxio-lambda/code/${bad}`)).status).toBe(404);
    }
  });

  test('accepts the name, the partial ARN and the full ARN', async () => {
    await create('forms');
    for (const FunctionName of ['forms', '000000000000:function:forms', 'arn:aws:lambda:us-east-1:000000000000:function:forms']) {
      await expect(h.client.send(new GetFunctionConfigurationCommand({ FunctionName }))).resolves.toMatchObject({ FunctionName: 'forms' });
    }
  });

  test('an unknown function or version is ResourceNotFoundException (404) with the ARN in the message', async () => {
    await expect(h.client.send(new GetFunctionCommand({ FunctionName: 'missing' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing',
    });
    await create('no-versions');
    await expect(h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'no-versions', Qualifier: '7' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-versions:7',
    });
  });
});

describe('ListFunctions', () => {
  test('pages with Marker / NextMarker through every function, sorted by name, each once', async () => {
    for (const n of ['list-a', 'list-b', 'list-c', 'list-d', 'list-e']) await create(n);
    const seen: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await h.client.send(new ListFunctionsCommand({ MaxItems: 2, Marker }));
      expect(page.Functions!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Functions!.map((f) => f.FunctionName!));
      Marker = page.NextMarker;
      pages++;
    } while (Marker);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['list-a', 'list-b', 'list-c', 'list-d', 'list-e']));
  });

  test('a marker that was never issued is refused', async () => {
    await expect(h.client.send(new ListFunctionsCommand({ Marker: 'not-a-marker' }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });
});

describe('updates, versions and deletion', () => {
  test('UpdateFunctionCode changes $LATEST; PublishVersion publishes only when something changed; versions keep their code', async () => {
    await create('versioned');
    const v1 = await h.client.send(new PublishVersionCommand({ FunctionName: 'versioned', Description: 'first' }));
    expect(v1).toMatchObject({ Version: '1', Description: 'first', $metadata: { httpStatusCode: 201 } });
    // Nothing changed since version 1: Lambda returns version 1 again.
    const again = await h.client.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    expect(again.Version).toBe('1');

    const zip2 = zipOf({ 'app.py': 'def handler(event, context):\n    return "second"\n' });
    const updated = await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: zip2 }));
    expect(updated).toMatchObject({ Version: '$LATEST', CodeSha256: sha256(zip2), LastUpdateStatus: 'Successful' });
    expect(updated.RevisionId).not.toBe(v1.RevisionId);

    // A CodeSha256 that is not $LATEST's is refused.
    await expect(h.client.send(new PublishVersionCommand({ FunctionName: 'versioned', CodeSha256: v1.CodeSha256 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('is different from current CodeSHA256 in $LATEST'),
    });
    const v2 = await h.client.send(new PublishVersionCommand({ FunctionName: 'versioned', CodeSha256: sha256(zip2) }));
    expect(v2.Version).toBe('2');

    const versions = await h.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'versioned' }));
    expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
    const paged = await h.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'versioned', MaxItems: 2 }));
    expect(paged.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    const rest = await h.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'versioned', Marker: paged.NextMarker }));
    expect(rest.Versions!.map((v) => v.Version)).toEqual(['2']);

    expect(payloadOf(await h.client.send(new InvokeCommand({ FunctionName: 'versioned', Qualifier: '1' })))).toBe('versioned');
    expect(payloadOf(await h.client.send(new InvokeCommand({ FunctionName: 'versioned:2' })))).toBe('second');
    expect(payloadOf(await h.client.send(new InvokeCommand({ FunctionName: 'versioned' })))).toBe('second');
  });

  test('UpdateFunctionCode with Publish returns the new version', async () => {
    await create('code-publish');
    const out = await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-publish', ZipFile: code('v-next'), Publish: true }));
    expect(out.Version).toBe('1');
  });

  test('UpdateFunctionConfiguration changes handler, timeout, memory and environment; a stale RevisionId is PreconditionFailedException', async () => {
    const c = await h.client.send(
      new CreateFunctionCommand({
        FunctionName: 'configured',
        Role: ROLE,
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Code: { ZipFile: zipOf({ 'app.py': 'def handler(e, c):\n    return 1\n', 'other.py': 'import os\ndef run(e, c):\n    return os.environ.get("MODE")\n' }) },
      }),
    );
    const u = await h.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', Handler: 'other.run', Timeout: 30, MemorySize: 512, Environment: { Variables: { MODE: 'fast' } }, RevisionId: c.RevisionId }),
    );
    expect(u).toMatchObject({ Handler: 'other.run', Timeout: 30, MemorySize: 512, Environment: { Variables: { MODE: 'fast' } }, LastUpdateStatus: 'Successful' });
    expect(payloadOf(await h.client.send(new InvokeCommand({ FunctionName: 'configured' })))).toBe('fast');
    await expect(h.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', Timeout: 5, RevisionId: c.RevisionId }))).rejects.toMatchObject({
      name: 'PreconditionFailedException',
      $metadata: { httpStatusCode: 412 },
    });
    // A configuration change is a change: PublishVersion makes a version of it.
    const v1 = await h.client.send(new PublishVersionCommand({ FunctionName: 'configured' }));
    await h.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', Environment: { Variables: { MODE: 'slow' } } }));
    const v2 = await h.client.send(new PublishVersionCommand({ FunctionName: 'configured' }));
    expect([v1.Version, v2.Version]).toEqual(['1', '2']);
    expect(payloadOf(await h.client.send(new InvokeCommand({ FunctionName: 'configured', Qualifier: '1' })))).toBe('fast');
    expect(payloadOf(await h.client.send(new InvokeCommand({ FunctionName: 'configured', Qualifier: '2' })))).toBe('slow');
  });

  test('DeleteFunction with a Qualifier deletes that version only; $LATEST cannot be deleted alone; without one the whole function and its code go', async () => {
    await create('deleted', { Publish: true });
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'deleted', ZipFile: code('deleted-2'), Publish: true }));
    await h.client.send(new DeleteFunctionCommand({ FunctionName: 'deleted', Qualifier: '1' }));
    const versions = await h.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'deleted' }));
    expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '2']);
    await expect(h.client.send(new InvokeCommand({ FunctionName: 'deleted', Qualifier: '1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(h.client.send(new DeleteFunctionCommand({ FunctionName: 'deleted', Qualifier: '$LATEST' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: '$LATEST version cannot be deleted without deleting the function.',
    });
    // Only the package of version 1 (no longer used) was removed.
    expect(readdirSync(join(h.dataDir, 'lambda', 'functions', 'deleted')).filter((f) => f.endsWith('.zip'))).toHaveLength(1);
    const out = await h.client.send(new DeleteFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:deleted' }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    await expect(h.client.send(new GetFunctionCommand({ FunctionName: 'deleted' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(existsSync(join(h.dataDir, 'lambda', 'functions', 'deleted'))).toBe(false);
    await expect(h.client.send(new DeleteFunctionCommand({ FunctionName: 'deleted' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // A new function of the same name starts again at version 1.
    await expect(create('deleted', { Publish: true })).resolves.toMatchObject({ Version: '1' });
  });

  test('ListFunctions with FunctionVersion ALL lists every version; GetFunction with a Qualifier returns that version and its code', async () => {
    const v1zip = code('all-versions');
    await h.client.send(new CreateFunctionCommand({ FunctionName: 'all-versions', Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: v1zip }, Publish: true }));
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'all-versions', ZipFile: code('all-versions-2') }));
    const all: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await h.client.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', Marker }));
      all.push(...page.Functions!.filter((f) => f.FunctionName === 'all-versions').map((f) => f.Version!));
      Marker = page.NextMarker;
    } while (Marker);
    expect(all).toEqual(['$LATEST', '1']);
    const one = await h.client.send(new GetFunctionCommand({ FunctionName: 'all-versions', Qualifier: '1' }));
    expect(one.Configuration).toMatchObject({ Version: '1', CodeSha256: sha256(v1zip) });
    expect(Buffer.from(await (await fetch(one.Code!.Location!)).arrayBuffer()).equals(Buffer.from(v1zip))).toBe(true);
  });

  test('UpdateFunctionCode with DryRun checks and changes nothing; configuration the platform cannot honour is refused', async () => {
    const c = await create('dry-code');
    const dry = await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'dry-code', ZipFile: code('other'), DryRun: true }));
    expect(dry.CodeSha256).toBe(c.CodeSha256);
    expect((await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'dry-code' }))).RevisionId).toBe(c.RevisionId);
    await expect(
      h.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'dry-code', VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] } })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException', message: expect.stringContaining('VpcConfig') });
    await expect(h.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'dry-code', Runtime: 'java21' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  test('a CreateFunction request over 70,167,211 bytes (a zip over 50 MB) is RequestEntityTooLargeException (413)', async () => {
    const body = JSON.stringify({ FunctionName: 'huge', Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: 'A'.repeat(70_167_212) } });
    const res = await fetch(`${h.url}/2015-03-31/functions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(((await res.json()) as { Message: string }).Message).toBe('Request must be smaller than 70167211 bytes for the CreateFunction operation');
  });

  test('aliases: create, get, list, update with weighted routing, invoke through them, delete; versions an alias uses cannot be deleted', async () => {
    await create('aliased', { Publish: true });
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'aliased', ZipFile: code('aliased-2'), Publish: true }));
    const live = await h.client.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1', Description: 'production' }));
    expect(live).toMatchObject({ AliasArn: 'arn:aws:lambda:us-east-1:000000000000:function:aliased:live', Name: 'live', FunctionVersion: '1', $metadata: { httpStatusCode: 201 } });
    await expect(h.client.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '2' }))).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await expect(h.client.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'beta', FunctionVersion: '9' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(h.client.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: '12', FunctionVersion: '1' }))).rejects.toMatchObject({ name: 'ValidationException' });

    const viaAlias = await h.client.send(new InvokeCommand({ FunctionName: 'aliased:live' }));
    expect([viaAlias.ExecutedVersion, payloadOf(viaAlias)]).toEqual(['1', 'aliased']);
    const conf = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'aliased', Qualifier: 'live' }));
    expect(conf).toMatchObject({ Version: '1', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:aliased:live' });
    expect((await h.client.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'live' }))).Description).toBe('production');

    await expect(h.client.send(new DeleteFunctionCommand({ FunctionName: 'aliased', Qualifier: '1' }))).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: 'Unable to delete version because the following aliases reference it: [live]',
    });
    await expect(h.client.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', RevisionId: 'stale' }))).rejects.toMatchObject({ name: 'PreconditionFailedException' });
    // All traffic to the additional version (weight 1): every invocation runs version 2.
    const routed = await h.client.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 1 } }, RevisionId: live.RevisionId }));
    expect(routed.RoutingConfig).toEqual({ AdditionalVersionWeights: { '2': 1 } });
    for (let i = 0; i < 3; i++) expect((await h.client.send(new InvokeCommand({ FunctionName: 'aliased', Qualifier: 'live' }))).ExecutedVersion).toBe('2');
    await expect(h.client.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '$LATEST' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: '$LATEST is not supported for an alias pointing to more than 1 version',
    });
    await h.client.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }));
    await h.client.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'dev', FunctionVersion: '$LATEST' }));
    const listed = await h.client.send(new ListAliasesCommand({ FunctionName: 'aliased' }));
    expect(listed.Aliases!.map((a) => [a.Name, a.FunctionVersion])).toEqual([['dev', '$LATEST'], ['live', '2']]);
    expect((await h.client.send(new ListAliasesCommand({ FunctionName: 'aliased', FunctionVersion: '2' }))).Aliases!.map((a) => a.Name)).toEqual(['live']);
    await h.client.send(new DeleteAliasCommand({ FunctionName: 'aliased', Name: 'dev' }));
    await expect(h.client.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'dev' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await h.client.send(new DeleteFunctionCommand({ FunctionName: 'aliased', Qualifier: '1' }));
  });

  test('operations that are not built locally are refused with UnsupportedOperationException naming them', async () => {
    await create('unbuilt');
    await expect(h.client.send(new GetPolicyCommand({ FunctionName: 'unbuilt' }))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
      message: expect.stringContaining('Resource policies'),
    });
  });

  test('TagResource, ListTags and UntagResource on the function ARN; GetFunction shows the tags', async () => {
    const c = await create('tagged', { Tags: { a: '1' } });
    await h.client.send(new TagResourceCommand({ Resource: c.FunctionArn, Tags: { b: '2', c: '3' } }));
    expect((await h.client.send(new ListTagsCommand({ Resource: c.FunctionArn }))).Tags).toEqual({ a: '1', b: '2', c: '3' });
    await h.client.send(new UntagResourceCommand({ Resource: c.FunctionArn, TagKeys: ['a', 'c'] }));
    expect((await h.client.send(new GetFunctionCommand({ FunctionName: 'tagged' }))).Tags).toEqual({ b: '2' });
    await expect(h.client.send(new ListTagsCommand({ Resource: `${c.FunctionArn}-missing` }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test("the SDK's waiters (what a deployer waits on) return at once: FunctionActiveV2, FunctionUpdatedV2, PublishedVersionActive", async () => {
    await create('waited');
    const waiter = { client: h.client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 };
    await expect(waitUntilFunctionActiveV2(waiter, { FunctionName: 'waited' })).resolves.toMatchObject({ state: 'SUCCESS' });
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'waited', ZipFile: code('waited-2') }));
    await expect(waitUntilFunctionUpdatedV2(waiter, { FunctionName: 'waited' })).resolves.toMatchObject({ state: 'SUCCESS' });
    const v = await h.client.send(new PublishVersionCommand({ FunctionName: 'waited' }));
    await expect(waitUntilPublishedVersionActive(waiter, { FunctionName: 'waited', Qualifier: v.Version })).resolves.toMatchObject({ state: 'SUCCESS' });
  });
});
