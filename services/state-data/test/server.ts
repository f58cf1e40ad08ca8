/**
 * Test helper: an embedded state data service behind a real HTTP server on
 * 127.0.0.1 (node http → API Gateway v2 event → the deployed Lambda handlers),
 * driven by the route table in shared/src/routes.ts. Uses the local platform's
 * server (local/src/server/httpServer.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATE_DATA_ROUTES } from '@fluxio/contracts/routes';
import type { StateDataClientError } from '@fluxio/contracts/stateDataClient';
import { startHttpServer, type LambdaHttpHandler, type RunningServer } from '../../../local/src/server/httpServer.ts';
import { createStateDataService, type EmbeddedStateDataOptions, type StateDataServiceHandle } from '../src/createStateDataService.ts';
import { setStateDataService } from '../src/serviceRegistry.ts';
import { localBlobUploadStream } from '../src/handlers/localBlobs.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TestPlatform extends StateDataServiceHandle {
  server: RunningServer;
  url: string;
  stop(): Promise<void>;
}

/** Start the embedded service (in memory unless `dataDir`) and serve every state data route. */
export async function startStateDataServer(options: Partial<Omit<EmbeddedStateDataOptions, 'target'>> = {}): Promise<TestPlatform> {
  const handle = await createStateDataService({ target: 'embedded', ...options });
  setStateDataService(handle.service);
  const routes = await Promise.all(
    STATE_DATA_ROUTES.map(async (r) => {
      const mod = (await import(path.join(ROOT, r.module))) as Record<string, LambdaHttpHandler>;
      return { method: r.method, path: r.path, handler: mod[r.exportName], maxBodyBytes: r.maxBodyBytes };
    }),
  );
  const server = await startHttpServer(routes, { streamHandlers: [localBlobUploadStream] });
  return {
    ...handle,
    server,
    url: server.url,
    stop: async () => {
      await server.close();
      setStateDataService(undefined);
      await handle.close();
    },
  };
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<StateDataClientError> {
  try {
    await promise;
  } catch (e) {
    return e as StateDataClientError;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}
