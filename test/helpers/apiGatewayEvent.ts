/**
 * Builds API Gateway HTTP API (payload format 2.0) events for handler tests,
 * shaped like the events API Gateway sends to the deployed Lambda functions.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventOptions {
  /** Raw body text (sent as-is) or a value (JSON-encoded). */
  body?: string | unknown;
  /** Send the body base64-encoded (`isBase64Encoded: true`), as API Gateway does for binary types. */
  base64?: boolean;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
}

/** An event for `METHOD path` (the route key is `"METHOD path"`). */
export function apiGatewayEvent(method: string, path: string, options: EventOptions = {}): APIGatewayProxyEventV2 {
  const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: 'test.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `test-${now}`,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: text === undefined ? undefined : options.base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
    isBase64Encoded: Boolean(options.base64 && text !== undefined),
  };
}

/** A Lambda context good enough for handlers (29 s remaining, like the deployed timeout). */
export function lambdaContext(functionName = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'test-request',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
