/**
 * The Lambda API's REST-JSON protocol on the local platform's port: routes
 * under `/2015-03-31/functions...` (paths, methods and query parameters as in
 * the Lambda API reference and `@aws-sdk/client-lambda`'s own schema), JSON
 * bodies with blobs in base64 (`Code.ZipFile`, `ZipFile`), Invoke's payload
 * as the raw body and its options as `X-Amz-*` headers. Errors as the
 * service sends them: the status, `x-amzn-ErrorType: <Name>` and a
 * `{"Type", "Message", "message"}` body (Lambda's exceptions use either
 * casing; the SDK and the AWS CLI read either). SigV4 headers are accepted
 * and not checked. Other Lambda API paths are refused with
 * `UnsupportedOperationException`, never ignored.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ProtocolHandler } from '../server/httpServer.ts';
import { LambdaApiError, invalidContent, notFound, unsupported } from './errors.ts';
import type { LambdaFunctions } from './functions.ts';
import type { FunctionStore } from './store.ts';

/**
 * Largest CreateFunction / UpdateFunctionCode request the service accepts:
 * 70,167,211 bytes (a 50 MB zip in base64 plus JSON; Lambda quotas,
 * "Deployment package (.zip file archive) size ... 50 MB (zipped, when uploading directly)").
 */
export const MAX_CODE_REQUEST_BYTES = 70_167_211;

/**
 * What the local server should buffer for the Lambda API (`maxProtocolBodyBytes`):
 * a little over {@link MAX_CODE_REQUEST_BYTES}, so that a too-large code upload
 * still reaches the handler and gets the service's RequestEntityTooLargeException.
 */
export const LAMBDA_MAX_BUFFERED_BYTES = MAX_CODE_REQUEST_BYTES + 1024 * 1024;

/** Path prefix of the local download URL that `GetFunction` returns as `Code.Location`. */
export const CODE_DOWNLOAD_PREFIX = '/fluxio-lambda/code/';

const FUNCTIONS = '/2015-03-31/functions';
// Every Lambda API path starts with a date (API version) segment.
const LAMBDA_PATH = /^\/20\d\d-\d\d-\d\d\//;

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const json = (status: number, value: unknown): Answer => ({ status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });

function errorAnswer(e: LambdaApiError): Answer {
  return {
    status: e.statusCode,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': e.name },
    body: JSON.stringify({ Type: e.kind, Message: e.message, message: e.message }),
  };
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  throw invalidContent('Could not parse request body into json: the body must be a JSON object.');
}

function blob(value: unknown, field: string): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(value)) throw invalidContent(`Could not parse request body into json: ${field} must be base64.`);
  return Buffer.from(value, 'base64');
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new LambdaApiError('ValidationException', 400, `1 validation error detected: Value '${v}' at '${name}' failed to satisfy constraint: Member must be an integer`);
  return n;
}

const opt = (q: URLSearchParams, name: string) => q.get(name) ?? undefined;

/** Names what a refused path would have been (for the message). */
function unsupportedName(method: string, path: string): string {
  if (/\/policy$/.test(path)) return 'Resource policies (AddPermission, GetPolicy, RemovePermission)';
  if (/\/url$/.test(path)) return 'Function URLs';
  if (/layers/.test(path)) return 'Layers';
  if (/event-source-mappings/.test(path)) return 'Event source mappings';
  if (/\/concurrency$/.test(path)) return 'Concurrency settings';
  return `The Lambda operation ${method} ${path}`;
}

