/**
 * `npm run bench:sfn-api`: prints JSON lines.
 *
 * 1. Store choice: 10,000 history events written (history rows of 100 events,
 *    one transaction each) and read back, SQLite (better-sqlite3, WAL,
 *    on disk) versus the platform's dynalite (on disk, BatchWriteItem + Query).
 * 2. 1,000 executions of a 20-state Pass/Choice/Map machine, 16 in flight:
 *    the bare engine in-process versus the Step Functions API of the local
 *    platform (StartExecution, then DescribeExecution until SUCCEEDED; history
 *    is committed before SUCCEEDED is visible), once through a minimal
 *    `node:http` client and once through @aws-sdk/client-sfn, the bare engine
 *    timed right before each. Target: API ≤ 2x the bare engine.
 * 3. StartExecution rate, 16 callers in flight. Target: ≥ 200/s sustained.
 * 4. GetExecutionHistory of a 10,000-event execution through the SDK (one
 *    1,000-event page, and all 10 pages; best and worst of 5). Target: < 100 ms.
 *
 * The clients run in their own processes (as a client would), so client-side request building, signing and
 * response parsing do not share the platform's event loop; the platform runs in this process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startEmbeddedDynalite } from '@fluxio/state-data/embedded';
import { StateMachine, type StateMachineDefinition } from '../src/engine/engine.ts';
import { openPlatformDatabase } from '../src/store/database.ts';
import { SfnStore, splitHistory } from '../src/stepfunctions/store.ts';
import { startPlatform } from '../src/server/platform.ts';

const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const ms = (t: number) => +t.toFixed(1);
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 1000);
const IN_FLIGHT = 16;
const ROLE = 'arn:aws:iam::000000000000:role/bench';

/** 20 states: 8 Pass, a Choice, a Map (2 Pass per item), 7 Pass, a Succeed. */
function twentyStateMachine(): Record<string, unknown> {
  const States: Record<string, unknown> = {};
  for (let i = 1; i <= 8; i++) States[`P${i}`] = { Type: 'Pass', Result: i, ResultPath: `$.p${i}`, Next: i < 8 ? `P${i + 1}` : 'Route' };
  States.Route = { Type: 'Choice', Choices: [{ Variable: '$.flag', BooleanEquals: true, Next: 'Each' }], Default: 'Q1' };
  States.Each = {
    Type: 'Map',
    ItemsPath: '$.items',
    ItemProcessor: { StartAt: 'I1', States: { I1: { Type: 'Pass', Next: 'I2' }, I2: { Type: 'Pass', End: true } } },
    ResultPath: '$.mapped',
    Next: 'Q1',
  };
  for (let i = 1; i <= 7; i++) States[`Q${i}`] = { Type: 'Pass', Next: i < 7 ? `Q${i + 1}` : 'Done' };
  States.Done = { Type: 'Succeed' };
  return { StartAt: 'P1', States };
}
const INPUT = { flag: true, items: [1, 2, 3] };

