/**
 * Errors of the local Step Functions API, named exactly as the service names
 * them (the `__type` of an AWS JSON 1.0 error response; see
 * https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
 * and each operation's "Errors" section).
 */

/** An error the API answers with HTTP 400 (or `statusCode`) and `{"__type","message"}`. */
export class SfnError extends Error {
  /**
   * @param name the service's error code, e.g. `StateMachineDoesNotExist`
   * @param message what happened and what to do instead
   * @param statusCode HTTP status (400 for every client error of the service)
   */
  constructor(
    name: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = name;
  }
}

/** `ValidationException`: a parameter is missing or malformed. */
export const validation = (message: string) => new SfnError('ValidationException', message);

/** Asserts a required string parameter. @throws SfnError ValidationException */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw validation(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/**
 * Names of state machines, executions, activities, aliases (1–80 characters, no
 * whitespace, brackets, wildcards, special or control characters: the service's
 * naming rule, e.g. StartExecution "name").
 */
export function isValidName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length >= 1 && name.length <= 80 && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u.test(name);
}

/** @throws SfnError `InvalidName` */
export function checkName(name: string, what: string): void {
  if (!isValidName(name)) {
    throw new SfnError(
      'InvalidName',
      `Invalid Name: '${name}' (${what} names are 1-80 characters without whitespace, brackets, wildcards, ` + 'or any of " # % \\ ^ | ~ ` $ & , ; : /)',
    );
  }
}

/** Validates `maxResults` (0–1000, 0 = the default page). @throws SfnError ValidationException */
export function pageSize(maxResults: unknown, fallback = 100): number {
  if (maxResults === undefined || maxResults === null || maxResults === 0) return fallback;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw validation(`1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  return maxResults;
}

/** Page tokens are opaque to clients: base64url of the next offset plus a key binding them to the query. */
export function encodeToken(offset: number, key: string): string {
  return Buffer.from(JSON.stringify([offset, key])).toString('base64url');
}

/** @throws SfnError `InvalidToken` when the token is not one this API issued for the same query */
export function decodeToken(token: unknown, key: string): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const [offset, k] = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as [number, string];
    if (k === key && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    /* fall through */
  }
  throw new SfnError('InvalidToken', 'Invalid Token: the nextToken does not belong to this request; pass the nextToken of the previous page of the same call.');
}
