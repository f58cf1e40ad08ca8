/**
 * Function names and ARNs as the Lambda API accepts them: a name
 * (`my-function`), a name with a qualifier (`my-function:3`), a partial ARN
 * (`000000000000:function:my-function`) or a full ARN
 * (`arn:aws:lambda:us-east-1:000000000000:function:my-function[:3]`).
 * Source: Lambda API reference, `FunctionName` of Invoke/GetFunction (its pattern).
 */
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../engine/placeholders.ts';
import { invalidParameter, validation } from './errors.ts';

/** `$LATEST`, the unpublished version every function has. */
export const LATEST = '$LATEST';

// The service's pattern for FunctionName (Invoke, GetFunction, ...), names limited to what a
// function can be named ("letters, numbers, hyphens, or underscores"): a name is also a directory here.
const FUNCTION_NAME =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9\-_]+)(:(\$LATEST|[a-zA-Z0-9\-_]+))?$/;

/** A parsed function reference. */
export interface FunctionRef {
  /** The function's name: 1-64 of `[a-zA-Z0-9-_]`. */
  name: string;
  /** Version (`$LATEST`, `3`) or alias named in the reference, when any. */
  qualifier?: string;
}

/**
 * Parses `FunctionName` (any of the four forms) and reconciles it with a
 * `Qualifier` parameter.
 * @throws ValidationException when it does not match the service's pattern;
 *   InvalidParameterValueException when the qualifier in the name and `Qualifier` differ
 */
export function parseFunctionRef(functionName: string | undefined, qualifier?: string): FunctionRef {
  const value = functionName ?? '';
  const m = FUNCTION_NAME.exec(value);
  if (!m || value.length > 170) {
    throw validation(
      `1 validation error detected: Value '${value}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME.source.slice(1, -1)}`,
    );
  }
  const name = m[11];
  if (name.length > 64) {
    throw validation(`1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`);
  }
  const inName = m[13];
  if (qualifier !== undefined && qualifier !== '' && inName !== undefined && inName !== qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const q = qualifier || inName;
  return q === undefined ? { name } : { name, qualifier: q };
}

/** `arn:aws:lambda:us-east-1:000000000000:function:<name>` */
export const functionArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

/** The ARN with `:<qualifier>` (the form Lambda reports for versions). */
export const qualifiedArn = (name: string, qualifier: string) => `${functionArn(name)}:${qualifier}`;