/** Routes one request to an operation. */
async function route(functions: LambdaFunctions, req: http.IncomingMessage, body: Buffer, path: string, q: URLSearchParams): Promise<Answer> {
  const method = (req.method ?? 'GET').toUpperCase();
  const isCodeRequest = (method === 'POST' && path === FUNCTIONS) || (method === 'PUT' && /\/code$/.test(path));
  if (isCodeRequest && body.length > MAX_CODE_REQUEST_BYTES) {
    const op = method === 'POST' ? 'CreateFunction' : 'UpdateFunctionCode';
    throw new LambdaApiError('RequestEntityTooLargeException', 413, `Request must be smaller than ${MAX_CODE_REQUEST_BYTES} bytes for the ${op} operation`);
  }
  if (path === FUNCTIONS || path === `${FUNCTIONS}/`) {
    if (method === 'POST') {
      const b = parseBody(body);
      const code = (b.Code ?? {}) as Record<string, unknown>;
      return json(201, await functions.createFunction({ ...b, Code: { ...code, ZipFile: blob(code.ZipFile, 'Code.ZipFile') } } as never));
    }
    if (method === 'GET') {
      return json(200, functions.listFunctions({ MasterRegion: opt(q, 'MasterRegion'), FunctionVersion: opt(q, 'FunctionVersion') as never, Marker: opt(q, 'Marker'), MaxItems: intParam(q, 'MaxItems') }));
    }
  }
  const m = /^\/2015-03-31\/functions\/([^/]+)(?:\/(configuration|code|versions|invocations))?\/?$/.exec(path);
  if (m) {
    let FunctionName: string;
    try {
      FunctionName = decodeURIComponent(m[1]);
    } catch {
      throw invalidContent(`The function name in the path is not valid URL encoding: ${m[1]}`);
    }
    const Qualifier = opt(q, 'Qualifier');
    const sub = m[2];
    if (sub === undefined && method === 'GET') {
      const out = functions.getFunction({ FunctionName, Qualifier });
      const host = header(req, 'host') ?? '127.0.0.1';
      if (out.Code?.Location?.startsWith('/')) out.Code.Location = `http://${host}${out.Code.Location}`;
      return json(200, out);
    }
    if (sub === undefined && method === 'DELETE') {
      functions.deleteFunction({ FunctionName, Qualifier });
      return { status: 204 };
    }
    if (sub === 'configuration' && method === 'GET') return json(200, functions.getFunctionConfiguration({ FunctionName, Qualifier }));
    if (sub === 'configuration' && method === 'PUT') return json(200, functions.updateFunctionConfiguration({ ...parseBody(body), FunctionName } as never));
    if (sub === 'code' && method === 'PUT') {
      const b = parseBody(body);
      return json(200, await functions.updateFunctionCode({ ...b, FunctionName, ZipFile: blob(b.ZipFile, 'ZipFile') } as never));
    }
    if (sub === 'versions' && method === 'POST') return json(201, functions.publishVersion({ ...parseBody(body), FunctionName } as never));
    if (sub === 'versions' && method === 'GET') {
      return json(200, functions.listVersionsByFunction({ FunctionName, Marker: opt(q, 'Marker'), MaxItems: intParam(q, 'MaxItems') }));
    }
    if (sub === 'invocations' && method === 'POST') {
      const out = await functions.invoke({
        FunctionName,
        Qualifier,
        InvocationType: header(req, 'x-amz-invocation-type'),
        LogType: header(req, 'x-amz-log-type'),
        ClientContext: header(req, 'x-amz-client-context'),
        Payload: body,
      });
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (out.ExecutedVersion) headers['X-Amz-Executed-Version'] = out.ExecutedVersion;
      if (out.FunctionError) headers['X-Amz-Function-Error'] = out.FunctionError;
      if (out.LogResult) headers['X-Amz-Log-Result'] = out.LogResult;
      return { status: out.StatusCode, headers, body: out.Payload ?? '' };
    }
  }
  const alias = /^\/2015-03-31\/functions\/([^/]+)\/aliases(?:\/([^/]+))?\/?$/.exec(path);
  if (alias) {
    let FunctionName: string;
    let Name: string | undefined;
    try {
      FunctionName = decodeURIComponent(alias[1]);
      Name = alias[2] === undefined ? undefined : decodeURIComponent(alias[2]);
    } catch {
      throw invalidContent(`The path is not valid URL encoding: ${path}`);
    }
    if (Name === undefined && method === 'POST') return json(201, functions.createAlias({ ...parseBody(body), FunctionName } as never));
    if (Name === undefined && method === 'GET') {
      return json(200, functions.listAliases({ FunctionName, FunctionVersion: opt(q, 'FunctionVersion'), Marker: opt(q, 'Marker'), MaxItems: intParam(q, 'MaxItems') }));
    }
    if (Name !== undefined && method === 'GET') return json(200, functions.getAlias({ FunctionName, Name }));
    if (Name !== undefined && method === 'PUT') return json(200, functions.updateAlias({ ...parseBody(body), FunctionName, Name } as never));
    if (Name !== undefined && method === 'DELETE') {
      functions.deleteAlias({ FunctionName, Name });
      return { status: 204 };
    }
  }
  const eic = /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config(\/list)?\/?$/.exec(path);
  if (eic) {
    let FunctionName: string;
    try {
      FunctionName = decodeURIComponent(eic[1]);
    } catch {
      throw invalidContent(`The function name in the path is not valid URL encoding: ${eic[1]}`);
    }
    const Qualifier = opt(q, 'Qualifier');
    if (eic[2] && method === 'GET') return json(200, functions.listFunctionEventInvokeConfigs({ FunctionName, Marker: opt(q, 'Marker'), MaxItems: intParam(q, 'MaxItems') }));
    if (!eic[2]) {
      if (method === 'PUT') return json(200, functions.putFunctionEventInvokeConfig({ ...parseBody(body), FunctionName, Qualifier } as never));
      if (method === 'POST') return json(200, functions.updateFunctionEventInvokeConfig({ ...parseBody(body), FunctionName, Qualifier } as never));
      if (method === 'GET') return json(200, functions.getFunctionEventInvokeConfig({ FunctionName, Qualifier }));
      if (method === 'DELETE') {
        functions.deleteFunctionEventInvokeConfig({ FunctionName, Qualifier });
        return { status: 204 };
      }
    }
  }
  const tags = /^\/2017-03-31\/tags\/([^/]+)\/?$/.exec(path);
  if (tags) {
    let Resource: string;
    try {
      Resource = decodeURIComponent(tags[1]);
    } catch {
      throw invalidContent(`The resource ARN in the path is not valid URL encoding: ${tags[1]}`);
    }
    if (method === 'GET') return json(200, functions.listTags({ Resource }));
    if (method === 'POST') {
      functions.tagResource({ Resource, Tags: parseBody(body).Tags as Record<string, string> | undefined });
      return { status: 204 };
    }
    if (method === 'DELETE') {
      functions.untagResource({ Resource, TagKeys: q.getAll('tagKeys') });
      return { status: 204 };
    }
  }
  throw unsupported(unsupportedName(method, path));
}

