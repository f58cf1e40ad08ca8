/**
 * The local platform (`npm start` / `fluxio serve`): every HTTP API of
 * {@link ROUTES} on 127.0.0.1 with the embedded defaults — dynalite on disk and
 * the blob directory under `.fluxio/`, the run API on a warm Python worker
 * pool, the OpenAPI document at `/v1/openapi.json` — plus the Step Functions
 * API (`POST /`) and the Lambda API (`/2015-03-31/functions`) on SQLite, the
 * trigger service over an in-process scheduler, topic bus and export registry
 * (local/src/triggers), and the web console at `GET /` (console/).
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { setLocalHealth } from '@fluxio/contracts/health';
import { ROUTES } from '@fluxio/contracts/routes';
import { createStateDataService, setStateDataService, InMemoryExecutionRegistry, localBlobUploadStream } from '@fluxio/state-data';
import { createRunner } from '../index.ts';
import { startHttpServer, type ProtocolHandler } from './httpServer.ts';
import { loadRouteHandlers } from './routeHandlers.ts';
import { RunService, setRunService } from './RunService.ts';
import { setCompileBackend } from '@fluxio/compiler-api';
import { CompilePool } from '@fluxio/compiler-api/worker/compilePool';
import { lockDataDir } from './dataDirLock.ts';
import { openPlatformDatabase } from '../store/database.ts';
import { EventBus } from '../events/bus.ts';
import { createStepFunctionsApi, type StepFunctionsApi } from '../stepfunctions/index.ts';
import { createLambdaApi, LAMBDA_MAX_BUFFERED_BYTES, type LambdaApi } from '../lambda/index.ts';
import { createLocalDeployer, LOCAL_STAGE, setDeployer, TriggerServicePort, type DeployerHandle, type DeployerOptions } from '@fluxio/deployer';
import { createLocalExecutionsService } from '@fluxio/trigger/executions/config';
import { setExecutionsService } from '@fluxio/trigger/executionsRegistry';
import { createLocalTriggers, type LocalTriggers } from '../triggers/index.ts';
import { consoleHandler } from '@fluxio/console/serve';
export { DataDirLockedError, LOCK_FILE } from './dataDirLock.ts';

/** Default port of the local platform. */
export const DEFAULT_PORT = 4510;

/**
 * True for hosts that only accept connections from this machine: `localhost`,
 * `127.0.0.0/8`, `::1` (and their IPv4-mapped form).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

/** The warning `fluxio serve` prints on every start on a non-loopback host. */
export const exposedHostWarning = (host: string, url: string): string =>
  `WARNING: listening on ${host} (${url}): the local platform has no authentication, and anyone who can reach this ` +
  `address can compile, run Python tasks on this machine and read or overwrite state data. ` +
  `Use --host 127.0.0.1 (the default) unless this network is trusted.`;

export interface PlatformOptions {
  /** @default '127.0.0.1' (the platform has no auth: never expose it) */
  host?: string;
  /** @default 4510; 0 = ephemeral */
  port?: number;
  /** Where items and blobs persist. @default '.fluxio' under the current directory */
  dataDir?: string;
  /** Directory runs execute in (`ecs:worker` specs import from it). @default the current directory */
  projectDir?: string;
  /** Python worker processes. @default the number of cores */
  workers?: number;
  /** Python worker processes for the Lambda API's functions. @default 2 */
  lambdaWorkers?: number;
  /** Other protocols served on the same port, tried before the `/v1` router (see {@link ProtocolHandler}). */
  protocolHandlers?: readonly ProtocolHandler[];
}

export interface Platform {
  url: string;
  dataDir: string;
  /** Things the operator must know (e.g. a non-loopback host); `fluxio serve` prints each on stderr. */
  warnings: string[];
  /** Route keys served, e.g. `POST /v1/compile`. */
  routes: string[];
  /** The Step Functions API (AWS JSON 1.0 on `POST /`), its executions persisted in `<dataDir>/platform.sqlite`. */
  stepFunctions: StepFunctionsApi;
  /** The Lambda API (REST-JSON under `/2015-03-31/functions`), functions persisted in the same database and `<dataDir>/lambda/`. */
  lambda: LambdaApi;
  /** The in-process event bus (e.g. "Step Functions Execution Status Change" events). */
  bus: EventBus;
  /** Schedules, result topics, subscriptions and exports (issue 9): the trigger service and its embedded adapters. */
  triggers: LocalTriggers;
  /** Another deployer over this platform's APIs, records and bundles (tests: a clock, fault injection); close it before the platform. */
  createDeployer(overrides?: Partial<DeployerOptions>): DeployerHandle;
  /** Stops the workers (runs in flight end), the HTTP server, then flushes and closes dynalite. */
  close(): Promise<void>;
}

