/**
 * Regression tests for the fixes in patches/aws-local-stepfunctions+3.0.0.patch
 * (DESIGN.md §4). Each test fails on the unpatched engine: Step Functions
 * semantics are the reference (ASL spec, "Paths", "Pass State", "Map State").
 */
import { describe, expect, it } from 'vitest';
import { StateMachine, type EventLog, type StateMachineDefinition } from '../src/engine/engine.ts';

const run = async (definition: unknown, input: unknown, options: Parameters<StateMachine['run']>[1] = {}) =>
  new StateMachine(definition as StateMachineDefinition, { validationOptions: { checkArn: false } }).run(
    input as never,
    options,
  ).result;

const pass = (extra: Record<string, unknown>) => ({ StartAt: 'P', States: { P: { Type: 'Pass', End: true, ...extra } } });

describe('ResultPath', () => {
  it("writes a bracket path $['x'] under key x, not under a key named $", async () => {
    const out = await run(pass({ Result: 1, ResultPath: "$['x']" }), { a: 1 });
    expect(out).toEqual({ a: 1, x: 1 });
  });

  it('writes nested bracket paths and keeps sibling keys', async () => {
    const out = await run(pass({ Result: 'v', ResultPath: "$['outer']['in ner']" }), { outer: { keep: true } });
    expect(out).toEqual({ outer: { keep: true, 'in ner': 'v' } });
  });

  it('"$" replaces the whole input with the result', async () => {
    const out = await run(pass({ Result: { fresh: true }, ResultPath: '$' }), { old: 1 });
    expect(out).toEqual({ fresh: true });
  });

  it('fails with States.ResultPathMatchFailure when the path runs through a non-object', async () => {
    await expect(run(pass({ Result: 1, ResultPath: '$.s.x' }), { s: 'text' })).rejects.toThrow(/ResultPathMatchFailure/);
  });
});

describe('Pass Result', () => {
  it.each([0, false, '', null])('uses a falsy Result (%j) instead of passing the input through', async (value) => {
    const out = await run(pass({ Result: value, ResultPath: '$.r' }), { a: 1 });
    expect(out).toEqual({ a: 1, r: value });
  });
});

describe('quoted keys', () => {
  it("reads a key containing ' through a double-quoted bracket path", async () => {
    const out = await run(pass({ Parameters: { 'v.$': '$["it\'s"]' } }), { "it's": 42 });
    expect(out).toEqual({ v: 42 });
  });

  it("writes a key containing ' through ResultPath", async () => {
    const out = await run(pass({ Result: 7, ResultPath: '$["it\'s"]' }), {});
    expect(out).toEqual({ "it's": 7 });
  });

  it('still evaluates non-reference paths (filters) with jsonpath-plus', async () => {
    const out = await run(pass({ Parameters: { 'big.$': '$.items[?(@.n > 1)].n' } }), { items: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(out).toEqual({ big: [2, 3] });
  });
});

describe('Map after a failed iteration', () => {
  it('starts no further iteration once one has failed (MaxConcurrency 1)', async () => {
    const started: number[] = [];
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:t', End: true } } },
          End: true,
        },
      },
    };
    const handler = async (input: unknown) => {
      started.push(input as number);
      if (input === 0) throw Object.assign(new Error('boom'), { name: 'Boom' });
      return input;
    };
    await expect(run(definition, [0, 1, 2, 3], { overrides: { taskResourceLocalHandlers: { T: handler as never } } })).rejects.toThrow(/boom/);
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual([0]);
  });
});

