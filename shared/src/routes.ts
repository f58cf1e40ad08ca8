/**
 * Every HTTP route of the platform, defined once. `serverless.yml` declares the
 * same routes (a test holds them equal) and the local platform serves them
 * with the same handlers (DESIGN.md §2).
 */
export interface RouteDefinition {
  /** HTTP method, upper case. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway HTTP API path, with `{param}` segments. */
  path: string;
  /** The serverless.yml function that serves it. */
  functionName: string;
  /** Handler module, relative to the repository root, and its export. */
  module: string;
  exportName: string;
  /** Served only by the local platform (not deployed). */
  localOnly?: boolean;
  /** One-line summary for the OpenAPI document. */
  summary: string;
}

/** The platform's routes. Services append theirs here. */
export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/v1/compile',
    functionName: 'compile',
    module: 'services/compiler-api/src/handlers/compile.ts',
    exportName: 'handler',
    summary: 'Compile a project.py into Amazon States Language and a manifest',
  },
];
