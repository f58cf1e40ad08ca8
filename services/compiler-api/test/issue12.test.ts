/**
 * Issue 12, "the DSL means what Python means": exceptions (built-in hierarchy
 * and project classes), task classes (sync run, no self), did-you-mean, one
 * Map per map(), casts around literals. Cases are data where they fit.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { compileErrors, compileOk, execute } from './helpers.ts';
import { PYTHON_EXCEPTION_ALIASES, PYTHON_EXCEPTION_BASES, PYTHON_VERSION } from '../src/lower/exceptions/pythonExceptions.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/python_exceptions.py', import.meta.url));

/** The ErrorEquals of every Catch and Retry of every Task state of `main`. */
function guards(src: string) {
  return compileOk(src).then((m) => {
    const tasks = Object.values(m.stateMachines.main.definition.States).filter((s) => s.Type === 'Task');
    return {
      catch: tasks.flatMap((t) => ((t.Catch as Array<{ ErrorEquals: string[] }>) ?? []).map((c) => c.ErrorEquals)),
      retry: tasks.flatMap((t) => ((t.Retry as Array<{ ErrorEquals: string[] }>) ?? []).map((r) => r.ErrorEquals)).filter((e) => !e[0].startsWith('Lambda.')),
      manifest: m,
    };
  });
}

describe('the exception table is CPython’s', () => {
  test('the stored table equals python3’s BaseException.__subclasses__() walk over the builtins', () => {
    const live = JSON.parse(execFileSync('python3', [SCRIPT], { encoding: 'utf8' })) as { version: string; bases: Record<string, string[]>; aliases: Record<string, string> };
    // A different python3 may add or drop classes; the table names the version it was made with.
    expect({ version: PYTHON_VERSION, bases: PYTHON_EXCEPTION_BASES, aliases: PYTHON_EXCEPTION_ALIASES }).toEqual(live);
  });
});

const ONE_TASK = `
class PaymentDeclined(Exception):
    pass

class CardExpired(PaymentDeclined):
    pass

class CardStolen(PaymentDeclined, LookupError):
    pass

class Charge(Task):
    async def run(event, context):
        return 1
`;

describe('except and on_exceptions mean what Python means', () => {
  test.each<[string, string[]]>([
    ['Exception', ['States.TaskFailed', 'States.Timeout']],
    ['BaseException', ['States.ALL']],
    ['KeyError', ['KeyError']],
    ['LookupError', ['LookupError', 'IndexError', 'KeyError', 'CardStolen']],
    ['ArithmeticError', ['ArithmeticError', 'FloatingPointError', 'OverflowError', 'ZeroDivisionError']],
    ['ConnectionError', ['ConnectionError', 'BrokenPipeError', 'ConnectionAbortedError', 'ConnectionRefusedError', 'ConnectionResetError']],
    ['IOError', expect.arrayContaining(['OSError', 'FileNotFoundError', 'TimeoutError', 'PermissionError', 'ConnectionError', 'ConnectionResetError']) as never],
    ['PaymentDeclined', ['PaymentDeclined', 'CardExpired', 'CardStolen']],
    ['CardExpired', ['CardExpired']],
    ['(KeyError, PaymentDeclined)', ['KeyError', 'PaymentDeclined', 'CardExpired', 'CardStolen']],
    ['(BaseException, KeyError)', ['States.ALL']],
    ['States.Timeout', ['States.Timeout']],
    ['ModuleOwnError', ['ModuleOwnError']],
  ])('except %s → ErrorEquals %j', async (spelling, errorEquals) => {
    const g = await guards(`${ONE_TASK}
def main(data):
    try:
        Charge(data)
    except ${spelling} as e:
        data["caught"] = True
`);
    expect(g.catch).toEqual([errorEquals]);
    const list = spelling.startsWith('(') ? spelling.slice(1, -1) : spelling;
    const r = await guards(`${ONE_TASK}
def main(data):
    with retry(on_exceptions=[${list}], max_attempts=2):
        Charge(data)
`);
    expect(r.retry).toEqual([errorEquals]);
  });

  test('OSError lists every built-in subclass, transitively', async () => {
    const g = await guards(`${ONE_TASK}
def main(data):
    try:
        Charge(data)
    except OSError:
        pass
`);
    const expected = Object.keys(PYTHON_EXCEPTION_BASES).filter((n) => {
      const up = (c: string): boolean => c === 'OSError' || (PYTHON_EXCEPTION_BASES[c] ?? []).some(up);
      return up(n);
    });
    expect([...g.catch[0]].sort()).toEqual(expected.sort());
  });

  test('a task KeyError is caught by except LookupError and by except Exception; a PaymentDeclined subclass by except PaymentDeclined', async () => {
    for (const [clause, error] of [
      ['LookupError', 'KeyError'],
      ['Exception', 'KeyError'],
      ['Exception', 'States.Timeout'],
      ['PaymentDeclined', 'CardExpired'],
    ]) {
      const { manifest } = await guards(`${ONE_TASK}
def main(data):
    try:
        Charge(data)
    except ${clause} as e:
        data["caught"] = "yes"
`);
      const r = await execute(manifest.stateMachines.main.definition, {}, {
        Charge: () => {
          throw Object.assign(new Error('boom'), { name: error });
        },
      });
      expect([clause, error, r.status, r.output?.caught]).toEqual([clause, error, 'SUCCEEDED', 'yes']);
    }
  });

  test('except KeyError does not catch a ValueError (it fails the execution with the class name)', async () => {
    const { manifest } = await guards(`${ONE_TASK}
def main(data):
    try:
        Charge(data)
    except KeyError:
        data["caught"] = "yes"
`);
    const r = await execute(manifest.stateMachines.main.definition, {}, {
      Charge: () => {
        throw Object.assign(new Error('bad'), { name: 'ValueError' });
      },
    });
    expect([r.status, r.error]).toEqual(['FAILED', 'ValueError']);
  });
});