/**
 * Start the local platform: lock the data directory, open dynalite and the
 * blobs, listen, start the Python workers. On any failure everything opened so
 * far is closed again (so a refused start lets the process exit).
 * @throws DataDirLockedError (`code` `EDATADIRLOCKED`) when another live process serves the same data directory
 * @throws Error with `code` `EADDRINUSE` when the port is taken, or when dynalite cannot open the data directory
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const dataDir = resolve(options.dataDir ?? '.fluxio');
  await mkdir(dataDir, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const startedAt = Date.now();
  const cleanup: Array<() => Promise<void>> = [];
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    const lock = await lockDataDir(dataDir);
    cleanup.push(() => lock.release());
    const executions = new InMemoryExecutionRegistry();
    const stateData = await createStateDataService({ target: 'embedded', dataDir, executions });
    cleanup.push(() => stateData.close());
    setStateDataService(stateData.service);
    // Compiles (POST /v1/compile, POST /v1/runs) run in worker threads, off this event loop.
    const compilePool = new CompilePool();
    setCompileBackend(compilePool);
    cleanup.push(async () => {
      setCompileBackend(undefined);
      await compilePool.close();
    });
    const routes = await loadRouteHandlers(ROUTES);
    const database = openPlatformDatabase(dataDir);
    cleanup.push(async () => database.close());
    const bus = new EventBus();
    // The Lambda API (REST-JSON under /2015-03-31/functions...): functions in the same database, code under <dataDir>/lambda.
    const lambda = createLambdaApi({ database, dataDir, workers: options.lambdaWorkers, onLog: (fn, line) => void process.stderr.write(`[lambda ${fn}] ${line}\n`) });
    cleanup.push(() => lambda.close());
    // The Step Functions API needs the runner, which needs the server's URL: bound once both exist.
    let sfn: StepFunctionsApi | undefined;
    const sfnHandler: ProtocolHandler = (req, body, res) => (sfn ? sfn.protocolHandler(req, body, res) : false);
    const server = await startHttpServer(routes, { host, port: options.port ?? DEFAULT_PORT, protocolHandlers: [sfnHandler, lambda.protocolHandler, consoleHandler, ...(options.protocolHandlers ?? [])], maxProtocolBodyBytes: LAMBDA_MAX_BUFFERED_BYTES, streamHandlers: [localBlobUploadStream] });
    cleanup.push(() => server.close());
    await lock.update({ url: server.url });
    lambda.setDefaultEnvironment({ FLUXIO_STATE_DATA_URL: server.url });
    // The triggers (issue 9): the trigger service over this platform's APIs and dynalite, with the in-process
    // scheduler, topic bus and export registry; its status feed listens before the Step Functions API starts.
    const triggers = createLocalTriggers({ database, dataDir, bus, platformUrl: server.url, dynamodbEndpoint: stateData.dynamodbEndpoint!, stateData: stateData.service });
    cleanup.push(() => triggers.close());
    // The deployer (issue 8): its SDK clients talk to this platform's Step Functions and Lambda APIs and dynalite;
    // bundles go to the state data blob store (its presigned upload route serves them).
    const localDeployer = (overrides?: Partial<DeployerOptions>) =>
      createLocalDeployer({ platformUrl: server.url, dynamodbEndpoint: stateData.dynamodbEndpoint!, bundles: stateData.service.blobs, triggers: new TriggerServicePort(triggers.service), overrides });
    const deployer = localDeployer();
    setDeployer(deployer.deployer);
    cleanup.push(async () => {
      setDeployer(undefined);
      deployer.close();
    });
    // The executions API (issue 9): the trigger's SDK client on this platform's Step Functions API, stage local.
    const executionsApi = createLocalExecutionsService({ platformUrl: server.url, stage: LOCAL_STAGE });
    setExecutionsService(executionsApi.service);
    cleanup.push(async () => {
      setExecutionsService(undefined);
      executionsApi.close();
    });
    const runner = await createRunner({
      projectDir: resolve(options.projectDir ?? '.'),
      stateData: { url: server.url, executions },
      workers: options.workers,
    });
    cleanup.push(() => runner.close());
    const stepFunctions = (sfn = createStepFunctionsApi({ database, runner, bus, taskResources: lambda.taskResource }));
    cleanup.push(() => stepFunctions.close());
    // Runs of POST /v1/runs are executions of the Step Functions API (one way an execution runs locally).
    const runs = new RunService(stepFunctions.executions);
    setRunService(runs);
    const workers = Math.max(1, options.workers ?? availableParallelism());
    setLocalHealth(() => ({ dataDir, pid: process.pid, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), workers }));
    triggers.start(); // last: deliveries an earlier run left, then the schedules (a fire time missed while down fires now)
    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      dataDir,
      warnings: isLoopbackHost(host) ? [] : [exposedHostWarning(host, server.url)],
      routes: ROUTES.map((r) => `${r.method} ${r.path}`),
      stepFunctions,
      lambda,
      bus,
      triggers,
      createDeployer: localDeployer,
      close: () =>
        (closing ??= (async () => {
          // Workers first (runs in flight end), then the HTTP server, then dynalite
          // (closing it flushes LevelDB to disk), then the data directory lock.
          setRunService(undefined);
          setLocalHealth(undefined);
          await triggers.scheduler.close(); // no schedule fires from now on
          await deployer.deployer.drain(); // a deployment answered 202 finishes before the APIs it uses stop
          setDeployer(undefined);
          deployer.close();
          setExecutionsService(undefined);
          executionsApi.close();
          // Status events and messages being delivered finish (while the APIs they call still run); from here on
          // they are recorded and delivered at the next start (e.g. the ABORTED events of the executions interrupted below).
          await triggers.pause();
          await stepFunctions.close();
          await runner.close();
          await runs.drain();
          await lambda.close();
          await server.close();
          setCompileBackend(undefined);
          await compilePool.close();
          await triggers.close();
          await stateData.close();
          database.close();
          await lock.release();
        })()),
    };
  } catch (e) {
    setRunService(undefined);
    setLocalHealth(undefined);
    await unwind();
    throw e;
  }
}
