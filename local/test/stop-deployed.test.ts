/**
 * `context.stop_execution` of a deployed project (issue 11 × issue 8), end to
 * end on the real local platform (127.0.0.1, port 0): `examples/feature-flag`
 * deployed through the deployer's HTTP routes (state machines
 * `fluxio-local-<project>-<fn>`, the shared naming rule), started on its
 * `live` alias with `@aws-sdk/client-sfn`, its task running as a real Python
 * Lambda function of the local Lambda API and calling the state data stop
 * route. Also: another project cannot stop it, and `POST /v1/runs` (state
 * machines `<project>-<fn>`) still stops.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, type DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';
import { stateMachineName } from '@fluxio/contracts/names';
import { startPlatform, type Platform } from '../src/server/platform.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/feature-flag', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A project whose task runs for a minute unless its execution is stopped first. */
const HOLDER = `class Hold(Task):
    async def run(event, context):
        import asyncio
        for _ in range(600):
            await asyncio.sleep(0.1)
        return "not stopped"


def main(data):
    data["held"] = Hold()
`;

let work: string;
let platform: Platform;
let sfn: SFNClient;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fluxio-stop-deployed-'));
  const dir = join(work, 'feature-flag');
  cpSync(EXAMPLE, dir, { recursive: true });
  platform = await startPlatform({ dataDir: join(work, 'data'), port: 0, workers: 1, lambdaWorkers: 1, projectDir: dir });
  sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  sfn?.destroy();
  await platform?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${platform.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Bundle, upload and deploy `dir` as `project` the way `fluxio deploy` does; the alias ARN of `main`. */
async function deploy(project: string, dir: string): Promise<string> {
  const b = await createProjectBundle(dir);
  const bundle = { sha256: b.sha256, sizeBytes: b.sizeBytes };
  const signed = await api('POST', `/v1/projects/${project}/bundles/upload-url`, bundle);
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  if (!signed.body.exists) expect((await fetch(signed.body.url, { method: 'PUT', headers: signed.body.headers, body: Buffer.from(b.zip) })).status).toBeLessThan(300);
  const res = await api('POST', `/v1/projects/${project}/deployments`, { bundle });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.status).toBe('SUCCEEDED');
  return res.body.stateMachines.main.aliasArn as string;
}

async function settle(executionArn: string): Promise<DescribeExecutionOutput> {
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('context.stop_execution in a deployed project on the local platform', () => {
  let flagAlias: string;

  test('examples/feature-flag started on its live alias ends ABORTED with the task\'s error and cause', async () => {
    flagAlias = await deploy('feature-flag', join(work, 'feature-flag'));
    expect(flagAlias).toBe(`arn:aws:states:us-east-1:000000000000:stateMachine:${stateMachineName({ stage: 'local', project: 'feature-flag', fn: 'main' })}:live`);
    const off = await sfn.send(new StartExecutionCommand({ stateMachineArn: flagAlias, input: JSON.stringify({ flags: { 'new-pricing': false } }) }));
    const d = await settle(off.executionArn!);
    expect({ status: d.status, error: d.error, cause: d.cause }).toEqual({ status: 'ABORTED', error: 'FeatureDisabled', cause: 'The new-pricing flag is off' });
    // the flag on: the same deployment runs to the end
    const on = await sfn.send(new StartExecutionCommand({ stateMachineArn: flagAlias, input: JSON.stringify({ flags: { 'new-pricing': true } }) }));
    const ok = await settle(on.executionArn!);
    expect(ok.status, `${ok.error}: ${ok.cause}`).toBe('SUCCEEDED');
    expect(JSON.parse(ok.output!).price).toEqual({ amount: 42, currency: 'EUR' });
  }, 120_000);

  test('another project cannot stop a deployed execution (403 by ARN, 404 by name); its own project can', async () => {
    const dir = join(work, 'holder-app');
    cpSync(join(work, 'feature-flag'), dir, { recursive: true });
    writeFileSync(join(dir, 'project.py'), HOLDER);
    const alias = await deploy('holder-app', dir);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: alias, name: 'held-1', input: '{}' }));
    const stop = (project: string, body: Record<string, unknown>) => api('POST', `/v1/projects/${project}/executions/held-1/stop`, body);
    // "holder" is a prefix of "holder-app": still another project
    for (const project of ['holder', 'feature-flag']) {
      const byArn = await stop(project, { executionArn, error: 'Hijack', cause: 'not mine' });
      expect(byArn.status, JSON.stringify(byArn.body)).toBe(403);
      expect(byArn.body.error.code).toBe('StateData.ExecutionNotInProject');
      const byName = await stop(project, { error: 'Hijack' });
      expect(byName.status, JSON.stringify(byName.body)).toBe(404);
    }
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    const own = await stop('holder-app', { executionArn, error: 'Owner', cause: 'mine' });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const d = await settle(executionArn!);
    expect({ status: d.status, error: d.error, cause: d.cause }).toEqual({ status: 'ABORTED', error: 'Owner', cause: 'mine' });
  }, 120_000);

  test('a development run (POST /v1/runs) of the same project still stops itself', async () => {
    const source = readFileSync(join(work, 'feature-flag', 'project.py'), 'utf8');
    let res = await api('POST', '/v1/runs', { source, project: 'feature-flag', input: { flags: { 'new-pricing': false } }, waitSeconds: 25 });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    while (res.body.status === 'RUNNING') res = await api('GET', res.body.links.self);
    expect(res.body).toMatchObject({ status: 'ABORTED', error: 'FeatureDisabled', cause: 'The new-pricing flag is off' });
  }, 120_000);
});