describe('project exception classes', () => {
  test('are accepted, listed in the manifest with their bases and source, and raise in main gives a Fail state named after the class', async () => {
    const m = await compileOk(`${ONE_TASK}
def main(data):
    if data["n"] > 1:
        raise CardExpired("too old")
    Charge(data)
`);
    expect(Object.keys(m.exceptions!)).toEqual(['PaymentDeclined', 'CardExpired', 'CardStolen']);
    expect(m.exceptions!.CardStolen).toMatchObject({ bases: ['PaymentDeclined', 'LookupError'], line: 8 });
    expect(m.exceptions!.PaymentDeclined.source).toBe('class PaymentDeclined(Exception):\n    pass');
    const fail = Object.values(m.stateMachines.main.definition.States).find((s) => s.Type === 'Fail');
    expect(fail).toMatchObject({ Error: 'CardExpired', Cause: 'too old' });
    const r = await execute(m.stateMachines.main.definition, { n: 2 }, {});
    expect([r.status, r.error]).toEqual(['FAILED', 'CardExpired']);
  });

  test('except Base lists a subclass defined after the state machine too (Python matches at run time)', async () => {
    const g = await guards(`${ONE_TASK}
def main(data):
    try:
        Charge(data)
    except PaymentDeclined:
        pass

class Fraud(CardExpired):
    pass
`);
    expect(g.catch).toEqual([['PaymentDeclined', 'CardExpired', 'CardStolen', 'Fraud']]);
  });

  test('a manifest without exception classes has no exceptions field', async () => {
    const m = await compileOk('class A(Task):\n    pass\n\ndef main(data):\n    A(data)\n');
    expect('exceptions' in m).toBe(false);
  });

  test.each<[string, string, string]>([
    ['an unknown exception base', 'class E(MyBaseError):\n    pass\n', '`MyBaseError` is not a built-in exception or an exception class defined above'],
    ['a base defined later', 'class E(Later):\n    pass\n\nclass Later(Exception):\n    pass\n', 'the exception class Later is defined later (line 4)'],
    ['a base error defined later', 'class E(LaterError):\n    pass\n\nclass LaterError(Exception):\n    pass\n', 'the exception class LaterError is defined later (line 4)'],
    ['a built-in name', 'class KeyError(Exception):\n    pass\n', 'KeyError is a built-in exception'],
    ['a plain class', 'class Helper:\n    pass\n', 'or `class Helper(Exception):` for an error to raise and catch'],
  ])('%s is refused with advice', async (_what, src, message) => {
    const errors = await compileErrors(`${src}\ndef main(data):\n    pass\n`);
    expect(errors.map((e) => e.code)).toContain('DSL.ClassBase');
    expect(errors.map((e) => e.message).join('\n')).toContain(message);
  });
});

