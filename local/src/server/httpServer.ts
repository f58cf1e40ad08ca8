/**
 * A small HTTP server that serves Lambda handlers (API Gateway HTTP API
 * payload 2.0) on 127.0.0.1: routing by @middy/http-router, the same route
 * keys as `serverless.yml`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import httpRouterHandler from '@middy/http-router';
import type { HttpEvent, HttpResult } from '@fluxio/contracts/http';
import { errorResponse, API_GATEWAY_MAX_BODY_BYTES } from '@fluxio/contracts/http';
import { toApiGatewayEvent } from './apiGatewayEvent.ts';

/** A Lambda-style handler for an API Gateway HTTP API event. */
export type LambdaHttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult | undefined | void>;

/** One route the local server serves. */
export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path with `{param}` segments. */
  path: string;
  handler: LambdaHttpHandler;
  /** Largest request body, in bytes. @default 10 MiB (API Gateway's payload limit) */
  maxBodyBytes?: number;
  /** What to do instead of a too-large body (appended to the 413 message). */
  tooLargeHint?: string;
}

/**
 * A handler for a protocol other than the `/v1` JSON API (e.g. the Step
 * Functions API, `POST /` with `X-Amz-Target`, or the Lambda API,
 * `/2015-03-31/functions/...`), tried in order before the `/v1` router.
 *
 * - `req`: the raw Node request (method, url, headers); its body stream has
 *   already been consumed.
 * - `body`: the whole request body, already bounded by the server's largest
 *   body limit (a larger body is answered 413 before any handler runs).
 * - `res`: the response; a handler that returns `true` must have answered it
 *   (or be answering it: the server does not touch `res` afterwards).
 *
 * Returns `true` when it handled the request, `false` to pass it on to the
 * next protocol handler and finally the `/v1` router. A handler that throws
 * gets a 500 with the standard error body (when nothing was sent yet).
 */
export type ProtocolHandler = (
  req: http.IncomingMessage,
  body: Buffer,
  res: http.ServerResponse,
) => boolean | Promise<boolean>;

/**
 * A handler that reads the request body itself, as it arrives (before the
 * server buffers anything), e.g. the local presigned blob upload, which stops
 * reading once the declared size is exceeded. Returns `true` when it handled
 * (and answered) the request, `false` to let the server read the body and go on.
 */
export type StreamHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Tried in order before the body is read; see {@link StreamHandler}. */
  streamHandlers?: readonly StreamHandler[];
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 = ephemeral. @default 0 */
  port?: number;
  /** Tried in order before the `/v1` router; see {@link ProtocolHandler}. */
  protocolHandlers?: readonly ProtocolHandler[];
  /**
   * Largest body any protocol handler accepts, in bytes (the Lambda API's
   * CreateFunction takes up to 70,167,211). Bodies are buffered up to the
   * largest of this and the route limits; each route still checks its own.
   */
  maxProtocolBodyBytes?: number;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4510`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A Lambda context for local invocations (timeouts are not enforced locally). */
export function localLambdaContext(functionName: string, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `local-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const readBody = (req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

/**
 * Request line plus headers the local server accepts, in bytes (Node's
 * `maxHeaderSize`, names and values counted). Above it: 431
 * `Request.HeadersTooLarge`. API Gateway HTTP API's own quota is 10 KB of
 * request line and header values.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Methods the `/v1` router serves (HEAD is answered as GET without a body). */
const SERVED_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

/** `/v1/x/{param}` → a regex matching that path (one segment per `{param}`, optional trailing `/`, like @middy/http-router). */
const pathPattern = (path: string): RegExp =>
  new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\}/g, '[^/]+')}/?$`);

/** The standard error body of a Node-level parse failure (no route ran). */
function clientErrorAnswer(err: NodeJS.ErrnoException): { status: number; reason: string; code: string; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'Request.HeadersTooLarge', message: `The request line and headers exceed ${MAX_HEADER_BYTES} bytes; send fewer or smaller headers.` };
    case 'HPE_INVALID_METHOD':
      return { status: 400, reason: 'Bad Request', code: 'Request.UnknownMethod', message: `The request line does not start with a known HTTP method and a target; the API uses ${SERVED_METHODS.join(', ')} and HEAD.` };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'Request.Timeout', message: 'The request was not received in time; send it again.' };
    default:
      return { status: 400, reason: 'Bad Request', code: 'Request.Malformed', message: `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'}); check the request line, headers and body framing.` };
  }
}

