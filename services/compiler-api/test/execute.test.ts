import { describe, expect, test } from 'vitest';
import { compileOk, execute } from './helpers.ts';

const TASKS = `
class A(Task):
    pass

class B(Task):
    pass

class C(Task):
    pass
`;

describe('compiled ASL runs on aws-local-stepfunctions with Python semantics', () => {
  test('if/elif/else: the matching branch runs and every branch rejoins the next statement', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    if data["n"] > 10:
        data["branch"] = "big"
    elif data["n"] > 5:
        data["branch"] = "medium"
    else:
        data["branch"] = "small"
    data["after"] = C(data)
`);
    for (const [n, branch] of [[20, 'big'], [7, 'medium'], [1, 'small']] as const) {
      const calls: string[] = [];
      const r = await execute(m.stateMachines.main.definition, { n }, { C: (i) => (calls.push('C'), i.data.branch) });
      expect(r.status).toBe('SUCCEEDED');
      expect(r.output.branch).toBe(branch);
      expect(r.output.after).toBe(branch);
    }
  });

  test('if without else falls through; sequential ifs each get their own Choice', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    if data["a"] == True:
        A(data)
    if data["b"] == True:
        B(data)
    C(data)
`);
    for (const [a, b, expected] of [[true, false, 'A,C'], [false, true, 'B,C'], [false, false, 'C'], [true, true, 'A,B,C']] as const) {
      const calls: string[] = [];
      const stub = (n: string) => () => (calls.push(n), null);
      const r = await execute(m.stateMachines.main.definition, { a, b }, { A: stub('A'), B: stub('B'), C: stub('C') });
      expect(r.status).toBe('SUCCEEDED');
      expect(calls.join(',')).toBe(expected);
    }
  });

  test('try/except: the matching handler runs with the error object, then execution continues', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    try:
        A(data)
    except KeyError as err:
        data["handled"] = "key"
    except:
        data["handled"] = "other"
    C(data)
`);
    const thrower = (name: string) => () => {
      const e = new Error('boom');
      e.name = name;
      throw e;
    };
    const r1 = await execute(m.stateMachines.main.definition, {}, { A: thrower('KeyError'), C: () => 1 });
    expect(r1.status).toBe('SUCCEEDED');
    expect(r1.output.handled).toBe('key');
    expect(r1.output.err.Error).toBe('KeyError');
    const r2 = await execute(m.stateMachines.main.definition, {}, { A: thrower('ValueError'), C: () => 1 });
    expect(r2.output.handled).toBe('other');
    expect(r2.output.error.Error).toBe('ValueError');
  });

  test('with retry: the task is attempted 1 + max_attempts times, then the catch runs', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    try:
        with retry(on_exceptions=[Flaky], max_attempts=2):
            A(data)
    except Flaky:
        raise GaveUp("too flaky")
`);
    let attempts = 0;
    const r = await execute(m.stateMachines.main.definition, {}, {
      A: () => {
        attempts++;
        const e = new Error('x');
        e.name = 'Flaky';
        throw e;
      },
    });
    expect(attempts).toBe(3);
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('GaveUp');
  });

  test('while loop iterates until the condition is false', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    data["counter"] = 0
    while data["counter"] < 4:
        data["counter"] = A(data["counter"])
    return
`);
    let calls = 0;
    const r = await execute(m.stateMachines.main.definition, {}, { A: (i) => (calls++, i.data + 1) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.output.counter).toBe(4);
    expect(calls).toBe(4);
  });

  test('map over a plain array and over a put_items pointer object', async () => {
    const m = await compileOk(`${TASKS}
def per_item(data):
    data["doubled"] = A(data)

def main(data):
    data["results"] = map(data["xs"], per_item, max_concurrency=2)
`);
    const stubs = { A: (i: any) => ('items_result_key' in i.data ? i.data.context_index : i.data.context_value * 2) };
    const plain = await execute(m.stateMachines.main.definition, { xs: [1, 2, 3] }, stubs);
    expect(plain.status).toBe('SUCCEEDED');
    expect(plain.output.results.map((r: any) => r.doubled)).toEqual([2, 4, 6]);
    expect(plain.output.results[0].__trace).toEqual({ id: 'exec-1', source: 'direct' });
    const pointer = await execute(m.stateMachines.main.definition, { xs: { table_name: 't', partition_key: 'p', key: 'k', items: [1, 1] } }, stubs);
    expect(pointer.status).toBe('SUCCEEDED');
    expect(pointer.output.results.map((r: any) => [r.doubled, r.items_result_key])).toEqual([
      [0, 'k'],
      [1, 'k'],
    ]);
  });

  test('parallel: assigned stores the branch outputs, statement keeps the data', async () => {
    const m = await compileOk(`${TASKS}
def left(data):
    data["side"] = "left"

def right(data):
    data["side"] = "right"

def main(data):
    data["both"] = parallel(left, right)
    parallel(left, right)
    A(data)
`);
    const r = await execute(m.stateMachines.main.definition, { keep: 1 }, { A: (i) => i.data.keep });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.output.both.map((b: any) => b.side)).toEqual(['left', 'right']);
    expect(r.output.keep).toBe(1);
    expect(r.output.__trace.id).toBe('exec-1');
  });

  test('data.update merges like dict.update and keeps __trace', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    data.update({"b": 20, "c": {"x": 1}})
    data["t"] = A(data)
`);
    const r = await execute(m.stateMachines.main.definition, { a: 1, b: 2, __trace: { id: 'given', source: 'sns' } }, { A: (i) => i.meta.trace_id });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.output).toEqual({ a: 1, b: 20, c: { x: 1 }, __trace: { id: 'given', source: 'sns' }, t: 'given' });
  });

  test('__trace is defaulted from the execution name when absent, and tasks see it', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    data["seen"] = A(data)
`);
    const r = await execute(m.stateMachines.main.definition, {}, { A: (i) => i.meta });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.output.seen).toMatchObject({ trace_id: 'exec-1', trace_source: 'direct' });
  });

  test('nested state machine call: child gets the data, its Output is stored', async () => {
    const m = await compileOk(`${TASKS}
def child(data):
    data["r"] = A(data)

def main(data):
    data["child"] = child(data)
    B(data["child"])
`);
    let childInput: any;
    const r = await execute(m.stateMachines.main.definition, { v: 5 }, {
      child: (i) => ((childInput = i.Input), { Status: 'SUCCEEDED', Output: { ...i.Input, r: 99 } }),
      B: (i) => i.data.r,
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(childInput).toMatchObject({ v: 5, __trace: { id: 'exec-1' } });
    expect(r.output.child.r).toBe(99);
  });

  test('raise gives a Fail with the cause; wait states run', async () => {
    const m = await compileOk(`${TASKS}
def main(data):
    wait(seconds=5)
    wait(seconds=data["delay"])
    if "stop" in data:
        raise Stopped("asked to stop")
    raise Other
`);
    const r1 = await execute(m.stateMachines.main.definition, { stop: 1, delay: 3 }, {});
    expect(r1).toMatchObject({ status: 'FAILED', error: 'Stopped' });
    const r2 = await execute(m.stateMachines.main.definition, { delay: 3 }, {});
    expect(r2).toMatchObject({ status: 'FAILED', error: 'Other' });
  });
});
