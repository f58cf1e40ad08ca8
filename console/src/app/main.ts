/**
 * The Fluxio web console (issue 10): a Preact app, hash-routed so every page
 * has its own URL —
 * `#/projects`, `#/state-machines/<arn>[?state=&internal=1]`,
 * `#/executions[?sm=&status=&trigger=&q=&page=]`,
 * `#/executions/<executionArn>[?state=&entry=&failures=1&internal=1]` (`internal=1`: draw the compiler's states too).
 */
import { render } from 'preact';
import { ExecutionPage } from './ExecutionPage.ts';
import { ExecutionsPage } from './ExecutionsPage.ts';
import { ProjectsPage } from './ProjectsPage.ts';
import { StateMachinePage } from './StateMachinePage.ts';
import { href, html, useRoute } from './ui.ts';

function App() {
  const { path, query } = useRoute();
  const [page, id] = path;
  let body;
  const showInternal = query.get('internal') === '1';
  if (page === 'state-machines' && id) body = html`<${StateMachinePage} arn=${id} state=${query.get('state') ?? undefined} showInternal=${showInternal} />`;
  else if (page === 'executions' && id)
    body = html`<${ExecutionPage} arn=${id} state=${query.get('state') ?? undefined} failuresOnly=${query.get('failures') === '1'} entry=${query.has('entry') ? Number(query.get('entry')) : undefined} showInternal=${showInternal} />`;
  else if (page === 'executions')
    body = html`<${ExecutionsPage} query=${{ sm: query.get('sm') ?? undefined, status: query.get('status') ?? undefined, trigger: query.get('trigger') ?? undefined, q: query.get('q') ?? undefined, page: Math.max(0, Number(query.get('page') ?? 0) || 0) }} />`;
  else if (page === 'projects') body = html`<${ProjectsPage} />`;
  else body = html`<p class="error" role="alert">No page <code>${location.hash}</code>. <a href=${href('projects')}>Projects</a></p>`;
  return html`<header class="top">
      <a class="brand" href=${href('projects')}>Fluxio</a>
      <nav aria-label="Main"><a href=${href('projects')} aria-current=${page === 'projects' ? 'page' : undefined}>Projects</a><a href=${href('executions')} aria-current=${page === 'executions' ? 'page' : undefined}>Executions</a></nav>
    </header>
    <main id="main">${body}</main>`;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the static "Loading…" placeholder of the page
render(html`<${App} />`, root);
