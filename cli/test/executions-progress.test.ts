/**
 * `fluxio start --wait` turns an execution's history (Step Functions
 * HistoryEvent shapes, as GetExecutionHistory returns them on AWS) into the
 * progress lines `fluxio run` prints: fed in pages as polling finds them.
 */
import { describe, expect, it } from 'vitest';
import { bareManifest, historyToRunEvents, lambdaErrorOf } from '../src/executionsCommand.ts';
import { createProgressReporter } from '../src/progress.ts';

const LAMBDA_ERROR = JSON.stringify({
  errorMessage: "'sku'",
  errorType: 'KeyError',
  requestId: 'b1c4…',
  stackTrace: ['  File "/var/task/fluxio_task_run.py", line 3, in run\n    return event["sku"]\n'],
});

let id = 0;
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s)).toISOString();
const ev = (s: number, type: string, details?: Record<string, unknown>) => {
  id++;
  const key = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
  const detailsKey = /StateEntered$/.test(type) ? 'stateEnteredEventDetails' : /StateExited$/.test(type) ? 'stateExitedEventDetails' : key;
  return { id, previousEventId: id - 1, type, timestamp: at(s), ...(details ? { [detailsKey]: details } : {}) };
};

function run(pages: Array<Array<ReturnType<typeof ev>>>): string {
  let text = '';
  const feed = historyToRunEvents('main', 'exec-1', createProgressReporter({ manifest: bareManifest('shop', 'main'), write: (t) => void (text += t) }));
  for (const page of pages) feed(page);
  return text;
}

describe('historyToRunEvents + the run reporter', () => {
  it('prints states, a Map with its iterations, a retried and a caught Lambda error (message and traceback), split across pages', () => {
    id = 0;
    const text = run([
      [
        ev(0, 'ExecutionStarted', { input: '{}' }),
        ev(0, 'ChoiceStateEntered', { name: 'Trace-Check' }),
        ev(0, 'ChoiceStateExited', { name: 'Trace-Check' }),
        ev(0, 'MapStateEntered', { name: 'Score items' }),
        ev(0, 'MapStateStarted'),
        ev(0, 'MapIterationStarted', { name: 'Score items', index: 0 }),
        ev(0, 'TaskStateEntered', { name: 'Score' }),
        ev(0, 'LambdaFunctionScheduled', { resource: 'arn:aws:lambda:eu-west-1:123456789012:function:fluxio-prod-shop-Score:1' }),
        ev(0, 'LambdaFunctionStarted'),
        ev(1, 'LambdaFunctionSucceeded', { output: '1' }),
        ev(1, 'TaskStateExited', { name: 'Score', output: '1' }),
        ev(1, 'MapIterationSucceeded', { name: 'Score items', index: 0 }),
      ],
      [
        ev(1, 'MapStateSucceeded'),
        ev(2, 'MapStateExited', { name: 'Score items', output: '[1]' }),
        ev(2, 'TaskStateEntered', { name: 'Look up' }),
        ev(2, 'LambdaFunctionScheduled', { resource: 'arn:…' }),
        ev(2, 'LambdaFunctionStarted'),
        ev(3, 'LambdaFunctionFailed', { error: 'KeyError', cause: LAMBDA_ERROR }),
      ],
      // The retry shows only when the task is scheduled again (the next poll).
      [
        ev(4, 'LambdaFunctionScheduled', { resource: 'arn:…' }),
        ev(4, 'LambdaFunctionStarted'),
        ev(5, 'LambdaFunctionFailed', { error: 'KeyError', cause: LAMBDA_ERROR }),
        ev(5, 'TaskStateExited', { name: 'Look up' }),
        ev(5, 'PassStateEntered', { name: 'Use default' }),
        ev(5, 'PassStateExited', { name: 'Use default', output: '{}' }),
        ev(6, 'ExecutionSucceeded', { output: '{}' }),
      ],
    ]);
    expect(text).toBe(
      [
        '▶ main execution exec-1',
        '  → Score items (Map)',
        '    → Score [0] (Task)',
        '    ✓ Score [0] 1.0 s',
        '  ✓ Score items 1 iterations (1 succeeded) 2.0 s',
        '  → Look up (Task)',
        "  │ Look up: ↻ KeyError: 'sku' — retrying",
        "  ↳ Look up caught KeyError: 'sku' → Use default",
        '  ✓ Use default 0 ms',
        '',
      ].join('\n'),
    );
  });

  it('an uncaught Lambda error ends the execution with the exception and its traceback', () => {
    id = 0;
    const text = run([
      [
        ev(0, 'ExecutionStarted', { input: '{}' }),
        ev(0, 'TaskStateEntered', { name: 'Look up' }),
        ev(0, 'LambdaFunctionScheduled', { resource: 'arn:…' }),
        ev(0, 'LambdaFunctionStarted'),
        ev(1, 'LambdaFunctionFailed', { error: 'KeyError', cause: LAMBDA_ERROR }),
        ev(1, 'ExecutionFailed', { error: 'KeyError', cause: LAMBDA_ERROR }),
      ],
    ]);
    expect(text).toBe(
      ['▶ main execution exec-1', '  → Look up (Task)', "  ✗ Look up raised KeyError after 1.0 s: 'sku'", '      File "/var/task/fluxio_task_run.py", line 3, in run', '        return event["sku"]', ''].join('\n'),
    );
  });

  it('reads Lambda\'s error JSON and nothing else as a task exception', () => {
    expect(lambdaErrorOf(LAMBDA_ERROR)).toEqual({ message: "'sku'", type: 'KeyError', traceback: '  File "/var/task/fluxio_task_run.py", line 3, in run\n    return event["sku"]\n' });
    expect(lambdaErrorOf('plain text')).toBeUndefined();
    expect(lambdaErrorOf('{"Error":"x"}')).toBeUndefined();
    expect(lambdaErrorOf('{broken')).toBeUndefined();
  });
});
