/**
 * Task states that call functions of the local Lambda API, run on the
 * engine (patched aws-local-stepfunctions): a plain function ARN, a
 * version-qualified ARN and `arn:aws:states:::lambda:invoke`, with results
 * and errors shaped as Step Functions shapes them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateAliasCommand, CreateFunctionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import type { AslDefinition } from '@fluxio/contracts/manifest';
import { ExecutionError, StateMachine, type StateMachineDefinition } from '../src/engine/engine.ts';
import { allStates, createTaskHandler, functionTaskHandler, taskTargetOf, type LocalTaskHandler, type TaskHandlerContext } from '../src/engine/taskHandlers.ts';
import { ROLE, startLambda, zipOf, type LambdaHarness } from './lambda-helpers.ts';

let h: LambdaHarness;
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

beforeAll(async () => {
  h = await startLambda();
  const create = (name: string, source: string, extra = {}) =>
    h.client.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: zipOf({ 'app.py': source }) }, ...extra }));
  await create('adder', 'def handler(event, context):\n    return {"sum": event["a"] + event["b"], "version": context.function_version}\n', { Publish: true });
  await h.client.send(
    new UpdateFunctionCodeCommand({ FunctionName: 'adder', ZipFile: zipOf({ 'app.py': 'def handler(event, context):\n    return {"sum": 10 * (event["a"] + event["b"]), "version": context.function_version}\n' }) }),
  );
  await h.client.send(new CreateAliasCommand({ FunctionName: 'adder', Name: 'live', FunctionVersion: '1' }));
  await create('validator', 'def handler(event, context):\n    raise ValueError("amount must be positive, got " + str(event["amount"]))\n');
  await create('slow', 'import time\ndef handler(event, context):\n    time.sleep(30)\n', { Timeout: 1 });
});
afterAll(async () => {
  await h?.close();
});

type Outcome = { status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: string; cause: string };

/** Runs a definition whose Task states are served the way the platform serves them (the Lambda API's Task resource hook). */
async function run(definition: AslDefinition, input: unknown, handlerOf = (state: Record<string, unknown>) => h.api.taskResource('', state as never)): Promise<Outcome> {
  const handlers: Record<string, LocalTaskHandler> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const handler = handlerOf(state);
    if (!handler) throw new Error(`no handler for state ${name}`);
    handlers[name] = handler;
  }
  const execution = new StateMachine(definition as unknown as StateMachineDefinition).run(input as never, { overrides: { taskResourceLocalHandlers: handlers as never } });
  try {
    return { status: 'SUCCEEDED', output: await execution.result };
  } catch (err) {
    const inner = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : (err as Error);
    return { status: 'FAILED', error: inner.name, cause: inner.message };
  }
}

const single = (state: Record<string, unknown>): AslDefinition => ({ StartAt: 'Call', States: { Call: { Type: 'Task', End: true, ...state } } }) as AslDefinition;

describe('Task states calling local functions', () => {
  test('Resource = function ARN: the state input is the event, the function result the state result', async () => {
    const r = await run(single({ Resource: `${ARN}:adder` }), { a: 1, b: 2 });
    expect(r).toEqual({ status: 'SUCCEEDED', output: { sum: 30, version: '$LATEST' } });
  });

  test('Resource = version-qualified (or alias-qualified) ARN runs that version', async () => {
    const r = await run(single({ Resource: `${ARN}:adder:1` }), { a: 1, b: 2 });
    expect(r).toEqual({ status: 'SUCCEEDED', output: { sum: 3, version: '1' } });
    const viaAlias = await run(single({ Resource: `${ARN}:adder:live` }), { a: 1, b: 2 });
    expect(viaAlias).toEqual({ status: 'SUCCEEDED', output: { sum: 3, version: '1' } });
  });

  test('arn:aws:states:::lambda:invoke with FunctionName and Payload returns the Invoke response, Payload parsed', async () => {
    const r = await run(single({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'adder', 'Payload.$': '$' } }), { a: 2, b: 3 });
    expect(r.status).toBe('SUCCEEDED');
    const out = (r as { output: Record<string, any> }).output;
    expect(out).toMatchObject({ ExecutedVersion: '$LATEST', Payload: { sum: 50, version: '$LATEST' }, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } });
    expect(out.SdkResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    const selected = await run(
      single({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: `${ARN}:adder`, Qualifier: '1', 'Payload.$': '$' }, ResultSelector: { 'sum.$': '$.Payload.sum' } }),
      { a: 2, b: 3 },
    );
    expect(selected).toEqual({ status: 'SUCCEEDED', output: { sum: 5 } });
  });

  test("a Python exception is the state's error: Error = errorType, Cause = the error payload; Catch catches it by name", async () => {
    const r = await run(single({ Resource: `${ARN}:validator` }), { amount: -5 });
    expect(r.status).toBe('FAILED');
    const f = r as { error: string; cause: string };
    expect(f.error).toBe('ValueError');
    const cause = JSON.parse(f.cause);
    expect(cause).toMatchObject({ errorMessage: 'amount must be positive, got -5', errorType: 'ValueError' });
    expect(cause.stackTrace.join('')).toContain('app.py');

    const caught = await run(
      {
        StartAt: 'Check',
        States: {
          Check: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'validator', 'Payload.$': '$' }, Catch: [{ ErrorEquals: ['ValueError'], ResultPath: '$.error', Next: 'Rejected' }], End: true },
          Rejected: { Type: 'Pass', End: true },
        },
      } as AslDefinition,
      { amount: -1 },
    );
    expect(caught.status).toBe('SUCCEEDED');
    expect((caught as { output: any }).output.error.Error).toBe('ValueError');
  });

  test('a function that times out fails the state with Sandbox.Timedout', async () => {
    const r = await run(single({ Resource: `${ARN}:slow` }), {});
    expect(r).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
    expect((r as { cause: string }).cause).toContain('Task timed out after 1.00 seconds');
  });

  test('a function that does not exist is Lambda.ResourceNotFoundException (and the platform hook leaves unknown functions to other resolvers)', async () => {
    expect(h.api.taskResource('Call', { Type: 'Task', Resource: `${ARN}:ghost` })).toBeUndefined();
    const r = await run(single({ Resource: `${ARN}:ghost` }), {}, (state) => functionTaskHandler(state, h.api.invoker));
    expect(r).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    expect((r as { cause: string }).cause).toContain(`Function not found: ${ARN}:ghost`);
  });

  test("the runner's Resource classification sends function ARNs to the Lambda API, and says so when there is none", async () => {
    const state = { Type: 'Task' as const, Resource: `${ARN}:adder:1` };
    expect(taskTargetOf(state)).toEqual({ kind: 'function', form: 'arn', resource: `${ARN}:adder:1` });
    const withLambda = await run(single(state), { a: 4, b: 4 }, (s) => createTaskHandler({ manifest: { project: 'p' }, functions: h.api.invoker } as unknown as TaskHandlerContext, taskTargetOf(s as never)));
    expect(withLambda).toEqual({ status: 'SUCCEEDED', output: { sum: 8, version: '1' } });
    const without = await run(single(state), { a: 4, b: 4 }, (s) => createTaskHandler({ manifest: { project: 'p' } } as unknown as TaskHandlerContext, taskTargetOf(s as never)));
    expect(without).toMatchObject({ status: 'FAILED', error: 'Fluxio.UnsupportedLocally' });
    expect((without as { cause: string }).cause).toContain('need the local Lambda API');
  });
});