async function pool<T>(n: number, inFlight: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

async function storeChoice(): Promise<void> {
  const N = 10_000;
  const event = (i: number) => JSON.stringify({ timestamp: Date.now() / 1000, type: 'PassStateEntered', id: i, previousEventId: i - 1, stateEnteredEventDetails: { name: `S${i % 20}`, input: '{"n":1,"items":[1,2,3]}', inputDetails: { truncated: false } } });
  const dir = mkdtempSync(join(tmpdir(), 'fluxio-bench-store-'));
  try {
    const database = openPlatformDatabase(join(dir, 'sqlite'));
    const store = new SfnStore(database);
    let t = performance.now();
    for (let b = 0; b < N / 100; b++) {
      const batch: string[] = [];
      for (let i = 1; i <= 100; i++) batch.push(event(b * 100 + i));
      store.transaction(() => store.insertHistory(1, b * 100 + 1, batch));
    }
    const sqliteWrite = performance.now() - t;
    t = performance.now();
    const page = store.historyPage(1, false, 0, N);
    const sqliteRead = performance.now() - t;
    if (page.count !== N || splitHistory(page.text).length !== N) throw new Error(`sqlite read ${page.count}`);
    database.close();

    const dyn = await startEmbeddedDynalite({ path: join(dir, 'dynalite') });
    const ddb = new DynamoDBClient({ endpoint: dyn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ddb.send(
      new CreateTableCommand({
        TableName: 'history',
        KeySchema: [{ AttributeName: 'execution', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'execution', AttributeType: 'S' }, { AttributeName: 'id', AttributeType: 'N' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    t = performance.now();
    for (let b = 0; b < N / 25; b++) {
      const items = Array.from({ length: 25 }, (_, k) => ({ PutRequest: { Item: { execution: { S: 'arn:bench' }, id: { N: String(b * 25 + k + 1) }, event: { S: event(b * 25 + k + 1) } } } }));
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { history: items } }));
    }
    const dynWrite = performance.now() - t;
    t = performance.now();
    let count = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await ddb.send(new QueryCommand({ TableName: 'history', KeyConditionExpression: 'execution = :e', ExpressionAttributeValues: { ':e': { S: 'arn:bench' } }, ExclusiveStartKey: start }));
      count += page.Items!.length;
      start = page.LastEvaluatedKey;
    } while (start);
    const dynRead = performance.now() - t;
    if (count !== N) throw new Error(`dynalite read ${count}`);
    ddb.destroy();
    await dyn.close();
    print({ bench: 'sfn-store', events: N, sqlite_write_ms: ms(sqliteWrite), sqlite_read_ms: ms(sqliteRead), dynalite_write_ms: ms(dynWrite), dynalite_read_ms: ms(dynRead) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareEngine(): Promise<number> {
  const engine = new StateMachine(twentyStateMachine() as unknown as StateMachineDefinition);
  const t = performance.now();
  await pool(EXECUTIONS, IN_FLIGHT, async () => {
    const out = await engine.run(INPUT as never).result;
    if (!(out as { mapped?: unknown }).mapped) throw new Error('bad output');
  });
  return performance.now() - t;
}


/** The client side (its own process): 300 warm-up executions, then the timed ones. */
/** A minimal AWS JSON 1.0 client (keep-alive, no signing): separates the platform's cost from the SDK's. */
function rawClient(url: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const call = (operation: string, input: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const body = JSON.stringify(input);
      const req = http.request(`${url}/`, { method: 'POST', agent, headers: { 'x-amz-target': `AWSStepFunctions.${operation}`, 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(Buffer.concat(chunks).toString()))));
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    send: (command: StartExecutionCommand | DescribeExecutionCommand) => call(command instanceof StartExecutionCommand ? 'StartExecution' : 'DescribeExecution', command.input) as Promise<never>,
    destroy: () => agent.destroy(),
  };
}

async function clientMain(url: string, stateMachineArn: string, executions: number, raw: boolean): Promise<void> {
  const sfn = raw ? rawClient(url) : new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  // Polling: the first DescribeExecution `firstWait` ms after StartExecution answered, then every 2 ms. `firstWait`
  // follows how long executions take: 1% shorter after an execution the first poll saw SUCCEEDED, 2 ms longer
  // after one it saw RUNNING, so about one first poll in 10–20 is early. (A poller that asks early and often
  // mostly measures its own requests; waiting a little too long costs nothing while the other executions in
  // flight keep the platform busy.)
  let firstWait = 5;
  let describes = 0;
  const runOne = async () => {
    const { executionArn }: { executionArn?: string } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(INPUT) }));
    await sleep(firstWait);
    for (let polls = 1; ; polls++) {
      describes++;
      const d: { status?: string; error?: string; cause?: string } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status === 'SUCCEEDED') {
        firstWait = polls === 1 ? Math.max(1, firstWait * 0.99) : firstWait + 2;
        return;
      }
      if (d.status !== 'RUNNING') throw new Error(`execution ${d.status}: ${d.error} ${d.cause}`);
      await sleep(2);
    }
  };
  await pool(300, IN_FLIGHT, runOne); // warm-up: the platform's and this client's code optimised before timing
  describes = 0;
  await new Promise((r) => process.send!('timed-start', r));
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  await pool(executions, IN_FLIGHT, runOne);
  const api = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuMs = (cpu.user + cpu.system) / 1000;
  await new Promise((r) => process.send!('timed-end', r));
  // StartExecution rate: 2 x executions starts, 16 in flight (the executions run meanwhile).
  const t2 = performance.now();
  await pool(executions * 2, IN_FLIGHT, () => sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(INPUT) })));
  const startMs = performance.now() - t2;
  sfn.destroy();
  process.send!({ api, describesPerExecution: describes / executions, startMs, clientCpuMs }, () => process.exit(0));
}

/** The history client (its own process): GetExecutionHistory of `executionArn`, one page and all pages of 1,000, through the SDK. */
async function historyClientMain(url: string, executionArn: string): Promise<void> {
  const sfn = new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 })); // warm
  const onePage: number[] = [];
  const allPages: number[] = [];
  let total = 0;
  let pages = 0;
  // Best and worst of 5 (the machine is shared: one slow round is the machine, not the platform).
  for (let round = 0; round < 5; round++) {
    let t = performance.now();
    const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    onePage.push(performance.now() - t);
    if (first.events!.length !== 1000) throw new Error(`page of ${first.events!.length}`);
    total = 0;
    pages = 0;
    let nextToken: string | undefined;
    t = performance.now();
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      total += page.events!.length;
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    allPages.push(performance.now() - t);
  }
  sfn.destroy();
  process.send!({ onePage, allPages, total, pages }, () => process.exit(0));
}

/** Runs `args` of this file in a child process (the client side) and resolves with its last message. */
function child<T>(args: string[], onMessage?: (m: unknown) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), args, { execArgv: ['--import', 'tsx'] });
    c.on('message', (m) => (typeof m === 'string' ? onMessage?.(m) : resolve(m as T)));
    c.once('error', reject);
    c.once('exit', (code) => (code ? reject(new Error(`client exited ${code}`)) : undefined));
  });
}

