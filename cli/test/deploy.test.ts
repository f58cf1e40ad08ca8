/**
 * `fluxio deploy`, `deployments`, `rollback` and `destroy` end to end on the
 * real local platform (127.0.0.1, port 0): the deployer's routes, the local
 * Step Functions and Lambda APIs, real Python running the deployed task, and
 * executions started on the alias the CLI prints, with @aws-sdk/client-sfn.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { runFluxio } from '../../test/helpers.ts';
import { main } from '../src/main.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/shop-deploy', import.meta.url));
let platform: Platform;
let sfn: SFNClient;
let work: string;
let dataDir: string;
let dir: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fluxio-deploy-e2e-'));
  dataDir = join(work, 'data');
  platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: work });
  sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  dir = join(work, 'shop');
  cpSync(FIXTURE, dir, { recursive: true });
}, 60_000);

afterAll(async () => {
  sfn?.destroy();
  await platform?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

/** `fluxio ...argv` in this process, against the test platform. */
async function fluxio(argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main([...argv, '--url', platform.url], { stdout, stderr, cwd: work });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Starts an execution on `arn` (the alias) and waits for its output. */
async function execute(arn: string, input: unknown): Promise<{ status?: string; output: any }> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }));
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return { status: d.status, output: d.output ? JSON.parse(d.output) : undefined };
    await new Promise((r) => setTimeout(r, 50));
  }
}

const aliasOf = (stdout: string) => /^ {4}alias {10}(\S+)$/m.exec(stdout)?.[1];

describe('fluxio deploy on the local platform', () => {
  let firstId: string;
  let alias: string;

  it('deploys a project whose task imports a package beside project.py; the printed alias runs the real Python', async () => {
    const res = await runFluxio(['deploy', dir, '--url', platform.url], { cwd: work, env: { NO_COLOR: '1' } });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/Bundled 3 files/);
    expect(res.stderr).toMatch(/✓ compile/);
    expect(res.stderr).toMatch(/✓ function:Quote/);
    expect(res.stdout).toMatch(/^Deployed shop: deployment (d-\S+) SUCCEEDED/);
    firstId = /deployment (d-\S+) SUCCEEDED/.exec(res.stdout)![1]!;
    alias = aliasOf(res.stdout)!;
    expect(alias).toMatch(/:stateMachine:fluxio-local-shop-main:live$/);
    expect(res.stdout).toContain(`aws stepfunctions start-execution --state-machine-arn ${alias} --input '{}' --region us-east-1 --endpoint-url ${platform.url}`);
    expect(res.stdout).toMatch(/Triggers: 1 schedule, 0 subscriptions \(active\)\n  schedule {6}main  rate\(/);
    expect(res.stdout).toMatch(/success  arn:aws:sns:us-east-1:000000000000:fluxio-local-shop-main-success {2}\(export fluxio-local-shop-main-success-topic-arn\)/);
    expect(res.stdout).toContain(`fluxio start shop --input '{}' --wait --url ${platform.url}`);
    expect(await execute(alias, { amount: 50 })).toMatchObject({ status: 'SUCCEEDED', output: { amount: 50, quote: { total: 40, rules: 'v1' } } });
  }, 120_000);

  it('redeploying unchanged code publishes no new version; changed package code does, and the alias runs it', async () => {
    const same = await fluxio(['deploy', dir, '--json']);
    expect(same.code, same.stdout).toBe(0);
    const unchanged = JSON.parse(same.stdout);
    expect(unchanged.stateMachines.main.versionArn).toMatch(/:1$/);
    expect(unchanged.functions.Quote.version).toBe('1');

    writeFileSync(join(dir, 'discounts', 'rules.py'), 'RULES = "v2"\n\n\ndef discount(amount):\n    return amount // 2\n');
    const changed = await fluxio(['deploy', dir, '--json']);
    expect(changed.code, changed.stdout).toBe(0);
    const record = JSON.parse(changed.stdout);
    expect(record.functions.Quote.version).toBe('2');
    expect(record.stateMachines.main.aliasArn).toBe(alias);
    expect(await execute(alias, { amount: 50 })).toMatchObject({ status: 'SUCCEEDED', output: { quote: { total: 25, rules: 'v2' } } });
  }, 120_000);

  it('a project that does not compile is refused with its errors (exit 1) and the alias keeps running the last deployment', async () => {
    const broken = join(work, 'shop-broken');
    cpSync(dir, broken, { recursive: true });
    writeFileSync(join(broken, 'project.py'), 'class Quote(Task):\n    async def run(event, context):\n        return 1\n\n\ndef main(data)\n    data["q"] = Quote(key="Quote")\n');
    const res = await fluxio(['deploy', broken, '--project', 'shop']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/project\.py:6:\d+ error/);
    expect(res.stderr).toContain('def main(data)');
    expect(res.stderr).toMatch(/nothing was deployed/);
    expect(await execute(alias, { amount: 50 })).toMatchObject({ output: { quote: { rules: 'v2' } } });
  }, 120_000);

  it('deployments lists them newest first; rollback brings the old code back; --to goes to a named one', async () => {
    const list = await fluxio(['deployments', 'shop', '--json']);
    expect(list.code).toBe(0);
    const deployments = JSON.parse(list.stdout).deployments as Array<{ deploymentId: string; status: string }>;
    expect(deployments.length).toBeGreaterThanOrEqual(3);
    expect(deployments.at(-1)!.deploymentId).toBe(firstId);
    const human = await fluxio(['deployments', 'shop']);
    expect(human.stdout.split('\n')[1]).toMatch(/^\* /);

    const back = await fluxio(['rollback', 'shop']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/^Rolled back shop: deployment d-\S+ SUCCEEDED/);
    expect(await execute(alias, { amount: 50 })).toMatchObject({ status: 'SUCCEEDED', output: { quote: { total: 40, rules: 'v1' } } });

    const latest = deployments[0]!.deploymentId;
    const to = await fluxio(['rollback', 'shop', '--to', latest, '--json']);
    expect(to.code, to.stdout).toBe(0);
    expect(JSON.parse(to.stdout)).toMatchObject({ kind: 'rollback', status: 'SUCCEEDED' });
    expect(await execute(alias, { amount: 50 })).toMatchObject({ output: { quote: { rules: 'v2' } } });
  }, 120_000);

  it('destroy needs --yes off a terminal (exit 2); with it nothing is left, and the records stay', async () => {
    const refused = await runFluxio(['destroy', 'shop', '--url', platform.url], { cwd: work });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);

    const res = await fluxio(['destroy', 'shop', '--yes']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Destroyed shop: deployment d-\S+ DESTROYED/);
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    expect((machines.stateMachines ?? []).filter((m) => m.name!.startsWith('fluxio-local-shop-'))).toEqual([]);
    const list = JSON.parse((await fluxio(['deployments', 'shop', '--json'])).stdout);
    expect(list.deployments[0]).toMatchObject({ kind: 'destroy', status: 'DESTROYED' });
  }, 120_000);
});
