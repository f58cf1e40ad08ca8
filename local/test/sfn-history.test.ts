import { describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../src/stepfunctions/history.ts';
import type { EventLog } from '../src/engine/engine.ts';

/** The events of one recorder, parsed (the JSON text GetExecutionHistory answers with). */
function record(events: object[]): Array<Record<string, unknown>> {
  const recorder = new HistoryRecorder(0, new Set(['Say "hi"', 'Each']));
  for (const e of events) recorder.onEngineEvent(e as EventLog);
  const { firstId, events: texts } = recorder.drain();
  return texts.map((text, i) => ({ ...JSON.parse(text), storedId: firstId + i }));
}

describe('HistoryRecorder (the history events of engine transitions, built as JSON text)', () => {
  it('state names and data needing escaping come back exactly, in the service field order', () => {
    const name = 'Say "hi"\\ é \u2028';
    const input = { text: 'line\nbreak "quoted"', n: 1.5, skip: undefined };
    const [entered, exited] = record([
      { type: 'StateEntered', state: { type: 'Pass', name, input }, timestamp: 1_733_000_000_123 },
      { type: 'StateExited', state: { type: 'Pass', name, output: 'done' }, timestamp: 1_733_000_000_124 },
    ]);
    expect(entered).toEqual({
      timestamp: 1_733_000_000.123, type: 'PassStateEntered', id: 1, previousEventId: 0, storedId: 1,
      stateEnteredEventDetails: { name, input: JSON.stringify(input), inputDetails: { truncated: false } },
    });
    expect(Object.keys(entered!)).toEqual(['timestamp', 'type', 'id', 'previousEventId', 'stateEnteredEventDetails', 'storedId']);
    expect(exited).toEqual({
      timestamp: 1_733_000_000.124, type: 'PassStateExited', id: 2, previousEventId: 1, storedId: 2,
      stateExitedEventDetails: { name, output: '"done"', outputDetails: { truncated: false } },
    });
  });

  it('a Map state records started/iteration/succeeded events with names and indexes; a missing timestamp is now', () => {
    const before = Date.now() / 1000;
    const events = record([
      { type: 'StateEntered', state: { type: 'Map', name: 'Each', input: undefined } },
      { type: 'MapIterationStarted', parentState: { name: 'Each' }, index: 0, timestamp: 1000 },
      { type: 'MapIterationSucceeded', parentState: { name: 'Each' }, index: 0, timestamp: 2000 },
      { type: 'MapIterationFailed', parentState: { name: 'Each' }, index: 1, timestamp: 3000 },
      { type: 'StateExited', state: { type: 'Map', name: 'Each', output: [1] }, timestamp: 4000 },
    ]);
    expect(events.map((e) => e.type)).toEqual(['MapStateEntered', 'MapStateStarted', 'MapIterationStarted', 'MapIterationSucceeded', 'MapIterationFailed', 'MapStateSucceeded', 'MapStateExited']);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(events[0]!.stateEnteredEventDetails).toEqual({ name: 'Each', input: 'null', inputDetails: { truncated: false } });
    expect(events[1]!.mapStateStartedEventDetails).toEqual({});
    expect(events[2]).toMatchObject({ timestamp: 1, mapIterationStartedEventDetails: { name: 'Each', index: 0 } });
    expect(events[3]!.mapIterationSucceededEventDetails).toEqual({ name: 'Each', index: 0 });
    expect(events[4]!.mapIterationFailedEventDetails).toEqual({ name: 'Each', index: 1 });
    expect(events[6]!.stateExitedEventDetails).toEqual({ name: 'Each', output: '[1]', outputDetails: { truncated: false } });
  });
});