/**
 * Start serving `routes` on `host:port` (port 0 = ephemeral).
 *
 * Every answer carries the standard error body when it is an error
 * (`{"error":{"code","message"}}`), including those no route produced:
 * - an unknown path: 404 `Route.NotFound`; a known path with another method:
 *   405 `Route.MethodNotAllowed` with `Allow`;
 * - `HEAD` on a GET route: the GET route runs and its headers are sent without
 *   the body (API Gateway HTTP APIs route HEAD only where declared; the local
 *   platform answers it for every GET route, like most HTTP servers);
 * - a request Node cannot parse (unknown method, headers above
 *   {@link MAX_HEADER_BYTES}, a malformed request line): 400/431/408 written
 *   on the socket, then the connection is closed;
 * - a body above a route's limit: 413 `Request.TooLarge` before the handler runs.
 * Request bodies reach handlers byte for byte: text that is not valid UTF-8
 * is passed base64-encoded (`isBase64Encoded: true`), as API Gateway passes
 * binary bodies, so the handler can refuse it.
 */
export async function startHttpServer(
  routes: LocalRoute[],
  options: HttpServerOptions = {},
): Promise<RunningServer> {
  const protocolHandlers = options.protocolHandlers ?? [];
  const patterns = routes.map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
  const allowedMethods = (path: string): string[] => {
    const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method as string));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
  const router = httpRouterHandler({
    routes: routes.map((r) => ({
      method: r.method,
      path: r.path,
      handler: async (event: HttpEvent, context: Context) => {
        // API Gateway passes path parameters URL-decoded.
        if (event.pathParameters) {
          for (const [k, v] of Object.entries(event.pathParameters)) {
            if (v !== undefined) {
              try {
                event.pathParameters[k] = decodeURIComponent(v);
              } catch {
                return errorResponse(400, 'Request.InvalidPath', `Path parameter ${k} is not valid URL encoding.`);
              }
            }
          }
        }
        (event as { routeKey: string }).routeKey = `${r.method} ${r.path}`;
        (event.requestContext as { routeKey: string }).routeKey = `${r.method} ${r.path}`;
        const limit = r.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES;
        const size = event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;
        if (size > limit) {
          const hint = r.tooLargeHint ? ` ${r.tooLargeHint}` : '';
          return errorResponse(413, 'Request.TooLarge', `Request body is ${size} bytes; the limit for ${r.method} ${r.path} is ${limit} bytes.${hint}`, { limitBytes: limit, sizeBytes: size });
        }
        return r.handler(event, context);
      },
    })),
    notFoundResponse: ({ method, path }: { method: string; path: string }) => {
      const allow = allowedMethods(path);
      if (allow.length > 0) {
        const res = errorResponse(405, 'Route.MethodNotAllowed', `${path} does not accept ${method}; it accepts ${allow.join(', ')}.`, { allow });
        return { ...res, headers: { ...res.headers, allow: allow.join(', ') } };
      }
      return errorResponse(404, 'Route.NotFound', `No route ${method} ${path}. See GET /v1/openapi.json for the API.`);
    },
  } as never) as unknown as LambdaHttpHandler;
  // Bodies are buffered up to the largest route limit; each route then checks its own.
  const maxLimit = Math.max(API_GATEWAY_MAX_BODY_BYTES, options.maxProtocolBodyBytes ?? 0, ...routes.map((r) => r.maxBodyBytes ?? 0));

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, async (req, res) => {
    const head = req.method === 'HEAD';
    const send = (result: HttpResult | undefined | void) => {
      const r = result ?? { statusCode: 204 };
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = String(v);
      const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
      if (head) headers['content-length'] = String(body.length);
      res.writeHead(r.statusCode ?? 200, headers);
      res.end(head ? undefined : body);
    };
    try {
      for (const handle of options.streamHandlers ?? []) {
        if (await handle(req, res)) return;
      }
      const body = await readBody(req, maxLimit);
      if (body === 'too-large') {
        send(errorResponse(413, 'Request.TooLarge', `Request body exceeds ${maxLimit} bytes.`, { limitBytes: maxLimit }));
        return;
      }
      for (const handle of protocolHandlers) {
        if (await handle(req, body, res)) return;
      }
      const event = toApiGatewayEvent(req, body);
      // HEAD runs the GET route; `send` drops the body.
      if (head) event.requestContext.http.method = 'GET';
      const context = localLambdaContext('fluxio-local');
      send(await router(event, context));
    } catch (e) {
      console.error(e);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(errorResponse(500, 'Internal', 'Internal error in the local platform.'));
    }
  });
  // Node answers requests it cannot parse with a bare 400/431: answer with the standard body instead.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const a = clientErrorAnswer(err);
    const body = JSON.stringify({ error: { code: a.code, message: a.message } });
    socket.end(
      `HTTP/1.1 ${a.status} ${a.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
