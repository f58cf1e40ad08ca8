/**
 * The compiler's `${…}` definition-substitution placeholders (spec §7.5,
 * DESIGN.md §5.8), classified by what they point to. The local engine
 * (local/src/engine/placeholders.ts) resolves them to local resources and the
 * deployer (services/deployer) to the deployed ones, the way CloudFormation's
 * `DefinitionSubstitutions` resolves them on AWS.
 */

/** What a placeholder points to. */
export type PlaceholderTarget =
  | { kind: 'lambda'; task: string }
  | { kind: 'ecsTaskDefinition'; task: string }
  | { kind: 'queue'; task: string }
  | { kind: 'stateMachine'; name: string }
  | { kind: 'codebuild'; task: string }
  | { kind: 'infrastructure' };

const PREFIXES: Array<[string, (rest: string) => PlaceholderTarget]> = [
  ['LambdaFunction', (task) => ({ kind: 'lambda', task })],
  ['ECSTaskDefinition', (task) => ({ kind: 'ecsTaskDefinition', task })],
  ['QueueUrl', (task) => ({ kind: 'queue', task })],
  ['StateMachine', (name) => ({ kind: 'stateMachine', name })],
  ['CodeBuildProjectName', (task) => ({ kind: 'codebuild', task })],
];

/** Classifies a placeholder name (without `${}`), e.g. `LambdaFunctionFoo` → lambda task Foo. */
export function classifyPlaceholder(name: string): PlaceholderTarget {
  for (const [prefix, make] of PREFIXES) {
    if (name.startsWith(prefix) && name.length > prefix.length) return make(name.slice(prefix.length));
  }
  return { kind: 'infrastructure' };
}

/** A `${Name}` placeholder inside a string (global: use with `replace`). */
export const PLACEHOLDER_PATTERN = /\$\{([A-Za-z0-9_.:-]+)\}/g;

/**
 * A deep copy of `value` with every `${Name}` inside strings replaced by
 * `valueOf(Name)` (strings only: keys and numbers are left alone).
 */
export function substitutePlaceholders<T>(value: T, valueOf: (name: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('${') ? v.replace(PLACEHOLDER_PATTERN, (_, name: string) => valueOf(name)) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
