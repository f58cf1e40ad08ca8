/**
 * `npm run bench:lambda`: prints JSON lines.
 *
 * 1. Invoke latency of a trivial Python function on a warm worker through the
 *    real `@aws-sdk/client-lambda` over HTTP (p50/p99 ms), and in-process
 *    (`LambdaFunctions.invoke`, no HTTP), one at a time.
 * 2. The first invocation after CreateFunction (a worker imports the code) and
 *    after switching between two functions on one worker (modules forgotten and
 *    re-imported: the price of import isolation).
 * 3. Throughput with 8 invocations in flight on 2 workers (invocations/s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { ROLE, startLambda, zipOf } from '../test/lambda-helpers.ts';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const stats = (samples: number[]) => {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50_ms: +percentile(s, 50).toFixed(3), p99_ms: +percentile(s, 99).toFixed(3), mean_ms: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(3) };
};
const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const dataDir = mkdtempSync(join(tmpdir(), 'fluxio-lambda-bench-'));
const h = await startLambda(dataDir);
const source = (tag: string) => zipOf({ 'app.py': `import json\ndef handler(event, context):\n    return {"tag": ${JSON.stringify(tag)}, "n": event["n"] + 1}\n` });
const create = (name: string) =>
  h.client.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: source(name) } }));
const sdkInvoke = (name: string, n: number) => h.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ n })) }));

try {
  await create('bench-a');
  await create('bench-b');

  let t = performance.now();
  await sdkInvoke('bench-a', 0);
  const firstMs = performance.now() - t;

  // Warm both workers on bench-a.
  await Promise.all([sdkInvoke('bench-a', 0), sdkInvoke('bench-a', 0)]);
  const sdk: number[] = [];
  for (let i = 0; i < 300; i++) {
    t = performance.now();
    await sdkInvoke('bench-a', i);
    sdk.push(performance.now() - t);
  }
  print({ bench: 'lambda.invoke.warm.sdk-http', ...stats(sdk) });

  const inProcess: number[] = [];
  for (let i = 0; i < 300; i++) {
    t = performance.now();
    await h.api.functions.invoke({ FunctionName: 'bench-a', Payload: Buffer.from(JSON.stringify({ n: i })) });
    inProcess.push(performance.now() - t);
  }
  print({ bench: 'lambda.invoke.warm.in-process', ...stats(inProcess) });

  // Alternate two functions one at a time: the first idle worker takes each, so every invocation switches code directories.
  const switching: number[] = [];
  for (let i = 0; i < 200; i++) {
    t = performance.now();
    await sdkInvoke(i % 2 ? 'bench-b' : 'bench-a', i);
    switching.push(performance.now() - t);
  }
  print({ bench: 'lambda.invoke.first-after-create', ms: +firstMs.toFixed(3), note: 'includes starting the worker process' });
  print({ bench: 'lambda.invoke.alternating-functions', ...stats(switching), note: 'a, b, a, b, ... one at a time: modules forgotten and re-imported each time' });

  const total = 400;
  let next = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total) {
        next++;
        await sdkInvoke('bench-a', next);
      }
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  print({ bench: 'lambda.invoke.throughput', invocations: total, in_flight: 8, workers: 2, per_second: +(total / seconds).toFixed(1) });
} finally {
  await h.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
