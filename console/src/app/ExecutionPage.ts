/**
 * One execution: the graph with every state coloured by what happened
 * (polling DescribeExecution and GetExecutionHistory once a second while it
 * runs, so it changes without a reload), a summary (status, duration,
 * transitions, trigger, version, trace id), the event history as a table that
 * can show only failures, the selected state's input and output, a failed
 * task's error, traceback and `project.py` line, Map iterations and Parallel
 * branches, and Stop / Redrive.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { allStates, buildStateGraph, type AslBody, type GraphState, type StateGraph } from '@fluxio/contracts/graph/stateGraph';
import { fullHistory, sfn, type ExecutionDescription, type SfnHistoryEvent } from './api.ts';
import { GraphView } from './GraphView.ts';
import { currentSource, machineOfArn } from './model.ts';
import { detailsOf, isFailureEvent, readCause, readExecution, traceOf, type ExecutionView, type StateEntry } from './status.ts';
import type { DeploymentSource } from './api.ts';
import { arnTail, Badge, duration, ErrorBox, href, html, pretty, when, withQuery } from './ui.ts';

/** How often a running execution is read again, in ms. */
export const POLL_MS = 1000;

interface Loaded {
  execution: ExecutionDescription;
  definition: AslBody;
  events: SfnHistoryEvent[];
}

async function load(arn: string): Promise<Loaded> {
  const [execution, machine, events] = await Promise.all([
    sfn('DescribeExecution', { executionArn: arn }),
    sfn('DescribeStateMachineForExecution', { executionArn: arn }),
    fullHistory(arn),
  ]);
  return { execution, definition: JSON.parse(machine.definition) as AslBody, events };
}

