/**
 * The embedded state data service of `fluxio run`: the state-data service's
 * own handlers (the same modules deployed to Lambda, DESIGN.md §2) served on
 * an ephemeral 127.0.0.1 port, backed by dynalite (in memory, or on disk under
 * `dataDir`), with an execution registry so `context.stop_execution` aborts
 * the run's executions.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROUTES } from '@fluxio/contracts/routes';
import { createStateDataService, setStateDataService, InMemoryExecutionRegistry } from '@fluxio/state-data';
import { startHttpServer, type LambdaHttpHandler, type LocalRoute } from '../platform/httpServer.ts';
import type { StateDataEndpoint } from './stateData.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Starts the embedded state data service; `close()` stops the server and dynalite. */
export async function startEmbeddedStateData(options: { dataDir?: string }): Promise<StateDataEndpoint> {
  const executions = new InMemoryExecutionRegistry();
  const handle = await createStateDataService({ target: 'embedded', dataDir: options.dataDir, executions });
  setStateDataService(handle.service);
  const routes: LocalRoute[] = [];
  for (const r of ROUTES) {
    if (!r.module.startsWith('services/state-data/')) continue;
    const mod = (await import(pathToFileURL(resolve(REPO_ROOT, r.module)).href)) as Record<string, LambdaHttpHandler>;
    const handler = mod[r.exportName];
    if (typeof handler !== 'function') throw new Error(`${r.module} does not export ${r.exportName}`);
    routes.push({ method: r.method, path: r.path, handler, maxBodyBytes: (r as { maxBodyBytes?: number }).maxBodyBytes });
  }
  const server = await startHttpServer(routes, { host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    executions,
    close: async () => {
      await server.close();
      await handle.close();
    },
  };
}
