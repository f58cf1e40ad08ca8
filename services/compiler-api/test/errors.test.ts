import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileErrors } from './helpers.ts';

const T = 'class A(Task):\n    pass\n\n';

// [title, source, code, line, column] — spec §17.1/§17.2 and other unsupported input
const CASES: Array<[string, string, string, number, number]> = [
  ['class without Task base (§17.1 #2)', 'class X(Base):\n    pass\n', 'DSL.ClassBase', 1, 7],
  ['dotted Task base (§17.2)', 'class X(fluxio.Task):\n    pass\n', 'DSL.ClassBase', 1, 7],
  ['other async method (#3)', 'class X(Task):\n    async def go(event, context):\n        pass\n', 'DSL.TaskMethod', 2, 15],
  ['unknown service (#4)', 'class X(Task):\n    service = "k8s"\n', 'DSL.InvalidService', 2, 15],
  ['concurrency out of range (#5)', 'class X(Task):\n    concurrency = 101\n', 'DSL.InvalidConcurrency', 2, 19],
  ['non-literal attribute (§17.2)', 'class X(Task):\n    timeout = LIMIT\n', 'DSL.AttributeNotLiteral', 2, 15],
  ['ecs:worker without spec', 'class X(Task):\n    service = "ecs:worker"\n', 'DSL.WorkerSpec', 1, 7],
  ['EventProcessor sync method (#6)', 'class E(EventProcessor):\n    def get_custom_tags_ExecutionFailed(message, input_data, state_data_client):\n        pass\n', 'DSL.EventProcessorMethod', 2, 9],
  ['EventProcessor method name (#7)', 'class E(EventProcessor):\n    async def tags(message, input_data, state_data_client):\n        pass\n', 'DSL.EventProcessorMethod', 2, 15],
  ['EventProcessor parameters (#8)', 'class E(EventProcessor):\n    async def get_custom_tags_ExecutionFailed(message, data):\n        pass\n', 'DSL.EventProcessorParameters', 2, 46],
  ['unknown processor (#14)', '@process_events(processor=Nope)\ndef main(data):\n    pass\n', 'DSL.ProcessorUnknown', 1, 27],
  ['unknown decorator (#9)', '@deploy()\ndef main(data):\n    pass\n', 'DSL.UnknownDecorator', 1, 2],
  ['two schedules (#10)', '@schedule(expression="rate(1 hour)")\n@schedule(expression="rate(2 hours)")\ndef main(data):\n    pass\n', 'DSL.DuplicateDecorator', 2, 2],
  ['decorator without call (§17.2)', '@export\ndef main(data):\n    pass\n', 'DSL.DecoratorForm', 1, 2],
  ['bad schedule expression', '@schedule(expression="every day")\ndef main(data):\n    pass\n', 'DSL.ScheduleExpression', 1, 22],
  ['subscribe bad status (#13)', '@subscribe(project="p", status="done")\ndef main(data):\n    pass\n', 'DSL.SubscribeStatus', 1, 32],
  ['subscribe without target', '@subscribe(state_machine="main")\ndef main(data):\n    pass\n', 'DSL.SubscribeTarget', 1, 2],
  ['unknown task option (#11)', T + 'def main(data):\n    A(data, retries=3)\n', 'DSL.InvalidOption', 5, 13],
  ['key not a string (#12)', T + 'def main(data):\n    A(data, key=1)\n', 'DSL.InvalidKey', 5, 17],
  ['chained assignment (#16)', 'def main(data):\n    data["a"] = data["b"] = 1\n', 'DSL.MultipleTargets', 2, 5],
  ['target not on data (#17)', 'def main(data):\n    x = 1\n', 'DSL.AssignmentTarget', 2, 5],
  ['other method call (#18)', 'def main(data):\n    data.append(1)\n', 'DSL.UnsupportedMethodCall', 2, 5],
  ['unknown call (#19)', 'def main(data):\n    print("hi")\n', 'DSL.UnknownName', 2, 5],
  ['function used before definition', 'def main(data):\n    later(data)\n\ndef later(data):\n    pass\n', 'DSL.UsedBeforeDefinition', 2, 5],
  ['parallel without branches (#20)', 'def main(data):\n    parallel()\n', 'DSL.ParallelArguments', 2, 5],
  ['parallel unknown branch (#21)', 'def main(data):\n    parallel(nope)\n', 'DSL.UnknownFunction', 2, 14],
  ['map wrong arity (#22)', 'def main(data):\n    map(data["x"])\n', 'DSL.MapArguments', 2, 5],
  ['map unknown iterator (#23)', 'def main(data):\n    map(data["x"], nope)\n', 'DSL.UnknownFunction', 2, 20],
  ['try with two statements (#24)', T + 'def main(data):\n    try:\n        A(data)\n        A(data, key="b")\n    except:\n        pass\n', 'DSL.GuardedStatement', 6, 9],
  ['try else (#25)', T + 'def main(data):\n    try:\n        A(data)\n    except:\n        pass\n    else:\n        pass\n', 'DSL.TryElse', 9, 5],
  ['try finally (#26)', T + 'def main(data):\n    try:\n        A(data)\n    finally:\n        pass\n', 'DSL.TryFinally', 7, 5],
  ['try around a non-task (#28)', 'def main(data):\n    try:\n        data["x"] = 1\n    except:\n        pass\n', 'DSL.GuardedStatement', 3, 9],
  ['bad exception name (#29)', T + 'def main(data):\n    with retry(on_exceptions=["ValueError"]):\n        A(data)\n', 'DSL.ErrorNames', 5, 31],
  ['retry around two statements (#30)', T + 'def main(data):\n    with retry():\n        A(data)\n        A(data, key="x")\n', 'DSL.GuardedStatement', 6, 9],
  ['other context manager (#31)', 'def main(data):\n    with open("f"):\n        pass\n', 'DSL.ContextManager', 2, 10],
  ['__trace target (#34)', 'def main(data):\n    data["__trace"] = 1\n', 'DSL.ReservedKey', 2, 5],
  ['non-JSON Pass value (#35)', 'def main(data):\n    data["x"] = {1, 2}\n', 'DSL.PassValue', 2, 17],
  ['bad wait keyword (#36)', 'def main(data):\n    wait(minutes=1)\n', 'DSL.InvalidOption', 2, 10],
  ['wait with both (R6)', 'def main(data):\n    wait(seconds=1, timestamp="2024-01-01T00:00:00Z")\n', 'DSL.WaitArguments', 2, 5],
  ['bare reference condition (#37)', 'def main(data):\n    if data["x"]:\n        pass\n', 'DSL.ChoiceCondition', 2, 8],
  ['two references without type', 'def main(data):\n    if data["a"] < data["b"]:\n        pass\n', 'DSL.ChoiceTypeUnknown', 2, 8],
  ['mismatched casts (#40)', 'def main(data):\n    if int(data["a"]) == str(data["b"]):\n        pass\n', 'DSL.ChoiceCondition', 2, 8],
  ['== None (#42/#45)', 'def main(data):\n    if data["a"] == None:\n        pass\n', 'DSL.ChoiceCondition', 2, 21],
  ['unsupported function in condition (#43)', 'def main(data):\n    if len(data["a"]) > 1:\n        pass\n', 'DSL.ChoiceCondition', 2, 8],
  ['nested target is fine but .attr is not', 'def main(data):\n    data.x = 1\n', 'DSL.AssignmentTarget', 2, 5],
  ['expression statement (§17.2)', 'def main(data):\n    data["x"]\n', 'DSL.UnsupportedStatement', 2, 5],
  ['data["d"].update (§17.2)', 'def main(data):\n    data["d"].update({"a": 1})\n', 'DSL.UnsupportedMethodCall', 2, 5],
  ['data.update() without args (§17.2)', 'def main(data):\n    data.update()\n', 'DSL.UpdateArgument', 2, 5],
  ['bare raise (§17.2)', 'def main(data):\n    raise\n', 'DSL.RaiseForm', 2, 5],
  ['raise with non-literal cause (§17.2)', 'def main(data):\n    raise E(msg)\n', 'DSL.RaiseCause', 2, 13],
  ['dotted raise (§17.2)', 'def main(data):\n    raise errors.E("x")\n', 'DSL.RaiseForm', 2, 5],
  ['for loop', 'def main(data):\n    for x in data["xs"]:\n        pass\n', 'DSL.UnsupportedStatement', 2, 5],
  ['nested def', 'def main(data):\n    def inner():\n        pass\n', 'DSL.UnsupportedStatement', 2, 5],
  ['augmented assignment', 'def main(data):\n    data["n"] += 1\n', 'DSL.UnsupportedStatement', 2, 5],
  ['unreachable after return', 'def main(data):\n    return\n    data["x"] = 1\n', 'DSL.Unreachable', 3, 5],
  ['duplicate key', T + 'def main(data):\n    A(data, key="same")\n    A(data, key="same")\n', 'DSL.DuplicateKey', 6, 17],
  ['key too long', T + `def main(data):\n    A(data, key="${'k'.repeat(81)}")\n`, 'DSL.InvalidKey', 5, 17],
  ['key with placeholder', T + 'def main(data):\n    A(data, key="${x}")\n', 'DSL.InvalidKey', 5, 17],
  ['heartbeat >= timeout', 'class W(Task):\n    timeout = 30\n    heartbeat_interval = 30\n', 'DSL.Heartbeat', 1, 7],
  ['catch-all not last', T + 'def main(data):\n    try:\n        A(data)\n    except:\n        pass\n    except KeyError:\n        pass\n', 'DSL.CatchAllOrder', 7, 5],
  ['isinstance list', 'def main(data):\n    if isinstance(data["x"], list):\n        pass\n', 'DSL.ChoiceCondition', 2, 30],
];

