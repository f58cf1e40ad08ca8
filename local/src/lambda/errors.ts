/**
 * Errors of the local Lambda API, named and numbered as the Lambda service
 * names them (Lambda API reference, "Errors" of each operation). The protocol
 * module turns one into the service's answer: the HTTP status, an
 * `x-amzn-ErrorType` header and a `{"Type", "Message"}` body, which is what
 * `@aws-sdk/client-lambda` and the AWS CLI parse into the named exception.
 */

/** `Type` of the body: `User` for the caller's mistakes, `Service` for ours. */
export type LambdaErrorKind = 'User' | 'Service';

/** An error the Lambda API answers with. `name` is the service's exception name. */
export class LambdaApiError extends Error {
  /** HTTP status the service uses for this exception. */
  readonly statusCode: number;
  readonly kind: LambdaErrorKind;
  constructor(name: string, statusCode: number, message: string, kind: LambdaErrorKind = 'User') {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
    this.kind = kind;
  }
}

/** 404: the function, version or route does not exist. */
export const notFound = (message: string) => new LambdaApiError('ResourceNotFoundException', 404, message);
/** 400: a parameter has a value the service refuses. */
export const invalidParameter = (message: string) => new LambdaApiError('InvalidParameterValueException', 400, message);
/** 400: a member fails its model constraint (the service's "1 validation error detected" form). */
export const validation = (message: string) => new LambdaApiError('ValidationException', 400, message);
/** 409: the function already exists. */
export const conflict = (message: string) => new LambdaApiError('ResourceConflictException', 409, message);
/** 412: `RevisionId` does not match. */
export const preconditionFailed = (message: string) => new LambdaApiError('PreconditionFailedException', 412, message);
/** 400: the request body is not what the operation expects (e.g. an Invoke payload that is not JSON). */
export const invalidContent = (message: string) => new LambdaApiError('InvalidRequestContentException', 400, message);

/**
 * 400 `UnsupportedOperationException`: what the local platform does not build
 * (S3 or image code, layers, aliases, ...). Never a silent no-op: the message
 * says what is not supported locally and what to use instead.
 */
export const unsupported = (message: string) =>
  new LambdaApiError('UnsupportedOperationException', 400, `${message} (not supported by the local Lambda API of the Fluxio platform).`);
