/**
 * The embedded state data service of `fluxio run`: the state-data service's
 * own handlers (the same modules deployed to Lambda, DESIGN.md §2) served on
 * an ephemeral 127.0.0.1 port, backed by dynalite (in memory, or on disk under
 * `dataDir`), with an execution registry so `context.stop_execution` aborts
 * the run's executions.
 */
import { ROUTES } from '@fluxio/contracts/routes';
import { createStateDataService, setStateDataService, InMemoryExecutionRegistry, localBlobUploadStream } from '@fluxio/state-data';
import { startHttpServer } from '../server/httpServer.ts';
import { loadRouteHandlers } from '../server/routeHandlers.ts';
import type { StateDataEndpoint } from './stateData.ts';

/** Starts the embedded state data service; `close()` stops the server and dynalite. */
export async function startEmbeddedStateData(options: { dataDir?: string }): Promise<StateDataEndpoint> {
  const executions = new InMemoryExecutionRegistry();
  const handle = await createStateDataService({ target: 'embedded', dataDir: options.dataDir, executions });
  setStateDataService(handle.service);
  const routes = await loadRouteHandlers(ROUTES.filter((r) => r.module.startsWith('services/state-data/')));
  // presigned uploads are read as they arrive and refused past their declared size
  const server = await startHttpServer(routes, { host: '127.0.0.1', port: 0, streamHandlers: [localBlobUploadStream] });
  return {
    url: server.url,
    executions,
    close: async () => {
      await server.close();
      await handle.close();
    },
  };
}
