/**
 * Invoke on the local Lambda API with the real `@aws-sdk/client-lambda`:
 * Python functions from zips run in warm workers with Lambda's context and
 * environment, errors as `FunctionError: Unhandled`, Event and DryRun
 * invocations, qualifiers, log tails, timeouts and import isolation.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CreateFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  ListFunctionEventInvokeConfigsCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionEventInvokeConfigCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { payloadOf, ROLE, startLambda, zipOf, type LambdaHarness } from './lambda-helpers.ts';

let h: LambdaHarness;
let scratch: string;
beforeAll(async () => {
  h = await startLambda();
  scratch = mkdtempSync(join(tmpdir(), 'fluxio-lambda-scratch-'));
});
afterAll(async () => {
  await h?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const create = (name: string, files: Record<string, string>, extra: Partial<CreateFunctionCommandInput> = {}) =>
  h.client.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: zipOf(files) }, ...extra }));
const invoke = (FunctionName: string, payload?: unknown, extra: Record<string, unknown> = {}) =>
  h.client.send(new InvokeCommand({ FunctionName, ...(payload === undefined ? {} : { Payload: Buffer.from(JSON.stringify(payload)) }), ...extra }));

describe('RequestResponse', () => {
  test('runs the handler with the event, a Lambda-like context and the function environment', async () => {
    await create(
      'echo',
      {
        'app.py': [
          'import os',
          'def handler(event, context):',
          '    return {',
          '        "event": event,',
          '        "function_name": context.function_name,',
          '        "function_version": context.function_version,',
          '        "invoked_function_arn": context.invoked_function_arn,',
          '        "memory_limit_in_mb": context.memory_limit_in_mb,',
          '        "request_id": context.aws_request_id,',
          '        "remaining": context.get_remaining_time_in_millis(),',
          '        "log_group": context.log_group_name,',
          '        "env": {k: os.environ.get(k) for k in ["STAGE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "LAMBDA_TASK_ROOT"]},',
          '        "cwd": os.getcwd(),',
          '    }',
          '',
        ].join('\n'),
      },
      { Environment: { Variables: { STAGE: 'dev' } }, MemorySize: 256, Timeout: 10 },
    );
    const out = await invoke('echo', { n: 1, s: 'é' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const p = payloadOf(out) as Record<string, any>;
    expect(p.event).toEqual({ n: 1, s: 'é' });
    expect(p).toMatchObject({
      function_name: 'echo',
      function_version: '$LATEST',
      invoked_function_arn: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
      memory_limit_in_mb: '256',
      log_group: '/aws/lambda/echo',
    });
    expect(p.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.remaining).toBeGreaterThan(0);
    expect(p.remaining).toBeLessThanOrEqual(10_000);
    expect(p.env).toMatchObject({ STAGE: 'dev', AWS_LAMBDA_FUNCTION_NAME: 'echo', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', AWS_REGION: 'us-east-1' });
    expect(p.cwd).toBe(p.env.LAMBDA_TASK_ROOT);
    // No payload is the empty event.
    expect((payloadOf(await invoke('echo')) as Record<string, unknown>).event).toEqual({});
  });

  test('X-Amz-Client-Context reaches context.client_context (client, custom, env)', async () => {
    await create('client-context', { 'app.py': 'def handler(event, context):\n    cc = context.client_context\n    return None if cc is None else [cc.custom, cc.env]\n' });
    const ClientContext = Buffer.from(JSON.stringify({ custom: { tenant: 't1' }, env: { locale: 'fr' } })).toString('base64');
    expect(payloadOf(await invoke('client-context', {}, { ClientContext }))).toEqual([{ tenant: 't1' }, { locale: 'fr' }]);
    expect(payloadOf(await invoke('client-context', {}))).toBeNull();
  });

  test('a raised exception is FunctionError Unhandled with errorMessage, errorType and stackTrace', async () => {
    await create('raiser', { 'app.py': 'def handler(event, context):\n    check(event)\n\ndef check(event):\n    raise ValueError("bad input: " + str(event["x"]))\n' });
    const out = await invoke('raiser', { x: 42 });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const p = payloadOf(out) as { errorMessage: string; errorType: string; stackTrace: string[]; requestId: string };
    expect(p.errorType).toBe('ValueError');
    expect(p.errorMessage).toBe('bad input: 42');
    expect(p.stackTrace.join('')).toContain('app.py", line 5, in check');
    // The worker survives a failed invocation.
    await create('after-raise', { 'app.py': 'def handler(e, c):\n    return "fine"\n' });
    expect(payloadOf(await invoke('after-raise'))).toBe('fine');
  });

  test('handler problems are the Lambda runtime errors (ImportModuleError, HandlerNotFound, MarshalError)', async () => {
    await create('no-module', { 'other.py': 'x = 1\n' });
    expect(payloadOf(await invoke('no-module'))).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringContaining("Unable to import module 'app'") });
    await create('no-handler', { 'app.py': 'def other(e, c):\n    return 1\n' });
    expect(payloadOf(await invoke('no-handler'))).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: "Handler 'handler' missing on module 'app'" });
    await create('unmarshallable', { 'app.py': 'def handler(e, c):\n    return {1, 2}\n' });
    const out = await invoke('unmarshallable');
    expect(out.FunctionError).toBe('Unhandled');
    expect(payloadOf(out)).toMatchObject({ errorType: 'Runtime.MarshalError', errorMessage: expect.stringContaining('Unable to marshal response') });
  });

  test('a payload that is not JSON is InvalidRequestContentException; an unknown function ResourceNotFoundException', async () => {
    await create('strict', { 'app.py': 'def handler(e, c):\n    return e\n' });
    await expect(h.client.send(new InvokeCommand({ FunctionName: 'strict', Payload: Buffer.from('{not json') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(invoke('nobody-home', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(h.client.send(new InvokeCommand({ FunctionName: 'strict', Payload: Buffer.alloc(6_291_457, 0x20) }))).rejects.toMatchObject({
      name: 'RequestTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
  });

  test('LogType Tail returns the last 4 KB of the log, base64, with what the function printed', async () => {
    await create('chatty', { 'app.py': 'def handler(event, context):\n    for i in range(500):\n        print("line", i)\n    print("the end")\n    return "ok"\n' });
    const out = await invoke('chatty', {}, { LogType: 'Tail' });
    const log = Buffer.from(out.LogResult!, 'base64');
    expect(log.length).toBeLessThanOrEqual(4096);
    expect(log.length).toBeGreaterThan(3000);
    const text = log.toString('utf8');
    expect(text).toContain('the end');
    expect(text).toContain('line 499');
    expect(text).not.toContain('line 1\n');
    expect(text).not.toContain('fluxio-task-end'); // the worker protocol's own markers stay out of the function's log
    expect(text).toMatch(/END RequestId: [0-9a-f-]{36}/);
    expect(text).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms/);
    expect((await invoke('chatty', {})).LogResult).toBeUndefined();
  });

  test('a function that runs past its Timeout ends with Sandbox.Timedout ("Task timed out after 1.00 seconds"), and the next invocation runs', async () => {
    await create('sleeper', { 'app.py': 'import time\ndef handler(event, context):\n    time.sleep(event.get("sleep", 0))\n    return "awake"\n' }, { Timeout: 1 });
    const out = await invoke('sleeper', { sleep: 30 });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const p = payloadOf(out) as { errorType: string; errorMessage: string };
    expect(p.errorType).toBe('Sandbox.Timedout');
    expect(p.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    expect(payloadOf(await invoke('sleeper', { sleep: 0 }))).toBe('awake');
  });
});

test('the Timeout counts from when a worker takes the invocation, not while it waits for a free worker', async () => {
  await create('queued', { 'app.py': 'import time\ndef handler(event, context):\n    time.sleep(1)\n    return event["i"]\n' }, { Timeout: 3 });
  // 8 invocations of 1 s on 2 workers: the last ones wait about 3 s for a worker.
  const outs = await Promise.all(Array.from({ length: 8 }, (_, i) => invoke('queued', { i })));
  expect(outs.map((o) => o.FunctionError ?? payloadOf(o))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

test('a runtime that exits is Runtime.ExitError; a response over 6 MB is Function.ResponseSizeTooLarge; the next invocation runs', async () => {
  await create('exits', { 'app.py': 'import os\ndef handler(event, context):\n    os._exit(3)\n' });
  const exited = await invoke('exits');
  expect(exited.FunctionError).toBe('Unhandled');
  expect(payloadOf(exited)).toMatchObject({ errorType: 'Runtime.ExitError' });
  await create('huge-answer', { 'app.py': 'def handler(event, context):\n    return "x" * (6 * 1024 * 1024)\n' });
  const huge = await invoke('huge-answer');
  expect(huge.FunctionError).toBe('Unhandled');
  expect(payloadOf(huge)).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
  await create('after-exit', { 'app.py': 'def handler(e, c):\n    return "still here"\n' });
  expect(payloadOf(await invoke('after-exit'))).toBe('still here');
});

describe('Event and DryRun', () => {
  test('Event answers 202 at once and runs the function in the background', async () => {
    await create('writer', { 'app.py': 'import time\ndef handler(event, context):\n    time.sleep(1)\n    open(event["path"], "w").write(event["text"])\n' });
    const path = join(scratch, 'event-output.txt');
    const out = await invoke('writer', { path, text: 'written in the background' }, { InvocationType: 'Event' });
    expect(out.StatusCode).toBe(202);
    expect(existsSync(path)).toBe(false);
    await h.api.functions.drain();
    expect(readFileSync(path, 'utf8')).toBe('written in the background');
  });

  test('a failed Event invocation is logged and retried twice, as Lambda does; PutFunctionEventInvokeConfig sets fewer retries', async () => {
    const source = 'def handler(event, context):\n    open(event["path"], "a").write("attempt\\n")\n    raise KeyError("gone")\n';
    await create('event-fail', { 'app.py': source }, { Publish: true });
    const path = join(scratch, 'event-fail.txt');
    const out = await invoke('event-fail', { path }, { InvocationType: 'Event' });
    expect(out.StatusCode).toBe(202);
    await h.api.functions.drain();
    expect(readFileSync(path, 'utf8')).toBe('attempt\n'.repeat(3));
    const failures = h.logs.filter((l) => l.startsWith('event-fail: Event invocation failed'));
    expect(failures).toHaveLength(3);
    expect(failures[0]).toContain('KeyError');
    expect(failures[2]).toContain('not retried further');

    // No retries for version 1 only.
    const put = await h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'event-fail', Qualifier: '1', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 }));
    expect(put).toMatchObject({ FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:event-fail:1', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 });
    expect(put.LastModified).toBeInstanceOf(Date);
    const once = join(scratch, 'event-fail-once.txt');
    await invoke('event-fail', { path: once }, { InvocationType: 'Event', Qualifier: '1' });
    await h.api.functions.drain();
    expect(readFileSync(once, 'utf8')).toBe('attempt\n');

    const updated = await h.client.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'event-fail', Qualifier: '1', MaximumRetryAttempts: 1 }));
    expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 });
    expect((await h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'event-fail', Qualifier: '1' }))).MaximumRetryAttempts).toBe(1);
    expect((await h.client.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'event-fail' }))).FunctionEventInvokeConfigs).toHaveLength(1);
    await expect(
      h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'event-fail', DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:dlq' } } })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException', message: expect.stringContaining('DestinationConfig') });
    await expect(h.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'event-fail', MaximumRetryAttempts: 3 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await h.client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'event-fail', Qualifier: '1' }));
    await expect(h.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'event-fail', Qualifier: '1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('closing the API does not wait for a long Event invocation: it is stopped, logged, and not retried', async () => {
    const other = await startLambda();
    try {
      await other.client.send(
        new CreateFunctionCommand({ FunctionName: 'long', Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Timeout: 900, Code: { ZipFile: zipOf({ 'app.py': 'import time\ndef handler(e, c):\n    time.sleep(600)\n' }) } }),
      );
      await other.client.send(new InvokeCommand({ FunctionName: 'long', InvocationType: 'Event' }));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await other.close();
    }
    const failures = other.logs.filter((l) => l.startsWith('long: Event invocation failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('not retried further');
  });

  test('DryRun answers 204 for an existing function and version, ResourceNotFoundException otherwise, and runs nothing', async () => {
    await create('dry', { 'app.py': 'def handler(event, context):\n    open(event["path"], "w").write("ran")\n' });
    const path = join(scratch, 'dry.txt');
    const out = await invoke('dry', { path }, { InvocationType: 'DryRun' });
    expect(out.StatusCode).toBe(204);
    await expect(invoke('dry', { path }, { InvocationType: 'DryRun', Qualifier: '9' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await h.api.functions.drain();
    expect(existsSync(path)).toBe(false);
  });
});

describe('versions, qualifiers and isolation', () => {
  test('invoking :1 after updating the code still runs version 1; qualified and partial ARNs work', async () => {
    await create('evolving', { 'app.py': 'def handler(e, c):\n    return ["v1", c.function_version, c.invoked_function_arn]\n' }, { Publish: true });
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'evolving', ZipFile: zipOf({ 'app.py': 'def handler(e, c):\n    return ["v2", c.function_version, c.invoked_function_arn]\n' }) }));
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:evolving';
    const one = await invoke(`${arn}:1`);
    expect(one.ExecutedVersion).toBe('1');
    expect(payloadOf(one)).toEqual(['v1', '1', `${arn}:1`]);
    expect(payloadOf(await invoke('evolving', undefined, { Qualifier: '1' }))).toEqual(['v1', '1', `${arn}:1`]);
    expect(payloadOf(await invoke('000000000000:function:evolving'))).toEqual(['v2', '$LATEST', arn]);
    expect(payloadOf(await invoke(`${arn}:$LATEST`))).toEqual(['v2', '$LATEST', `${arn}:$LATEST`]);
    await expect(invoke('evolving:1', undefined, { Qualifier: '2' })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });

  test("two functions that both ship app.py (and a helper module) each run their own code, in any order, on the same workers", async () => {
    await create('iso-a', { 'app.py': 'import helper\ndef handler(e, c):\n    return "A:" + helper.NAME\n', 'helper.py': 'NAME = "helper of A"\n' });
    await create('iso-b', { 'app.py': 'import helper\ndef handler(e, c):\n    return "B:" + helper.NAME\n', 'helper.py': 'NAME = "helper of B"\n' });
    const results: unknown[] = [];
    for (const name of ['iso-a', 'iso-b', 'iso-a', 'iso-a', 'iso-b', 'iso-b', 'iso-a']) results.push(payloadOf(await invoke(name)));
    expect(results).toEqual(['A:helper of A', 'B:helper of B', 'A:helper of A', 'A:helper of A', 'B:helper of B', 'B:helper of B', 'A:helper of A']);
    // Concurrently too (two workers).
    const both = await Promise.all(['iso-a', 'iso-b', 'iso-b', 'iso-a'].map((n) => invoke(n).then(payloadOf)));
    expect(both).toEqual(['A:helper of A', 'B:helper of B', 'B:helper of B', 'A:helper of A']);
  });

  test('module state stays warm between invocations of one version, and a code update starts fresh', async () => {
    await create('counter', { 'app.py': 'COUNT = 0\ndef handler(e, c):\n    global COUNT\n    COUNT += 1\n    return COUNT\n' }, { Timeout: 5 });
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) counts.push(payloadOf(await invoke('counter')) as number);
    // Two workers: each keeps its own count, never reset while warm.
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(3);
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'counter', ZipFile: zipOf({ 'app.py': 'COUNT = 100\ndef handler(e, c):\n    global COUNT\n    COUNT += 1\n    return COUNT\n' }) }));
    expect(payloadOf(await invoke('counter'))).toBe(101);
  });

  test("a deployed Fluxio task's handler, fluxio_task.entry.lambda_handler, runs with the shared fluxio_task runtime", async () => {
    await create(
      'fluxio-task',
      { 'fluxio_task_run.py': 'async def run(event, context):\n    return {"doubled": event["n"] * 2, "execution": context.execution_name}\n' },
      { Handler: 'fluxio_task.entry.lambda_handler' },
    );
    const out = await invoke('fluxio-task', { meta: { sfn_execution_name: 'exec-1' }, data: { n: 21 } });
    expect(out.FunctionError).toBeUndefined();
    expect(payloadOf(out)).toEqual({ doubled: 42, execution: 'exec-1' });
    // A bundle with its own copy of fluxio_task runs on the platform's copy (the workers are built on it).
    await create(
      'fluxio-task-bundled',
      {
        'fluxio_task_run.py': 'async def run(event, context):\n    return event["n"] + 1\n',
        'fluxio_task/__init__.py': '',
        'fluxio_task/entry.py': 'def lambda_handler(event, context):\n    raise RuntimeError("the bundled copy ran")\n',
      },
      { Handler: 'fluxio_task.entry.lambda_handler' },
    );
    expect(payloadOf(await invoke('fluxio-task-bundled', { meta: {}, data: { n: 1 } }))).toBe(2);
  });

  test("a deployed task's exception has a stack trace that names project.py at the task's line, with its source, without runtime or asyncio frames", async () => {
    // The deployer writes the run source after blank lines, so its line numbers are project.py's (here: line 3).
    await create('fluxio-task-raises', { 'fluxio_task_run.py': '\n\nasync def run(event, context):\n    raise KeyError(event["sku"])\n' }, { Handler: 'fluxio_task.entry.lambda_handler' });
    const out = await invoke('fluxio-task-raises', { meta: {}, data: { sku: 'tea' } });
    expect(out.FunctionError).toBe('Unhandled');
    const p = payloadOf(out) as { errorType: string; stackTrace: string[] };
    expect(p.errorType).toBe('KeyError');
    const trace = p.stackTrace.join('');
    expect(trace).toContain('File "project.py", line 4, in run\n    raise KeyError(event["sku"])');
    expect(trace).not.toMatch(/asyncio|fluxio_task/);
  });
});
