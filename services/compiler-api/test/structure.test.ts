import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileOk, validateAsl } from './helpers.ts';
import { renderMermaid, formatDiagnostics, compile } from '../src/index.ts';

const root = join(import.meta.dirname, '../../..');
const fixture = readFileSync(join(import.meta.dirname, 'fixtures/kitchen_sink.py'), 'utf8');

function allStates(def: any, out: Record<string, any> = {}): Record<string, any> {
  for (const [k, v] of Object.entries<any>(def.States)) {
    if (out[k]) throw new Error(`duplicate state name ${k}`);
    out[k] = v;
    if (v.ItemProcessor) allStates(v.ItemProcessor, out);
    for (const b of v.Branches ?? []) allStates(b, out);
  }
  return out;
}

describe('examples and fixtures compile to valid ASL', () => {
  const files = [
    ...readdirSync(join(root, 'examples')).map((d) => join(root, 'examples', d, 'project.py')),
    join(import.meta.dirname, 'fixtures/kitchen_sink.py'),
  ];
  for (const f of files) {
    test(f.replace(root, ''), async () => {
      // Given a realistic project / When compiled / Then every machine passes asl-validator and names are unique
      const m = await compileOk(readFileSync(f, 'utf8'));
      for (const sm of Object.values(m.stateMachines)) {
        const states = allStates(sm.definition);
        expect(Object.keys(sm.states).sort()).toEqual(Object.keys(states).sort());
        for (const name of Object.keys(states)) expect(name.length).toBeLessThanOrEqual(80);
      }
    });
  }
});

