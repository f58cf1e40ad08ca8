/**
 * The SVG picture of a state machine: {@link layoutGraph}'s layout drawn with
 * one `<a>` per state (a link to `stateHref(name)`, reachable with Tab and
 * Enter), coloured by `statuses` when given (the execution page). Edges show
 * their kind: solid transitions, Choice rules with their condition, dashed
 * red Catch edges with the error names, dotted Retry loops.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { withoutStates, type StateGraph } from '@fluxio/contracts/graph/stateGraph';
import { layoutGraph, shortLabel, type Layout } from './layout.ts';
import type { StateStatus } from './status.ts';
import { html } from './ui.ts';

export interface GraphViewProps {
  graph: StateGraph;
  /** State name → status (execution page); absent: the definition only. */
  statuses?: Map<string, StateStatus>;
  selected?: string;
  stateHref: (name: string) => string;
  /** States the compiler adds (trace envelope…): left out unless `showInternal`, then drawn lighter. */
  internal?: Set<string>;
  /** Draw the `internal` states too. */
  showInternal?: boolean;
  /** Where the "show the compiler's states" switch leads (a URL), when offered. */
  toggleInternalHref?: string;
}

const KIND_CLASS: Record<string, string> = { next: 'edge-next', end: 'edge-next', choice: 'edge-choice', default: 'edge-default', catch: 'edge-catch', retry: 'edge-retry' };

export function GraphView({ graph: full, statuses, selected, stateHref, internal, showInternal, toggleInternalHref }: GraphViewProps) {
  const [layout, setLayout] = useState<Layout | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const hiding = !showInternal && internal !== undefined && internal.size > 0;
  const graph = useMemo(() => (hiding ? withoutStates(full, internal!) : full), [full, hiding, internal && [...internal].join('\n')]);
  useEffect(() => {
    let live = true;
    layoutGraph(graph).then(
      (l) => live && setLayout(l),
      (e: Error) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [graph]);
  if (error) return html`<div class="error">Graph layout failed: ${error.message}</div>`;
  if (!layout) return html`<div class="muted">Laying out the graph…</div>`;
  const status = (name: string): StateStatus | undefined => (statuses ? (statuses.get(name) ?? 'not-entered') : undefined);
  return html`
    <svg class="graph" role="img" aria-label=${`Graph of ${graph.title}`} width=${layout.width} height=${layout.height} viewBox=${`0 0 ${layout.width} ${layout.height}`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow" /></marker>
        <marker id="arrow-catch" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-catch" /></marker>
      </defs>
      ${layout.groups.map((g) => {
        if (g.kind === 'body') return html`<g class="body-group" data-body=${g.key}><rect x=${g.x} y=${g.y} width=${g.width} height=${g.height} rx="6" /><text x=${g.x + 8} y=${g.y + 16}>${g.title}</text></g>`;
        const s = status(g.name!);
        return html`<a href=${stateHref(g.name!)} class=${`state-group ${s ? `status-${s}` : ''} ${selected === g.name ? 'selected' : ''}`} data-state=${g.name} data-status=${s ?? ''} aria-label=${`${g.name} (${g.type}${s ? `, ${s}` : ''})`}>
          <rect x=${g.x} y=${g.y} width=${g.width} height=${g.height} rx="8" />
          <text x=${g.x + 10} y=${g.y + 19}><tspan class="name">${g.name}</tspan><tspan class="type" dx="6">${g.type}</tspan></text>
        </a>`;
      })}
      ${layout.edges.map(
        (e) => html`<g class=${`edge ${KIND_CLASS[e.kind] ?? ''}`} data-kind=${e.kind} data-from=${e.from} data-to=${e.to}>
          <title>${e.kind}${e.label ? `: ${e.label}` : ''}</title>
          <path d=${e.path} marker-end=${e.kind === 'catch' ? 'url(#arrow-catch)' : 'url(#arrow)'} />
          ${e.labelBox &&
          html`<g class="edge-label"><rect x=${e.labelBox.x} y=${e.labelBox.y} width=${e.labelBox.width} height=${e.labelBox.height} rx="3" /><text x=${e.labelBox.x + 4} y=${e.labelBox.y + 12}>${shortLabel(e.label ?? '')}</text></g>`}
        </g>`,
      )}
      ${layout.nodes.map((n) => {
        if (n.type === 'start' || n.type === 'end')
          return html`<circle class=${`terminal ${n.type}`} cx=${n.x + n.width / 2} cy=${n.y + n.height / 2} r=${n.width / 2} />`;
        const s = status(n.name);
        const cls = `node type-${n.type.toLowerCase()} ${s ? `status-${s}` : ''} ${selected === n.name ? 'selected' : ''} ${internal?.has(n.name) ? 'internal' : ''}`;
        return html`<a href=${stateHref(n.name)} class=${cls} data-state=${n.name} data-status=${s ?? ''} aria-label=${`${n.name} (${n.type}${s ? `, ${s}` : ''})`}>
          <rect x=${n.x} y=${n.y} width=${n.width} height=${n.height} rx=${n.type === 'Choice' ? 18 : 6} />
          <text x=${n.x + n.width / 2} y=${n.y + 16} text-anchor="middle" class="name">${n.name}</text>
          <text x=${n.x + n.width / 2} y=${n.y + 30} text-anchor="middle" class="type">${n.type}${s && s !== 'not-entered' ? ` · ${s}` : ''}</text>
        </a>`;
      })}
    </svg>
    <${Legend} withStatus=${Boolean(statuses)} />
    ${toggleInternalHref && internal && internal.size > 0 &&
    html`<p class="muted"><a href=${toggleInternalHref} id="toggle-internal">${showInternal ? "Hide the compiler's states" : `Show the compiler's states (${internal.size}: trace envelope, map input, merges)`}</a></p>`}
  `;
}


function Legend({ withStatus }: { withStatus: boolean }) {
  return html`<div class="legend" aria-label="Legend">
    <span><svg width="28" height="8"><line x1="0" y1="4" x2="28" y2="4" class="legend-next" /></svg> transition</span>
    <span><svg width="28" height="8"><line x1="0" y1="4" x2="28" y2="4" class="legend-catch" /></svg> catch</span>
    <span><svg width="28" height="8"><line x1="0" y1="4" x2="28" y2="4" class="legend-retry" /></svg> retry</span>
    ${withStatus &&
    ['succeeded', 'failed', 'caught', 'retried', 'running', 'aborted', 'not-entered'].map((s) => html`<span><i class=${`swatch status-${s}`}></i> ${s}</span>`)}
  </div>`;
}