export function ExecutionPage({ arn, state, failuresOnly, entry, showInternal }: { arn: string; state?: string; failuresOnly: boolean; entry?: number; showInternal: boolean }) {
  const [data, setData] = useState<Loaded | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [tick, setTick] = useState(0);
  /** The project's source: `undefined` while it is read, `null` when there is none. */
  const [sourceState, setSource] = useState<DeploymentSource | null | undefined>();
  const source = sourceState ?? undefined;
  const [action, setAction] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const d = await load(arn);
        if (!live) return;
        setData(d);
        setError(undefined);
        if (d.execution.status === 'RUNNING') timer = setTimeout(read, POLL_MS);
      } catch (e) {
        if (live) setError(e as Error);
      }
    };
    void read();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [arn, tick]);
  const ref = machineOfArn(arn.replace(':execution:', ':stateMachine:'));
  useEffect(() => {
    if (!ref.project) setSource(null);
    else currentSource(ref.project).then((x) => setSource(x ?? null), () => setSource(null));
  }, [ref.project]);
  const graph = useMemo(() => (data ? buildStateGraph(data.definition, ref.fn ?? ref.name) : undefined), [data && JSON.stringify(data.definition)]);
  const view = useMemo(() => (data && graph ? readExecution(data.events, graph, data.execution.status) : undefined), [data, graph]);
  if (error && !data) return html`<${ErrorBox} error=${error} />`;
  // The graph waits for the source too: its manifest says which states to leave out (no redraw when it arrives).
  if (!data || !graph || !view || sourceState === undefined) return html`<p class="muted">Loading…</p>`;
  const ex = data.execution;
  const trace = traceOf(ex.input);
  const statuses = new Map([...view.states].map(([n, r]) => [n, r.status]));
  const sm = source?.manifest.stateMachines[ref.fn ?? ''];
  const internal = new Set(Object.entries(sm?.states ?? {}).filter(([, s]) => s.internal).map(([n]) => n));
  const keep = { failures: failuresOnly ? '1' : undefined, internal: showInternal ? '1' : undefined };
  const linkState = (name: string) => href('executions', arn, { ...keep, state: name });
  const act = async (what: 'Stop' | 'Redrive') => {
    setAction(undefined);
    try {
      if (what === 'Stop') await sfn('StopExecution', { executionArn: arn, error: 'Console.Stopped', cause: 'Stopped from the Fluxio console' });
      else await sfn('RedriveExecution', { executionArn: arn });
      setTick((t) => t + 1);
    } catch (e) {
      setAction(`${what} failed: ${(e as { code?: string }).code ?? 'Error'}: ${(e as Error).message}`);
    }
  };
  const end = ex.stopDate ?? Date.now() / 1000;
  return html`<section aria-labelledby="execution-title">
    <h1 id="execution-title">Execution ${ex.name}</h1>
    <p class="muted"><a href=${href('state-machines', ref.arn)}>${ref.project ? `${ref.project} / ${ref.fn}` : ref.name}</a> · <a href=${href('executions', { sm: ref.arn })}>all executions</a></p>
    <dl class="summary" aria-label="Summary">
      <div><dt>Status</dt><dd id="execution-status"><${Badge} status=${ex.status} /></dd></div>
      <div><dt>Started</dt><dd>${when(ex.startDate)}</dd></div>
      <div><dt>Duration</dt><dd>${duration((end - ex.startDate) * 1000)}${ex.status === 'RUNNING' ? ' (running)' : ''}</dd></div>
      <div><dt>Transitions</dt><dd>${view.transitions}</dd></div>
      <div><dt>Trigger</dt><dd id="execution-trigger">${trace.source ?? 'direct'}</dd></div>
      <div><dt>Version</dt><dd>${ex.stateMachineVersionArn ? arnTail(ex.stateMachineVersionArn) : '—'}${ex.stateMachineAliasArn ? ` (alias ${arnTail(ex.stateMachineAliasArn)})` : ''}</dd></div>
      <div><dt>Trace id</dt><dd><code>${trace.id ?? ex.name}</code></dd></div>
      ${ex.redriveCount ? html`<div><dt>Redriven</dt><dd>${ex.redriveCount}×</dd></div>` : null}
    </dl>
    ${ex.error && html`<div class="error" role="alert" id="execution-error"><strong>${ex.error}</strong>${ex.cause ? `: ${causeText(ex.error, ex.cause)}` : ''}</div>`}
    <div class="actions">
      <button id="stop" disabled=${ex.status !== 'RUNNING'} onClick=${() => act('Stop')}>Stop</button>
      <button id="redrive" disabled=${!['FAILED', 'ABORTED', 'TIMED_OUT'].includes(ex.status)} onClick=${() => act('Redrive')}>Redrive</button>
      ${action && html`<span class="error" role="alert">${action}</span>`}
      ${error && html`<span class="error" role="alert">Refresh failed: ${error.message}</span>`}
    </div>
    <div class="split">
      <div class="graph-pane"><${GraphView} graph=${graph} statuses=${statuses} selected=${state} internal=${internal} stateHref=${linkState}
        showInternal=${showInternal} toggleInternalHref=${href('executions', arn, { ...keep, state, internal: showInternal ? undefined : '1' })} /></div>
      <div class="side-pane">
        ${state
          ? html`<${StateDetail} name=${state} graph=${graph} view=${view} source=${source} fn=${ref.fn} arn=${arn} entryIndex=${entry} failuresOnly=${failuresOnly} machineArn=${ref.arn} />`
          : html`<p class="muted">Select a state (click, or Tab and Enter) for its input, output and errors.</p>`}
      </div>
    </div>
    <${History} events=${data.events} failuresOnly=${failuresOnly} arn=${arn} state=${state} start=${ex.startDate} />
    <h2>Input</h2><pre class="json" tabindex="0">${pretty(ex.input)}</pre>
    ${ex.output !== undefined && html`<h2>Output</h2><pre class="json" tabindex="0">${pretty(ex.output)}</pre>`}
  </section>`;
}

/** A cause as one line: its message, with the error type when it differs from the error shown beside it. */
function causeText(error: string | undefined, cause: string | undefined): string {
  const c = readCause(cause);
  return c.type && c.type !== error ? `${c.type}: ${c.message}` : c.message;
}

