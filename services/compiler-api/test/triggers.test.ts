/**
 * Issue 9 in the compiler: `@schedule` checked with shared/src/schedules.ts
 * (expression and time zone errors on the offending argument), EventProcessor
 * classes and `@process_events` (spec §2.4/§2.6) into the manifest, every
 * rejection a structured error, and no input that makes the compiler throw.
 */
import { describe, expect, it, test } from 'vitest';
import { parseScheduleExpression } from '@fluxio/contracts/schedules';
import { EXECUTION_EVENT_TYPES } from '@fluxio/contracts/eventProcessors';
import { Value } from '@sinclair/typebox/value';
import { ManifestSchema } from '@fluxio/contracts/schemas/compile';
import { loadCompiler } from '../src/index.ts';
import { compileErrors, compileOk } from './helpers.ts';

const T = 'class Step(Task):\n    async def run(event, context):\n        return event\n\n';
const body = 'def main(data):\n    Step()\n';
const PARAMS = '(message, input_data, state_data_client)';

/** The one error of `source`, with the text its range covers. */
async function oneError(source: string) {
  const errors = await compileErrors(source);
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  const e = errors[0];
  const lines = source.split('\n');
  const covered =
    e.line === e.endLine
      ? lines[e.line - 1].slice(e.column - 1, e.endColumn - 1)
      : [lines[e.line - 1].slice(e.column - 1), ...lines.slice(e.line, e.endLine - 1), lines[e.endLine - 1].slice(0, e.endColumn - 1)].join('\n');
  return { ...e, covered };
}

describe('@schedule', () => {
  it('records expression, input_data and timezone', async () => {
    const m = await compileOk(`${T}@schedule(expression="cron(0 9 ? * MON-FRI *)", input_data={"mode": "daily"}, timezone="Europe/Berlin")\n${body}`);
    expect(m.stateMachines.main.schedule).toEqual({ expression: 'cron(0 9 ? * MON-FRI *)', input_data: { mode: 'daily' }, timezone: 'Europe/Berlin' });
    const utc = await compileOk(`${T}@schedule(expression="at(2030-01-23T09:00:00)", timezone=None)\n${body}`);
    expect(utc.stateMachines.main.schedule).toEqual({ expression: 'at(2030-01-23T09:00:00)', input_data: null, timezone: null });
    expect(Value.Check(ManifestSchema, m)).toBe(true);
  });

  test.each([
    ['rate(5 minute)', 'rate(5 minutes)'],
    ['rate(1 minutes)', 'rate(1 minute)'],
    ['rate(0 minutes)', '1 or more'],
    ['cron(a b c d e f)', 'minutes "a"'],
    ['cron(0 0 30 2 ? *)', 'could never fire'],
    ['cron(0 12 * * MON *)', 'cron(0 12 ? * MON *)'],
    ['at(2026-02-30T00:00:00)', 'no day 30'],
    ['every day', 'rate(value unit)'],
  ])('%s is DSL.ScheduleExpression on the expression, with the message of shared/schedules', async (expression, hint) => {
    const e = await oneError(`${T}@schedule(expression="${expression}")\n${body}`);
    expect(e.code).toBe('DSL.ScheduleExpression');
    expect(e.covered).toBe(`"${expression}"`);
    const r = parseScheduleExpression(expression);
    expect(r.ok).toBe(false);
    expect(e.message).toBe(!r.ok && r.message);
    expect(e.message).toContain(hint);
  });

  it('an unknown or misspelt time zone is DSL.ScheduleTimezone on the timezone argument; a bad expression beside it is reported too', async () => {
    const e = await oneError(`${T}@schedule(expression="rate(1 hour)", timezone="Europe/Nowhere")\n${body}`);
    expect(e.code).toBe('DSL.ScheduleTimezone');
    expect(e.covered).toBe('"Europe/Nowhere"');
    const lower = await oneError(`${T}@schedule(expression="rate(1 hour)", timezone="europe/berlin")\n${body}`);
    expect(lower.message).toMatch(/write "Europe\/Berlin"/);
    const both = await compileErrors(`${T}@schedule(expression="rate(5 minute)", timezone="Mars/Base")\n${body}`);
    expect(both.map((x) => x.code)).toEqual(['DSL.ScheduleExpression', 'DSL.ScheduleTimezone']);
  });

  it('a schedule without an expression is an error that says nothing could fire it', async () => {
    for (const deco of ['@schedule()', '@schedule(input_data={"a": 1})', '@schedule(expression=None)']) {
      const e = await oneError(`${T}${deco}\n${body}`);
      expect(e.code, deco).toBe('DSL.ScheduleExpression');
      expect(e.message).toMatch(/needs expression=.*never fire/);
    }
  });

  it('non-string options and unknown options are refused', async () => {
    expect((await oneError(`${T}@schedule(expression="rate(1 hour)", timezone=1)\n${body}`)).code).toBe('DSL.InvalidOptionType');
    expect((await oneError(`${T}@schedule(expression=RATE)\n${body}`)).code).toBe('DSL.InvalidOptionType');
    expect((await oneError(`${T}@schedule(expression="rate(1 hour)", tz="UTC")\n${body}`)).message).toMatch(/options of @schedule: expression, input_data, timezone/);
  });
});

