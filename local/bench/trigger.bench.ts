/**
 * `npm run bench:trigger` (issue 9, "Speed"): prints JSON lines. The local
 * platform in this process (tmp data directory, port 0); projects deployed
 * through the deployer's HTTP API; timings from the platform's own
 * "Step Functions Execution Status Change" events (epoch ms).
 *
 * 1. `chain`: upstream SUCCEEDED → downstream execution started, over
 *    BENCH_CHAINS (default 200) executions of an upstream whose success
 *    starts a subscribed downstream: the status feed, the status handler
 *    (publication claim in dynalite, publish), the topic bus, the subscribe
 *    handler, StartExecution on the downstream's alias through the SDK.
 *    BENCH_IN_FLIGHT upstream executions at a time (default 1). Target: p50 < 100 ms.
 * 2. `schedule`: an at() schedule's time → its execution started (RUNNING
 *    event's startDate), over BENCH_SCHEDULES (default 10) schedules one
 *    second apart. Target: < 1 s.
 * 3. `executions-api`: POST .../executions (start) then GET .../executions/{name}
 *    (describe) over HTTP, BENCH_API_ROUNDS (default 100) times, one at a time:
 *    each request's p50 and the start → describe round trip.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';
import { DeployerClient } from '@fluxio/contracts/deployerClient';
import { EXECUTION_STATUS_CHANGE, type BusEvent, type ExecutionStatusChangeDetail } from '../src/events/bus.ts';
import { startPlatform } from '../src/server/platform.ts';

const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const CHAINS = Number(process.env.BENCH_CHAINS ?? 200);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 1);
const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 10);
const API_ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 100);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50_ms: +quantile(s, 0.5).toFixed(1), p99_ms: +quantile(s, 0.99).toFixed(1), max_ms: +s[s.length - 1]!.toFixed(1) };
};

async function pool(n: number, inFlight: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next < n) await job(next++); }));
}

const dataDir = mkdtempSync(join(tmpdir(), 'fluxio-bench-trigger-'));
const workDir = mkdtempSync(join(tmpdir(), 'fluxio-bench-trigger-work-'));
const platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: workDir });
const deployer = new DeployerClient({ baseUrl: platform.url, pollIntervalMs: 50 });
const sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1 });

/** Status events by execution ARN, as the platform publishes them. */
const running = new Map<string, BusEvent<ExecutionStatusChangeDetail>>();
const closed = new Map<string, BusEvent<ExecutionStatusChangeDetail>>();
const waiters = new Map<string, () => void>();
platform.bus.subscribe(
  (e) => {
    const event = e as BusEvent<ExecutionStatusChangeDetail>;
    (event.detail.status === 'RUNNING' ? running : closed).set(event.detail.executionArn, event);
    waiters.get(`${event.detail.status}:${event.detail.executionArn}`)?.();
    if (event.detail.status === 'RUNNING') waiters.get(`RUNNING-of:${event.detail.stateMachineArn}:${traceId(event.detail.input)}`)?.();
  },
  { source: 'aws.states', detailType: EXECUTION_STATUS_CHANGE },
);
const traceId = (input: string) => {
  try {
    return (JSON.parse(input) as { __trace?: { id?: string } }).__trace?.id ?? '';
  } catch {
    return '';
  }
};
const waitFor = (key: string, ready: () => boolean) =>
  new Promise<void>((resolve) => {
    if (ready()) return resolve();
    waiters.set(key, () => {
      waiters.delete(key);
      resolve();
    });
  });

async function deploy(project: string, source: string) {
  const dir = join(workDir, project);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'project.py'), source);
  const bundle = await createProjectBundle(dir);
  await deployer.uploadBundle(project, bundle);
  const record = await deployer.deployAndWait(project, { bundle: { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes } });
  if (record.status !== 'SUCCEEDED') throw new Error(`deploying ${project}: ${JSON.stringify(record)}`);
  return record;
}