function StateDetail(props: { name: string; graph: StateGraph; view: ExecutionView; source?: DeploymentSource; fn?: string; arn: string; entryIndex?: number; failuresOnly: boolean; machineArn: string }) {
  const { name, graph, view, source, fn, arn } = props;
  const found = allStates(graph).find((s) => s.state.name === name);
  const run = view.states.get(name);
  const line = source?.manifest.stateMachines[fn ?? '']?.states[name]?.line;
  const lines = source?.source.split('\n') ?? [];
  const entries = run?.entries ?? [];
  const index = Math.min(props.entryIndex ?? entries.length - 1, entries.length - 1);
  const e: StateEntry | undefined = entries[index];
  const link = (q: Record<string, string | undefined>) => withQuery({ state: name, ...q });
  return html`<div class="state-detail" aria-live="polite" data-selected-state=${name}>
    <h2>${name} <${Badge} status=${run?.status ?? 'not-entered'} /></h2>
    <p>${found?.state.type ?? ''}${line ? html` · <a class="source-link" href=${href('state-machines', props.machineArn, { state: name })}>project.py:${line}</a>` : ''}</p>
    ${line && lines[line - 1] !== undefined && html`<pre class="source-line">${line} | ${lines[line - 1]!.trim()}</pre>`}
    ${entries.length > 1 &&
    html`<nav class="entries" aria-label="Entries of this state">${entries.map((x, i) => html`<a href=${link({ entry: String(i) })} class=${`badge status-${x.status} ${i === index ? 'selected' : ''}`} aria-current=${i === index ? 'true' : undefined}>#${i + 1}</a>`)}</nav>`}
    ${!e && html`<p class="muted">Not entered.</p>`}
    ${e &&
    html`<p>${e.attempts > 1 ? `${e.attempts} attempts · ` : ''}${e.exitedAt ? duration(e.exitedAt - e.enteredAt) : 'not left'}</p>
      ${e.failures.map((f) => {
        const c = readCause(f.cause);
        return html`<div class="failure" data-failure=${f.type}>
          <p><strong class="failure-error">${f.error ?? f.type}</strong> <span class="muted">(${f.type}, event ${f.eventId})</span></p>
          ${c.message && html`<p class="failure-message">${causeText(f.error, f.cause)}</p>`}
          ${c.traceback.length > 0 && html`<pre class="traceback">${c.traceback.join('\n')}</pre>`}
          ${c.lines.map((l) => html`<pre class="source-line traceback-line">${l} | ${(lines[l - 1] ?? '').trim()}</pre>`)}
        </div>`;
      })}
      ${e.status === 'caught' && html`<p class="caught-note">The error was caught: the Catch moved on to its handler.</p>`}
      <h3>Input</h3><pre class="json" tabindex="0">${pretty(e.input)}</pre>
      ${e.output !== undefined && html`<h3>Output</h3><pre class="json" tabindex="0">${pretty(e.output)}</pre>`}`}
    ${found?.state.type === 'Map' && html`<${Iterations} name=${name} view=${view} />`}
    ${found && found.state.type === 'Parallel' && html`<${Branches} state=${found.state} view=${view} link=${(n: string) => withQuery({ state: n, entry: undefined })} />`}
  </div>`;
}

function Iterations({ name, view }: { name: string; view: ExecutionView }) {
  const its = view.iterations.get(name) ?? [];
  return html`<h3>Iterations (${its.length})</h3>
    ${its.length === 0 ? html`<p class="muted">none started</p>` : html`<ol class="iterations" start="0">${its.map((it) => html`<li><${Badge} status=${it.status} /> item ${it.index}</li>`)}</ol>`}
    <p class="muted">Each state inside the iteration lists its entries (#1, #2, …) when selected.</p>`;
}

function Branches({ state, view, link }: { state: GraphState; view: ExecutionView; link: (n: string) => string }) {
  return html`<h3>Branches</h3>${state.bodies.map(
    (b) => html`<div class="branch"><h4>${b.title}</h4><ul>${allStates(b).map(
      (s) => html`<li><a href=${link(s.state.name)}>${s.state.name}</a> <${Badge} status=${view.states.get(s.state.name)?.status ?? 'not-entered'} /></li>`,
    )}</ul></div>`,
  )}`;
}

function History({ events, failuresOnly, arn, state, start }: { events: SfnHistoryEvent[]; failuresOnly: boolean; arn: string; state?: string; start: number }) {
  const rows = failuresOnly ? events.filter((e) => isFailureEvent(String(e.type))) : events;
  const toggle = () => (location.hash = withQuery({ failures: failuresOnly ? undefined : '1' }));
  return html`<h2>Event history</h2>
    <label class="checkbox"><input type="checkbox" id="history-failures" checked=${failuresOnly} onChange=${toggle} /> Only failures</label>
    <table class="history" aria-label="Event history">
      <thead><tr><th>#</th><th>Time</th><th>Type</th><th>State</th><th>Detail</th></tr></thead>
      <tbody>${rows.map((e) => {
        const d = detailsOf(e);
        const type = String(e.type);
        const t = typeof e.timestamp === 'number' ? e.timestamp : 0;
        const detail = [d.error, d.cause, d.index !== undefined ? `index ${d.index}` : undefined].filter((x) => x !== undefined).map(String).join(': ');
        return html`<tr data-event-type=${type} class=${isFailureEvent(type) ? 'failure-row' : ''}>
          <td>${e.id}</td><td>+${duration((t - start) * 1000)}</td><td>${type}</td>
          <td>${d.name && type.includes('State') ? html`<a href=${withQuery({ state: String(d.name), entry: undefined })}>${String(d.name)}</a>` : ''}</td>
          <td class="detail">${detail.length > 300 ? `${detail.slice(0, 300)}…` : detail}</td>
        </tr>`;
      })}</tbody>
    </table>
    ${rows.length === 0 && html`<p class="empty">No ${failuresOnly ? 'failure ' : ''}events.</p>`}`;
}
