/**
 * The HTTP edge shared by every service handler: API Gateway HTTP API
 * (payload 2.0) events in, JSON out, errors as
 * `{"error":{"code","message","details"?}}` (DESIGN.md §6).
 *
 * Handlers stay thin: they declare a body schema and a size limit, and get a
 * parsed, validated body. Bad input never becomes a 5xx.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HttpError, isHttpError, type HttpErrorBody } from './errors.ts';
import { logger, noteExecutionTrace, withObservability } from './observability.ts';

/** API Gateway HTTP API's own request payload limit, in bytes (10 MB). */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What a route handler receives. */
export interface HttpRequest<TBody> {
  body: TBody;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  event: HttpEvent;
  context: Context;
}

/** What a route handler returns: a JSON body and an optional status (200). */
export interface HttpResponse {
  statusCode?: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Already-serialised JSON sent as is instead of `JSON.stringify(body)` (hot paths that hold JSON text). */
  rawJson?: string;
}

export interface JsonHandlerOptions<S extends TSchema | undefined> {
  /** TypeBox schema of the JSON body; omit for routes without a body. */
  bodySchema?: S;
  /** Largest accepted body, in bytes; larger bodies get 413 with `tooLargeHint`. */
  maxBodyBytes?: number;
  /** Appended to the 413 message: what to do instead. */
  tooLargeHint?: string;
  /** Treat an empty body as `{}` (routes whose body fields are all optional). @default false */
  emptyBodyAsObject?: boolean;
}

/** Serialise an error response. */
export const errorResponse = (statusCode: number, code: string, message: string, details?: unknown): HttpResult => {
  const body: HttpErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
};

const decodeBody = (event: HttpEvent): Buffer =>
  event.body == null ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

/** Strict UTF-8 (RFC 3629): a malformed sequence throws instead of becoming U+FFFD. A leading BOM is dropped. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as text, refusing bytes that are not UTF-8 (RFC 8259 §8.1:
 * JSON text exchanged between systems is UTF-8) with 400 `Request.InvalidUtf8`,
 * the way `fluxio compile` refuses such a file (exit 2). Lossy decoding would
 * silently change what the caller sent.
 */
export function decodeUtf8Body(raw: Uint8Array): string {
  try {
    return UTF8.decode(raw);
  } catch {
    const offset = firstInvalidUtf8Byte(raw);
    throw new HttpError(
      400,
      'Request.InvalidUtf8',
      `Request body is not valid UTF-8 (near byte ${offset}); send JSON encoded as UTF-8.`,
      { nearByte: offset },
    );
  }
}

/** Offset of the first byte where strict UTF-8 decoding of `raw` fails (its length when only the end is truncated). O(n). */
function firstInvalidUtf8Byte(raw: Uint8Array): number {
  const CHUNK = 4096;
  const chunks = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (; start < raw.length; start += CHUNK) {
    try {
      chunks.decode(raw.subarray(start, start + CHUNK), { stream: true });
    } catch {
      break;
    }
  }
  if (start >= raw.length) {
    // Only the end is wrong: a last character cut short. Point at its first byte.
    let last = raw.length - 1;
    while (last > 0 && raw.length - last < 4 && (raw[last]! & 0xc0) === 0x80) last--;
    return last;
  }
  // Replay byte by byte from the last sequence start before the failing chunk (a sequence may straddle
  // the boundary; in the valid prefix every non-continuation byte starts a sequence).
  let i = Math.max(0, start - 3);
  while (i < start && (raw[i]! & 0xc0) === 0x80) i++;
  const bytes = new TextDecoder('utf-8', { fatal: true });
  let pending = -1; // start of a character whose bytes are not all seen yet
  for (; i < raw.length; i++) {
    try {
      const out = bytes.decode(raw.subarray(i, i + 1), { stream: true });
      pending = out === '' ? (pending < 0 ? i : pending) : -1;
    } catch {
      return pending >= 0 ? pending : i;
    }
  }
  return raw.length;
}

/** Log an error no handler mapped (a 5xx), with its stack, through the platform logger. */
export function logUnhandled(message: string, e: unknown): void {
  logger.error(message, e instanceof Error ? e : new Error(String(e)));
}

/**
 * Wrap a raw (non-JSON) HTTP handler with the shared edge: middy plus the
 * Powertools logger, metrics and tracer ({@link withObservability}). Every
 * handler of the platform goes through this or {@link jsonHandler}.
 */
export function httpEdge(base: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  return withObservability(middy(base));
}

/**
 * Wrap a route function as a middy Lambda handler for API Gateway HTTP API.
 *
 * - body larger than `maxBodyBytes` → 413 `Request.TooLarge`
 * - body not UTF-8 → 400 `Request.InvalidUtf8` (never decoded lossily)
 * - body not JSON → 400 `Request.MalformedJson`
 * - body not matching `bodySchema` → 400 `Request.Invalid` with the failing paths in `details`
 * - a thrown {@link HttpError} → its status and code
 * - anything else → 500 `Internal` (logged; the message is not exposed)
 */
export function jsonHandler<S extends TSchema | undefined = undefined>(
  options: JsonHandlerOptions<S>,
  route: (req: HttpRequest<S extends TSchema ? Static<S> : undefined>) => Promise<HttpResponse>,
) {
  const check = options.bodySchema ? TypeCompiler.Compile(options.bodySchema) : undefined;
  const maxBytes = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES;
  const base = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    try {
      let body: unknown = undefined;
      if (check) {
        const raw = decodeBody(event);
        if (raw.length > maxBytes) {
          throw new HttpError(
            413,
            'Request.TooLarge',
            `Request body is ${raw.length} bytes; the limit is ${maxBytes} bytes.${options.tooLargeHint ? ' ' + options.tooLargeHint : ''}`,
            { limitBytes: maxBytes, sizeBytes: raw.length },
          );
        }
        if (raw.length === 0 && !options.emptyBodyAsObject)
          throw new HttpError(400, 'Request.MalformedJson', 'Request body is empty; send a JSON object.');
        try {
          body = raw.length === 0 ? {} : JSON.parse(decodeUtf8Body(raw));
        } catch (e) {
          if (isHttpError(e)) throw e;
          throw new HttpError(400, 'Request.MalformedJson', `Request body is not valid JSON: ${(e as Error).message}`);
        }
        noteExecutionTrace(body);
        if (!check.Check(body)) {
          const details = [...check.Errors(body)].slice(0, 20).map((err) => ({ path: err.path || '/', message: err.message }));
          const first = details[0];
          throw new HttpError(400, 'Request.Invalid', `Invalid request body at ${first?.path}: ${first?.message}.`, details);
        }
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
      const res = await route({
        body: body as never,
        pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers,
        event,
        context,
      });
      return {
        statusCode: res.statusCode ?? 200,
        headers: { 'content-type': 'application/json', ...res.headers },
        body: res.rawJson ?? JSON.stringify(res.body),
      };
    } catch (e) {
      if (isHttpError(e)) return errorResponse(e.statusCode, e.code, e.message, e.details);
      logUnhandled('Unhandled error', e);
      return errorResponse(500, 'Internal', 'Internal error; the request was not completed. Retry, and report it if it persists.');
    }
  };
  return httpEdge(base);
}