const PROCESSOR = `class ShopEvents(EventProcessor):
    """Tags for the shop's results."""
    team = "shop"

    async def get_custom_tags_ExecutionSucceeded(message, input_data, state_data_client):
        import json
        from pricing.rules import price
        return {"team": "shop"}

    async def get_custom_tags_ExecutionFailed(state_data_client, message, input_data):
        return {"severity": "high"}

`;

describe('EventProcessor classes and @process_events', () => {
  it('compile into eventProcessors and the state machine’s eventProcessor', async () => {
    const m = await compileOk(`${T}${PROCESSOR}@process_events(processor=ShopEvents)\n${body}\n@process_events()\ndef other(data):\n    Step()\n\ndef plain(data):\n    Step()\n`);
    expect(Object.keys(m.eventProcessors!)).toEqual(['ShopEvents']);
    const p = m.eventProcessors!.ShopEvents;
    expect(p.eventTypes).toEqual(['ExecutionSucceeded', 'ExecutionFailed']);
    expect(p.imports.sort()).toEqual(['json', 'pricing']);
    expect(p.line).toBe(5);
    expect(p.source.split('\n')[0]).toBe('class ShopEvents(EventProcessor):');
    expect(p.source).toContain('return {"severity": "high"}');
    expect(m.stateMachines.main.eventProcessor).toEqual({ processor: 'ShopEvents' });
    expect(m.stateMachines.other.eventProcessor).toEqual({ processor: null });
    expect(m.stateMachines.plain.eventProcessor).toBeNull();
    expect(Value.Check(ManifestSchema, m)).toBe(true);
    // the decorator never changes the ASL (spec §2.6)
    const undecorated = await compileOk(`${T}${PROCESSOR}${body}`);
    expect(m.stateMachines.main.definition).toEqual(undecorated.stateMachines.main.definition);
    // the class is not a task
    expect(Object.keys(m.tasks)).toEqual(['Step']);
  });

  it('the class source is valid Python that defines the class (exec’d by the runtime)', async () => {
    const m = await compileOk(`if True:\n    class Nested(EventProcessor):\n        async def get_custom_tags_ExecutionStarted(message, input_data, state_data_client):\n            return {}\n${T}${body}`);
    const p = m.eventProcessors!.Nested;
    expect(p.source.startsWith('class Nested(EventProcessor):\n    async def')).toBe(true);
    expect(p.line).toBe(2);
  });

  it('a project without processors has eventProcessors {} and every eventProcessor null', async () => {
    const m = await compileOk(`${T}${body}`);
    expect(m.eventProcessors).toEqual({});
    expect(m.stateMachines.main.eventProcessor).toBeNull();
  });

  it('accepts every event type, parameters in any order, annotated, and @staticmethod', async () => {
    const methods = EXECUTION_EVENT_TYPES.map((t, i) => {
      const params = i % 2 ? '(input_data, state_data_client, message)' : '(message: dict, input_data: dict, state_data_client)';
      return `${i === 2 ? '    @staticmethod\n' : ''}    async def get_custom_tags_${t}${params}:\n        return {"t": "${t}"}\n`;
    });
    const m = await compileOk(`class All(EventProcessor):\n${methods.join('\n')}\n${T}${body}`);
    expect(m.eventProcessors!.All.eventTypes).toEqual([...EXECUTION_EVENT_TYPES]);
  });

  // [title, source, code, the text the error's range covers, message pattern]
  const CASES: Array<[string, string, string, string, RegExp]> = [
    ['sync method (spec #6)', `class E(EventProcessor):\n    def get_custom_tags_ExecutionFailed${PARAMS}:\n        pass\n`, 'DSL.EventProcessorMethod', 'get_custom_tags_ExecutionFailed', /must be async/],
    ['other method name (#7)', `class E(EventProcessor):\n    async def tags${PARAMS}:\n        pass\n`, 'DSL.EventProcessorMethod', 'tags', /only get_custom_tags_<EventType>/],
    ['method decorator', `class E(EventProcessor):\n    @cache\n    async def get_custom_tags_ExecutionFailed${PARAMS}:\n        pass\n`, 'DSL.EventProcessorMethod', '@cache', /no decorators/],
    [
      'method defined twice',
      `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed${PARAMS}:\n        pass\n    async def get_custom_tags_ExecutionFailed${PARAMS}:\n        pass\n`,
      'DSL.EventProcessorMethod',
      'get_custom_tags_ExecutionFailed',
      /defined twice \(line 2\)/,
    ],
    ['unknown event type', `class E(EventProcessor):\n    async def get_custom_tags_Succeeded${PARAMS}:\n        pass\n`, 'DSL.EventProcessorEventType', 'get_custom_tags_Succeeded', /write get_custom_tags_ExecutionSucceeded; the event types are ExecutionStarted, ExecutionSucceeded, ExecutionFailed, ExecutionTimedOut, ExecutionAborted/],
    ['no event type', `class E(EventProcessor):\n    async def get_custom_tags_${PARAMS}:\n        pass\n`, 'DSL.EventProcessorEventType', 'get_custom_tags_', /no event type/],
    ['history-style but not a status (ExecutionRedriven)', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionRedriven${PARAMS}:\n        pass\n`, 'DSL.EventProcessorEventType', 'get_custom_tags_ExecutionRedriven', /unknown event type ExecutionRedriven/],
    ['self (#8)', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(self, message, input_data, state_data_client):\n        pass\n`, 'DSL.EventProcessorParameters', 'self', /without an instance: remove `self`/],
    ['missing parameter (#8)', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(message, input_data):\n        pass\n`, 'DSL.EventProcessorParameters', '(message, input_data)', /missing state_data_client/],
    ['extra parameter (#8)', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(message, input_data, state_data_client, extra):\n        pass\n`, 'DSL.EventProcessorParameters', '(message, input_data, state_data_client, extra)', /unknown extra/],
    ['misspelt parameter (#8)', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(message, input, state_data_client):\n        pass\n`, 'DSL.EventProcessorParameters', '(message, input, state_data_client)', /unknown input; missing input_data/],
    ['*args', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(*args):\n        pass\n`, 'DSL.EventProcessorParameters', '*args', /remove \*args/],
    ['**kwargs', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(message, input_data, state_data_client, **kw):\n        pass\n`, 'DSL.EventProcessorParameters', '**kw', /remove \*\*kw/],
    ['keyword-only marker', `class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(message, *, input_data, state_data_client):\n        pass\n`, 'DSL.EventProcessorParameters', '*', /remove \*/],
    ['a class-level import', `class E(EventProcessor):\n    import json\n`, 'DSL.EventProcessorStatement', 'import json', /import inside the methods/],
    ['a class attribute that needs project.py', `${T}class E(EventProcessor):\n    task = Step\n`, 'DSL.EventProcessorStatement', 'task = Step', /literal class attributes only/],
    ['a nested class', `class E(EventProcessor):\n    class Inner:\n        pass\n`, 'DSL.EventProcessorStatement', 'class Inner:\n        pass', /move it into a method/],
    ['a second base', 'class E(EventProcessor, Mixin):\n    pass\n', 'DSL.EventProcessorBase', 'Mixin', /inherits EventProcessor directly and nothing else/],
    ['a subclass of a processor', 'class E(EventProcessor):\n    pass\n\nclass F(E):\n    pass\n', 'DSL.EventProcessorBase', 'E', /write `class F\(EventProcessor\):`/],
    ['dotted base', 'class E(fluxio.EventProcessor):\n    pass\n', 'DSL.EventProcessorBase', 'fluxio.EventProcessor', /bare name EventProcessor/],
    ['same name as a task', `${T}class Step(EventProcessor):\n    pass\n`, 'DSL.DuplicateDefinition', 'Step', /already defined/],
    ['decorator on the class', '@process_events()\nclass E(EventProcessor):\n    pass\n', 'DSL.UnsupportedDecorator', '@process_events()', /only allowed on state machine functions/],
    ['unknown processor (#14)', `${T}@process_events(processor=Nope)\n${body}`, 'DSL.ProcessorUnknown', 'Nope', /no EventProcessor class Nope above/],
    ['processor defined later (#14)', `${T}@process_events(processor=Later)\n${body}\nclass Later(EventProcessor):\n    pass\n`, 'DSL.ProcessorUnknown', 'Later', /defined later \(line 9\)/],
    ['a Task as processor (#14)', `${T}@process_events(processor=Step)\n${body}`, 'DSL.ProcessorUnknown', 'Step', /Step is a Task class/],
    ['an exception class as processor (#14)', `class Oops(Exception):\n    pass\n\n${T}@process_events(processor=Oops)\n${body}`, 'DSL.ProcessorUnknown', 'Oops', /exception class/],
    ['processor as a string', `class E(EventProcessor):\n    pass\n\n${T}@process_events(processor="E")\n${body}`, 'DSL.InvalidOptionType', '"E"', /write processor=E/],
    ['processor as an attribute', `${T}@process_events(processor=mod.E)\n${body}`, 'DSL.InvalidOptionType', 'mod.E', /name of an EventProcessor class/],
    ['two @process_events (#10)', `class E(EventProcessor):\n    pass\n\n${T}@process_events(processor=E)\n@process_events()\n${body}`, 'DSL.DuplicateDecorator', 'process_events()', /only one @process_events/],
    ['unknown option (#11)', `${T}@process_events(handler=X)\n${body}`, 'DSL.InvalidOption', 'X', /options of @process_events: processor/],
    ['positional option', `class E(EventProcessor):\n    pass\n\n${T}@process_events(E)\n${body}`, 'DSL.PositionalOption', 'E', /keyword arguments only/],
  ];
  test.each(CASES)('%s', async (_title, source, code, covered, message) => {
    const e = await oneError(source);
    expect(e.code).toBe(code);
    expect(e.covered).toBe(covered);
    expect(e.message).toMatch(message);
  });

  it('all errors of a processor class are reported at once, and the class is still known to @process_events', async () => {
    const errors = await compileErrors(
      `class E(EventProcessor):\n    def get_custom_tags_ExecutionFailed${PARAMS}:\n        pass\n    async def helper${PARAMS}:\n        pass\n    async def get_custom_tags_ExecutionAborted(self):\n        pass\n\n${T}@process_events(processor=E)\n${body}`,
    );
    expect(errors.map((e) => [e.code, e.line])).toEqual([
      ['DSL.EventProcessorMethod', 2],
      ['DSL.EventProcessorMethod', 4],
      ['DSL.EventProcessorParameters', 6],
    ]);
  });
});

describe('the compiler never throws on decorator and processor input', () => {
  it('2,000 generated files: a manifest or structured errors with sane ranges', async () => {
    const c = await loadCompiler();
    let seed = 9;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <X,>(xs: readonly X[]) => xs[rnd(xs.length)];
    const VALUES = ['"rate(1 hour)"', '"cron(0 9 ? * MON *)"', '"at(2030-01-01T00:00:00)"', '"rate(5 minute)"', '"cron(* * * * * *)"', 'None', '1', '{"a": 1}', '[1]', 'E', '"E"', 'f"x{1}"', '"Europe/Berlin"', '"\\u0000"', '"cron(' + '1,'.repeat(50) + '1 * * * ? *)"', 'lambda: 1', '*args', '**kw', '"' + 'x'.repeat(300) + '"', '"rate(99999999999999999999 minutes)"'];
    const KEYS = ['expression', 'input_data', 'timezone', 'processor', 'project', 'status', 'enabled', 'x'];
    const DECOS = ['schedule', 'process_events', 'subscribe', 'export', 'nope'];
    const METHODS = ['async def get_custom_tags_ExecutionFailed(message, input_data, state_data_client):', 'def get_custom_tags_ExecutionFailed(message, input_data, state_data_client):', 'async def get_custom_tags_(self):', 'async def get_custom_tags_ExecutionStarted(*a, **k):', 'async def x(message, message, message):', 'x = 1', '@staticmethod\n    async def get_custom_tags_ExecutionSucceeded(message, input_data, state_data_client):', 'class Inner(EventProcessor):\n        pass', 'async def get_custom_tags_ExecutionAborted(message, input_data, state_data_client, /):'];
    const BASES = ['EventProcessor', 'EventProcessor, Task', 'E', 'a.EventProcessor', 'EventProcessor, EventProcessor', ''];
    let manifests = 0;
    for (let i = 0; i < 2000; i++) {
      const cls = `class E(${pick(BASES)}):\n    ${pick(METHODS)}\n        return {"k": 1}\n\n`;
      const decos = Array.from({ length: rnd(3) + 1 }, () => {
        const args = Array.from({ length: rnd(3) }, () => (rnd(5) === 0 ? pick(VALUES) : `${pick(KEYS)}=${pick(VALUES)}`));
        return `@${pick(DECOS)}(${args.join(', ')})`;
      });
      const source = `${rnd(2) ? cls : ''}${T}${decos.join('\n')}\ndef main(data):\n    Step()\n${rnd(3) === 0 ? cls : ''}`;
      const r = c.compile(source);
      if (r.ok) {
        manifests++;
        expect(Value.Check(ManifestSchema, r.manifest), source).toBe(true);
        const sched = r.manifest.stateMachines.main.schedule;
        if (sched) expect(parseScheduleExpression(sched.expression!, sched.timezone).ok, source).toBe(true);
        continue;
      }
      const lines = source.split('\n').length;
      for (const e of r.errors) {
        expect(e.code, source).toMatch(/^(DSL|Syntax)\.[A-Za-z]+$/);
        expect(e.message.length, source).toBeGreaterThan(10);
        expect(e.line >= 1 && e.endLine <= lines + 1 && (e.endLine > e.line || e.endColumn >= e.column), `${source}\n${JSON.stringify(e)}`).toBe(true);
      }
    }
    expect(manifests).toBeGreaterThan(20);
  });
});
