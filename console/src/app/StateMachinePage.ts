/**
 * A state machine: the graph of its definition (elkjs → SVG), each state a
 * link that shows its `project.py` line in the source beside the graph (the
 * current deployment's project.py, `GET …/deployments/{id}/source`), the ASL
 * as formatted JSON, the versions and which one the `live` alias points at,
 * and a form to start an execution.
 */
import { useEffect, useMemo } from 'preact/hooks';
import { buildStateGraph, allStates, type AslBody } from '@fluxio/contracts/graph/stateGraph';
import { sfn, sfnAll } from './api.ts';
import { GraphView } from './GraphView.ts';
import { currentSource, machineOfArn } from './model.ts';
import { StartForm } from './StartForm.ts';
import { arnTail, ErrorBox, href, html, useLoad, when } from './ui.ts';

async function load(arn: string) {
  const ref = machineOfArn(arn);
  const [described, versions, aliases, source] = await Promise.all([
    sfn('DescribeStateMachine', { stateMachineArn: ref.arn }),
    sfnAll('ListStateMachineVersions', { stateMachineArn: ref.arn }, 'stateMachineVersions'),
    sfnAll('ListStateMachineAliases', { stateMachineArn: ref.arn }, 'stateMachineAliases'),
    ref.project ? currentSource(ref.project).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  const routes = await Promise.all(aliases.map((a) => sfn('DescribeStateMachineAlias', { stateMachineAliasArn: a.stateMachineAliasArn })));
  return { ref, described, definition: JSON.parse(described.definition) as AslBody, versions, aliases: routes, source };
}

/** The source lines of project.py with line numbers; `highlight` lines marked and scrolled into view. */
export function SourceView({ source, highlight }: { source: string; highlight?: number }) {
  useEffect(() => {
    if (highlight) document.getElementById(`L${highlight}`)?.scrollIntoView({ block: 'center' });
  }, [highlight, source]);
  return html`<pre class="source" aria-label="project.py" tabindex="0">${source.split('\n').map(
    (line, i) => html`<div id=${`L${i + 1}`} class=${`line ${highlight === i + 1 ? 'highlight' : ''}`}><span class="ln">${i + 1}</span>${line || ' '}</div>`,
  )}</pre>`;
}

export function StateMachinePage({ arn, state, showInternal }: { arn: string; state?: string; showInternal: boolean }) {
  const { data, error, loading } = useLoad(() => load(arn), [arn]);
  const graph = useMemo(() => (data ? buildStateGraph(data.definition, data.ref.fn ?? data.ref.name) : undefined), [data]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading || !data || !graph) return html`<p class="muted">Loading…</p>`;
  const sm = data.source?.manifest.stateMachines[data.ref.fn ?? ''];
  const line = state ? sm?.states[state]?.line : undefined;
  const internal = new Set(Object.entries(sm?.states ?? {}).filter(([, s]) => s.internal).map(([n]) => n));
  const selectedType = state ? allStates(graph).find((s) => s.state.name === state)?.state.type : undefined;
  return html`<section aria-labelledby="sm-title">
    <h1 id="sm-title">${data.ref.project ? html`<a href=${href('projects')}>${data.ref.project}</a> / ${data.ref.fn}` : data.ref.name}</h1>
    <p class="muted"><code>${data.ref.arn}</code> · <a href=${href('executions', { sm: data.ref.arn })}>Executions</a></p>
    <div class="split">
      <div class="graph-pane">
        <${GraphView} graph=${graph} selected=${state} internal=${internal} showInternal=${showInternal}
          toggleInternalHref=${href('state-machines', data.ref.arn, { state, internal: showInternal ? undefined : '1' })}
          stateHref=${(name: string) => href('state-machines', data.ref.arn, { state: name, internal: showInternal ? '1' : undefined })} />
      </div>
      <div class="side-pane">
        ${state
          ? html`<div class="state-detail" aria-live="polite"><h2>${state}</h2><p>${selectedType ?? ''} ${line ? html`· <a href=${`#L${line}`} onClick=${(e: Event) => { e.preventDefault(); document.getElementById(`L${line}`)?.scrollIntoView({ block: 'center' }); }} class="source-link">project.py:${line}</a>` : html`<span class="muted">(no source line)</span>`}</p></div>`
          : html`<p class="muted">Select a state (click, or Tab and Enter) to see its line in project.py.</p>`}
        ${data.source ? html`<${SourceView} source=${data.source.source} highlight=${line} />` : html`<p class="muted">No project.py: this state machine is not part of a current deployment.</p>`}
      </div>
    </div>
    <h2>Versions</h2>
    ${data.versions.length === 0
      ? html`<p class="muted">No published version.</p>`
      : html`<table class="versions"><thead><tr><th>Version</th><th>Published</th><th>Aliases</th></tr></thead><tbody>
          ${data.versions.map((v) => {
            const names = data.aliases.filter((a) => a.routingConfiguration.some((r) => r.stateMachineVersionArn === v.stateMachineVersionArn)).map((a) => a.name);
            return html`<tr data-version=${arnTail(v.stateMachineVersionArn)}><td>${arnTail(v.stateMachineVersionArn)}</td><td>${when(v.creationDate)}</td><td>${names.map((n) => html`<span class="badge alias">${n} →</span>`)}</td></tr>`;
          })}
        </tbody></table>`}
    <h2>Start an execution</h2>
    <${StartForm} arn=${data.ref.arn} />
    <h2>Definition (ASL)</h2>
    <pre class="asl" tabindex="0" aria-label="ASL definition">${JSON.stringify(data.definition, null, 2)}</pre>
  </section>`;
}