async function main(): Promise<void> {
  await storeChoice();

  // Warm the engine (JIT, first engine construction) before timing: one untimed round of all executions.
  await bareEngine();

  const dataDir = mkdtempSync(join(tmpdir(), 'fluxio-bench-sfn-'));
  const platform = await startPlatform({ port: 0, dataDir, projectDir: dataDir, workers: 1 });
  const sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  try {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'bench', definition: JSON.stringify(twentyStateMachine()), roleArn: ROLE }));
    // CPU time of each side over the timed executions (the platform: this process; the client: its own), in ms
    // per execution: on 2 cores the run cannot take less than max(platform, (platform + client) / 2) x executions.
    type ClientResult = { api: number; describesPerExecution: number; startMs: number; clientCpuMs: number; platformCpuMs: number };
    const runClient = async (mode: 'sdk' | 'raw'): Promise<ClientResult> => {
      let cpu0 = process.cpuUsage();
      let platformCpuMs = 0;
      const r = await child<ClientResult>(['client', platform.url, stateMachineArn!, String(EXECUTIONS), mode], (m) => {
        if (m === 'timed-start') cpu0 = process.cpuUsage();
        else if (m === 'timed-end') {
          const cpu = process.cpuUsage(cpu0);
          platformCpuMs = (cpu.user + cpu.system) / 1000;
        }
      });
      return { ...r, platformCpuMs };
    };
    // The bare engine runs right before each API path (the machine is shared: its load changes within a run, and
    // the ratio compares neighbours). The API path's platform has this process; its client, another one.
    const line = (bench: string, client: string, bare: number, r: ClientResult) =>
      print({
        bench, executions: EXECUTIONS, states: 20, in_flight: IN_FLIGHT, client, bare_engine_ms: ms(bare), api_ms: ms(r.api), ratio: +(r.api / bare).toFixed(2),
        describes_per_execution: +r.describesPerExecution.toFixed(2), start_per_second: Math.round((EXECUTIONS * 2) / (r.startMs / 1000)),
        platform_cpu_ms_per_execution: +(r.platformCpuMs / EXECUTIONS).toFixed(3), client_cpu_ms_per_execution: +(r.clientCpuMs / EXECUTIONS).toFixed(3),
        bare_engine_ms_per_execution: +(bare / EXECUTIONS).toFixed(3), target_ratio: 2,
      });
    const bareRaw = await bareEngine();
    const fromRaw = await runClient('raw');
    line('sfn-api-executions-raw-http', 'node:http, no SDK', bareRaw, fromRaw);
    await sleep(2000);
    const bareSdk = await bareEngine();
    const fromSdk = await runClient('sdk');
    line('sfn-api-executions', '@aws-sdk/client-sfn', bareSdk, fromSdk);

    const starts = EXECUTIONS * 2;
    print({ bench: 'sfn-api-start-rate', starts, in_flight: IN_FLIGHT, client: '@aws-sdk/client-sfn', ms: ms(fromSdk.startMs), per_second: Math.round(starts / (fromSdk.startMs / 1000)), target_per_second: 200 });
    await sleep(2000);

    // ~10,000 events: 2,498 Map iterations x 4 events + the execution's own.
    const big = await sfn.send(
      new CreateStateMachineCommand({
        name: 'bench-history',
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 1, ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, ResultPath: null, End: true } } }),
      }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: big.stateMachineArn, input: JSON.stringify({ items: Array.from({ length: 2498 }, (_, i) => i) }) }));
    for (;;) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') break;
      await sleep(50);
    }
    const h = await child<{ onePage: number[]; allPages: number[]; total: number; pages: number }>(['history', platform.url, executionArn!]);
    // The server's share: the operation itself (store read + response JSON), all pages.
    const getHistory = platform.stepFunctions.operations.GetExecutionHistory as unknown as (i: object) => { json: string };
    const t = performance.now();
    let serverBytes = 0;
    let nextToken: string | undefined;
    do {
      const json: string = getHistory({ executionArn, maxResults: 1000, nextToken }).json;
      serverBytes += json.length;
      nextToken = /"nextToken":"([^"]+)"\}$/.exec(json)?.[1];
    } while (nextToken);
    const serverAll = performance.now() - t;
    const range = (xs: number[]) => [ms(Math.min(...xs)), ms(Math.max(...xs))];
    print({ bench: 'sfn-api-history', events: h.total, page_events: 1000, rounds: h.allPages.length, sdk_one_page_ms: range(h.onePage), sdk_all_pages: h.pages, sdk_all_pages_ms: range(h.allPages), server_all_pages_ms: ms(serverAll), response_bytes: serverBytes, target_ms: 100 });
  } finally {
    sfn.destroy();
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'client') await clientMain(process.argv[3]!, process.argv[4]!, Number(process.argv[5]), process.argv[6] === 'raw');
else if (process.argv[2] === 'history') await historyClientMain(process.argv[3]!, process.argv[4]!);
else await main();
