/**
 * `npm run bench:deploy`: prints JSON lines.
 *
 * Deploys the 300-state benchmark project (services/compiler-api/bench/generate.ts:
 * 10 Task classes, one state machine `main` plus `item` and `side`) to a local
 * platform on 127.0.0.1 (port 0) the way `fluxio deploy` does — bundle,
 * presigned upload, POST /deployments through the DeployerClient — three times:
 *
 * 1. fresh: nothing deployed yet (target < 3 s)
 * 2. unchanged: the same directory again (target < 0.5 s, no new version)
 * 3. one task changed: one Task class's `run` edited (target < 1.5 s)
 *
 * Each line: the phase, wall time (bundle + upload + deploy) and its parts,
 * how many function versions and state machine versions were published, and
 * whether the target was met. BENCH_ROUNDS (default 3) repeats the three
 * phases with a new project each time; the last line has the best of each.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';
import { DeployerClient } from '@fluxio/contracts/deployerClient';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { startPlatform } from '@fluxio/local/server/platform';
import { generateProject } from '../../compiler-api/bench/generate.ts';

const STATES = 300;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_MS = { fresh: 3000, unchanged: 500, one_task_changed: 1500 } as const;
type Phase = keyof typeof TARGET_MS;
const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

// The lockfile pins the AWS SDK; its notice about Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const work = mkdtempSync(join(tmpdir(), 'fluxio-deploy-bench-'));
const platform = await startPlatform({ dataDir: join(work, 'data'), port: 0, projectDir: work, workers: 1, lambdaWorkers: 1 });
const client = new DeployerClient({ baseUrl: platform.url, pollIntervalMs: 20 });
const best: Partial<Record<Phase, number>> = {};

/** The three steps that took longest (time since the previous step's `at`, or since createdAt). */
function slowestSteps(record: DeploymentRecord): Record<string, number> {
  let last = Date.parse(record.createdAt);
  const spans = record.steps.map((step) => {
    const at = Date.parse(step.at);
    const span = at - last;
    last = at;
    return [step.name, span] as const;
  });
  return Object.fromEntries(spans.sort((a, b) => b[1] - a[1]).slice(0, 3));
}

/** Versions a deployment published: those not in the previous record. */
function published(record: DeploymentRecord, previous?: DeploymentRecord) {
  const fns = Object.entries(record.functions).filter(([n, f]) => previous?.functions[n]?.version !== f.version).length;
  const sms = Object.entries(record.stateMachines).filter(([n, s]) => previous?.stateMachines[n]?.versionArn !== s.versionArn).length;
  return { function_versions_published: fns, state_machine_versions_published: sms };
}

async function deploy(project: string, dir: string, phase: Phase, previous?: DeploymentRecord): Promise<DeploymentRecord> {
  const t0 = performance.now();
  const bundle = await createProjectBundle(dir);
  const t1 = performance.now();
  const { uploaded } = await client.uploadBundle(project, bundle);
  const t2 = performance.now();
  const record = await client.deployAndWait(project, { bundle: { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes } });
  const t3 = performance.now();
  if (record.status !== 'SUCCEEDED') throw new Error(`${phase}: deployment ${record.deploymentId} ${record.status}: ${JSON.stringify(record.error)}`);
  const ms = t3 - t0;
  best[phase] = Math.min(best[phase] ?? Infinity, ms);
  print({
    bench: 'deploy',
    phase,
    project,
    states: STATES,
    tasks: Object.keys(record.functions).length,
    state_machines: Object.keys(record.stateMachines).length,
    ms: +ms.toFixed(1),
    bundle_ms: +(t1 - t0).toFixed(1),
    upload_ms: +(t2 - t1).toFixed(1),
    uploaded,
    deploy_ms: +(t3 - t2).toFixed(1),
    bundle_bytes: bundle.sizeBytes,
    ...published(record, previous),
    slowest_steps_ms: slowestSteps(record),
    target_ms: TARGET_MS[phase],
    met: ms < TARGET_MS[phase],
  });
  return record;
}

try {
  const source = generateProject(STATES);
  for (let round = 1; round <= ROUNDS; round++) {
    const project = `bench${round}`;
    const dir = join(work, project);
    mkdirSync(join(dir, 'helpers'), { recursive: true });
    writeFileSync(join(dir, 'project.py'), source);
    writeFileSync(join(dir, 'helpers', '__init__.py'), 'VERSION = 1\n');
    const fresh = await deploy(project, dir, 'fresh');
    const unchanged = await deploy(project, dir, 'unchanged', fresh);
    // One Task class's run method changed (Task3 returns another number).
    const edited = readFileSync(join(dir, 'project.py'), 'utf8').replace('return {"n": 3, "ok": True}', 'return {"n": 3, "ok": False}');
    if (edited === source) throw new Error('the benchmark project has no Task3 to change');
    writeFileSync(join(dir, 'project.py'), edited);
    await deploy(project, dir, 'one_task_changed', unchanged);
  }
  print({ bench: 'deploy', summary: 'best of rounds', rounds: ROUNDS, ...Object.fromEntries(Object.entries(best).map(([k, v]) => [`${k}_ms`, +v!.toFixed(1)])) });
} finally {
  await platform.close();
  rmSync(work, { recursive: true, force: true });
}
