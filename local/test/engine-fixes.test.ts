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

/** A Choice/Pass loop counting `$.i` up to `loops` (two transitions per round), as the compiler emits `while`. */
const countingLoop = (loops: number) => ({
  StartAt: 'Check',
  States: {
    Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: loops, Next: 'Increment' }], Default: 'Done' },
    Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
    Done: { Type: 'Succeed' },
  },
});

describe('Wait until a far timestamp', () => {
  it('keeps waiting past setTimeout\'s 2^31-1 ms limit (~24.8 days) instead of firing at once, and is still abortable', async () => {
    const definition = { StartAt: 'Later', States: { Later: { Type: 'Wait', Timestamp: '2099-01-01T00:00:00Z', End: true } } };
    const sm = new StateMachine(definition as StateMachineDefinition, { validationOptions: { checkArn: false } });
    const execution = sm.run({} as never);
    let settled: 'succeeded' | 'aborted' | undefined;
    execution.result.then(
      () => (settled = 'succeeded'),
      () => (settled = 'aborted'),
    );
    // Unpatched, Node clamps the delay to 1 ms and the execution succeeds within a few milliseconds.
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBeUndefined();
    execution.abort();
    await expect(execution.result).rejects.toThrow(/aborted/i);
  });
});

describe('cooperative scheduling (the engine yields to the event loop between transitions)', () => {
  it('lets a timer set before a long Pass/Choice loop fire while the loop still runs', async () => {
    let entered = 0;
    let enteredWhenTimerFired = -1;
    const timer = setTimeout(() => (enteredWhenTimerFired = entered), 0);
    const out = await run(countingLoop(50_000), { i: 0 }, { onEvent: (e) => void (e.type === 'StateEntered' && entered++) });
    clearTimeout(timer);
    expect(out).toEqual({ i: 50_000 });
    // Unpatched, the timer only fires after the last transition (or never, for an endless loop).
    expect(enteredWhenTimerFired).toBeGreaterThanOrEqual(0);
    expect(enteredWhenTimerFired).toBeLessThan(entered);
  });

  it('stops an endless loop of states when the execution is aborted from a timer (ExecutionAbortedError)', async () => {
    const definition = {
      StartAt: 'Spin',
      States: {
        Spin: { Type: 'Pass', Result: 1, ResultPath: '$.y', Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Variable: '$.x', NumericEquals: 0, Next: 'Spin' }], Default: 'Out' },
        Out: { Type: 'Succeed' },
      },
    };
    // Unpatched this never ends; bounded here by a 20,000-round safety exit so a regression fails instead of hanging.
    let entered = 0;
    const sm = new StateMachine(definition as StateMachineDefinition, { validationOptions: { checkArn: false } });
    let execution!: ReturnType<StateMachine['run']>;
    execution = sm.run({ x: 0 } as never, {
      onEvent: (e) => {
        if (e.type === 'StateEntered' && ++entered === 40_000) execution.abort();
      },
    });
    setTimeout(() => execution.abort(), 20);
    await expect(execution.result).rejects.toThrow(/aborted/i);
    const atAbort = entered;
    await new Promise((r) => setTimeout(r, 30));
    expect(entered).toBeLessThan(40_000);
    expect(entered - atAbort).toBeLessThanOrEqual(1);
  });

  it('lets the iterations of a 20,000-item Map of Pass states yield too', async () => {
    let firedDuringMap = false;
    let done = false;
    const timer = setTimeout(() => (firedDuringMap = !done), 0);
    const definition = {
      StartAt: 'M',
      States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, ResultPath: null, End: true } },
    };
    await run(definition, Array.from({ length: 20_000 }, (_, i) => i));
    done = true;
    clearTimeout(timer);
    expect(firedDuringMap).toBe(true);
  });
});

describe('States.DataLimitExceeded (Step Functions payload quota: 262,144 bytes of UTF-8 JSON)', () => {
  const LIMIT = 262_144;
  /** A JSON string value whose serialisation (with quotes) is exactly `bytes` long. */
  const stringOf = (bytes: number) => 'x'.repeat(bytes - 2);
  const task = (extra: Record<string, unknown> = {}) => ({
    StartAt: 'T',
    States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:t', End: true, ...extra } },
  });

  it('accepts a task result of exactly 262,144 bytes', async () => {
    const handler = async () => stringOf(LIMIT);
    const out = await run(task(), {}, { overrides: { taskResourceLocalHandlers: { T: handler as never } } });
    expect((out as string).length).toBe(LIMIT - 2);
  });

  it('fails a task result one byte over, counting UTF-8 bytes, and States.ALL does not catch it', async () => {
    const handler = async () => 'é'.repeat((LIMIT - 2) / 2) + 'a'; // é is 2 bytes: 262,142 + 1 + 2 quotes = 262,145
    const definition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:t', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], Next: 'Done' },
        Caught: { Type: 'Pass', Result: 'caught', End: true },
        Done: { Type: 'Succeed' },
      },
    };
    const err = await run(definition, {}, { overrides: { taskResourceLocalHandlers: { T: handler as never } } }).catch((e) => e);
    expect(err.cause.name).toBe('States.DataLimitExceeded');
    expect(err.cause.message).toMatch(/262145 bytes/);
    expect(err.cause.message).toMatch(/state_data_client\.put_item/);
  });

  it('fails a Pass state whose Result makes the output too large', async () => {
    const err = await run(pass({ Result: stringOf(LIMIT), ResultPath: '$.big' }), { a: 1 }).catch((e) => e);
    expect(err.cause.name).toBe('States.DataLimitExceeded');
    expect(err.cause.message).toMatch(/output of state "P"/);
  });

  it('fails a Map whose collected output is too large although each iteration is small', async () => {
    const definition = {
      StartAt: 'M',
      States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Result: stringOf(1000), End: true } } }, End: true } },
    };
    const err = await run(definition, Array.from({ length: 300 }, (_, i) => i)).catch((e) => e);
    expect(err.cause.name).toBe('States.DataLimitExceeded');
    expect(err.cause.message).toMatch(/state "M"/);
  });

  it('fails a state whose input after Parameters is too large', async () => {
    const err = await run(pass({ Parameters: { 'a.$': '$.s', 'b.$': '$.s' } }), { s: stringOf(200_000) }).catch((e) => e);
    expect(err.cause.name).toBe('States.DataLimitExceeded');
    expect(err.cause.message).toMatch(/input of state "P"/);
  });
});
