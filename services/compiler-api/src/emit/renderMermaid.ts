import type { AslState, ManifestStateMachine } from '@fluxio/contracts/manifest';

/** Comparison operators of a Choice rule and how a label shows them (ASL spec, "Choice Rules"). */
const COMPARISONS: Array<[RegExp, string]> = [
  [/^(String|Numeric|Boolean|Timestamp)Equals(Path)?$/, '=='],
  [/^(String|Numeric|Timestamp)LessThan(Path)?$/, '<'],
  [/^(String|Numeric|Timestamp)LessThanEquals(Path)?$/, '<='],
  [/^(String|Numeric|Timestamp)GreaterThan(Path)?$/, '>'],
  [/^(String|Numeric|Timestamp)GreaterThanEquals(Path)?$/, '>='],
];

/**
 * A short, readable form of a Choice rule for an edge label, e.g.
 * `$['n'] < 10 and $['s'] present`. Unknown shapes fall back to the operator name.
 */
export function describeChoiceRule(rule: Record<string, unknown>): string {
  const sub = (r: unknown) => describeChoiceRule(r as Record<string, unknown>);
  if (Array.isArray(rule.And)) return rule.And.map((r) => `(${sub(r)})`).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map((r) => `(${sub(r)})`).join(' or ');
  if (rule.Not && typeof rule.Not === 'object') return `not (${sub(rule.Not)})`;
  const variable = String(rule.Variable ?? '?');
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    for (const [pattern, op] of COMPARISONS) if (pattern.test(key)) return `${variable} ${op} ${JSON.stringify(value)}`;
    if (key === 'IsPresent') return `${variable} ${value ? 'present' : 'absent'}`;
    if (key === 'IsNull') return `${variable} ${value ? 'is' : 'is not'} null`;
    if (key === 'StringMatches') return `${variable} matches ${JSON.stringify(value)}`;
    if (/^Is(String|Numeric|Boolean|Timestamp)$/.test(key)) return `${variable} ${value ? 'is' : 'is not'} ${key.slice(2).toLowerCase()}`;
    return `${variable} ${key} ${JSON.stringify(value)}`;
  }
  return variable;
}

/**
 * Renders one state machine as a Mermaid `flowchart TD`: one node per state,
 * Choice rules as edges labelled with their condition ({@link describeChoiceRule}), Default as `default`, Catch edges dashed
 * (labelled with the error names), Map and Parallel bodies as subgraphs.
 *
 * @param stateMachine a compiled state machine from the manifest
 * @param name the state machine (function) name, used as the title comment
 */
export function renderMermaid(stateMachine: ManifestStateMachine, name: string): string {
  const out: string[] = ['flowchart TD', `  %% state machine ${name}`];
  const ids = new Map<string, string>();
  let counter = 0;
  const id = (prefix: string, state: string): string => {
    const key = `${prefix}/${state}`;
    let v = ids.get(key);
    if (!v) {
      v = `s${counter++}`;
      ids.set(key, v);
    }
    return v;
  };
  // Mermaid entity codes keep quotes, brackets and comparison signs readable inside labels.
  const label = (s: string): string => s.replace(/"/g, '#quot;').replace(/[\[\]{}|<>]/g, (c) => `#${c.charCodeAt(0)};`);
  const endId = (prefix: string) => id(prefix, '__end__');

  const graph = (def: { StartAt: string; States: Record<string, AslState> }, prefix: string, indent: string): void => {
    const start = id(prefix, '__start__');
    out.push(`${indent}${start}(((start)))`);
    out.push(`${indent}${start} --> ${id(prefix, def.StartAt)}`);
    let usesEnd = false;
    for (const [stateName, state] of Object.entries(def.States)) {
      const me = id(prefix, stateName);
      const kind = state.Type;
      const text = `${label(stateName)}<br/><i>${kind}</i>`;
      if (kind === 'Choice') out.push(`${indent}${me}{"${text}"}`);
      else if (kind === 'Succeed' || kind === 'Fail') out.push(`${indent}${me}(["${text}"])`);
      else if (kind === 'Map' || kind === 'Parallel') {
        out.push(`${indent}${me}[["${text}"]]`);
        const bodies: Array<{ StartAt: string; States: Record<string, AslState> }> =
          kind === 'Map'
            ? [(state.ItemProcessor ?? state.Iterator) as { StartAt: string; States: Record<string, AslState> }]
            : (state.Branches as Array<{ StartAt: string; States: Record<string, AslState> }>);
        bodies.forEach((body, i) => {
          const sub = `${me}_body${i}`;
          out.push(`${indent}subgraph ${sub}["${label(stateName)} ${kind === 'Map' ? 'iteration' : `branch ${i + 1}`}"]`);
          graph(body, `${prefix}/${stateName}#${i}`, indent + '  ');
          out.push(`${indent}end`);
          out.push(`${indent}${me} -.-> ${sub}`);
        });
      } else out.push(`${indent}${me}["${text}"]`);
      if (kind === 'Choice') {
        const choices = (state.Choices as Array<Record<string, unknown>>) ?? [];
        choices.forEach((rule, i) => {
          out.push(`${indent}${me} -->|"${label(describeChoiceRule(rule))}"| ${id(prefix, String(rule.Next))}`);
        });
        if (typeof state.Default === 'string') out.push(`${indent}${me} -->|default| ${id(prefix, state.Default)}`);
      }
      if (typeof state.Next === 'string') out.push(`${indent}${me} --> ${id(prefix, state.Next)}`);
      if (state.End === true) {
        usesEnd = true;
        out.push(`${indent}${me} --> ${endId(prefix)}`);
      }
      for (const c of (state.Catch as Array<{ ErrorEquals: string[]; Next: string }>) ?? []) {
        out.push(`${indent}${me} -.->|"${label(c.ErrorEquals.join(', '))}"| ${id(prefix, c.Next)}`);
      }
    }
    if (usesEnd) out.push(`${indent}${endId(prefix)}(((end)))`);
  };
  graph(stateMachine.definition, name, '  ');
  return out.join('\n') + '\n';
}