try {
  // 1. upstream SUCCEEDED → downstream started
  const down = await deploy('chain-down', '@subscribe(project="chain-up", state_machine="main", status="success")\ndef main(data):\n    data["downstream"] = True\n');
  const up = await deploy('chain-up', 'def main(data):\n    data["upstream"] = True\n');
  const downArn = down.stateMachines.main!.stateMachineArn;
  const latencies: number[] = [];
  const chain = async (i: number) => {
    const name = `chain-${i}-${Date.now()}`;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: up.stateMachines.main!.aliasArn, name, input: JSON.stringify({ i, __trace: { id: name, source: 'direct' } }) }));
    await waitFor(`SUCCEEDED:${executionArn}`, () => closed.get(executionArn!)?.detail.status === 'SUCCEEDED');
    const stop = closed.get(executionArn!)!.detail.stopDate!;
    let started: BusEvent<ExecutionStatusChangeDetail> | undefined;
    const find = () => (started = [...running.values()].find((e) => e.detail.stateMachineArn === downArn && traceId(e.detail.input) === name)) !== undefined;
    await waitFor(`RUNNING-of:${downArn}:${name}`, find);
    find();
    latencies.push(started!.detail.startDate - stop);
  };
  for (let i = 0; i < 5; i++) await chain(-1 - i); // warm-up (first SDK connections, first Lambda-free runs)
  latencies.length = 0;
  const t0 = performance.now();
  await pool(CHAINS, IN_FLIGHT, chain);
  print({ bench: 'chain', what: 'upstream SUCCEEDED (stopDate) → downstream RUNNING (startDate)', in_flight: IN_FLIGHT, ...summary(latencies), wall_s: +((performance.now() - t0) / 1000).toFixed(2), target_p50_ms: 100 });

  // 2. schedule due → execution started
  const base = Math.ceil((Date.now() + 15_000) / 1000) * 1000; // the deployment of SCHEDULES state machines must end before
  const at = (k: number) => new Date(base + k * 1000).toISOString().slice(0, 19);
  let source = '';
  for (let k = 0; k < SCHEDULES; k++) source += `@schedule(expression="at(${at(k)})")\ndef s${k}(data):\n    data["k"] = ${k}\n\n\n`;
  const ticks = await deploy('bench-ticks', source);
  if (Date.now() > base) throw new Error('the deployment outlasted the schedules\' lead; raise it');
  const delays: number[] = [];
  for (let k = 0; k < SCHEDULES; k++) {
    const arn = ticks.stateMachines[`s${k}`]!.stateMachineArn;
    const find = () => [...running.values()].find((e) => e.detail.stateMachineArn === arn);
    await new Promise<void>((resolve) => {
      const poll = () => (find() ? resolve() : setTimeout(poll, 5));
      poll();
    });
    delays.push(find()!.detail.startDate - (base + k * 1000));
  }
  print({ bench: 'schedule', what: 'at() time → execution RUNNING (startDate)', ...summary(delays), target_ms: 1000 });

  // 3. executions API: start → describe
  const api = `${platform.url}/v1/projects/chain-up/state-machines/main/executions`;
  const starts: number[] = [];
  const describes: number[] = [];
  const rounds: number[] = [];
  for (let i = -5; i < API_ROUNDS; i++) {
    const t = performance.now();
    const res = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { i } }) });
    const started = (await res.json()) as { name: string };
    if (res.status !== 201) throw new Error(`start answered ${res.status}: ${JSON.stringify(started)}`);
    const t1 = performance.now();
    const d = await fetch(`${api}/${encodeURIComponent(started.name)}`);
    await d.json();
    if (d.status !== 200) throw new Error(`describe answered ${d.status}`);
    const t2 = performance.now();
    if (i < 0) continue;
    starts.push(t1 - t);
    describes.push(t2 - t1);
    rounds.push(t2 - t);
  }
  print({ bench: 'executions-api', what: 'POST .../executions → GET .../executions/{name}', round_trip: summary(rounds), start: summary(starts), describe: summary(describes) });
} finally {
  sfn.destroy();
  await platform.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
}
