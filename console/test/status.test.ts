/**
 * Reading an execution's history as state colours (console/src/app/status.ts),
 * on histories shaped like the local platform's (the ids, types and
 * `*EventDetails` of GetExecutionHistory).
 */
import { describe, expect, test } from 'vitest';
import { buildStateGraph } from '@fluxio/contracts/graph/stateGraph';
import { isFailureEvent, readCause, readExecution, traceOf } from '../src/app/status.ts';
import { inputProblem } from '../src/app/StartForm.ts';

const definition = {
  StartAt: 'Fan',
  States: {
    Fan: { Type: 'Map', ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:work', End: true } } }, Next: 'Risky' },
    Risky: { Type: 'Task', Resource: 'arn:risky', Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }], Catch: [{ ErrorEquals: ['MyError'], Next: 'Handle' }], Next: 'After' },
    Handle: { Type: 'Fail', Error: 'WorkerError' },
    After: { Type: 'Wait', Seconds: 10, End: true },
  },
};
const graph = buildStateGraph(definition, 'main');

/** A history from `[type, details]` pairs, ids from 1. */
const history = (...events: Array<[string, Record<string, unknown>?]>) =>
  events.map(([type, details], i) => {
    const key = type.endsWith('StateEntered') ? 'stateEnteredEventDetails' : type.endsWith('StateExited') ? 'stateExitedEventDetails' : `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
    return { id: i + 1, previousEventId: i, timestamp: 1000 + i, type, ...(details ? { [key]: details } : {}) };
  });

const mapRun = (): Array<[string, Record<string, unknown>?]> => [
  ['ExecutionStarted', { input: '{"__trace":{"id":"t-1","source":"schedule"}}' }],
  ['MapStateEntered', { name: 'Fan', input: '{}' }],
  ['MapIterationStarted', { name: 'Fan', index: 0 }],
  ['MapIterationStarted', { name: 'Fan', index: 1 }],
  ['TaskStateEntered', { name: 'Work', input: '{"i":0}' }],
  ['LambdaFunctionScheduled', { input: '{"meta":{"sfn_state_name":"Work"}}' }],
  ['TaskStateEntered', { name: 'Work', input: '{"i":1}' }],
  ['LambdaFunctionScheduled', { input: '{"meta":{"sfn_state_name":"Work"}}' }],
  ['LambdaFunctionSucceeded', { output: '1' }],
  ['TaskStateExited', { name: 'Work', output: '{"i":0,"r":1}' }],
  ['MapIterationSucceeded', { name: 'Fan', index: 0 }],
  ['LambdaFunctionSucceeded', { output: '2' }],
  ['TaskStateExited', { name: 'Work', output: '{"i":1,"r":2}' }],
  ['MapIterationSucceeded', { name: 'Fan', index: 1 }],
  ['MapStateExited', { name: 'Fan', output: '{}' }],
  ['TaskStateEntered', { name: 'Risky', input: '{}' }],
  ['LambdaFunctionScheduled', { input: '{"meta":{"sfn_state_name":"Risky"}}' }],
  ['LambdaFunctionTimedOut', { error: 'States.Timeout', cause: 'States.Timeout' }],
];

describe('readExecution', () => {
  test('a retried task that then raised into its Catch is caught; the Fail handler is failed; unreached states are not entered', () => {
    const events = history(
      ...mapRun(),
      ['LambdaFunctionScheduled', { input: '{"meta":{"sfn_state_name":"Risky"}}' }],
      ['LambdaFunctionFailed', { error: 'MyError', cause: 'foobar' }],
      ['TaskStateExited', { name: 'Risky', output: '{"error":"MyError"}' }],
      ['FailStateEntered', { name: 'Handle', input: '{}' }],
      ['ExecutionFailed', { error: 'WorkerError' }],
    );
    const v = readExecution(events, graph, 'FAILED');
    const risky = v.states.get('Risky')!;
    expect(risky.status).toBe('caught');
    expect(risky.entries[0]!.attempts).toBe(2);
    expect(risky.entries[0]!.failures.map((f) => f.error)).toEqual(['States.Timeout', 'MyError']);
    expect(v.states.get('Handle')!.status).toBe('failed');
    expect(v.states.get('After')).toBeUndefined();
    // Map: both iterations, the body state entered twice with its own input and output
    expect(v.iterations.get('Fan')).toEqual([{ index: 0, status: 'succeeded' }, { index: 1, status: 'succeeded' }]);
    expect(v.states.get('Work')!.entries.map((e) => [e.input, e.output, e.status])).toEqual([
      ['{"i":0}', '{"i":0,"r":1}', 'succeeded'],
      ['{"i":1}', '{"i":1,"r":2}', 'succeeded'],
    ]);
    expect(v.transitions).toBe(5); // Fan, Work ×2, Risky, Handle
  });

  test('a Catch whose handler is entered without the state being left (AWS histories) is caught too', () => {
    const events = history(...mapRun(), ['LambdaFunctionScheduled', { input: '{}' }], ['LambdaFunctionFailed', { error: 'MyError' }], ['FailStateEntered', { name: 'Handle' }], ['ExecutionFailed', {}]);
    expect(readExecution(events, graph, 'FAILED').states.get('Risky')!.status).toBe('caught');
  });

  test('an error no Catch takes is failed', () => {
    const events = history(...mapRun(), ['LambdaFunctionScheduled', { input: '{}' }], ['LambdaFunctionTimedOut', { error: 'States.Timeout' }], ['ExecutionFailed', { error: 'States.Timeout' }]);
    const risky = readExecution(events, graph, 'FAILED').states.get('Risky')!;
    expect(risky.status).toBe('failed');
    expect(risky.entries[0]!.attempts).toBe(2);
  });

  test('a task being retried is retried; a state still open is running while the execution runs, aborted once it stopped', () => {
    const retrying = history(...mapRun(), ['LambdaFunctionScheduled', { input: '{"meta":{"sfn_state_name":"Risky"}}' }]);
    expect(readExecution(retrying, graph, 'RUNNING').states.get('Risky')!.status).toBe('retried');
    const waiting = history(...mapRun().slice(0, 15), ['WaitStateEntered', { name: 'After' }]);
    expect(readExecution(waiting, graph, 'RUNNING').states.get('After')!.status).toBe('running');
    expect(readExecution([...waiting, ...history(['ExecutionAborted', {}]).map((e) => ({ ...e, id: 99 }))], graph, 'ABORTED').states.get('After')!.status).toBe('aborted');
  });
});

describe('what the execution page reads from texts', () => {
  test('traceOf: the trigger and trace id of an input', () => {
    expect(traceOf('{"__trace":{"id":"t-1","source":"subscription:shop/main"}}')).toEqual({ id: 't-1', source: 'subscription:shop/main' });
    expect(traceOf('{"a":1}')).toEqual({ source: undefined, id: undefined });
    expect(traceOf('not json')).toEqual({});
  });

  test('readCause: a Lambda error with its traceback and project.py lines', () => {
    const cause = JSON.stringify({ errorType: 'KeyError', errorMessage: "'x'", stackTrace: ['  File "project.py", line 12, in run\n    return event["x"]\n'] });
    const c = readCause(cause);
    expect([c.type, c.message]).toEqual(['KeyError', "'x'"]);
    expect(c.lines).toEqual([12]);
    expect(readCause('foobar')).toEqual({ message: 'foobar', traceback: [], lines: [] });
  });

  test('isFailureEvent', () => {
    for (const t of ['TaskFailed', 'LambdaFunctionTimedOut', 'ExecutionAborted', 'MapIterationFailed', 'FailStateEntered']) expect(isFailureEvent(t)).toBe(true);
    for (const t of ['TaskSucceeded', 'TaskStateEntered', 'ExecutionStarted']) expect(isFailureEvent(t)).toBe(false);
  });

  test('the start form accepts only a JSON object and says why', () => {
    expect(inputProblem('{}')).toBeNull();
    expect(inputProblem('{"a": [1, 2]}')).toBeNull();
    expect(inputProblem('{"a": ')).toMatch(/^Not valid JSON/);
    expect(inputProblem('[1]')).toMatch(/must be a JSON object/);
    expect(inputProblem('null')).toMatch(/must be a JSON object/);
  });
});
