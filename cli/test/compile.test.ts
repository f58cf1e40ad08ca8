/**
 * `fluxio compile` as a user runs it: the real binary (cli/bin/fluxio.mjs) in
 * a child process, on fixture projects (DESIGN.md §6).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runFluxio } from '../../test/helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'cli/test/fixtures');
const GREETER = join(fixtures, 'greeter/project.py');
const BROKEN = join(fixtures, 'broken/project.py');
const NO_MAIN = join(fixtures, 'no-main/project.py');

/** Runs `fluxio ...args` from `cwd` (default: the repository root), optionally feeding stdin. */
const fluxio = (args: string[], options: { cwd?: string; input?: string; bin?: string } = {}) =>
  runFluxio(args, { cwd: options.cwd, stdin: options.input, bin: options.bin, env: { NO_COLOR: '1' } });

const tmpDirs: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxio-cli-'));
  tmpDirs.push(dir);
  return dir;
};
afterAll(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('fluxio compile FILE', () => {
  it('prints the manifest on stdout and exits 0; the project is named after the directory', async () => {
    const res = await fluxio(['compile', GREETER]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const manifest = JSON.parse(res.stdout);
    expect(manifest.project).toBe('greeter');
    expect(Object.keys(manifest.stateMachines).sort()).toEqual(['greet_one', 'main']);
    expect(manifest.stateMachines.main.definition.StartAt).toBeTypeOf('string');
    expect(manifest.stateMachines.main.states.Greet).toMatchObject({ kind: 'Task', task: 'Greet' });
    expect(manifest.tasks.Greet.run.source).toContain('return "hello " + event["name"]');
    expect(manifest.diagnostics).toEqual([]);
  });

  it('accepts a directory holding project.py, and --project overrides the name', async () => {
    const res = await fluxio(['compile', 'cli/test/fixtures/greeter', '--project', 'hello-world', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).project).toBe('hello-world');
  });

  it('reads the source from stdin with FILE "-"', async () => {
    const res = await fluxio(['compile', '-', '--json'], { input: readFileSync(GREETER, 'utf8') });
    expect(res.code).toBe(0);
    expect(Object.keys(JSON.parse(res.stdout).stateMachines)).toContain('main');
  });

  it('runs as `fluxio` from node_modules/.bin (the workspace bin link)', async () => {
    const link = join(root, 'node_modules/.bin/fluxio');
    expect(existsSync(link)).toBe(true);
    const res = await fluxio(['--version'], { bin: link });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'cli/package.json'), 'utf8')).version);
  });
});

