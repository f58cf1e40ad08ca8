/**
 * Projects: every deployed project (from ListStateMachines names
 * `fluxio-<stage>-<project>-<fn>` and `GET /v1/projects/{project}`) with its
 * state machines, current deployment and version, the `live` alias, schedules
 * with their next fire times, subscriptions — and a picture of which project
 * triggers which (subscriptions as edges). Other state machines are listed
 * after them.
 */
import { useEffect, useState } from 'preact/hooks';
import { newElk } from './elk.ts';
import { nextFireTimes } from '@fluxio/contracts/schedules';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { platform, sfn } from './api.ts';
import { listMachines, type MachineRef } from './model.ts';
import { arnTail, Badge, ErrorBox, href, html, useLoad, when } from './ui.ts';

interface ProjectRow {
  project: string;
  machines: MachineRef[];
  deployment: DeploymentRecord | null;
  /** fn → the version the alias `live` points at. */
  aliasVersion: Record<string, string | undefined>;
}

async function loadProjects(): Promise<{ projects: ProjectRow[]; others: MachineRef[] }> {
  const machines = await listMachines();
  const byProject = new Map<string, MachineRef[]>();
  const others: MachineRef[] = [];
  for (const m of machines) {
    if (m.project) byProject.set(m.project, [...(byProject.get(m.project) ?? []), m]);
    else others.push(m);
  }
  const projects = await Promise.all(
    [...byProject].map(async ([project, list]) => {
      const d = await platform.project(project).catch(() => undefined);
      const aliasVersion: Record<string, string | undefined> = {};
      await Promise.all(
        list.map(async (m) => {
          const alias = d?.stateMachines?.[m.fn!]?.aliasArn;
          if (!alias) return;
          const a = await sfn('DescribeStateMachineAlias', { stateMachineAliasArn: alias }).catch(() => undefined);
          aliasVersion[m.fn!] = a?.routingConfiguration?.[0]?.stateMachineVersionArn;
        }),
      );
      return { project, machines: list, deployment: d?.currentDeployment ?? null, aliasVersion };
    }),
  );
  return { projects: projects.sort((a, b) => a.project.localeCompare(b.project)), others };
}

/** The next `count` fire times of a schedule expression, or why there are none. */
function fireTimes(expression: string | null, timezone: string | null, count = 3): string {
  if (!expression) return 'no expression';
  try {
    const times = nextFireTimes(expression, timezone, new Date(), count);
    return times.length ? times.map((t) => t.toLocaleString(undefined, { hour12: false })).join(' · ') : 'no future fire time';
  } catch (e) {
    return `cannot evaluate: ${(e as Error).message}`;
  }
}

export function ProjectsPage() {
  const { data, error, loading, reload } = useLoad(loadProjects, []);
  return html`<section aria-labelledby="projects-title" aria-busy=${loading ? 'true' : 'false'}>
    <h1 id="projects-title">Projects <button class="small" onClick=${reload}>Refresh</button></h1>
    <${ErrorBox} error=${error} />
    ${loading && !data && html`<p class="muted">Loading…</p>`}
    ${data && data.projects.length === 0 && html`<p class="empty">No deployed project yet. Deploy one: <code>npx fluxio deploy examples/fan-out</code>, then refresh.</p>`}
    ${data && data.projects.length > 0 && html`<h2>Which project triggers which</h2><${TriggerPicture} projects=${data.projects} />`}
    ${data?.projects.map((p) => html`<${ProjectCard} row=${p} />`)}
    ${data && data.others.length > 0 &&
    html`<h2>Other state machines</h2>
      <ul class="others">${data.others.map((m) => html`<li><a href=${href('state-machines', m.arn)}>${m.name}</a> · <a href=${href('executions', { sm: m.arn })}>executions</a></li>`)}</ul>`}
  </section>`;
}