describe('task classes: run methods', () => {
  test('a sync def run is extracted like an async one (the runtime calls it directly)', async () => {
    const m = await compileOk('class A(Task):\n    def run(event, context):\n        return 1\n\ndef main(data):\n    A(data)\n');
    expect(m.tasks.A.run).toMatchObject({ source: 'def run(event, context):\n    return 1', line: 2 });
  });

  test.each(['async def run(self, event, context):', 'def run(self, event, context):', 'def run(cls, event):'])('%s is refused: run has no instance', async (def) => {
    const errors = await compileErrors(`class A(Task):\n    ${def}\n        return 1\n\ndef main(data):\n    A(data)\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'DSL.TaskRunSelf', line: 2 });
    expect(errors[0].message).toMatch(/without an instance: remove `(self|cls)`/);
  });
});

describe('did you mean', () => {
  test.each<[string, string, string | null]>([
    ['ChargeCrad(data)', 'DSL.UnknownName', 'did you mean ChargeCard?'],
    ['chargecard(data)', 'DSL.UnknownName', 'did you mean ChargeCard?'],
    ['data["r"] = mapp(data["xs"], per_item)', 'DSL.UnknownName', 'did you mean map?'],
    ['data["r"] = map(data["xs"], per_iten)', 'DSL.UnknownFunction', 'did you mean per_item?'],
    ['Unrelated(data)', 'DSL.UnknownName', null],
  ])('%s', async (stmt, code, hint) => {
    const errors = await compileErrors(`class ChargeCard(Task):\n    pass\n\ndef per_item(data):\n    ChargeCard(data)\n\ndef main(data):\n    ${stmt}\n`);
    expect(errors.map((e) => e.code)).toEqual([code]);
    if (hint) expect(errors[0].message).toContain(hint);
    else expect(errors[0].message).not.toContain('did you mean');
  });
});

describe('map() emits one Map state', () => {
  const SRC = `
class Score(Task):
    pass

def per_user(data):
    data["s"] = Score(data, key="Score user")

def main(data):
    data["results"] = map(data["users"], per_user, max_concurrency=2)
    data["again"] = map(data["users"], per_user)
`;
  test('the iterator appears once per map() and key= names stay as written', async () => {
    const m = await compileOk(SRC);
    const names: string[] = [];
    const walk = (states: Record<string, any>): void => {
      for (const [n, st] of Object.entries(states)) {
        names.push(n);
        if (st.ItemProcessor) walk(st.ItemProcessor.States);
      }
    };
    walk(m.stateMachines.main.definition.States);
    const maps = Object.values(m.stateMachines.main.definition.States).filter((s) => s.Type === 'Map');
    expect(maps).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('Score user'))).toEqual(['Score user', 'Score user-2']); // one per map() call (names are unique in a machine)
    expect(Object.keys((maps[0].ItemProcessor as { States: object }).States)).toContain('Score user');
    // the states compiled around the user's are marked internal for the progress output
    const internal = Object.entries(m.stateMachines.main.states).filter(([, s]) => s.internal).map(([n]) => n.replace(/-[0-9a-f]{8}/, '-H'));
    expect(internal).toEqual(expect.arrayContaining(['Trace-Check', 'Trace-Default', 'Map-H-input', 'Map-H-pointer', 'Map-H-list', 'Map-H-item']));
    expect(Object.entries(m.stateMachines.main.states).filter(([n, s]) => !s.internal && (n === 'Score user' || s.kind === 'Map'))).toHaveLength(3);
  });

  test('a plain list and a put_items pointer give the iterator the same data as before', async () => {
    const m = await compileOk(SRC.replace('    data["again"] = map(data["users"], per_user)\n', ''));
    const seen: unknown[] = [];
    const stubs = { 'Score user': (i: any) => (seen.push(i.data), i.data.context_index) };
    const plain = await execute(m.stateMachines.main.definition, { users: ['a', 'b'], keep: 1 }, stubs);
    expect(plain.status).toBe('SUCCEEDED');
    expect(plain.output).toMatchObject({ users: ['a', 'b'], keep: 1, results: [{ s: 0 }, { s: 1 }] });
    expect(Object.keys(plain.output).sort()).toEqual(['__trace', 'keep', 'results', 'users']);
    expect(seen.map((d: any) => Object.keys(d).sort())).toEqual([0, 1].map(() => ['__trace', 'context_index', 'context_value']));
    seen.length = 0;
    const ptr = { table_name: 't', partition_key: 'p', key: 'k', items: [1, 1, 1] };
    const pointer = await execute(m.stateMachines.main.definition, { users: ptr }, stubs);
    expect(pointer.status).toBe('SUCCEEDED');
    expect(pointer.output.results).toHaveLength(3);
    expect(seen[2]).toMatchObject({ context_index: 2, context_value: 1, items_result_table_name: 't', items_result_partition_key: 'p', items_result_key: 'k' });
  });
});

describe('a cast around a literal is the literal (spec §9.3)', () => {
  test.each<[string, Record<string, unknown>]>([
    ['int(data["count"]) == int(7)', { Variable: "$['count']", NumericEquals: 7 }],
    ['int(data["count"]) > float(2.5)', { Variable: "$['count']", NumericGreaterThan: 2.5 }],
    ['data["count"] < int("12")', { Variable: "$['count']", NumericLessThan: 12 }],
    ['str(data["v"]) == str(5)', { Variable: "$['v']", StringEquals: '5' }],
    ['int(7) == int(data["count"])', { Variable: "$['count']", NumericEquals: 7 }],
  ])('%s', async (cond, rule) => {
    const m = await compileOk(`def main(data):\n    if ${cond}:\n        data["y"] = 1\n`);
    const choice = Object.entries(m.stateMachines.main.definition.States).find(([n, s]) => s.Type === 'Choice' && n.startsWith('Choice-'))![1];
    expect((choice.Choices as Array<Record<string, unknown>>)[0]).toMatchObject(rule);
  });

  test('int("abc") is refused', async () => {
    const errors = await compileErrors('def main(data):\n    if int(data["n"]) == int("abc"):\n        data["y"] = 1\n');
    expect(errors.map((e) => e.code)).toEqual(['DSL.ChoiceCondition']);
  });
});
