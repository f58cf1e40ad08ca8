/**
 * `npm run bench:run`: prints JSON lines.
 *
 * 1. Per-task overhead of a warm Python worker (round trip of a trivial task
 *    through PythonWorkerPool, p50/p99 ms) versus a fresh `python3` process per
 *    call running the same task through fluxio_task.entry. Target: warm p50 ≤ 5 ms.
 * 2. State transitions per second of a Pass/Choice loop through the path of
 *    `fluxio run` (the execution service over the runner, history counted not
 *    kept: createLocalExecutions().executions.run, with and without the progress
 *    reporter) versus the bare engine on the same definition. Target: overhead
 *    ≤ 1.2x. The default 6,000 rounds (12,002 transitions, 24,006 history events)
 *    stay under Step Functions' 25,000-event history quota, which it enforces.
 * 3. Event-loop lag while the bare engine runs that loop: the longest gap
 *    between two ticks of a 1 ms interval timer (the engine yields every ~4 ms
 *    of transitions; before it did not yield at all).
 *
 * BENCH_LOOPS, BENCH_ROUNDS (best of N, default 7), BENCH_TASKS, BENCH_SPAWNS tune the sizes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '@fluxio/contracts/manifest';
import { StateMachine, type StateMachineDefinition } from '../src/engine/engine.ts';
import { PythonWorkerPool, PYTHON_RUNTIME_DIR } from '../src/workers/workerPool.ts';
import { createLocalExecutions } from '../src/stepfunctions/index.ts';
import { createProgressReporter } from '../../cli/src/progress.ts';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const stats = (samples: number[]) => {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50_ms: +percentile(s, 50).toFixed(3), p99_ms: +percentile(s, 99).toFixed(3), mean_ms: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(3) };
};
const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const SOURCE = 'async def run(event, context):\n    return {"echo": event["n"] + 1}\n';
const projectDir = mkdtempSync(join(tmpdir(), 'fluxio-bench-'));

async function warmWorker(iterations: number) {
  const pool = new PythonWorkerPool({ projectDir, size: 1 });
  await pool.invoke({ kind: 'run', source: SOURCE, event: { n: 0 }, meta: {} }); // start + compile once
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await pool.invoke({ kind: 'run', source: SOURCE, event: { n: i }, meta: { sfn_execution_name: 'bench', sfn_state_name: 'Echo' } });
    samples.push(performance.now() - t);
  }
  await pool.close();
  return stats(samples);
}

function spawnOnce(): Promise<void> {
  const script = [
    'import asyncio, json, sys',
    'from fluxio_task.entry import invoke_run',
    'from fluxio_task.context import TaskContext',
    'req = json.loads(sys.stdin.read())',
    'print(json.dumps(asyncio.run(invoke_run(req["source"], req["event"], TaskContext(req["meta"])))))',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const p = spawn(process.env.FLUXIO_PYTHON ?? 'python3', ['-c', script], { env: { ...process.env, PYTHONPATH: PYTHON_RUNTIME_DIR }, stdio: ['pipe', 'pipe', 'inherit'] });
    p.stdout.resume();
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`python3 exited ${code}`))));
    p.stdin.end(JSON.stringify({ source: SOURCE, event: { n: 1 }, meta: {} }));
  });
}

async function freshSpawn(iterations: number) {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await spawnOnce();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

/** A Choice/Pass loop doing `loops` iterations: 2 transitions per iteration + the final Succeed. */
function loopDefinition(loops: number) {
  return {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: loops, Next: 'Increment' }], Default: 'Done' },
      Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
      Done: { Type: 'Succeed' },
    },
  };
}

async function transitions() {
  const loops = Number(process.env.BENCH_LOOPS ?? 6000);
  const definition = loopDefinition(loops);
  const stateTransitions = loops * 2 + 2;
  const manifest: Manifest = {
    project: 'bench',
    stateMachines: {
      main: {
        definition: definition as never,
        firstClass: true,
        schedule: null,
        subscriptions: [],
        export: null,
        substitutions: [],
        states: { Check: { line: 1, column: 1, kind: 'Choice' }, Increment: { line: 2, column: 1, kind: 'Pass' }, Done: { line: 3, column: 1, kind: 'Succeed' } },
        line: 1,
      },
    },
    tasks: {},
    diagnostics: [],
  };
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const best = async (fn: () => Promise<unknown>) => {
    let bestMs = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      await fn();
      bestMs = Math.min(bestMs, performance.now() - t);
    }
    return bestMs;
  };
  const engine = new StateMachine(definition as unknown as StateMachineDefinition);
  const bareMs = await best(() => engine.run({ i: 0 }).result);
  let last = performance.now();
  let maxLag = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last);
    last = now;
  }, 1);
  last = performance.now();
  await engine.run({ i: 0 }).result;
  const lagMs = Math.max(maxLag, performance.now() - last);
  clearInterval(ticker);
  const local = await createLocalExecutions({ projectDir, stateData: false, workers: 1 });
  const runnerMs = await best(async () => {
    const r = await local.executions.run(manifest, { input: { i: 0 } });
    if (r.status !== 'SUCCEEDED') throw new Error(`bench run ${r.status}: ${r.error} ${r.cause}`);
  });
  let lines = 0;
  const reporter = createProgressReporter({ manifest, write: () => void lines++ });
  const reporterMs = await best(() => local.executions.run(manifest, { input: { i: 0 }, onEvent: reporter }));
  await local.close();
  const tps = (ms: number) => Math.round(stateTransitions / (ms / 1000));
  print({ bench: 'transitions', target: 'bare engine', loops, transitions: stateTransitions, ms: +bareMs.toFixed(1), transitions_per_s: tps(bareMs) });
  print({ bench: 'event_loop_lag', target: 'bare engine loop', loops, max_lag_ms: +lagMs.toFixed(1), run_ms: +bareMs.toFixed(1) });
  print({ bench: 'transitions', target: 'fluxio run path (execution service)', loops, transitions: stateTransitions, ms: +runnerMs.toFixed(1), transitions_per_s: tps(runnerMs), overhead_x: +(runnerMs / bareMs).toFixed(3) });
  print({ bench: 'transitions', target: 'fluxio run path + progress reporter', loops, transitions: stateTransitions, ms: +reporterMs.toFixed(1), transitions_per_s: tps(reporterMs), overhead_x: +(reporterMs / bareMs).toFixed(3) });
}

try {
  print({ bench: 'task_overhead', target: 'warm worker', ...(await warmWorker(Number(process.env.BENCH_TASKS ?? 1000))) });
  print({ bench: 'task_overhead', target: 'fresh python3 per call', ...(await freshSpawn(Number(process.env.BENCH_SPAWNS ?? 30))) });
  await transitions();
} finally {
  rmSync(projectDir, { recursive: true, force: true });
}