function ProjectCard({ row }: { row: ProjectRow }) {
  const d = row.deployment;
  const triggers = d?.triggers;
  return html`<article class="project" data-project=${row.project} aria-labelledby=${`p-${row.project}`}>
    <h2 id=${`p-${row.project}`}>${row.project}</h2>
    <p>
      ${d
        ? html`Current deployment <code>${d.deploymentId}</code> <${Badge} status=${d.status} /> (${d.kind}, ${new Date(d.createdAt).toLocaleString(undefined, { hour12: false })})`
        : html`<span class="muted">No current deployment (destroyed, or deployed elsewhere).</span>`}
    </p>
    <table>
      <thead><tr><th>State machine</th><th>Deployed version</th><th>Alias live →</th><th></th></tr></thead>
      <tbody>
        ${row.machines.map((m) => {
          const deployed = d?.stateMachines?.[m.fn!];
          return html`<tr data-state-machine=${m.fn}>
            <td><a href=${href('state-machines', m.arn)}>${m.fn}</a></td>
            <td>${deployed ? `version ${arnTail(deployed.versionArn)}` : '—'}</td>
            <td>${row.aliasVersion[m.fn!] ? `version ${arnTail(row.aliasVersion[m.fn!])}` : '—'}</td>
            <td><a href=${href('executions', { sm: m.arn })}>Executions</a></td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${triggers &&
    (triggers.schedules.length === 0 && triggers.subscriptions.length === 0
      ? html`<p class="muted triggers">No schedule, no subscription.</p>`
      : html`<div class="triggers">
          ${triggers.schedules.length > 0 &&
          html`<h3>Schedules</h3><ul>${triggers.schedules.map(
            (s) => html`<li data-schedule=${s.stateMachine}><code>${s.stateMachine}</code>: <code>${s.expression}</code>${s.timezone ? ` (${s.timezone})` : ' (UTC)'} — next: <span class="fire-times">${fireTimes(s.expression, s.timezone ?? null)}</span></li>`,
          )}</ul>`}
          ${triggers.subscriptions.length > 0 &&
          html`<h3>Subscriptions</h3><ul>${triggers.subscriptions.map(
            (s) => html`<li><code>${s.stateMachine}</code> runs on <strong>${s.status}</strong> of <code>${s.project ?? row.project}/${s.source}</code></li>`,
          )}</ul>`}
          <p class="muted">${triggers.active ? 'Triggers active.' : `Triggers recorded, not active: ${triggers.note}`}</p>
        </div>`)}
  </article>`;
}

interface PicNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Projects as boxes, each subscription an arrow from the project whose result it waits for to the subscriber. */
function TriggerPicture({ projects }: { projects: ProjectRow[] }) {
  const [laid, setLaid] = useState<{ nodes: PicNode[]; edges: Array<{ id: string; d: string; label: string; lx: number; ly: number }>; width: number; height: number }>();
  const edges = projects.flatMap((p) =>
    (p.deployment?.triggers?.subscriptions ?? []).map((s, i) => ({ id: `${p.project}-${i}`, from: s.project ?? p.project, to: p.project, label: `${s.source} ${s.status} → ${s.stateMachine}` })),
  );
  const names = [...new Set([...projects.map((p) => p.project), ...edges.map((e) => e.from)])];
  const key = JSON.stringify([names, edges]);
  useEffect(() => {
    newElk()
      .layout({
        id: 'root',
        layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '20', 'elk.layered.spacing.nodeNodeBetweenLayers': '60', 'elk.padding': '[top=10,left=10,bottom=10,right=10]' },
        children: names.map((n) => ({ id: n, width: Math.max(90, n.length * 8 + 24), height: 34 })),
        edges: edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to], labels: [{ text: e.label, width: e.label.length * 6.6 + 8, height: 16 }] })),
      })
      .then((r) =>
        setLaid({
          width: r.width ?? 0,
          height: r.height ?? 0,
          nodes: (r.children ?? []) as PicNode[],
          edges: (r.edges ?? []).map((e) => {
            const s = e.sections?.[0];
            const pts = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
            const l = e.labels?.[0];
            return { id: e.id, d: pts.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' '), label: edges.find((x) => x.id === e.id)!.label, lx: l?.x ?? 0, ly: l?.y ?? 0 };
          }),
        }),
      );
  }, [key]);
  if (!laid) return html`<div class="muted">…</div>`;
  return html`<div class="picture">
    <svg class="trigger-picture" role="img" aria-label="Subscriptions between projects" width=${laid.width} height=${laid.height}>
      <defs><marker id="tarrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrow" /></marker></defs>
      ${laid.edges.map((e) => html`<g class="edge edge-subscription"><path d=${e.d} marker-end="url(#tarrow)" /><text x=${e.lx + 4} y=${e.ly + 12}>${e.label}</text></g>`)}
      ${laid.nodes.map((n) => html`<g class="project-node" data-project=${n.id}><rect x=${n.x} y=${n.y} width=${n.width} height=${n.height} rx="6" /><text x=${n.x + n.width / 2} y=${n.y + 21} text-anchor="middle">${n.id}</text></g>`)}
    </svg>
    ${edges.length === 0 && html`<p class="muted">No project subscribes to another yet (<code>@subscribe(project=…)</code>).</p>`}
  </div>`;
}