describe('context object and task handlers', () => {
  it('exposes $$.State.Name, $$.State.EnteredTime and $$.Task.Token (waitForTaskToken) to Parameters', async () => {
    const definition = {
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { 'state.$': '$$.State.Name', 'entered.$': '$$.State.EnteredTime', 'token.$': '$$.Task.Token' },
          End: true,
        },
      },
    };
    const out = (await run(definition, {}, { overrides: { taskResourceLocalHandlers: { Send: (input) => input } } })) as Record<string, string>;
    expect(out.state).toBe('Send');
    expect(Number.isNaN(Date.parse(out.entered))).toBe(false);
    expect(out.token.length).toBeGreaterThan(10);
  });

  it('aborts the signal given to a local handler when the task times out, with States.Timeout', async () => {
    let reason: unknown;
    const definition = {
      StartAt: 'Slow',
      States: { Slow: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:s', TimeoutSeconds: 1, End: true } },
    };
    const handler = (_input: unknown, info: { signal: AbortSignal }) =>
      new Promise((_, reject) => info.signal.addEventListener('abort', () => { reason = info.signal.reason; reject(info.signal.reason); }));
    await expect(run(definition, {}, { overrides: { taskResourceLocalHandlers: { Slow: handler as never } } })).rejects.toThrow(/States.Timeout/);
    expect((reason as Error).name).toBe('States.Timeout');
  });

  it('keeps $$.Execution.Input the execution input inside Map iterations', async () => {
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'root.$': '$$.Execution.Input.tag' }, End: true } } },
          End: true,
        },
      },
    };
    expect(await run(definition, { tag: 'T', items: [1, 2] })).toEqual([{ root: 'T' }, { root: 'T' }]);
  });

  it('calls onEvent synchronously with nested Map events', async () => {
    const events: EventLog[] = [];
    const definition = {
      StartAt: 'M',
      States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
    };
    await run(definition, [1, 2, 3], { onEvent: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 10));
    expect(events.filter((e) => e.type === 'MapIterationSucceeded')).toHaveLength(3);
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
  });
});

describe('States.JsonMerge', () => {
  it('does not modify the input object and supports deep merge', async () => {
    const out = await run(
      pass({
        Parameters: {
          'shallow.$': 'States.JsonMerge($.a, $.b, false)',
          'deep.$': 'States.JsonMerge($.a, $.b, true)',
          'a.$': '$.a',
        },
      }),
      { a: { x: { p: 1, q: 2 }, k: 1 }, b: { x: { q: 3 } } },
    );
    expect(out).toEqual({
      shallow: { x: { q: 3 }, k: 1 },
      deep: { x: { p: 1, q: 3 }, k: 1 },
      a: { x: { p: 1, q: 2 }, k: 1 },
    });
  });
});

describe('Choice type tests with false', () => {
  const choice = (rule: Record<string, unknown>) => ({
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  });
  it.each([
    [{ Variable: '$.m', IsPresent: false }, {}, 'yes'],
    [{ Variable: '$.m', IsPresent: false }, { m: 1 }, 'no'],
    [{ Variable: '$.m', IsNull: false }, { m: 1 }, 'yes'],
    [{ Variable: '$.m', IsNull: false }, { m: null }, 'no'],
    [{ Variable: '$.m', IsNumeric: false }, { m: 'x' }, 'yes'],
    [{ Variable: '$.m', IsString: false }, { m: 1 }, 'yes'],
    [{ Variable: '$.m', IsBoolean: false }, { m: 1 }, 'yes'],
    [{ Variable: '$.m', IsTimestamp: false }, { m: 'soon' }, 'yes'],
    [{ Variable: '$.m', IsTimestamp: true }, { m: '2026-01-27T09:00:00Z' }, 'yes'],
  ])('%j on %j matches: %s', async (rule, input, expected) => {
    expect(await run(choice(rule), input)).toBe(expected);
  });
});

describe('Map MaxConcurrency', () => {
  it('never runs more iterations at once than MaxConcurrency', async () => {
    let running = 0;
    let peak = 0;
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          MaxConcurrency: 2,
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:t', End: true } } },
          End: true,
        },
      },
    };
    const handler = async (input: unknown) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return input;
    };
    expect(await run(definition, [1, 2, 3, 4, 5, 6], { overrides: { taskResourceLocalHandlers: { T: handler as never } } })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
  });
});
