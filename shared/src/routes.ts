/**
 * Every HTTP route of the platform, defined once. `serverless.yml` declares the
 * same routes (test/routes.test.ts holds them equal), the local platform serves
 * them with the same handlers (DESIGN.md §2), and the OpenAPI document is built
 * from them (shared/src/openapi.ts).
 */
import type { TSchema } from '@sinclair/typebox';
import {
  COMPILE_MAX_BODY_BYTES,
  CompileFailedSchema,
  CompileRequestSchema,
  ManifestSchema,
} from './schemas/compile.ts';

/** One documented response of a route (OpenAPI `responses` entry). */
export interface RouteResponse {
  /** One line: when this status is returned. */
  description: string;
  /** TypeBox schema of the JSON body; omit for the standard error body or no body. */
  schema?: TSchema;
}

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
  /** Served only by the local platform (not deployed, not in serverless.yml). */
  localOnly?: boolean;
  /** One-line summary for the OpenAPI document. */
  summary: string;
  /** Longer OpenAPI description (Markdown). */
  description?: string;
  /** OpenAPI tag (group), e.g. the service name. @default the functionName */
  tag?: string;
  /** OpenAPI operationId. @default method + path in camelCase, e.g. `postV1Compile` */
  operationId?: string;
  /** Request schemas. All optional: a route without them is documented without a body. */
  request?: {
    /** TypeBox schema of the JSON body (the same one the handler validates with). */
    body?: TSchema;
    /** TypeBox `Type.Object` of the query string parameters (all strings). */
    query?: TSchema;
    /** Descriptions of `{param}` path segments (each is a string). */
    pathParameters?: Record<string, string>;
  };
  /** Largest accepted body in bytes; above it the route answers 413. @default API Gateway's 10 MiB */
  maxBodyBytes?: number;
  /**
   * Documented responses by HTTP status. The OpenAPI builder adds the standard
   * error responses (400/413 for routes with a body, 500) unless listed here.
   */
  responses?: Record<number, RouteResponse>;
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
    description:
      'Parses the DSL source (never executes it) and returns the manifest: one ASL definition per state machine, ' +
      'the Task classes with their extracted `run` source, triggers and a source map. All compile errors of the file ' +
      'are returned at once (422).',
    tag: 'compiler',
    request: { body: CompileRequestSchema },
    maxBodyBytes: COMPILE_MAX_BODY_BYTES,
    responses: {
      200: { description: 'The manifest.', schema: ManifestSchema },
      422: { description: 'The source does not compile; `error.details.errors` lists every error with its range.', schema: CompileFailedSchema },
    },
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    functionName: 'openapi',
    module: 'shared/src/openapi.ts',
    exportName: 'openApiHandler',
    localOnly: true,
    summary: 'This OpenAPI 3.1 document',
    tag: 'platform',
    responses: { 200: { description: 'The OpenAPI 3.1 document of every route.' } },
  },
];