/**
 * The Lambda API as a protocol handler of the local server (see
 * {@link ProtocolHandler}): claims every path that starts with a Lambda API
 * version segment (`/2015-03-31/...`) and the code download path.
 */
export function lambdaProtocolHandler(functions: LambdaFunctions, store: FunctionStore): ProtocolHandler {
  return async (req, body, res) => {
    const target = req.url ?? '/';
    const qAt = target.indexOf('?');
    const path = qAt < 0 ? target : target.slice(0, qAt);
    if (path.startsWith(CODE_DOWNLOAD_PREFIX)) {
      const m = /^\/fluxio-lambda\/code\/([^/]+)\/([0-9a-f]{64})\.zip$/.exec(path);
      let file: string | undefined;
      try {
        file = m ? store.zipPath(decodeURIComponent(m[1]), m[2]) : undefined;
      } catch {
        file = undefined; // not URL encoding, or not a function name: no such package
      }
      if (!file || !existsSync(file)) {
        const a = errorAnswer(notFound('No such deployment package; call GetFunction for a current Code.Location.'));
        res.writeHead(a.status, a.headers).end(a.body);
        return true;
      }
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(statSync(file).size) });
      createReadStream(file).pipe(res);
      return true;
    }
    if (!LAMBDA_PATH.test(path)) return false;
    let answer: Answer;
    try {
      answer = await route(functions, req, body, path, new URLSearchParams(qAt < 0 ? '' : target.slice(qAt + 1)));
    } catch (e) {
      if (e instanceof LambdaApiError) answer = errorAnswer(e);
      else {
        console.error(e);
        answer = errorAnswer(new LambdaApiError('ServiceException', 500, `Internal error in the local Lambda API: ${(e as Error).message}`, 'Service'));
      }
    }
    res.writeHead(answer.status, { 'x-amzn-RequestId': randomUUID(), ...answer.headers });
    res.end(answer.body ?? '');
    return true;
  };
}
