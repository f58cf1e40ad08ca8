import { expect, test } from 'vitest';
import { placeholderNames } from '../src/lower/lowerProject.ts';

/** The definition of `substitutions`: `${…}` matches of the definition's JSON text, first appearance order, no duplicates. */
const fromJsonText = (d: unknown) => [...new Set([...JSON.stringify(d).matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]))];

test('placeholderNames lists ${…} names in JSON order without duplicates, like scanning the JSON text', () => {
  const defs: unknown[] = [
    { StartAt: 'A', States: { A: { Type: 'Task', Resource: '${LambdaFunctionA}', Parameters: { 'x.$': '$.x', cluster: '${ECSClusterArn}', n: [1, '${Subnet0}', { k: '${Subnet1} ${LambdaFunctionA}' }] }, End: true } } },
    { States: { B: { Type: 'Pass', Result: { '${InKey}': 'v', skipped: undefined, ok: null, t: true } } } },
    { States: { C: { Type: 'Pass', Result: { s: 'a "${quoted"name}" b' } } } }, // JSON escapes inside: falls back, same result
    { States: { D: { Type: 'Pass', Result: ['${open', 'close}', '${X}'] } } }, // a ${ closed only in a later string
    { States: { E: { Type: 'Pass', Result: '${}${Y}' } } },
    { States: {} },
  ];
  for (const d of defs) expect(placeholderNames(d)).toEqual(fromJsonText(d));
  expect(placeholderNames(defs[0])).toEqual(['LambdaFunctionA', 'ECSClusterArn', 'Subnet0', 'Subnet1']);
});
