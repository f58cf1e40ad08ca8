/**
 * The Step Functions API's wire protocol, AWS JSON 1.0: `POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body; answers are
 * JSON (`Content-Type: application/x-amz-json-1.0`, dates as epoch seconds);
 * errors are HTTP 400 `{"__type": "com.amazonaws.swf.service.v2.model#<Error>",
 * "message"}` — the service's form, which the SDKs and the AWS CLI read by the
 * part after `#`. SigV4 headers are accepted and not checked locally.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { ProtocolHandler } from '../server/httpServer.ts';
import { SfnError } from './errors.ts';
import { RawJson } from './executions.ts';

/** Prefix of the service's error `__type`. */
export const ERROR_TYPE_PREFIX = 'com.amazonaws.swf.service.v2.model#';
const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/** One operation: its input is the request body (the SDK's `<Operation>Input`). */
export type Operation = (input: never, signal: AbortSignal) => unknown;

/** Operations of the service the local platform does not implement, each answered `UnsupportedOperation` with why. */
export const UNSUPPORTED_OPERATIONS: Readonly<Record<string, string>> = {
  StartSyncExecution: 'Express workflows are not implemented locally; use StartExecution on a STANDARD state machine and poll DescribeExecution.',
  DescribeMapRun: 'Distributed Map runs are not implemented locally (inline Map states are).',
  ListMapRuns: 'Distributed Map runs are not implemented locally (inline Map states are).',
  UpdateMapRun: 'Distributed Map runs are not implemented locally (inline Map states are).',
  TestState: 'TestState is not implemented locally; run the state in a one-state machine with StartExecution.',
};

/** Operations that wait for something (GetActivityTask: up to 60 s); they get a signal that aborts when the caller disconnects. */
const LONG_POLLS: ReadonlySet<string> = new Set(['GetActivityTask']);
const NEVER_ABORTED = new AbortController().signal;

/** JSON of an operation's result; its dates are `EpochSecondsDate`s (context.ts `toDate`), written as epoch seconds. */
function serialise(value: unknown): string {
  if (value instanceof RawJson) return value.json;
  return JSON.stringify(value ?? {});
}

function send(res: http.ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': randomUUID() });
  res.end(body);
}

function sendError(res: http.ServerResponse, name: string, message: string, status = 400): void {
  send(res, status, JSON.stringify({ __type: `${ERROR_TYPE_PREFIX}${name}`, message }));
}

/**
 * A protocol handler for `startHttpServer` serving `operations`; requests
 * without an `AWSStepFunctions.` target are passed on.
 */
export function stepFunctionsProtocolHandler(operations: Readonly<Record<string, Operation>>): ProtocolHandler {
  return async (req, body, res) => {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return false;
    const operation = target.slice(TARGET_PREFIX.length);
    const url = req.url ?? '/';
    if (req.method !== 'POST' || (url !== '/' && !url.startsWith('/?'))) {
      sendError(res, 'UnknownOperationException', `Step Functions requests are POST / (got ${req.method} ${req.url}).`);
      return true;
    }
    const fn = operations[operation];
    if (!fn) {
      const why = UNSUPPORTED_OPERATIONS[operation];
      if (why) sendError(res, 'UnsupportedOperation', `${operation} is not supported by the local platform: ${why}`);
      else sendError(res, 'UnknownOperationException', `Unknown operation ${operation}: the Step Functions API has no such operation.`);
      return true;
    }
    let input: unknown = {};
    if (body.length) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch (err) {
        sendError(res, 'SerializationException', `The request body is not valid JSON: ${(err as Error).message}`);
        return true;
      }
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      sendError(res, 'SerializationException', 'The request body must be a JSON object (the operation input).');
      return true;
    }
    // Only a long poll can outlive its caller: the others answer at once and get a signal that never aborts.
    if (!LONG_POLLS.has(operation)) {
      await answer(res, operation, fn, input, NEVER_ABORTED);
      return true;
    }
    const disconnected = new AbortController();
    const onClose = () => disconnected.abort();
    res.once('close', onClose);
    try {
      await answer(res, operation, fn, input, disconnected.signal);
    } finally {
      res.off('close', onClose);
    }
    return true;
  };
}

/** Runs one operation and sends its result, or its error as the service shapes it. */
async function answer(res: http.ServerResponse, operation: string, fn: Operation, input: unknown, signal: AbortSignal): Promise<void> {
  try {
    // Most operations answer synchronously: only a promise is awaited.
    let result = fn(input as never, signal);
    if (result instanceof Promise) result = await result;
    send(res, 200, serialise(result));
  } catch (err) {
    if (err instanceof SfnError) sendError(res, err.name, err.message, err.statusCode);
    else {
      console.error(`[stepfunctions] ${operation} failed:`, err);
      sendError(res, 'InternalFailure', `The local platform failed on ${operation}: ${(err as Error).message}`, 500);
    }
  }
}
