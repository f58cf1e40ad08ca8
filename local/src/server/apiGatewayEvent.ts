/**
 * Turn a Node.js HTTP request into the API Gateway HTTP API (payload format
 * 2.0) event the Lambda handlers receive when deployed, so the local platform
 * runs exactly the deployed handler code.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Content types whose bodies API Gateway passes as text; others are base64-encoded. */
const TEXT_TYPES = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/**
 * Build a payload-2.0 event.
 *
 * The body is passed byte for byte: as text for text content types when it is
 * valid UTF-8, else base64-encoded with `isBase64Encoded: true` (API Gateway's
 * form for binary bodies), so invalid UTF-8 reaches the handler intact and is
 * refused there (shared/src/http.ts) instead of being decoded lossily.
 * The path is the request target before `?`, not normalised (a `//x` target
 * is a path, not a host).
 * @param req the incoming request (method, url, headers)
 * @param body the whole request body
 * @param routeKey `"POST /v1/compile"`-style key of the matched route (or `$default`)
 */
export function toApiGatewayEvent(req: IncomingMessage, body: Buffer, routeKey = '$default'): APIGatewayProxyEventV2 {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = (q < 0 ? target : target.slice(0, q)) || '/';
  const rawQueryString = q < 0 ? '' : target.slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'application/json') && isUtf8(body);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
}
