/**
 * The web console in a real browser (issue 10): playwright-core driving
 * Debian's chromium against a real local platform (startPlatform on port 0,
 * a temporary data directory) with examples deployed through the deployer's
 * routes, as `fluxio deploy` does. Every wait is for a condition on the page,
 * never a fixed time. Screenshots of each page go to console/test/output/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SFNClient } from '@aws-sdk/client-sfn';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { localPlatformClient } from '../../services/deployer/test/localPlatformClient.ts';

const ROOT = join(import.meta.dirname, '../..');
const OUTPUT = join(import.meta.dirname, 'output');
/** Debian's chromium (.ci/run installs it); FLUXIO_CHROMIUM may name another. */
const CHROMIUM = process.env.FLUXIO_CHROMIUM ?? '/usr/bin/chromium';
/** Deployed in this order (orders-report subscribes to orders, so orders comes first). */
const EXAMPLES = ['fan-out', 'parallel-errors', 'reminder', 'looping-counter', 'orders', 'orders-report'] as const;
/** The failure colour of a failed state's outline (--bad in style.css). */
const FAILURE_RGB = 'rgb(198, 40, 40)';
const SUCCESS_RGB = 'rgb(46, 125, 50)';

let dataDir: string;
let platform: Platform;
let browser: Browser;
let page: Page;
let sfnClient: SFNClient;
const deployed: Record<string, DeploymentRecord> = {};
const { api, upload } = localPlatformClient(
  () => platform.url,
  () => sfnClient,
);