describe('compile errors (exit 1)', () => {
  it('--json: {"errors":[…]} on stdout with code, message and a 1-based range', async () => {
    const res = await fluxio(['compile', BROKEN, '--json']);
    expect(res.code).toBe(1);
    const body = JSON.parse(res.stdout);
    expect(Object.keys(body)).toEqual(['errors']);
    expect(body.errors.length).toBeGreaterThan(0);
    const lines = readFileSync(BROKEN, 'utf8').split('\n').length;
    for (const e of body.errors) {
      expect(e).toEqual(
        expect.objectContaining({
          code: expect.any(String),
          message: expect.any(String),
          line: expect.any(Number),
          column: expect.any(Number),
          endLine: expect.any(Number),
          endColumn: expect.any(Number),
        }),
      );
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(lines);
      expect(e.column).toBeGreaterThanOrEqual(1);
    }
  });

  it('without --json: a report with a code frame on stderr, nothing on stdout', async () => {
    const res = await fluxio(['compile', BROKEN]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    const json = JSON.parse((await fluxio(['compile', BROKEN, '--json'])).stdout);
    const first = json.errors[0];
    const sourceLine = readFileSync(BROKEN, 'utf8').split('\n')[first.line - 1];
    // header: file:line:col severity CODE: message
    expect(res.stderr).toContain(`cli/test/fixtures/broken/project.py:${first.line}:${first.column} error ${first.code}: ${first.message}`);
    // the offending line with a gutter, and carets under the column
    expect(res.stderr).toContain(`${first.line} | ${sourceLine}`);
    expect(res.stderr).toMatch(new RegExp(`\\n\\s+\\| ${' '.repeat(first.column - 1)}\\^+`));
    expect(res.stderr).toMatch(/error(s)?: cli\/test\/fixtures\/broken\/project\.py was not compiled/);
  });

  it('--out writes nothing when the project does not compile', async () => {
    const out = join(tmp(), 'build');
    const res = await fluxio(['compile', BROKEN, '--out', out]);
    expect(res.code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});

describe('--format', () => {
  it('asl: the definition of main by default', async () => {
    const res = await fluxio(['compile', GREETER, '--format', 'asl']);
    expect(res.code).toBe(0);
    const manifest = JSON.parse((await fluxio(['compile', GREETER])).stdout);
    expect(JSON.parse(res.stdout)).toEqual(manifest.stateMachines.main.definition);
  });

  it('asl --state-machine NAME: that state machine', async () => {
    const res = await fluxio(['compile', GREETER, '--format', 'asl', '--state-machine', 'greet_one']);
    expect(res.code).toBe(0);
    const asl = JSON.parse(res.stdout);
    expect(Object.keys(asl.States)).toContain('Greet one');
    expect(Object.keys(asl.States)).not.toContain('Shout');
  });

  it('asl without main: the only state machine, else a usage error listing them', async () => {
    const res = await fluxio(['compile', NO_MAIN, '--format', 'asl']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("no 'main' state machine");
    expect(res.stderr).toContain('hello, goodbye');
    const one = await fluxio(['compile', '-', '--format', 'asl'], {
      input: 'class A(Task):\n    async def run(event, context):\n        return 1\n\n\ndef only(data):\n    data["a"] = A()\n',
    });
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).StartAt).toBeTypeOf('string');
  });

  it('mermaid: one diagram per state machine, each named', async () => {
    const res = await fluxio(['compile', GREETER, '--format', 'mermaid']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('%% state machine: main');
    expect(res.stdout).toContain('%% state machine: greet_one');
    expect(res.stdout.match(/^(flowchart|stateDiagram)/gm)?.length).toBe(2);
    expect(res.stdout).toContain('Shout');
  });

  it('mermaid --state-machine NAME: only that diagram', async () => {
    const res = await fluxio(['compile', GREETER, '--format', 'mermaid', '--state-machine', 'greet_one']);
    expect(res.code).toBe(0);
    expect(res.stdout.match(/^(flowchart|stateDiagram)/gm)?.length).toBe(1);
    expect(res.stdout).toContain('Greet one');
    expect(res.stdout).not.toContain('Shout');
  });
});

describe('--out DIR', () => {
  it('writes manifest.json, <sm>.asl.json and <sm>.mmd for every state machine and lists them', async () => {
    const cwd = tmp();
    const res = await fluxio(['compile', GREETER, '--out', 'build'], { cwd });
    expect(res.code).toBe(0);
    const dir = join(cwd, 'build');
    expect(readdirSync(dir).sort()).toEqual(['greet_one.asl.json', 'greet_one.mmd', 'main.asl.json', 'main.mmd', 'manifest.json']);
    expect(res.stdout.trim().split('\n').sort()).toEqual(readdirSync(dir).sort().map((f) => `wrote build/${f}`));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(JSON.parse(readFileSync(join(dir, 'main.asl.json'), 'utf8'))).toEqual(manifest.stateMachines.main.definition);
    expect(readFileSync(join(dir, 'main.mmd'), 'utf8')).toContain('Shout');
  });
});

describe('usage errors (exit 2, one line and a hint on stderr)', () => {
  it.each([
    ['a missing file', ['compile', 'cli/test/fixtures/nope/project.py'], /cannot read .*nope\/project\.py: no such file/],
    ['no FILE', ['compile'], /missing FILE/],
    ['an unknown flag', ['compile', GREETER, '--bogus'], /Unknown option '--bogus'/],
    ['a bad --format', ['compile', GREETER, '--format', 'yaml'], /unknown --format 'yaml'.*\n.*manifest, asl, mermaid/],
    ['an unknown --state-machine', ['compile', GREETER, '--format', 'asl', '--state-machine', 'nope'], /unknown state machine 'nope'.*\n.*greet_one, main/],
    ['an unknown --state-machine with the manifest format', ['compile', GREETER, '--state-machine', 'nope'], /unknown state machine 'nope'/],
    ['an invalid --project', ['compile', GREETER, '--project', '9 lives'], /not a valid project name/],
    ['--format with --out', ['compile', GREETER, '--format', 'asl', '--out', 'x'], /cannot be combined/],
    ['an unknown command', ['compyle', GREETER], /unknown command 'compyle'.*fluxio --help/],
  ])('%s', async (_name, args, message) => {
    const res = await fluxio(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expect(res.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});

describe('help and version', () => {
  it('fluxio --help lists the commands', async () => {
    const res = await fluxio(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Usage: fluxio <command>/);
    expect(res.stdout).toMatch(/^\s+compile\s+Compile project\.py/m);
  });

  it('fluxio compile --help documents every option', async () => {
    const res = await fluxio(['compile', '--help']);
    expect(res.code).toBe(0);
    for (const flag of ['--json', '--format', '--state-machine', '--out', '--project']) expect(res.stdout).toContain(flag);
  });

  it('fluxio compile --help names the diagram kind --format mermaid prints (flowchart TD)', async () => {
    const [help, diagram] = await Promise.all([fluxio(['compile', '--help']), fluxio(['compile', GREETER, '--format', 'mermaid'])]);
    const kind = /^(flowchart \w+|stateDiagram(?:-v2)?)/m.exec(diagram.stdout)?.[1];
    expect(kind).toBe('flowchart TD');
    expect(help.stdout).toContain(`Mermaid flowchart (${kind})`);
    expect(help.stdout).not.toContain('stateDiagram');
  });

  it('fluxio without arguments prints help on stderr and exits 2', async () => {
    const res = await fluxio([]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Usage: fluxio/);
  });
});
