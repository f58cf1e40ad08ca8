/**
 * HTTP error body used by every Fluxio API (DESIGN.md §6):
 * `{"error": {"code", "message", "details"?}}`. 4xx for anything the caller got
 * wrong, never 5xx for bad input.
 */
export interface HttpErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * An error that maps to an HTTP response at the edge. Domain code throws these
 * (or its own error family mapped by the handler); the shared HTTP middleware
 * renders them as {@link HttpErrorBody}.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    /** HTTP status code (400, 404, 413, 422, …). */
    readonly statusCode: number,
    /** Stable machine-readable code, e.g. `Request.Invalid`. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Base of the services' domain error families (`StateDataError`,
 * `DeployError`): domain code throws them with a stable `code` and the HTTP
 * status it maps to; the handlers turn them into {@link HttpError}s at the edge.
 * Subclasses only set `name`.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    /** Stable code, e.g. `StateData.NoItemFound`, `Deploy.InProgress`. */
    readonly code: string,
    /** The HTTP status this maps to at the edge. */
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True for a {@link ServiceError} of the family called `name`, even across duplicate module copies. */
export const isServiceErrorNamed = <T extends ServiceError>(e: unknown, name: string): e is T =>
  e instanceof Error && e.name === name && typeof (e as ServiceError).code === 'string';

/** True for any {@link HttpError}, even across duplicate module copies. */
export const isHttpError = (e: unknown): e is HttpError =>
  e instanceof Error && e.name === 'HttpError' && typeof (e as HttpError).statusCode === 'number';
