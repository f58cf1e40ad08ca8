/**
 * Load the Lambda handlers of {@link ROUTES} for the local server: the same
 * modules `serverless.yml` deploys (DESIGN.md §2, "two targets, one code path").
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RouteDefinition } from '@fluxio/contracts/routes';
import type { LambdaHttpHandler, LocalRoute } from './httpServer.ts';

/** The repository root (route modules are relative to it). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/**
 * Import each route's handler module and export.
 * @throws Error naming the module when a handler export is missing
 */
export async function loadRouteHandlers(routes: readonly RouteDefinition[]): Promise<LocalRoute[]> {
  const loaded: LocalRoute[] = [];
  for (const r of routes) {
    const mod = (await import(pathToFileURL(resolve(REPO_ROOT, r.module)).href)) as Record<string, LambdaHttpHandler>;
    const handler = mod[r.exportName];
    if (typeof handler !== 'function') throw new Error(`${r.module} does not export a handler named ${r.exportName}`);
    loaded.push({ method: r.method, path: r.path, handler, maxBodyBytes: r.maxBodyBytes, tooLargeHint: r.tooLargeHint });
  }
  return loaded;
}
