import type { ManifestStateMachine } from '@fluxio/contracts/manifest';
import { buildStateGraph, type StateGraph } from '@fluxio/contracts/graph/stateGraph';

export { describeChoiceRule } from '@fluxio/contracts/graph/stateGraph';

/**
 * Renders one state machine as a Mermaid `flowchart TD`: one node per state,
 * Choice rules as edges labelled with their condition (`describeChoiceRule`), Default as `default`, Catch edges dashed
 * (labelled with the error names), Map and Parallel bodies as subgraphs. The graph comes from
 * `buildStateGraph` (shared/src/graph/stateGraph.ts), the one the web console draws too; Retry
 * entries are not drawn here (a Mermaid self-loop per entry clutters the chart).
 *
 * @param stateMachine a compiled state machine from the manifest
 * @param name the state machine (function) name, used as the title comment
 */
export function renderMermaid(stateMachine: ManifestStateMachine, name: string): string {
  const out: string[] = ['flowchart TD', `  %% state machine ${name}`];
  // Mermaid node ids s0, s1, … in the order nodes are first mentioned.
  const ids = new Map<string, string>();
  const id = (key: string): string => {
    let v = ids.get(key);
    if (!v) {
      v = `s${ids.size}`;
      ids.set(key, v);
    }
    return v;
  };
  // Mermaid entity codes keep quotes, brackets and comparison signs readable inside labels.
  const label = (s: string): string => s.replace(/"/g, '#quot;').replace(/[\[\]{}|<>]/g, (c) => `#${c.charCodeAt(0)};`);

  const graph = (g: StateGraph, indent: string): void => {
    const start = id(g.start);
    out.push(`${indent}${start}(((start)))`);
    out.push(`${indent}${start} --> ${id(g.startEdge.to)}`);
    for (const state of g.states) {
      const me = id(state.key);
      const kind = state.type;
      const text = `${label(state.name)}<br/><i>${kind}</i>`;
      if (kind === 'Choice') out.push(`${indent}${me}{"${text}"}`);
      else if (kind === 'Succeed' || kind === 'Fail') out.push(`${indent}${me}(["${text}"])`);
      else if (kind === 'Map' || kind === 'Parallel') {
        out.push(`${indent}${me}[["${text}"]]`);
        state.bodies.forEach((body, i) => {
          const sub = `${me}_body${i}`;
          out.push(`${indent}subgraph ${sub}["${label(state.name)} ${kind === 'Map' ? 'iteration' : `branch ${i + 1}`}"]`);
          graph(body, indent + '  ');
          out.push(`${indent}end`);
          out.push(`${indent}${me} -.-> ${sub}`);
        });
      } else out.push(`${indent}${me}["${text}"]`);
      for (const e of state.edges) {
        if (e.kind === 'choice') out.push(`${indent}${me} -->|"${label(e.label!)}"| ${id(e.to)}`);
        else if (e.kind === 'default') out.push(`${indent}${me} -->|default| ${id(e.to)}`);
        else if (e.kind === 'next' || e.kind === 'end') out.push(`${indent}${me} --> ${id(e.to)}`);
        else if (e.kind === 'catch') out.push(`${indent}${me} -.->|"${label(e.label!)}"| ${id(e.to)}`);
      }
    }
    if (g.end) out.push(`${indent}${id(g.end)}(((end)))`);
  };
  graph(buildStateGraph(stateMachine.definition, name), '  ');
  return out.join('\n') + '\n';
}