describe('every rejection is a structured error at the right place', () => {
  for (const [title, source, code, line, column] of CASES) {
    test(title, async () => {
      const errors = await compileErrors(source);
      expect(errors.map((e) => [e.code, e.line, e.column])).toContainEqual([code, line, column]);
      for (const e of errors) expect(e.message.length).toBeGreaterThan(10);
    });
  }

  test('all errors of a file are reported, in order', async () => {
    const errors = await compileErrors('def main(data):\n    print(1)\n    x = 2\n    for a in b:\n        pass\n');
    expect(errors.map((e) => e.code)).toEqual(['DSL.UnknownName', 'DSL.AssignmentTarget', 'DSL.UnsupportedStatement']);
  });
});

// Syntax errors must be located on the line CPython reports.
const SYNTAX: Array<[string, string]> = [
  ['missing colon on if', 'def main(data):\n    if data["a"] == 1\n        pass\n'],
  ['missing colon on def', 'def main(data)\n    pass\n'],
  ['missing colon on class', 'class A(Task)\n    pass\n'],
  ['missing colon on while', 'def main(data):\n    x = 1\n    while data["a"] < 2\n        pass\n'],
  ['unclosed paren', 'def main(data):\n    A(data,\n    B(data)\n\ndef other(data):\n    pass\n'],
  ['unclosed bracket at end', 'def main(data):\n    data["x"] = [1, 2\n'],
  ['unclosed brace', 'def main(data):\n    data["x"] = {"a": 1\n    pass\n'],
  ['mismatched bracket', 'def main(data):\n    data["x"] = [1, 2)\n'],
  ['unmatched closing', 'def main(data):\n    data["x"] = 1)\n'],
  ['expected indented block', 'def main(data):\npass\n'],
  ['expected indented block at EOF', 'def main(data):\n'],
  ['expected indented block after if', 'def main(data):\n    if data["a"] == 1:\n    pass\n'],
  ['unindent mismatch', 'def main(data):\n    if data["a"] == 1:\n        pass\n      pass\n'],
  ['unexpected indent', 'def main(data):\n    pass\n        pass\n'],
  ['unterminated string', 'def main(data):\n    data["x"] = "abc\n'],
  ['unterminated triple string', 'def main(data):\n    """doc\n    pass\n'],
  ['unexpected token', 'def main(data):\n    data["x"] = 1 2\n'],
  ['stray operator', 'def main(data):\n    data["x"] = 2 +\n'],
  ['keyword as name', 'def main(data):\n    class = 1\n'],
  ['bad def', 'def (data):\n    pass\n'],
  ['missing colon in elif', 'def main(data):\n    if data["a"] == 1:\n        pass\n    elif data["a"] == 2\n        pass\n'],
];

function pythonLine(source: string, dir: string): number {
  const f = join(dir, 'p.py');
  writeFileSync(f, source);
  const out = execFileSync('python3', ['-c', 'import ast,sys\ntry:\n ast.parse(open(sys.argv[1]).read())\n print(0)\nexcept SyntaxError as e:\n print(e.lineno)', f]).toString();
  return Number(out.trim());
}

describe('syntax errors are located where CPython reports them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxio-syntax-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const [title, source] of SYNTAX) {
    test(title, async () => {
      const expected = pythonLine(source, dir);
      expect(expected).toBeGreaterThan(0);
      const errors = await compileErrors(source);
      expect(errors).toHaveLength(1);
      expect(errors[0].code).toMatch(/^Syntax\./);
      expect(errors[0].line).toBe(expected);
    });
  }
});