/** A Step Functions API call, as the console itself makes it (AWS JSON 1.0 on POST /). */
async function sfn<T = any>(op: string, input: unknown): Promise<T> {
  const res = await fetch(`${platform.url}/`, { method: 'POST', headers: { 'x-amz-target': `AWSStepFunctions.${op}`, 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(input) });
  const body = await res.json();
  if (!res.ok) throw new Error(`${op}: ${JSON.stringify(body)}`);
  return body as T;
}

async function startOnAlias(example: string, input: unknown, name?: string): Promise<string> {
  const r = await sfn<{ executionArn: string }>('StartExecution', { stateMachineArn: deployed[example]!.stateMachines.main!.aliasArn, input: JSON.stringify(input), ...(name ? { name } : {}) });
  return r.executionArn;
}

/** Wait until the execution is no longer RUNNING (polling the API; no fixed sleep decides anything). */
async function finished(executionArn: string): Promise<any> {
  for (;;) {
    const d = await sfn('DescribeExecution', { executionArn });
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const consoleUrl = (hash: string) => `${platform.url}/#${hash}`;
const shot = (name: string) => page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
/** The outline colour of the graph node of state `name` (read once the node is drawn). */
const strokeOf = async (name: string) => {
  const rect = page.locator(`svg.graph [data-state="${name}"] > rect`).first();
  await rect.waitFor();
  return rect.evaluate((el) => getComputedStyle(el).stroke);
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium, as .ci/run does) or set FLUXIO_CHROMIUM.`);
  mkdirSync(OUTPUT, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'fluxio-console-'));
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 2, projectDir: dataDir });
  sfnClient = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (const example of EXAMPLES) {
    const r = await api('POST', `/v1/projects/${example}/deployments`, { bundle: await upload(example, join(ROOT, 'examples', example)) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    deployed[example] = r.body;
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(60_000);
}, 180_000);

afterEach(async (ctx) => {
  // A failed test leaves a picture of the page it failed on.
  if (page && ctx.task.result?.state === 'fail') await page.screenshot({ path: join(OUTPUT, `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`), fullPage: true }).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  sfnClient?.destroy();
  await platform?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the console served by the local platform', () => {
  test('GET / is the console page; POST / is still the Step Functions API', async () => {
    const res = await fetch(`${platform.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('/console/app.js');
    const js = await fetch(`${platform.url}/console/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const list = await sfn<{ stateMachines: unknown[] }>('ListStateMachines', {});
    expect(list.stateMachines.length).toBeGreaterThanOrEqual(EXAMPLES.length);
  });

  test('the projects page lists every deployed project with its state machines, deployment and alias', async () => {
    await page.goto(consoleUrl('/projects'));
    for (const example of EXAMPLES) {
      const card = page.locator(`article.project[data-project="${example}"]`);
      await card.waitFor();
      await expect.poll(() => card.textContent()).toContain(deployed[example]!.deploymentId);
      const row = card.locator('tr[data-state-machine="main"]');
      await expect.poll(() => row.textContent()).toMatch(/version 1.*version 1/);
    }
    expect(await page.locator('svg.trigger-picture [data-project="fan-out"]').count()).toBe(1);
    // orders-report subscribes to orders: one arrow per subscription of its deployment record, and its schedules with fire times
    const triggers = deployed['orders-report']!.triggers!;
    expect(triggers.subscriptions.length).toBeGreaterThan(0);
    const arrows = await page.locator('svg.trigger-picture .edge-subscription text').allTextContents();
    expect(arrows.sort()).toEqual(triggers.subscriptions.map((x) => `${x.source} ${x.status} → ${x.stateMachine}`).sort());
    const report = page.locator('article.project[data-project="orders-report"]');
    const items = await report.locator('.triggers li').allTextContents();
    for (const x of triggers.subscriptions) expect(items).toContain(`${x.stateMachine} runs on ${x.status} of ${x.project ?? 'orders-report'}/${x.source}`);
    expect(triggers.schedules.length).toBeGreaterThan(0);
    for (const x of triggers.schedules) {
      const fire = await report.locator(`li[data-schedule="${x.stateMachine}"] .fire-times`).textContent();
      expect(fire!.split(' · '), x.expression ?? '').toHaveLength(3);
    }
    await shot('projects');
  });

  test('the state machine page draws the graph, links each state to its project.py line, shows the ASL and versions', async () => {
    const arn = deployed['fan-out']!.stateMachines.main!.stateMachineArn;
    const source = await api('GET', `/v1/projects/fan-out/deployments/${deployed['fan-out']!.deploymentId}/source`);
    expect(source.status).toBe(200);
    expect(source.body.source).toBe(readFileSync(join(ROOT, 'examples/fan-out/project.py'), 'utf8'));
    const line = source.body.manifest.stateMachines.main.states['Greet item'].line as number;
    await page.goto(consoleUrl(`/state-machines/${encodeURIComponent(arn)}`));
    await page.locator('svg.graph [data-state="Greet item"]').waitFor();
    // The Map is a group holding its iteration with the worker task
    const map = page.locator('svg.graph .state-group[data-state^="Map-"]');
    expect(await map.count()).toBe(1);
    // Keyboard: focus the state link and press Enter
    await page.locator('svg.graph a[data-state="Greet item"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('.state-detail .source-link').waitFor();
    expect(await page.locator('.state-detail .source-link').textContent()).toBe(`project.py:${line}`);
    expect(await page.locator(`pre.source #L${line}`).getAttribute('class')).toContain('highlight');
    expect(await page.locator(`pre.source #L${line}`).textContent()).toContain('Greet item');
    expect(await page.locator('pre.asl').textContent()).toContain('"ItemProcessor"');
    expect(await page.locator('table.versions tr[data-version="1"]').textContent()).toContain('live');
    await shot('state-machine');
  });

  test('the looping-counter graph shows the while condition on its Choice edge and the retry loop', async () => {
    const arn = deployed['looping-counter']!.stateMachines.main!.stateMachineArn;
    await page.goto(consoleUrl(`/state-machines/${encodeURIComponent(arn)}`));
    await page.locator('svg.graph [data-state="Increment counter"]').waitFor();
    expect(await page.locator('svg.graph .edge-choice .edge-label').allTextContents()).toContain("$['counter'] < 10");
    expect(await page.locator('svg.graph .edge[data-kind="retry"]').count()).toBeGreaterThan(0);
  });

  test('a failed execution of parallel-errors: the Fail state in the failure colour with its line; the task that timed out and raised MyError caught, with the traceback line', async () => {
    const arn = await startOnAlias('parallel-errors', { level: 20, message: 'foo' });
    const d = await finished(arn);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('WorkerError');
    const manifest = (await api('GET', `/v1/projects/parallel-errors/deployments/${deployed['parallel-errors']!.deploymentId}/source`)).body.manifest;
    const states = manifest.stateMachines.main.states as Record<string, { line: number; kind: string }>;
    const [failState, fail] = Object.entries(states).find(([, s]) => s.kind === 'Fail')!;
    await page.goto(consoleUrl(`/executions/${encodeURIComponent(arn)}?state=${encodeURIComponent(failState)}`));
    await page.locator('#execution-status [data-status="FAILED"]').waitFor();
    await page.locator(`svg.graph [data-state="${failState}"][data-status="failed"]`).waitFor();
    expect(await strokeOf(failState)).toBe(FAILURE_RGB);
    // The branches that ran are green
    await page.locator('svg.graph [data-state="Log message"][data-status="succeeded"]').waitFor();
    expect(await strokeOf('Log message')).toBe(SUCCESS_RGB);
    // The execution's error, and the line of project.py the Fail state comes from
    expect(await page.locator('body').textContent()).toContain(`${d.error}: ${d.cause}`);
    expect(await page.locator('.state-detail .source-link').textContent()).toBe(`project.py:${fail.line}`);
    expect(await page.locator('.state-detail pre.source-line').first().textContent()).toContain('raise WorkerError("MyError was raised")');
    await shot('execution-failed');

    // The deployed task: its first attempt timed out (States.Timeout, retried), the second raised MyError, caught into the Fail state.
    await page.goto(consoleUrl(`/executions/${encodeURIComponent(arn)}?state=${encodeURIComponent('Raise after a timeout')}`));
    await page.locator('svg.graph [data-state="Raise after a timeout"][data-status="caught"]').waitFor();
    expect(await strokeOf('Raise after a timeout')).not.toBe(FAILURE_RGB);
    await page.locator('.state-detail .caught-note').waitFor();
    expect(await page.locator('.state-detail .failure-error').allTextContents()).toEqual(['States.Timeout', 'MyError']);
    // MyError's Python traceback, at the project.py line that raised it
    const source = readFileSync(join(ROOT, 'examples/parallel-errors/project.py'), 'utf8').split('\n');
    const raiseLine = source.findIndex((l) => l.includes('raise MyError("foobar")')) + 1;
    await page.locator('.state-detail pre.traceback-line').first().waitFor();
    expect(await page.locator('.state-detail pre.traceback-line').first().textContent()).toBe(`${raiseLine} | raise MyError("foobar")`);
    await shot('execution-caught-deployed');
  });

  test('parallel-errors run by the platform engine: the timeout retried, MyError caught, the Fail state failed', async () => {
    // POST /v1/runs executes on the same Step Functions API (state machine parallel-errors-main),
    // where the task's States.Timeout is retried and MyError reaches the Catch.
    let run = await api('POST', '/v1/runs', { source: readFileSync(join(ROOT, 'examples/parallel-errors/project.py'), 'utf8'), project: 'parallel-errors', input: { level: 20, message: 'foo' }, waitSeconds: 25 });
    while (run.body.status === 'RUNNING') run = await api('GET', run.body.links.self);
    expect(run.body.status, JSON.stringify(run.body)).toBe('FAILED');
    const executionArn = `arn:aws:states:us-east-1:000000000000:execution:parallel-errors-main:${run.body.executionName}`;
    await page.goto(consoleUrl(`/executions/${encodeURIComponent(executionArn)}?state=${encodeURIComponent('Raise after a timeout')}`));
    await page.locator('svg.graph [data-state="Raise after a timeout"]').waitFor();
    await page.locator('svg.graph [data-state="Raise after a timeout"][data-status="caught"]').waitFor();
    const failState = run.body.failedState as string;
    await page.locator(`svg.graph [data-state="${failState}"][data-status="failed"]`).waitFor();
    expect(await strokeOf(failState)).toBe(FAILURE_RGB);
    expect(await strokeOf('Raise after a timeout')).not.toBe(FAILURE_RGB);
    await page.locator('.state-detail .caught-note').waitFor();
    expect(await page.locator('.state-detail').textContent()).toContain('2 attempts');
    expect(await page.locator('.state-detail .failure-error').allTextContents()).toEqual(['States.Timeout', 'MyError']);
    await shot('execution-caught');
  });

  test('the history filter shows only failures', async () => {
    const arn = await startOnAlias('parallel-errors', { level: 20, message: 'bar' });
    await finished(arn);
    await page.goto(consoleUrl(`/executions/${encodeURIComponent(arn)}`));
    await page.locator('table.history tbody tr').first().waitFor();
    const all = await page.locator('table.history tbody tr').count();
    await page.locator('#history-failures').check();
    await page.waitForFunction(() => document.querySelectorAll('table.history tbody tr:not(.failure-row)').length === 0 && document.querySelectorAll('table.history tbody tr').length > 0);
    const types = await page.locator('table.history tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-type')!));
    expect(types.length).toBeLessThan(all);
    for (const t of types) expect(t).toMatch(/(Failed|TimedOut|Aborted)$|^FailStateEntered$/);
    expect(types).toContain('ExecutionFailed');
    expect(page.url()).toContain('failures=1');
    await shot('history-failures');
  });

  test('a running execution turns green without a reload', async () => {
    // An activity task holds the execution RUNNING until this test answers it: no timing involved.
    const { activityArn } = await sfn('CreateActivity', { name: 'console-review' });
    const { stateMachineArn } = await sfn('CreateStateMachine', {
      name: 'console-approval',
      roleArn: 'arn:aws:iam::000000000000:role/local',
      definition: JSON.stringify({ StartAt: 'Review', States: { Review: { Type: 'Task', Resource: activityArn, Next: 'Approved' }, Approved: { Type: 'Succeed' } } }),
    });
    const { executionArn } = await sfn('StartExecution', { stateMachineArn, input: '{"doc":1}' });
    await page.goto(consoleUrl(`/executions/${encodeURIComponent(executionArn)}`));
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await page.locator('#execution-status [data-status="RUNNING"]').waitFor();
    await page.locator('svg.graph [data-state="Review"][data-status="running"]').waitFor();
    expect(await page.locator('svg.graph [data-state="Approved"]').getAttribute('data-status')).toBe('not-entered');
    await shot('execution-running');
    const task = await sfn<{ taskToken: string }>('GetActivityTask', { activityArn, workerName: 'console-test' });
    await sfn('SendTaskSuccess', { taskToken: task.taskToken, output: '{"approved":true}' });
    await page.locator('#execution-status [data-status="SUCCEEDED"]').waitFor();
    await page.locator('svg.graph [data-state="Review"][data-status="succeeded"]').waitFor();
    await page.locator('svg.graph [data-state="Approved"][data-status="succeeded"]').waitFor();
    expect(await strokeOf('Review')).toBe(SUCCESS_RGB);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  });

  test('Stop on a waiting execution ends it ABORTED', async () => {
    // An hour ahead (a Wait much further ahead overflows the engine's 32-bit timer and fires at once).
    const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const arn = await startOnAlias('reminder', { timestamp: later, message: 'much later' });
    await page.goto(consoleUrl(`/executions/${encodeURIComponent(arn)}`));
    await page.locator('#execution-status [data-status="RUNNING"]').waitFor();
    await page.locator('#stop:not([disabled])').click();
    await page.locator('#execution-status [data-status="ABORTED"]').waitFor();
    expect((await sfn('DescribeExecution', { executionArn: arn })).status).toBe('ABORTED');
    await shot('execution-aborted');
    // Redrive: the execution runs again from the Wait it was stopped in (redriveCount 1), and can be stopped again
    await page.locator('#redrive:not([disabled])').click();
    await page.locator('#execution-status [data-status="RUNNING"]').waitFor();
    expect((await sfn('DescribeExecution', { executionArn: arn })).redriveCount).toBe(1);
    await page.locator('#stop:not([disabled])').click();
    await page.locator('#execution-status [data-status="ABORTED"]').waitFor();
  });

  test('the executions page filters by status and name, and starts an execution from a validated JSON input', async () => {
    const machine = deployed['fan-out']!.stateMachines.main!.stateMachineArn;
    const name = `console-${Date.now()}`;
    await page.goto(consoleUrl(`/executions?sm=${encodeURIComponent(machine)}`));
    const input = page.locator('#start-input');
    await input.waitFor();
    await input.fill('{"names": ["ada", ');
    await page.locator('#start-input-status.invalid').waitFor();
    expect(await page.locator('.start-form button[type=submit]').isDisabled()).toBe(true);
    await input.fill('["not", "an object"]');
    await expect.poll(() => page.locator('#start-input-status').textContent()).toMatch(/must be a JSON object/);
    await input.fill('{"names": ["ada", "bo"]}');
    await page.locator('#start-input-status.valid').waitFor();
    await page.locator('#start-name').fill(name);
    await page.locator('.start-form button[type=submit]').click();
    await page.waitForURL((u) => u.hash.startsWith('#/executions/arn'));
    await page.locator('#execution-status [data-status="SUCCEEDED"]').waitFor();
    await page.locator('svg.graph [data-state="Greet item"][data-status="succeeded"]').waitFor();
    await shot('execution-fan-out');
    // The README's picture: the fan-out execution with the worker task selected
    await page.goto(`${page.url().split('?')[0]}?state=${encodeURIComponent('Greet item')}`);
    await page.locator('.state-detail[data-selected-state="Greet item"] pre.json').first().waitFor();
    await page.screenshot({ path: join(OUTPUT, 'readme.png') });
    // Started on the alias: the summary names the version and alias
    expect(await page.locator('dl.summary').textContent()).toContain('alias live');
    // The list: newest first, filtered by status and name
    const loaded = () => page.locator('section[aria-labelledby="ex-title"][aria-busy="false"]').waitFor();
    await page.goto(consoleUrl(`/executions?status=SUCCEEDED&q=${name}`));
    await loaded();
    await page.locator(`tr[data-execution="${name}"]`).waitFor();
    expect(await page.locator('table.executions tbody tr').count()).toBe(1);
    await finished(await startOnAlias('parallel-errors', { level: 20, message: 'one that fails' }));
    await page.goto(consoleUrl(`/executions?status=FAILED`));
    await loaded();
    const statuses = await page.locator('table.executions tbody .badge').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['FAILED']));
    await page.goto(consoleUrl('/executions'));
    await loaded();
    await shot('executions');
    // Trigger filter: each row shown has that trigger (the Trigger column, from __trace.source)
    const triggerColumn = () => page.locator('table.executions tbody tr td:nth-child(6)').allTextContents();
    await page.goto(consoleUrl('/executions?trigger=direct'));
    await loaded();
    const direct = await triggerColumn();
    expect(direct.length).toBeGreaterThan(0);
    expect(new Set(direct)).toEqual(new Set(['direct']));
    await page.goto(consoleUrl('/executions?trigger=schedule'));
    await loaded();
    for (const t of await triggerColumn()) expect(t).toBe('schedule');
  });

  test('the executions list is paged, newest first', async () => {
    const machine = deployed['looping-counter']!.stateMachines.main!.stateMachineArn;
    const names = Array.from({ length: 21 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
    for (const name of names) await finished(await startOnAlias('looping-counter', { increment: 10 }, name));
    const loaded = () => page.locator('section[aria-labelledby="ex-title"][aria-busy="false"]').waitFor();
    await page.goto(consoleUrl(`/executions?sm=${encodeURIComponent(machine)}&q=page-`));
    await loaded();
    const first = await page.locator('table.executions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-execution')));
    expect(first).toEqual([...names].reverse().slice(0, 20));
    expect(await page.locator('nav.pager').textContent()).toContain('Page 1 of 2');
    await page.locator('nav.pager button', { hasText: 'Older' }).click();
    await page.waitForURL((u) => u.hash.includes('page=1'));
    await loaded();
    expect(await page.locator('table.executions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-execution')))).toEqual([names[0]]);
  });
});
