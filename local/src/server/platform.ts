/**
 * The local platform (`npm start` / `fluxio serve`): every HTTP API of
 * {@link ROUTES} on 127.0.0.1 with the embedded defaults — dynalite on disk and
 * the blob directory under `.fluxio/`, the run API on a warm Python worker
 * pool, the OpenAPI document at `/v1/openapi.json`.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ROUTES } from '@fluxio/contracts/routes';
import { createStateDataService, setStateDataService, InMemoryExecutionRegistry } from '@fluxio/state-data';
import { createRunner } from '../index.ts';
import { startHttpServer, type ProtocolHandler } from './httpServer.ts';
import { loadRouteHandlers } from './routeHandlers.ts';
import { RunService, setRunService } from './RunService.ts';

/** Default port of the local platform. */
export const DEFAULT_PORT = 4510;

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
  /** Other protocols served on the same port, tried before the `/v1` router (see {@link ProtocolHandler}). */
  protocolHandlers?: readonly ProtocolHandler[];
}

export interface Platform {
  url: string;
  dataDir: string;
  /** Route keys served, e.g. `POST /v1/compile`. */
  routes: string[];
  /** Stops the workers (runs in flight end), the HTTP server, then flushes and closes dynalite. */
  close(): Promise<void>;
}

/**
 * Start the local platform.
 * @throws Error when the port is taken (`EADDRINUSE`) or dynalite cannot open the data directory
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const dataDir = resolve(options.dataDir ?? '.fluxio');
  await mkdir(dataDir, { recursive: true });
  const executions = new InMemoryExecutionRegistry();
  const stateData = await createStateDataService({ target: 'embedded', dataDir, executions });
  setStateDataService(stateData.service);
  const routes = await loadRouteHandlers(ROUTES);
  const server = await startHttpServer(routes, { host: options.host ?? '127.0.0.1', port: options.port ?? DEFAULT_PORT, protocolHandlers: options.protocolHandlers });
  const runner = await createRunner({
    projectDir: resolve(options.projectDir ?? '.'),
    stateData: { url: server.url, executions },
    workers: options.workers,
  });
  const runs = new RunService(runner);
  setRunService(runs);
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    dataDir,
    routes: ROUTES.map((r) => `${r.method} ${r.path}`),
    close: () =>
      (closing ??= (async () => {
        // Workers first (runs in flight end), then the HTTP server, then dynalite
        // (closing it flushes LevelDB to disk).
        setRunService(undefined);
        await runner.close();
        await runs.drain();
        await server.close();
        await stateData.close();
      })()),
  };
}
