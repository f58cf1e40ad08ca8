/**
 * Path-parameter parsing and error mapping shared by the state data handlers.
 */
import { HttpError } from '@fluxio/contracts/errors';
import { describeJsonValueProblem, findJsonValueProblem } from '@fluxio/contracts/jsonValue';
import type { HttpResponse } from '@fluxio/contracts/http';
import {
  EXECUTION_NAME_PATTERN,
  ITEM_INDEX_PATTERN,
  ITEM_KEY_PATTERN,
  MAX_PARTITION_KEY_BYTES,
  MAX_VALUE_DEPTH,
  PARTITION_KEY_FORBIDDEN,
  STATE_DATA_PROJECT_PATTERN,
  TABLE_NAME_PATTERN,
} from '@fluxio/contracts/schemas/stateData';
import { isStateDataError } from '../errors.ts';
import type { ItemAddress } from '../ports.ts';

const PROJECT = new RegExp(STATE_DATA_PROJECT_PATTERN);
const EXECUTION = new RegExp(EXECUTION_NAME_PATTERN);
const KEY = new RegExp(ITEM_KEY_PATTERN);
const INDEX = new RegExp(ITEM_INDEX_PATTERN);
const TABLE = new RegExp(TABLE_NAME_PATTERN);

const invalid = (name: string, value: string | undefined, rule: string) =>
  new HttpError(400, 'Request.InvalidPath', `Path parameter ${name}=${JSON.stringify(value ?? '')} is invalid: ${rule}.`, { parameter: name });

/** Parse an item index (sort key): a non-negative whole number ≤ 2^53 - 1. */
export function parseIndex(text: string | undefined, name = 'index'): number {
  if (text === undefined || !INDEX.test(text) || !Number.isSafeInteger(Number(text)))
    throw invalid(name, text, 'use a whole number from 0 to 9007199254740991, without sign or leading zeros');
  return Number(text);
}

function checkProject(params: Record<string, string>): string {
  if (!PROJECT.test(params.project ?? '')) throw invalid('project', params.project, 'a letter, then up to 63 letters, digits, "-" or "_"');
  return params.project;
}

/** The project a route is called for (`{project}`), validated. */
export const projectOf = (params: Record<string, string>): string => checkProject(params);

/**
 * The table and partition key a route addresses: local routes
 * (`{execution}`, `{key}`) use the platform table and
 * `<project>:<execution>:<key>` (issue 11: scoped by project); global routes
 * (`{table}`, `{partitionKey}`) name both.
 */
export function partitionOf(params: Record<string, string>, defaultTable: string): { tableName: string; partitionKey: string } {
  const project = checkProject(params);
  if (params.execution !== undefined || params.key !== undefined) {
    if (!EXECUTION.test(params.execution ?? ''))
      throw invalid('execution', params.execution, 'an execution name of 1-80 characters without whitespace or any of <>{}[]?*"#%\\^|~`$&,;:/');
    if (!KEY.test(params.key ?? '')) throw invalid('key', params.key, 'an item key of 1-255 characters without / ? # % or control characters');
    return { tableName: defaultTable, partitionKey: `${project}:${params.execution}:${params.key}` };
  }
  if (!TABLE.test(params.table ?? '')) throw invalid('table', params.table, 'a DynamoDB table name: 3-255 of a-z A-Z 0-9 _ . -');
  const pk = params.partitionKey ?? '';
  if (pk.length === 0 || Buffer.byteLength(pk) > MAX_PARTITION_KEY_BYTES)
    throw invalid('partitionKey', pk, `a partition key of 1 to ${MAX_PARTITION_KEY_BYTES} bytes`);
  if (PARTITION_KEY_FORBIDDEN.test(pk)) throw invalid('partitionKey', pk, 'a partition key without / ? # % or control characters');
  return { tableName: params.table, partitionKey: pk };
}

/**
 * Check a JSON value from a request body before it is stored (iteratively:
 * no depth can overflow the stack): nesting at most {@link MAX_VALUE_DEPTH}
 * levels, and only finite numbers (see `findJsonValueProblem` in `@fluxio/contracts/jsonValue`).
 * @param where the body path of the value, e.g. `/value` or `/items/3`
 * @throws HttpError 400 `StateData.ValueTooDeep` / `StateData.NonFiniteNumber`
 */
export function checkJsonValue(value: unknown, where: string): void {
  const problem = findJsonValueProblem(value, where, MAX_VALUE_DEPTH);
  if (!problem) return;
  if (problem.kind === 'nonFinite') throw new HttpError(400, 'StateData.NonFiniteNumber', describeJsonValueProblem(problem), { path: where });
  throw new HttpError(400, 'StateData.ValueTooDeep', describeJsonValueProblem(problem), { path: where, maxDepth: MAX_VALUE_DEPTH });
}

/** The full item address of a route with `{index}`. */
export function itemAddress(params: Record<string, string>, defaultTable: string): ItemAddress {
  return { ...partitionOf(params, defaultTable), index: parseIndex(params.index) };
}

/** Base URL the request came in on (`x-forwarded-proto` or http, and `host`). */
export function requestOrigin(headers: Record<string, string>): string {
  const proto = headers['x-forwarded-proto']?.split(',')[0]?.trim() || 'http';
  return `${proto}://${headers.host ?? '127.0.0.1'}`;
}

/** Run a route body, mapping {@link StateDataError}s to {@link HttpError}s. */
export async function withDomainErrors(fn: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await fn();
  } catch (e) {
    if (isStateDataError(e)) throw new HttpError(e.statusCode, e.code, e.message, e.details, { cause: e });
    throw e;
  }
}
