/**
 * Checks of JSON values received in request bodies, shared by every service
 * that stores or executes them (state data items, execution inputs).
 */

/**
 * Deepest nesting of arrays/objects a stored or executed JSON value may have.
 * Deeper values overflow recursive consumers (`JSON.stringify` throws
 * `RangeError` at a few thousand levels on Node 20; the JSONPath engine and
 * DynamoDB's marshalling recurse too). DynamoDB itself allows 32 levels of
 * nested attributes, but state data stores values as JSON text.
 */
export const MAX_JSON_DEPTH = 100;

/** What is wrong with a JSON value, and where (a JSON Pointer-like body path). */
export type JsonValueProblem =
  | { kind: 'tooDeep'; path: string; maxDepth: number }
  | { kind: 'nonFinite'; path: string; value: number };

/**
 * Walks `value` iteratively (no depth can overflow the stack) and reports the
 * first problem: nesting deeper than `maxDepth` levels, or a number JSON cannot
 * represent (`JSON.parse` turns `1e400` into `Infinity`, which
 * `JSON.stringify` would write as `null`).
 * @param where body path of `value`, e.g. `/input` or `/items/3`
 * @returns undefined when the value is fine
 */
export function findJsonValueProblem(value: unknown, where: string, maxDepth: number = MAX_JSON_DEPTH): JsonValueProblem | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { kind: 'nonFinite', path: where, value: v };
    } else if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) return { kind: 'tooDeep', path: where, maxDepth };
      for (const child of Array.isArray(v) ? v : Object.values(v))
        if ((child !== null && typeof child === 'object') || typeof child === 'number') stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** A sentence for {@link JsonValueProblem}, saying what to send instead. */
export function describeJsonValueProblem(problem: JsonValueProblem): string {
  return problem.kind === 'nonFinite'
    ? `The value at ${problem.path} holds a number JSON cannot represent (${problem.value}; e.g. 1e400 overflows a 64-bit float). Send finite numbers, or the number as a string.`
    : `The value at ${problem.path} nests arrays/objects more than ${problem.maxDepth} levels deep. Flatten it (or store the deep part as a JSON string).`;
}
