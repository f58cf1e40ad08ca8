/**
 * Lambda handlers of the executions routes (issue 9), under
 * `/v1/projects/{project}/state-machines/{stateMachine}/executions`:
 * `POST` (start), `GET` (list), `GET /{name}` (describe), `GET /{name}/history`,
 * `POST /{name}/stop`, `POST /{name}/redrive`. Thin: path and query parsing
 * here, everything else in executions/ExecutionsService.ts.
 */
import { jsonHandler } from '@fluxio/contracts/http';
import { HttpError } from '@fluxio/contracts/errors';
import { EXECUTION_INPUT_TOO_LARGE_HINT, START_EXECUTION_MAX_BODY_BYTES, StartExecutionRequestSchema, StopRequestSchema } from '@fluxio/contracts/schemas/executions';
import type { ExecutionScope } from '../executions/ExecutionsService.ts';
import { getExecutionsService } from '../executionsRegistry.ts';
import { isTriggerError } from '../errors.ts';

const scopeOf = (p: Record<string, string>): ExecutionScope => ({ project: p.project ?? '', stateMachine: p.stateMachine ?? '' });

/** `?name=` as a whole number, or undefined when absent (the domain checks the range). */
function intQuery(query: Record<string, string>, name: string): number | undefined {
  const text = query[name];
  if (text === undefined || text === '') return undefined;
  if (!/^[0-9]+$/.test(text)) throw new HttpError(400, 'Request.InvalidQuery', `${name}=${JSON.stringify(text)}: use a whole number.`);
  return Number(text);
}

/** `?name=true|false`, default false. */
function boolQuery(query: Record<string, string>, name: string): boolean {
  const text = query[name];
  if (text === undefined || text === '' || text === 'false') return false;
  if (text === 'true') return true;
  throw new HttpError(400, 'Request.InvalidQuery', `${name}=${JSON.stringify(text)}: use true or false.`);
}

/** Run `fn`, turning a TriggerError into its HTTP error. */
async function withDomainErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isTriggerError(e)) throw new HttpError(e.statusCode, e.code, e.message, e.details);
    throw e;
  }
}

/** Function `executionsStart`: 201 with the new execution, 200 with the existing one of that name and input. */
export const start = jsonHandler(
  { bodySchema: StartExecutionRequestSchema, maxBodyBytes: START_EXECUTION_MAX_BODY_BYTES, tooLargeHint: EXECUTION_INPUT_TOO_LARGE_HINT, emptyBodyAsObject: true },
  (req) =>
    withDomainErrors(async () => {
      const r = await getExecutionsService().start(scopeOf(req.pathParameters), req.body);
      return { statusCode: r.created ? 201 : 200, body: r.execution };
    }),
);

/** Function `executionsList`: newest first (`?status=`, `?nextToken=`, `?maxResults=`). */
export const list = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({
    body: await getExecutionsService().list(scopeOf(req.pathParameters), {
      status: req.query.status || undefined,
      nextToken: req.query.nextToken,
      maxResults: intQuery(req.query, 'maxResults'),
    }),
  })),
);

/** Function `executionsDescribe`. */
export const describe = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({ body: await getExecutionsService().describe(scopeOf(req.pathParameters), req.pathParameters.name ?? '') })),
);

/** Function `executionsHistory` (`?nextToken=`, `?reverseOrder=true`, `?maxResults=`). */
export const history = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({
    body: await getExecutionsService().history(scopeOf(req.pathParameters), req.pathParameters.name ?? '', {
      nextToken: req.query.nextToken,
      reverseOrder: boolQuery(req.query, 'reverseOrder'),
      maxResults: intQuery(req.query, 'maxResults'),
    }),
  })),
);

/** Function `executionsStop`: body `{"error"?, "cause"?}` (may be empty). */
export const stop = jsonHandler({ bodySchema: StopRequestSchema, maxBodyBytes: 64 * 1024, emptyBodyAsObject: true }, (req) =>
  withDomainErrors(async () => ({ body: await getExecutionsService().stop(scopeOf(req.pathParameters), req.pathParameters.name ?? '', req.body) })),
);

/** Function `executionsRedrive`: no body. */
export const redrive = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({ body: await getExecutionsService().redrive(scopeOf(req.pathParameters), req.pathParameters.name ?? '') })),
);
