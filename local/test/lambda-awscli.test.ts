/**
 * End to end with a client none of us wrote: Debian's AWS CLI v2
 * (`/usr/bin/aws`) against the local platform's Lambda API — the README's
 * commands: create-function from a zip, invoke, update-function-code,
 * publish-version, list-versions-by-function.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPlatform, type Platform } from '../src/server/platform.ts';
import { zipOf } from './lambda-helpers.ts';

const AWS = '/usr/bin/aws';
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'fluxio-lambda-cli-'));
let platform: Platform;

/** Runs `aws <args> --endpoint-url <platform>` with dummy credentials; returns stdout and stderr. */
async function aws(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(AWS, [...args, '--endpoint-url', platform.url, '--output', 'json'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        AWS_PAGER: '',
        AWS_MAX_ATTEMPTS: '1',
      },
    });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

beforeAll(async () => {
  platform = await startPlatform({ dataDir: join(dir, 'data'), port: 0, workers: 1, lambdaWorkers: 1, projectDir: dir });
});
afterAll(async () => {
  await platform?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(AWS))('aws lambda (Debian awscli 2) against the local platform', () => {
  test('create-function, invoke, update-function-code, publish-version, list-versions-by-function, errors', async () => {
    writeFileSync(join(dir, 'v1.zip'), zipOf({ 'app.py': 'def handler(event, context):\n    return {"hello": event.get("name", "nobody"), "version": context.function_version}\n' }));
    writeFileSync(join(dir, 'v2.zip'), zipOf({ 'app.py': 'def handler(event, context):\n    return {"bonjour": event.get("name", "personne"), "version": context.function_version}\n' }));

    const created = await aws('lambda', 'create-function', '--function-name', 'hello', '--runtime', 'python3.12', '--handler', 'app.handler', '--role', 'arn:aws:iam::000000000000:role/lambda', '--zip-file', 'fileb://v1.zip');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: 'hello', State: 'Active', Version: '$LATEST' });

    const invoked = await aws('lambda', 'invoke', '--function-name', 'hello', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"name":"cli"}', 'out.json');
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(invoked.stdout)).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toEqual({ hello: 'cli', version: '$LATEST' });

    const published = await aws('lambda', 'publish-version', '--function-name', 'hello', '--description', 'first');
    expect(published.code, published.stderr).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ Version: '1', Description: 'first' });

    const updated = await aws('lambda', 'update-function-code', '--function-name', 'hello', '--zip-file', 'fileb://v2.zip');
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ Version: '$LATEST', LastUpdateStatus: 'Successful' });
    expect(JSON.parse((await aws('lambda', 'publish-version', '--function-name', 'hello')).stdout).Version).toBe('2');

    // The CLI pages list-versions-by-function itself (Marker / NextMarker).
    const listed = await aws('lambda', 'list-versions-by-function', '--function-name', 'hello', '--page-size', '1');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).Versions.map((v: { Version: string }) => v.Version)).toEqual(['$LATEST', '1', '2']);

    const old = await aws('lambda', 'invoke', '--function-name', 'hello', '--qualifier', '1', '--log-type', 'Tail', 'old.json');
    expect(old.code, old.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'old.json'), 'utf8'))).toEqual({ hello: 'nobody', version: '1' });
    expect(Buffer.from(JSON.parse(old.stdout).LogResult, 'base64').toString()).toContain('START RequestId:');
    await aws('lambda', 'invoke', '--function-name', 'hello', 'new.json');
    expect(JSON.parse(readFileSync(join(dir, 'new.json'), 'utf8'))).toEqual({ bonjour: 'personne', version: '$LATEST' });

    writeFileSync(join(dir, 'fail.zip'), zipOf({ 'app.py': 'def handler(event, context):\n    raise RuntimeError("no luck")\n' }));
    await aws('lambda', 'create-function', '--function-name', 'failing', '--runtime', 'python3.12', '--handler', 'app.handler', '--role', 'r', '--zip-file', 'fileb://fail.zip');
    const failed = await aws('lambda', 'invoke', '--function-name', 'failing', 'fail.json');
    expect(JSON.parse(failed.stdout)).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(JSON.parse(readFileSync(join(dir, 'fail.json'), 'utf8'))).toMatchObject({ errorType: 'RuntimeError', errorMessage: 'no luck' });

    const missing = await aws('lambda', 'get-function', '--function-name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (ResourceNotFoundException) when calling the GetFunction operation');
    expect(missing.stderr).toContain('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
    const node = await aws('lambda', 'create-function', '--function-name', 'js', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', 'r', '--zip-file', 'fileb://v1.zip');
    expect(node.stderr).toContain('(InvalidParameterValueException)');
    expect(node.stderr).toContain('only Python runs locally');
  });
});
