/**
 * Reads the HTTP routes `serverless.yml` declares (functions → events →
 * httpApi), so tests can hold them equal to shared/src/routes.ts.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface DeclaredHttpRoute {
  functionName: string;
  /** `services/x/src/handlers/y.handler` as written in serverless.yml. */
  handler: string;
  method: string;
  path: string;
  /** `authorizer.type` (e.g. `aws_iam`), or undefined when the route has none. */
  authorizerType?: string;
}

/** Every `httpApi` event of every function in `serverless.yml` at `path`. */
export function serverlessHttpRoutes(path: string): DeclaredHttpRoute[] {
  const doc = parse(readFileSync(path, 'utf8')) as { functions?: Record<string, { handler: string; events?: Array<Record<string, any>> }> };
  const routes: DeclaredHttpRoute[] = [];
  for (const [functionName, fn] of Object.entries(doc.functions ?? {})) {
    for (const event of fn?.events ?? []) {
      const http = event.httpApi;
      if (!http) continue;
      const [method, routePath] = typeof http === 'string' ? http.split(' ') : [http.method, http.path];
      routes.push({
        functionName,
        handler: fn.handler,
        method: String(method).toUpperCase(),
        path: routePath,
        authorizerType: typeof http === 'object' ? http.authorizer?.type : undefined,
      });
    }
  }
  return routes;
}
