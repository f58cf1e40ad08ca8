/**
 * Step Functions quotas the local engine enforces the way the service does
 * (AWS Step Functions developer guide, "Step Functions service quotas" and
 * "Avoid reaching the history quota"), plus the local platform's own caps on
 * what it keeps in memory.
 *
 * | Limit | Value | Local behaviour |
 * |---|---|---|
 * | State input / output / task result | 262,144 bytes of UTF-8 JSON | `States.DataLimitExceeded` (terminal, `States.ALL` does not catch it; engine patch) |
 * | Execution input | 262,144 bytes, and a JSON object for Fluxio state machines | refused before the run (CLI exit 2, HTTP 413 / 400) |
 * | Execution history | 25,000 events | `States.Runtime`, cause "The execution reached the maximum number of history events (25000)." |
 * | Error cause | 32,768 characters | longer causes are cut (the end is kept) |
 * | Task output carried in a cause | last 8,192 bytes | with a note of how much was cut |
 */
import { describeJsonValueProblem, findJsonValueProblem } from '@fluxio/contracts/jsonValue';

/** Largest state input, state output, task result and execution input: 256 KiB of UTF-8 JSON (Step Functions quota). */
export const PAYLOAD_LIMIT_BYTES = 262_144;

/** Events in one execution's history (Step Functions hard quota). */
export const HISTORY_EVENT_LIMIT = 25_000;

/** Step Functions' error name and cause when an execution reaches {@link HISTORY_EVENT_LIMIT}. */
export const HISTORY_LIMIT_ERROR = 'States.Runtime';
export const HISTORY_LIMIT_CAUSE = `The execution reached the maximum number of history events (${HISTORY_EVENT_LIMIT}).`;

/** Longest error cause kept (ExecutionFailed `cause`: 32,768 characters in the Step Functions API). */
export const CAUSE_MAX_CHARS = 32_768;

/** How much of a task's output (stdout/stderr) an error cause carries: its last 8 KiB. */
export const OUTPUT_TAIL_BYTES = 8_192;

/** Bytes of `value` serialised as JSON in UTF-8 (0 for `undefined`). */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/** Why an execution input is refused before the run. */
export interface ExecutionInputProblem {
  /** `InvalidExecutionInput` (not a JSON object) or `ExecutionInputTooLarge` (over {@link PAYLOAD_LIMIT_BYTES}). */
  code: 'InvalidExecutionInput' | 'ExecutionInputTooLarge';
  message: string;
}

/**
 * Checks the input of a Fluxio execution before it starts: compiled state
 * machines read and write their data under keys (the `Trace-Default` state
 * sets `$.__trace`), so the input must be a JSON object; Step Functions'
 * StartExecution refuses input over 262,144 bytes.
 * @returns undefined when the input is fine
 */
export function executionInputProblem(input: unknown): ExecutionInputProblem | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : `a ${typeof input}`;
    return {
      code: 'InvalidExecutionInput',
      message: `The execution input must be a JSON object ({...}); got ${got}. Wrap the value in an object, e.g. {"items": [1, 2]}, and read it as data["items"].`,
    };
  }
  const problem = findJsonValueProblem(input, '/input');
  if (problem) return { code: 'InvalidExecutionInput', message: describeJsonValueProblem(problem) };
  const bytes = jsonBytes(input);
  if (bytes > PAYLOAD_LIMIT_BYTES) {
    return {
      code: 'ExecutionInputTooLarge',
      message:
        `The execution input is ${bytes} bytes of JSON; Step Functions accepts at most ${PAYLOAD_LIMIT_BYTES} bytes (256 KiB). ` +
        'Store large data in the state data service (context.state_data_client.put_item in a task, or the /v1/projects/{project}/... items API) and pass its key in the input.',
    };
  }
  return undefined;
}

/** Keeps the end of an over-long cause (where the exception message and the last output are). */
export function capCause(cause: string | null, max = CAUSE_MAX_CHARS): string | null {
  if (cause === null || cause.length <= max) return cause;
  const note = `[… ${cause.length - max} characters cut; the cause is capped at ${max}]\n`;
  return note + cause.slice(cause.length - (max - note.length));
}
