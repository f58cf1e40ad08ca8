/**
 * Executions: every execution of the chosen state machine (or of all),
 * newest first, filtered by status (ListExecutions' statusFilter), by trigger
 * (`__trace.source` of the input, read with DescribeExecution) and by name,
 * 20 per page; the filters are in the URL. With one state machine chosen, a
 * form starts an execution.
 */
import { useEffect, useState } from 'preact/hooks';
import { sfn, sfnAll, type ExecutionListItem } from './api.ts';
import { listMachines, machineOfArn } from './model.ts';
import { StartForm } from './StartForm.ts';
import { traceOf } from './status.ts';
import { Badge, duration, ErrorBox, href, html, useLoad, when } from './ui.ts';

export const PAGE_SIZE = 20;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
/** Trigger filter values: `__trace.source` is `http`, `schedule`, `subscription:<project>/<fn>` or `direct` (DESIGN.md §5b). */
const TRIGGERS = ['http', 'schedule', 'subscription', 'direct'];

export interface ExecutionsQuery {
  sm?: string;
  status?: string;
  trigger?: string;
  q?: string;
  page: number;
}

const matchesTrigger = (source: string | undefined, trigger: string) => (trigger === 'subscription' ? (source ?? '').startsWith('subscription:') : (source ?? 'direct') === trigger);

async function load(query: ExecutionsQuery) {
  const machines = await listMachines();
  const arns = query.sm ? [machineOfArn(query.sm).arn] : machines.map((m) => m.arn);
  const lists = await Promise.all(arns.map((arn) => sfnAll('ListExecutions', { stateMachineArn: arn, ...(query.status ? { statusFilter: query.status as 'RUNNING' } : {}) }, 'executions')));
  let rows: ExecutionListItem[] = lists.flat().sort((a, b) => b.startDate - a.startDate || b.name.localeCompare(a.name));
  if (query.q) rows = rows.filter((r) => r.name.toLowerCase().includes(query.q!.toLowerCase()));
  const sources = new Map<string, string | undefined>();
  const describe = async (list: ExecutionListItem[]) => {
    for (let i = 0; i < list.length; i += 8)
      await Promise.all(list.slice(i, i + 8).filter((r) => !sources.has(r.executionArn)).map(async (r) => sources.set(r.executionArn, traceOf((await sfn('DescribeExecution', { executionArn: r.executionArn })).input).source)));
  };
  if (query.trigger) {
    await describe(rows);
    rows = rows.filter((r) => matchesTrigger(sources.get(r.executionArn), query.trigger!));
  }
  const pageRows = rows.slice(query.page * PAGE_SIZE, (query.page + 1) * PAGE_SIZE);
  await describe(pageRows);
  return { machines, total: rows.length, rows: pageRows, sources };
}

export function ExecutionsPage({ query }: { query: ExecutionsQuery }) {
  const { data, error, loading, reload } = useLoad(() => load(query), [JSON.stringify(query)]);
  const [search, setSearch] = useState(query.q ?? '');
  useEffect(() => setSearch(query.q ?? ''), [query.q]);
  const go = (change: Partial<ExecutionsQuery>) => {
    const next = { ...query, page: 0, ...change };
    location.hash = href('executions', { sm: next.sm, status: next.status, trigger: next.trigger, q: next.q, page: next.page ? String(next.page) : undefined });
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  return html`<section aria-labelledby="ex-title" aria-busy=${loading ? 'true' : 'false'}>
    <h1 id="ex-title">Executions <button class="small" onClick=${reload}>Refresh</button></h1>
    <form class="filters" onSubmit=${(e: Event) => { e.preventDefault(); go({ q: search || undefined }); }} aria-label="Filter executions">
      <label>State machine
        <select id="filter-sm" value=${query.sm ?? ''} onChange=${(e: Event) => go({ sm: (e.target as HTMLSelectElement).value || undefined })}>
          <option value="">all</option>
          ${data?.machines.map((m) => html`<option value=${m.arn} selected=${query.sm === m.arn}>${m.project ? `${m.project} / ${m.fn}` : m.name}</option>`)}
        </select>
      </label>
      <label>Status
        <select id="filter-status" value=${query.status ?? ''} onChange=${(e: Event) => go({ status: (e.target as HTMLSelectElement).value || undefined })}>
          <option value="">any</option>
          ${STATUSES.map((s) => html`<option value=${s} selected=${query.status === s}>${s}</option>`)}
        </select>
      </label>
      <label>Trigger
        <select id="filter-trigger" value=${query.trigger ?? ''} onChange=${(e: Event) => go({ trigger: (e.target as HTMLSelectElement).value || undefined })}>
          <option value="">any</option>
          ${TRIGGERS.map((s) => html`<option value=${s} selected=${query.trigger === s}>${s}</option>`)}
        </select>
      </label>
      <label>Name <input id="filter-name" type="search" value=${search} onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)} placeholder="part of the name" /></label>
      <button type="submit">Search</button>
    </form>
    <${ErrorBox} error=${error} />
    ${loading && html`<p class="muted" role="status">Loading…</p>`}
    ${data &&
    html`<table class="executions" aria-label="Executions, newest first">
        <thead><tr><th>Name</th><th>State machine</th><th>Status</th><th>Started</th><th>Duration</th><th>Trigger</th></tr></thead>
        <tbody>
          ${data.rows.map((r) => {
            const m = machineOfArn(r.stateMachineArn);
            return html`<tr data-execution=${r.name}>
              <td><a href=${href('executions', r.executionArn)}>${r.name}</a></td>
              <td>${m.project ? `${m.project} / ${m.fn}` : m.name}</td>
              <td><${Badge} status=${r.status} /></td>
              <td>${when(r.startDate)}</td>
              <td>${r.stopDate ? duration((r.stopDate - r.startDate) * 1000) : 'running'}</td>
              <td>${data.sources.get(r.executionArn) ?? 'direct'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${data.rows.length === 0 && html`<p class="empty">No execution matches.</p>`}
      <nav class="pager" aria-label="Pages">
        <button disabled=${query.page === 0} onClick=${() => go({ page: query.page - 1 })}>← Newer</button>
        <span>Page ${query.page + 1} of ${pages} (${data.total} executions)</span>
        <button disabled=${query.page + 1 >= pages} onClick=${() => go({ page: query.page + 1 })}>Older →</button>
      </nav>`}
    ${query.sm ? html`<h2>Start an execution</h2><${StartForm} arn=${machineOfArn(query.sm).arn} />` : html`<p class="muted">Choose a state machine to start an execution.</p>`}
  </section>`;
}
