/**
 * Structured logs, metrics and traces for every HTTP handler, through
 * Powertools for AWS Lambda (TypeScript) v2 and its middy middlewares. The one
 * place they are wired is {@link withObservability}, which the shared HTTP edge
 * (shared/src/http.ts, `jsonHandler`) applies to every handler.
 *
 * On Lambda (`AWS_LAMBDA_FUNCTION_NAME` and `AWS_EXECUTION_ENV` set):
 * - logs: JSON lines with the Lambda context, `correlation_id`, `requestId`,
 *   `routeKey` and the project/execution of the path; level from `LOG_LEVEL`
 *   (or `POWERTOOLS_LOG_LEVEL`), default INFO; keys reset per invocation;
 * - metrics: CloudWatch EMF in namespace `POWERTOOLS_METRICS_NAMESPACE`
 *   (default `Fluxio`): `ColdStart`, and one of `Success`, `ClientError`,
 *   `ServerError` (Count) per request;
 * - traces: X-Ray segment per invocation (`provider.tracing.lambda: true`),
 *   annotated with the correlation id and route key.
 *
 * Everywhere else (the local platform, tests): the logger only prints errors
 * (unless `LOG_LEVEL`/`POWERTOOLS_LOG_LEVEL` says otherwise), and the metrics
 * and tracer middlewares are not installed, so nothing tries to reach an X-Ray
 * daemon and no EMF lines are printed (`POWERTOOLS_TRACE_ENABLED=false` is
 * implied; the Tracer also disables itself outside Lambda).
 *
 * Correlation id, first present of: the `x-correlation-id` header, the trace id
 * of a W3C `traceparent` header, the API Gateway request id. A body's
 * `__trace.id` (or `input.__trace.id`, the execution trace of DESIGN.md §5.3) is
 * logged as `fluxioTraceId`.
 *
 * Locally every handler shares one process: concurrent requests share the
 * logger's appended keys, so a local error line may carry another request's
 * keys. Deployed, each Lambda environment serves one request at a time.
 */
import type middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** True inside a real Lambda execution environment (not SAM local). */
export const ON_LAMBDA = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.AWS_EXECUTION_ENV && !process.env.AWS_SAM_LOCAL);

/** Tracing is on only on Lambda, and not when `POWERTOOLS_TRACE_ENABLED=false`. */
export const TRACING = ON_LAMBDA && process.env.POWERTOOLS_TRACE_ENABLED !== 'false';

const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME || 'fluxio';

/** The platform's logger (one per process). */
export const logger = new Logger({
  serviceName: SERVICE_NAME,
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL || process.env.LOG_LEVEL || (ON_LAMBDA ? 'INFO' : 'ERROR')).toUpperCase() as 'INFO',
});

type Mw = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/**
 * Metrics and tracer, loaded on Lambda only: the Tracer brings aws-xray-sdk-core
 * (about 100 ms of module evaluation), which the local platform, the CLI and
 * tests never need. Loading starts at import (the Lambda init phase) and the
 * first request waits for it.
 */
interface LambdaKit {
  metrics: import('@aws-lambda-powertools/metrics').Metrics;
  addOutcome(status: number): void;
  tracer?: import('@aws-lambda-powertools/tracer').Tracer;
  middlewares: Mw[];
}
const loadLambdaKit = async (): Promise<LambdaKit> => {
  const [{ Metrics, MetricUnit }, { logMetrics }] = await Promise.all([
    import('@aws-lambda-powertools/metrics'),
    import('@aws-lambda-powertools/metrics/middleware'),
  ]);
  const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'Fluxio', serviceName: SERVICE_NAME });
  const middlewares: Mw[] = [];
  let tracer: LambdaKit['tracer'];
  if (TRACING) {
    const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
      import('@aws-lambda-powertools/tracer'),
      import('@aws-lambda-powertools/tracer/middleware'),
    ]);
    tracer = new Tracer({ serviceName: SERVICE_NAME, enabled: true });
    middlewares.push(captureLambdaHandler(tracer, { captureResponse: false }) as Mw);
  }
  middlewares.push(logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }) as Mw);
  return {
    metrics,
    tracer,
    middlewares,
    addOutcome: (status) => metrics.addMetric(status >= 500 ? 'ServerError' : status >= 400 ? 'ClientError' : 'Success', MetricUnit.Count, 1),
  };
};
const lambdaKit: Promise<LambdaKit> | undefined = ON_LAMBDA ? loadLambdaKit() : undefined;
// A failed load surfaces on the first request (its middleware awaits the same promise).
lambdaKit?.catch(() => undefined);

