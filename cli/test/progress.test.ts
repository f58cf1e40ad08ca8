/**
 * The progress reporter of `fluxio run`, fed the events a run emits: loops are
 * summarised, only the user's states are shown (for the compiler's manifest
 * before and after the single-Map change), each failure is printed once,
 * caught errors as caught, ABORTED closes the open state.
 */
import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestStateMachine } from '@fluxio/contracts/manifest';
import { createProgressReporter } from '../src/progress.ts';
import type { RunEvent } from '@fluxio/local';

const machine = (states: ManifestStateMachine['states'], definition: ManifestStateMachine['definition'], line = 5): ManifestStateMachine => ({
  definition,
  firstClass: true,
  schedule: null,
  subscriptions: [],
  export: null,
  substitutions: [],
  states,
  line,
});

const manifest: Manifest = {
  project: 'p',
  stateMachines: {
    main: machine(
      {
        Inc: { line: 7, column: 9, kind: 'Task', task: 'Inc' },
        Boom: { line: 9, column: 5, kind: 'Task', task: 'Boom' },
        'Pass-b371c527': { line: 11, column: 9, kind: 'Pass' },
        Flaky: { line: 12, column: 9, kind: 'Task', task: 'Flaky' },
      },
      {
        StartAt: 'Inc',
        States: {
          Inc: { Type: 'Task', Resource: 'x', Next: 'Boom' },
          Boom: { Type: 'Task', Resource: 'x', Catch: [{ ErrorEquals: ['KeyError'], Next: 'Pass-b371c527' }], Next: 'Flaky' },
          'Pass-b371c527': { Type: 'Pass', Next: 'Flaky' },
          Flaky: { Type: 'Task', Resource: 'x', Retry: [{ ErrorEquals: ['ConnectionError'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 3 }], End: true },
        },
      },
    ),
  },
  tasks: {},
  diagnostics: [],
};

const base = { depth: 0, stateMachine: 'main', executionName: 'e1' };
const ev = (e: Record<string, unknown>): RunEvent => ({ ...base, ...e }) as unknown as RunEvent;
const entered = (name: string, t: number, type = 'Task', index?: number) => ev({ type: 'StateEntered', timestamp: t, index, state: { name, type, input: {} } });
const exited = (name: string, t: number, type = 'Task', index?: number) => ev({ type: 'StateExited', timestamp: t, index, state: { name, type, input: {}, output: {} } });
const failed = (name: string, t: number, error: string, cause: unknown, type = 'Task', index?: number) =>
  ev({ type: 'StateFailed', timestamp: t, index, state: { name, type, input: {} }, Error: error, Cause: cause });
const visit = (t: number): RunEvent[] => [entered('Inc', t), exited('Inc', t + 2)];

function reporter(m: Manifest = manifest, extra: Partial<Parameters<typeof createProgressReporter>[0]> = {}) {
  let text = '';
  const report = createProgressReporter({ manifest: m, write: (t) => (text += t), ...extra });
  return { report: (...events: RunEvent[]) => events.forEach((e) => report(e)), text: () => text };
}

describe('progress reporter: loops', () => {
  it('shows the first visits of a looping state in full and summarises the rest when the execution ends', () => {
    const r = reporter(manifest, { repeatLimit: 3 });
    for (let i = 0; i < 8; i++) r.report(...visit(i * 10));
    r.report(ev({ type: 'ExecutionSucceeded', timestamp: 100, output: {} }));
    expect(r.text().match(/→ Inc \(Task\)/g)).toHaveLength(3);
    expect(r.text().match(/✓ Inc 2 ms/g)).toHaveLength(3);
    expect(r.text()).toContain('… Inc ran 5 more times (not shown)');
  });

  it('always shows a failure, even of a state past the limit, with its project.py line', () => {
    const r = reporter(manifest, { repeatLimit: 1 });
    for (let i = 0; i < 3; i++) r.report(...visit(i * 10));
    r.report(entered('Inc', 50), failed('Inc', 55, 'KeyError', "'n'"), ev({ type: 'ExecutionFailed', timestamp: 56, Error: 'KeyError', Cause: "'n'" }));
    expect(r.text()).toContain("✗ Inc failed after 5 ms: KeyError: 'n' (project.py:7)");
  });
});

describe('progress reporter: failures', () => {
  const taskFailed = (state: string, t: number) =>
    ev({ type: 'TaskFailed', timestamp: t, state, error: 'KeyError', cause: "'missing-key'", traceback: 'Traceback (most recent call last):\n  File "project.py", line 3, in run\nKeyError: \'missing-key\'\n', line: 9 });

  it('prints a task exception once: one ✗ line with its project.py line, code frame and traceback', () => {
    const r = reporter(manifest, { source: 'a\nb\nc\nd\ne\nf\ng\nh\n    Boom(key="Boom")\n' });
    r.report(entered('Boom', 0), taskFailed('Boom', 40), failed('Boom', 41, 'KeyError', "'missing-key'"), ev({ type: 'ExecutionFailed', timestamp: 42, Error: 'KeyError', Cause: "'missing-key'" }));
    const text = r.text();
    expect(text.match(/✗/g)).toHaveLength(1);
    expect(text.match(/KeyError: 'missing-key'/g)).toHaveLength(1); // the traceback's last line; the ✗ line says it once more below
    expect(text).toContain("✗ Boom raised KeyError after 41 ms: 'missing-key' (project.py:9)");
    expect(text).toContain('9 | Boom(key="Boom")');
    expect(text).toContain('File "project.py", line 3, in run');
  });

  it('a caught error is shown as caught (error, cause, handler state and its line), never as ✓ or ✗', () => {
    const r = reporter();
    r.report(
      entered('Boom', 0),
      taskFailed('Boom', 10),
      failed('Boom', 11, 'KeyError', "'missing-key'"),
      ev({ type: 'StateCaught', timestamp: 11, state: { name: 'Boom', type: 'Task', input: {} }, catch: { catcher: { ErrorEquals: ['KeyError'], Next: 'Pass-b371c527' } } }),
      exited('Boom', 11),
      entered('Pass-b371c527', 12, 'Pass'),
      exited('Pass-b371c527', 13, 'Pass'),
    );
    const text = r.text();
    expect(text).toContain("↳ Boom caught KeyError: 'missing-key' → Pass-b371c527 (project.py:11)");
    expect(text).not.toMatch(/✓ Boom/);
    expect(text).not.toContain('✗');
    expect(text).not.toContain('Traceback');
    expect(text).toContain('✓ Pass-b371c527 1 ms');
  });

  it('a retried failure says which attempt and how long the wait is (IntervalSeconds × BackoffRate^n), then the state succeeds', () => {
    const r = reporter();
    const retried = (t: number, attempt: number) =>
      ev({ type: 'StateRetried', timestamp: t, state: { name: 'Flaky', type: 'Task', input: {} }, retry: { retrier: { ErrorEquals: ['ConnectionError'] }, attempt } });
    r.report(
      entered('Flaky', 0),
      failed('Flaky', 5, 'ConnectionError', 'attempt 1 failed'),
      retried(2005, 1),
      failed('Flaky', 2010, 'ConnectionError', 'attempt 2 failed'),
      retried(8010, 2),
      exited('Flaky', 8020),
    );
    const text = r.text();
    expect(text).toContain('↻ Flaky failed after 5 ms: ConnectionError: attempt 1 failed — retry 1/2 in 2.0 s');
    expect(text).toContain('↻ Flaky failed after 5 ms: ConnectionError: attempt 2 failed — retry 2/2 in 6.0 s');
    expect(text).toContain('✓ Flaky 10 ms');
    expect(text).not.toContain('✗');
  });

  it('after its last retry a failure is a failure', () => {
    const r = reporter(manifest, { fastWaits: true });
    const retried = (t: number) => ev({ type: 'StateRetried', timestamp: t, state: { name: 'Flaky', type: 'Task', input: {} }, retry: { retrier: { ErrorEquals: ['ConnectionError'] }, attempt: 1 } });
    r.report(entered('Flaky', 0), failed('Flaky', 1, 'ConnectionError', 'a'), retried(1), failed('Flaky', 2, 'ConnectionError', 'b'), retried(2), failed('Flaky', 3, 'ConnectionError', 'c'));
    r.report(ev({ type: 'ExecutionFailed', timestamp: 4, Error: 'ConnectionError', Cause: 'c' }));
    const text = r.text();
    expect(text).toContain('— retry 1/2\n');
    expect(text).toContain('— retry 2/2\n');
    expect(text).toContain('✗ Flaky failed after 1 ms: ConnectionError: c (project.py:12)');
  });

  it('prints States.Timeout once when its cause only repeats it, and the cause when it says more', () => {
    const r = reporter();
    r.report(entered('Inc', 0), failed('Inc', 1000, 'States.Timeout', 'States.Timeout'), ev({ type: 'ExecutionFailed', timestamp: 1001, Error: 'States.Timeout', Cause: 'States.Timeout' }));
    expect(r.text()).toContain('✗ Inc failed after 1.0 s: States.Timeout (project.py:7)\n');
    expect(r.text()).not.toContain('States.Timeout: States.Timeout');
    const r2 = reporter();
    r2.report(entered('Inc', 0), failed('Inc', 5, 'States.HeartbeatTimeout', 'No heartbeat for 2 s.'), ev({ type: 'ExecutionFailed', timestamp: 6, Error: 'x', Cause: 'y' }));
    expect(r2.text()).toContain('States.HeartbeatTimeout: No heartbeat for 2 s.');
  });

  it('ABORTED closes the open state in one line and prints no ■ line of its own for the root execution', () => {
    const r = reporter();
    r.report(ev({ type: 'ExecutionStarted', timestamp: 0, input: {} }), entered('Inc', 0), ev({ type: 'ExecutionAborted', timestamp: 800 }));
    // The task's failure after the abort (its call was cancelled) is not news.
    r.report(failed('Inc', 810, 'AbortError', 'aborted'), exited('Inc', 811));
    const text = r.text();
    expect(text).toContain('⊘ Inc stopped after 800 ms (execution ABORTED)');
    expect(text).not.toContain('■');
    expect(text).not.toContain('✗');
    expect(text).not.toContain('✓');
  });
});

describe('progress reporter: the user states only, Map iterations with their item index', () => {
  // Before the single-Map change: trace envelope, dispatch Choice + two Maps, the iterator copied (`Score user-2`).
  const twoMaps: Manifest = {
    project: 'p',
    tasks: {},
    diagnostics: [],
    stateMachines: {
      main: machine(
        {
          'Trace-Check': { line: 20, column: 1, kind: 'Choice', function: 'main' },
          'Trace-Default': { line: 20, column: 1, kind: 'Pass', function: 'main' },
          'Map-6c56b889': { line: 21, column: 5, kind: 'Choice', function: 'main', task: 'score_user' },
          'Trace-Check-2': { line: 10, column: 1, kind: 'Choice', function: 'score_user' },
          'Score user': { line: 11, column: 21, kind: 'Task', function: 'score_user', task: 'Score' },
          'Trace-Check-3': { line: 10, column: 1, kind: 'Choice', function: 'score_user' },
          'Score user-2': { line: 11, column: 21, kind: 'Task', function: 'score_user', task: 'Score' },
          'Map-6c56b889-items': { line: 21, column: 5, kind: 'Map', function: 'main', task: 'score_user' },
          'Map-6c56b889-array': { line: 21, column: 5, kind: 'Map', function: 'main', task: 'score_user' },
        },
        {
          StartAt: 'Trace-Check',
          States: {
            'Trace-Check': { Type: 'Choice', Choices: [], Default: 'Map-6c56b889' },
            'Map-6c56b889': { Type: 'Choice', Choices: [], Default: 'Map-6c56b889-array' },
            'Map-6c56b889-items': { Type: 'Map', ItemProcessor: { StartAt: 'Trace-Check-2', States: { 'Trace-Check-2': { Type: 'Choice' }, 'Score user': { Type: 'Task' } } }, End: true },
            'Map-6c56b889-array': { Type: 'Map', ItemProcessor: { StartAt: 'Trace-Check-3', States: { 'Trace-Check-3': { Type: 'Choice' }, 'Score user-2': { Type: 'Task' } } }, End: true },
          },
        },
        20,
      ),
      score_user: machine({}, { StartAt: 'x', States: {} }, 10),
    },
  };
  // After it: one Map, the compiler's states marked `internal`.
  const oneMap: Manifest = {
    ...twoMaps,
    stateMachines: {
      main: machine(
        {
          'Trace-Check': { line: 20, column: 1, kind: 'Choice', function: 'main', internal: true } as never,
          'Map-6c56b889-input': { line: 21, column: 5, kind: 'Choice', function: 'main', internal: true } as never,
          'Map-6c56b889-item': { line: 21, column: 5, kind: 'Pass', function: 'main', internal: true } as never,
          'Score user': { line: 11, column: 21, kind: 'Task', function: 'score_user', task: 'Score' },
          'Map-6c56b889': { line: 21, column: 5, kind: 'Map', function: 'main', task: 'score_user' },
        },
        {
          StartAt: 'Trace-Check',
          States: {
            'Trace-Check': { Type: 'Choice', Choices: [], Default: 'Map-6c56b889-input' },
            'Map-6c56b889-input': { Type: 'Choice', Choices: [], Default: 'Map-6c56b889' },
            'Map-6c56b889': { Type: 'Map', ItemProcessor: { StartAt: 'Map-6c56b889-item', States: { 'Map-6c56b889-item': { Type: 'Pass' }, 'Score user': { Type: 'Task' } } }, End: true },
          },
        },
        20,
      ),
      score_user: machine({}, { StartAt: 'x', States: {} }, 10),
    },
  };

  it.each([
    ['two Maps and a dispatch Choice (before the single-Map compiler)', twoMaps, 'Map-6c56b889-array', 'Score user-2', ['Trace-Check', 'Map-6c56b889'], 'Trace-Check-3'],
    ['one Map with internal states marked', oneMap, 'Map-6c56b889', 'Score user', ['Trace-Check', 'Map-6c56b889-input'], 'Map-6c56b889-item'],
  ])('%s', (_what, m, mapName, taskName, outer, inner) => {
    const r = reporter(m);
    const t = 0;
    r.report(ev({ type: 'ExecutionStarted', timestamp: t, input: {} }));
    for (const name of outer) r.report(entered(name, t, 'Choice'), exited(name, t + 1, 'Choice'));
    r.report(entered(mapName, 2, 'Map'));
    for (let i = 0; i < 3; i++) {
      r.report(ev({ type: 'MapIterationStarted', timestamp: 3, index: i, parentState: { name: mapName, type: 'Map', input: {} } }));
      r.report(entered(inner, 3, inner.startsWith('Trace') ? 'Choice' : 'Pass', i), exited(inner, 3, 'Pass', i));
      r.report(entered(taskName, 4, 'Task', i));
    }
    r.report(ev({ type: 'TaskOutput', timestamp: 5, state: taskName, line: 'scoring' })); // three iterations open: no index
    for (let i = 0; i < 3; i++) {
      if (i === 2) r.report(ev({ type: 'TaskOutput', timestamp: 5, state: taskName, line: 'last one' })); // one open: its index
      r.report(exited(taskName, 10 + i, 'Task', i));
      r.report(ev({ type: 'MapIterationSucceeded', timestamp: 10 + i, index: i, parentState: { name: mapName, type: 'Map', input: {} } }));
    }
    r.report(exited(mapName, 20, 'Map'));
    const text = r.text();
    expect(text).not.toMatch(/Trace-|Map-6c56b889-(items|array|input|item)|Score user-2/);
    expect(text).toContain('→ Map-6c56b889 (Map of score_user)');
    expect(text).toContain('    → Score user [2] (Task)');
    expect(text).toContain('    ✓ Score user [0] 6 ms');
    expect(text).toContain('    ✓ Score user [2] 8 ms');
    expect(text).toContain('    │ Score user: scoring');
    expect(text).toContain('    │ Score user [2]: last one');
    expect(text).toContain('  ✓ Map-6c56b889 3 iterations (3 succeeded) 18 ms');
    expect(text.split('\n').filter((l) => /[→✓]/.test(l))).toHaveLength(8);
  });

  it('indents the states of a Parallel branch under the Parallel, and their task output', () => {
    const m: Manifest = {
      ...manifest,
      stateMachines: {
        main: machine(
          { 'Parallel-1a2b3c4d': { line: 30, column: 5, kind: 'Parallel' }, Left: { line: 3, column: 5, kind: 'Task', task: 'L' } },
          { StartAt: 'Parallel-1a2b3c4d', States: { 'Parallel-1a2b3c4d': { Type: 'Parallel', Branches: [{ StartAt: 'Left', States: { Left: { Type: 'Task' } } }], End: true } } },
        ),
      },
    };
    const r = reporter(m);
    r.report(entered('Parallel-1a2b3c4d', 0, 'Parallel'), entered('Left', 1), ev({ type: 'TaskOutput', timestamp: 2, state: 'Left', line: 'hi' }), exited('Left', 3), exited('Parallel-1a2b3c4d', 4, 'Parallel'));
    expect(r.text()).toBe('  → Parallel-1a2b3c4d (Parallel)\n    → Left (Task)\n    │ Left: hi\n    ✓ Left 2 ms\n  ✓ Parallel-1a2b3c4d 4 ms\n');
  });

  it('a failed iteration is printed with its item index; the Map line does not repeat the cause', () => {
    const r = reporter(oneMap);
    r.report(entered('Map-6c56b889', 0, 'Map'));
    r.report(ev({ type: 'MapIterationStarted', timestamp: 1, index: 4, parentState: { name: 'Map-6c56b889', type: 'Map', input: {} } }));
    r.report(entered('Score user', 1, 'Task', 5));
    r.report(entered('Score user', 1, 'Task', 4), failed('Score user', 6, 'ValueError', 'bad score', 'Task', 4));
    r.report(ev({ type: 'MapIterationFailed', timestamp: 6, index: 4, parentState: { name: 'Map-6c56b889', type: 'Map', input: {} }, Error: 'ValueError', Cause: 'bad score' }));
    r.report(failed('Map-6c56b889', 7, 'ValueError', 'bad score', 'Map'));
    r.report(ev({ type: 'ExecutionFailed', timestamp: 8, Error: 'ValueError', Cause: 'bad score' }));
    const text = r.text();
    expect(text).toContain('✗ Score user [4] failed after 5 ms: ValueError: bad score (project.py:11)');
    expect(text).toContain('✗ Map-6c56b889 failed after 7 ms: ValueError — 1 iterations (0 succeeded, 1 failed) (project.py:21)');
    expect(text.match(/bad score/g)).toHaveLength(1);
    expect(text).toContain('    ⊘ Score user [5] stopped after 6 ms (the Map failed)\n');
    expect(text.indexOf('⊘ Score user [5]')).toBeLessThan(text.indexOf('✗ Map-6c56b889'));
  });
});
