/** The progress reporter of `fluxio run`: loops are summarised instead of flooding stderr. */
import { describe, expect, it } from 'vitest';
import type { Manifest } from '@fluxio/contracts/manifest';
import { createProgressReporter } from '../src/progress.ts';
import type { RunEvent } from '@fluxio/local';

const manifest: Manifest = {
  project: 'p',
  stateMachines: {
    main: {
      definition: { StartAt: 'Inc', States: {} },
      firstClass: true,
      schedule: null,
      subscriptions: [],
      export: null,
      substitutions: [],
      states: { Inc: { line: 7, column: 9, kind: 'Task', task: 'Inc' } },
      line: 5,
    },
  },
  tasks: {},
  diagnostics: [],
};

const base = { depth: 0, stateMachine: 'main', executionName: 'e1' };
const visit = (t: number): RunEvent[] => [
  { ...base, type: 'StateEntered', timestamp: t, state: { name: 'Inc', type: 'Task', input: {} } } as unknown as RunEvent,
  { ...base, type: 'StateExited', timestamp: t + 2, state: { name: 'Inc', type: 'Task', input: {}, output: {} } } as unknown as RunEvent,
];

describe('progress reporter', () => {
  it('shows the first visits of a looping state in full and summarises the rest when the execution ends', () => {
    let text = '';
    const report = createProgressReporter({ manifest, write: (t) => (text += t), repeatLimit: 3 });
    for (let i = 0; i < 8; i++) for (const e of visit(i * 10)) report(e);
    report({ ...base, type: 'ExecutionSucceeded', timestamp: 100, output: {} } as unknown as RunEvent);
    expect(text.match(/→ Inc \(Task\)/g)).toHaveLength(3);
    expect(text.match(/✓ Inc 2 ms/g)).toHaveLength(3);
    expect(text).toContain('… Inc ran 5 more times (not shown)');
  });

  it('always shows a failure, even of a state past the limit, with its project.py line', () => {
    let text = '';
    const report = createProgressReporter({ manifest, write: (t) => (text += t), repeatLimit: 1 });
    for (let i = 0; i < 3; i++) for (const e of visit(i * 10)) report(e);
    report({ ...base, type: 'StateEntered', timestamp: 50, state: { name: 'Inc', type: 'Task', input: {} } } as unknown as RunEvent);
    report({ ...base, type: 'StateFailed', timestamp: 55, state: { name: 'Inc', type: 'Task', input: {} }, Error: 'KeyError', Cause: "'n'" } as unknown as RunEvent);
    expect(text).toContain("✗ Inc failed after 5 ms: KeyError: 'n' (project.py:7)");
  });
});