describe('kitchen sink manifest', () => {
  test('tasks, attributes, run extraction and imports', async () => {
    const m = await compileOk(fixture);
    expect(Object.keys(m.tasks)).toEqual(['Fetch', 'Store', 'Notify', 'Build', 'Legacy']);
    expect(m.tasks.Fetch.attributes.timeout).toBe(60);
    expect(m.tasks.Fetch.run?.source.startsWith('async def run(event, context):\n    import json')).toBe(true);
    expect(m.tasks.Fetch.run?.imports.sort()).toEqual(['helpers', 'json', 'os', 'urllib']);
    expect(m.tasks.Notify.attributes).toMatchObject({ service: 'ecs:worker', concurrency: 5, heartbeat_interval: 30, spec: 'workers.notify:NotifyWorker' });
    expect(m.tasks.Store.run).toBeNull();
    expect(m.tasks.Store.line).toBe(14);
  });

  test('decorators are recorded; firstClass false for map/parallel bodies only', async () => {
    const m = await compileOk(fixture);
    const main = m.stateMachines.main;
    expect(main.schedule).toEqual({ expression: 'rate(5 minutes)', input_data: { mode: 'scheduled' }, timezone: null });
    expect(main.subscriptions).toEqual([{ project: 'upstream', state_machine: 'main', status: 'success', topic_arn_import_value: null }]);
    expect(main.export).toEqual({ enabled: true });
    expect(m.stateMachines.per_item.firstClass).toBe(false);
    expect(m.stateMachines.left.firstClass).toBe(false);
    expect(m.stateMachines.child.firstClass).toBe(true);
    expect(main.firstClass).toBe(true);
  });

  test('task templates, timeouts, heartbeat, retry/catch and substitutions', async () => {
    const m = await compileOk(fixture);
    const main = m.stateMachines.main;
    const s = allStates(main.definition);
    expect(s['Fetch data']).toMatchObject({ Resource: '${LambdaFunctionFetch}', ResultPath: "$['fetched']", TimeoutSeconds: 30 });
    expect(s['Advance stage'].TimeoutSeconds).toBe(60); // class attribute is the default
    const notify = s['Notify'];
    expect(notify.Resource).toBe('arn:aws:states:::sqs:sendMessage.waitForTaskToken');
    expect(notify.HeartbeatSeconds).toBe(30);
    expect(notify.TimeoutSeconds).toBe(120);
    // ValueError means its built-in subclasses too (issue 12: the DSL means what Python means)
    const valueError = ['ValueError', 'UnicodeError', 'UnicodeDecodeError', 'UnicodeEncodeError', 'UnicodeTranslateError'];
    expect(notify.Retry).toEqual([{ ErrorEquals: [...valueError, 'States.Timeout'], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 1.5 }]);
    expect(notify.Catch.map((c: any) => [c.ErrorEquals, c.ResultPath])).toEqual([
      [valueError, "$['err']"],
      [['States.ALL'], '$.error'],
    ]);
    const build = Object.values(s).find((x: any) => x.Resource === 'arn:aws:states:::codebuild:startBuild.sync');
    expect(build.Parameters.EnvironmentVariablesOverride).toEqual([
      { Name: 'COMMIT', 'Value.$': "$['commit']" },
      { Name: 'STAGE', Value: 'prod' },
      { Name: 'BUILD_ARG_VARS', Value: '{"PY":"3.11"}' },
    ]);
    const nested = Object.values(s).find((x: any) => x.Resource === 'arn:aws:states:::states:startExecution.sync:2');
    expect(nested.Parameters).toEqual({ StateMachineArn: '${StateMachinechild}', 'Input.$': '$' });
    expect(main.substitutions).toEqual(
      expect.arrayContaining(['LambdaFunctionFetch', 'ECSClusterArn', 'ECSTaskDefinitionStore', 'Subnet0', 'QueueUrlNotify', 'CodeBuildProjectNameBuild', 'StateMachinechild', 'PackageNameLegacy']),
    );
    expect(s[Object.keys(s).find((k) => s[k].Type === 'Pass' && s[k].ResultPath === "$['deep']['inner']")!].Result).toBe(1);
    // states map: every state has a source line inside the file
    for (const src of Object.values(main.states)) expect(src.line).toBeGreaterThan(0);
    expect(main.states['Fetch data']).toMatchObject({ line: 58, column: 23, kind: 'Task', task: 'Fetch', function: 'main' });
  });

  test('Choice rules use the full operator set as valid ASL', async () => {
    const m = await compileOk(fixture);
    const rules = Object.values(allStates(m.stateMachines.main.definition))
      .filter((s: any) => s.Type === 'Choice')
      .flatMap((s: any) => s.Choices.map(({ Next, ...r }: any) => r));
    expect(rules).toContainEqual({
      And: [
        { Variable: "$['fetched']['status']", StringEquals: 'ok' },
        { Variable: "$['fetched']['count']", NumericGreaterThan: 2 },
      ],
    });
    expect(rules).toContainEqual({ Or: [{ Variable: "$['skip']", IsPresent: true }, { Variable: "$['mode']", IsNull: true }] });
    expect(rules).toContainEqual({ Variable: "$['stage']", NumericLessThan: 5 });
    expect(rules).toContainEqual({ And: [{ Variable: "$['stage']", IsNumeric: true }, { Not: { Variable: "$['halt']", BooleanEquals: true } }] });
    expect(rules).toContainEqual({ Or: [{ Variable: "$['name']", StringMatches: 'log-*' }, { Variable: "$['at']", TimestampLessThan: '2030-01-01T00:00:00Z' }] });
  });

  test('more Choice spellings: != , chained, path comparisons, not in, is not None', async () => {
    const m = await compileOk(`
def main(data):
    if data["a"] != "x":
        pass
    if 0 < data["n"] < 10:
        pass
    if int(data["a"]) <= int(data["b"]):
        pass
    if "k" not in data["obj"]:
        pass
    if data["v"] is not None:
        pass
    if 3 >= data["n"]:
        pass
    if bool(data["f"]) == False:
        pass
`);
    const rules = Object.values(allStates(m.stateMachines.main.definition))
      .filter((s: any) => s.Type === 'Choice' && !String(s.Choices[0].Variable).includes('__trace'))
      .map((s: any) => (({ Next, ...r }) => r)(s.Choices[0]));
    expect(rules).toEqual([
      { Not: { Variable: "$['a']", StringEquals: 'x' } },
      { And: [{ Variable: "$['n']", NumericGreaterThan: 0 }, { Variable: "$['n']", NumericLessThan: 10 }] },
      { Variable: "$['a']", NumericLessThanEqualsPath: "$['b']" },
      { Variable: "$['obj']['k']", IsPresent: false },
      { Variable: "$['v']", IsNull: false },
      { Variable: "$['n']", NumericLessThanEquals: 3 },
      { Variable: "$['f']", BooleanEquals: false },
    ]);
  });

  test('state names are stable under unrelated edits', async () => {
    const a = await compileOk('class A(Task):\n    pass\n\ndef main(data):\n    A(data)\n    data["x"] = 1\n');
    const b = await compileOk('class A(Task):\n    pass\n\n\ndef main(data):\n    data["y"] = 2\n    A(data)\n    data["x"] = 1\n');
    const na = Object.keys(a.stateMachines.main.states);
    const nb = Object.keys(b.stateMachines.main.states);
    for (const n of na) expect(nb).toContain(n);
  });

  test('mermaid: flowchart with labelled Choice edges, dashed catch edges and subgraphs', async () => {
    const m = await compileOk(fixture);
    const text = renderMermaid(m.stateMachines.main, 'main');
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    // Choice edges carry their condition (entity codes keep brackets and comparison signs in Mermaid labels).
    expect(text).toContain(`-->|"($#91;'fetched'#93;#91;'status'#93; == #quot;ok#quot;) and ($#91;'fetched'#93;#91;'count'#93; #62; 2)"|`);
    expect(text).toContain(`-->|"($#91;'skip'#93; present) or ($#91;'mode'#93; is null)"|`);
    expect(text).toMatch(/-->\|default\|/);
    expect(text).toMatch(/-\.->\|"ValueError, UnicodeError, [^"]*"\|/);
    expect(text).toMatch(/subgraph .*iteration/);
    expect(text).toMatch(/subgraph .*branch 2/);
  });

  test('formatDiagnostics shows file:line:col, code and a caret frame', async () => {
    const src = 'def main(data):\n    Missing(data)\n';
    const r = await compile(src);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatDiagnostics(src, r.errors, 'p.py');
    expect(text).toContain('p.py:2:5 error DSL.UnknownName');
    expect(text).toContain('2 |     Missing(data)');
    expect(text).toContain('  |     ^^^^^^^');
  });

  test('validator sanity: a broken definition is rejected', () => {
    expect(validateAsl({ StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Nope' } } }).isValid).toBe(false);
  });
});

test('heartbeat_interval becomes HeartbeatSeconds only on ecs:worker tasks; elsewhere a warning says it is ignored', async () => {
  const source = [
    'class Poll(Task):',
    '    heartbeat_interval = 10',
    '    async def run(event, context):',
    '        return 1',
    '',
    'class Work(Task):',
    '    service = "ecs:worker"',
    '    spec = "pkg.mod:Worker"',
    '    heartbeat_interval = 10',
    '',
    'def main(data):',
    '    Poll(key="Poll")',
    '    Work(key="Work")',
    '',
  ].join('\n');
  const result = await compile(source);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const states = result.manifest.stateMachines.main!.definition.States;
  expect(states['Poll']!.HeartbeatSeconds).toBeUndefined();
  expect(states['Work']!.HeartbeatSeconds).toBe(10);
  expect(result.manifest.diagnostics).toEqual([
    expect.objectContaining({ code: 'DSL.HeartbeatIgnored', severity: 'warning', line: 12 }),
  ]);
});