/** Longest correlation id taken from a header, in characters (longer ones are ignored). */
export const MAX_CORRELATION_ID_LENGTH = 128;
const CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The correlation id of a request: `x-correlation-id` (printable ASCII, at
 * most {@link MAX_CORRELATION_ID_LENGTH} characters), else the trace id of a
 * W3C `traceparent` header, else the API Gateway request id.
 */
export function correlationIdOf(event: Pick<APIGatewayProxyEventV2, 'headers' | 'requestContext'>): string | undefined {
  const headers = event.headers ?? {};
  const explicit = headers['x-correlation-id'];
  if (explicit && CORRELATION_ID.test(explicit)) return explicit;
  const parent = TRACEPARENT.exec(headers.traceparent ?? '');
  if (parent && !/^0+$/.test(parent[1]!)) return parent[1];
  return event.requestContext?.requestId;
}

/** Log `body.__trace.id` (or `body.input.__trace.id`) as `fluxioTraceId` for this invocation. */
export function noteExecutionTrace(body: unknown): void {
  const traceId = (v: unknown): unknown => (v && typeof v === 'object' ? ((v as { __trace?: { id?: unknown } }).__trace?.id ?? undefined) : undefined);
  const id = traceId(body) ?? (body && typeof body === 'object' ? traceId((body as { input?: unknown }).input) : undefined);
  if (typeof id === 'string' && id.length <= 256) logger.appendKeys({ fluxioTraceId: id });
}

type HttpMiddy = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/** Sets the correlation id and request keys before the handler; counts the outcome after it. */
const requestKeys = (): Mw => ({
  before: async ({ event }) => {
    const correlationId = correlationIdOf(event);
    logger.setCorrelationId(correlationId);
    const params = event.pathParameters ?? {};
    logger.appendKeys({
      requestId: event.requestContext?.requestId,
      routeKey: event.routeKey,
      ...(params.project ? { project: params.project } : {}),
      ...(params.execution ? { execution: params.execution } : {}),
    });
    const tracer = lambdaKit && (await lambdaKit).tracer;
    if (tracer?.isTracingEnabled()) {
      if (correlationId) tracer.putAnnotation('correlationId', correlationId);
      tracer.putAnnotation('routeKey', event.routeKey ?? '$default');
    }
  },
  after: async ({ event, response }) => {
    const status = response?.statusCode ?? 200;
    const correlationId = correlationIdOf(event);
    if (response && correlationId) response.headers = { ...response.headers, 'x-correlation-id': correlationId };
    if (lambdaKit) (await lambdaKit).addOutcome(status);
  },
});

/** A middleware that runs the `index`-th Lambda-only middleware once the kit is loaded. */
const deferred = (index: number): Mw => {
  const pick = async () => (await lambdaKit!).middlewares[index];
  return {
    before: async (request) => (await pick())?.before?.(request),
    after: async (request) => (await pick())?.after?.(request),
    onError: async (request) => (await pick())?.onError?.(request),
  };
};

/**
 * Wire the Powertools middlewares onto a middy HTTP handler: logger context
 * and correlation ids always; tracer (first, so its segment spans the rest)
 * and metrics on Lambda only.
 */
export function withObservability<H extends HttpMiddy>(handler: H): H {
  const lambdaOnly = ON_LAMBDA ? (TRACING ? 2 : 1) : 0;
  if (lambdaOnly === 2) handler.use(deferred(0));
  handler.use(injectLambdaContext(logger, { resetKeys: true }));
  if (lambdaOnly) handler.use(deferred(lambdaOnly - 1));
  handler.use(requestKeys());
  return handler;
}
