/**
 * Builds the platform's OpenAPI 3.1 document from {@link ROUTES} and the
 * TypeBox schemas they refer to (DESIGN.md §6: "An OpenAPI document is
 * generated from the schemas"). Schemas with an `$id` become
 * `components/schemas/<$id>` and are referenced with `$ref`; the rest are inlined.
 *
 * The local platform serves it at `GET /v1/openapi.json` ({@link openApiHandler}).
 *
 * @see https://spec.openapis.org/oas/v3.1.0
 */
import type { TSchema } from '@sinclair/typebox';
import { jsonHandler } from './http.ts';
import { ROUTES, type RouteDefinition } from './routes.ts';
import { ErrorBodySchema } from './schemas/error.ts';

/** Version of the HTTP API described (the `/v1` prefix). */
export { API_VERSION } from './version.ts';
import { API_VERSION } from './version.ts';

/** Name of the IAM (SigV4) security scheme; deployed routes use `authorizer: aws_iam`. */
export const SIGV4_SCHEME = 'sigv4';

type JsonObject = { [key: string]: unknown };

/** An OpenAPI 3.1 document (only the parts Fluxio produces are typed). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  servers: Array<{ url: string; description: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
}

export interface BuildOpenApiOptions {
  /** Routes to document. @default ROUTES */
  routes?: readonly RouteDefinition[];
  /** `servers` entries. @default the local platform, `http://127.0.0.1:4510` */
  servers?: Array<{ url: string; description: string }>;
}

/** Default error descriptions added to every route unless it documents that status itself. */
const STANDARD_ERRORS: Record<number, string> = {
  400: 'The request is malformed (not JSON) or does not match the schema; `error.details` lists the failing paths.',
  413: 'The request body is larger than the route accepts; the message says what to do instead.',
  500: 'Internal error; the request was not completed. Retry, and report it if it persists.',
};

const upperFirst = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** `POST /v1/compile` → `postV1Compile`; `{param}` segments become `By<Param>`. */
export function defaultOperationId(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  const parts = route.path
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      const param = /^\{(.+)\}$/.exec(seg);
      const words = (param ? param[1] : seg).split(/[^A-Za-z0-9]+/).filter(Boolean).map(upperFirst).join('');
      return param ? `By${words}` : words;
    });
  return route.method.toLowerCase() + parts.join('');
}

/** The `{name}` segments of an API Gateway path, in order. */
export const pathParameterNames = (path: string): string[] => [...path.matchAll(/\{([^}/]+?)\+?\}/g)].map((m) => m[1]);

/**
 * Turns a TypeBox schema into plain JSON Schema 2020-12, moving every nested
 * schema that has an `$id` into `components` (by that id) and replacing it with
 * a `$ref`. Two different schemas with the same `$id` are a programming error.
 */
function hoist(schema: TSchema, components: Record<string, JsonObject>): JsonObject {
  const plain = JSON.parse(JSON.stringify(schema)) as JsonObject; // drops TypeBox's symbol keys
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const obj = node as JsonObject;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(obj)) if (k !== '$id') out[k] = walk(v);
    if (typeof obj.$id === 'string') {
      const id = obj.$id;
      const existing = components[id];
      if (existing && JSON.stringify(existing) !== JSON.stringify(out)) {
        throw new Error(`OpenAPI: two different schemas use $id "${id}"; give one of them another $id.`);
      }
      components[id] = out;
      return { $ref: `#/components/schemas/${id}` };
    }
    return out;
  };
  return walk(plain) as JsonObject;
}

const jsonContent = (schema: JsonObject) => ({ 'application/json': { schema } });

/**
 * Builds the OpenAPI 3.1 document of the platform's HTTP API.
 *
 * Every route of `routes` appears under `paths[path][method]` with its
 * operationId, summary, tag, path/query parameters, JSON request body and
 * responses (its own plus the standard 400/413/500 error bodies). Deployed
 * routes require SigV4 (IAM) auth; local-only routes carry `x-fluxio-local-only`.
 *
 * @throws Error when two routes share method + path or operationId, or two
 *   schemas share an `$id` (programming errors, caught by shared/test/openapi.test.ts)
 */
export function buildOpenApiDocument(options: BuildOpenApiOptions = {}): OpenApiDocument {
  const routes = options.routes ?? ROUTES;
  const schemas: Record<string, JsonObject> = {};
  const errorRef = hoist(ErrorBodySchema, schemas);
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  const tags = new Set<string>();

  for (const route of routes) {
    const method = route.method.toLowerCase();
    const pathItem = (paths[route.path] ??= {});
    if (pathItem[method]) throw new Error(`OpenAPI: route ${route.method} ${route.path} is defined twice in ROUTES.`);
    const operationId = route.operationId ?? defaultOperationId(route);
    if (operationIds.has(operationId)) throw new Error(`OpenAPI: operationId "${operationId}" is used twice; set a distinct operationId.`);
    operationIds.add(operationId);
    const tag = route.tag ?? route.functionName;
    tags.add(tag);

    const parameters: JsonObject[] = pathParameterNames(route.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
      ...(route.request?.pathParameters?.[name] ? { description: route.request.pathParameters[name] } : {}),
    }));
    if (route.request?.query) {
      const query = hoist(route.request.query, schemas) as { properties?: Record<string, JsonObject>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        const { description, ...rest } = schema;
        parameters.push({
          name,
          in: 'query',
          required: (query.required ?? []).includes(name),
          schema: rest,
          ...(description ? { description } : {}),
        });
      }
    }

    const responses: JsonObject = {};
    const own = route.responses ?? {};
    for (const [status, res] of Object.entries(own)) {
      responses[status] = {
        description: res.description,
        ...(res.schema ? { content: jsonContent(hoist(res.schema, schemas)) } : Number(status) >= 400 ? { content: jsonContent(errorRef) } : {}),
      };
    }
    const standard = route.request?.body ? [400, 413, 500] : [500];
    for (const status of standard) {
      if (!(status in own)) responses[status] = { description: STANDARD_ERRORS[status], content: jsonContent(errorRef) };
    }
    if (!Object.keys(responses).some((s) => Number(s) < 400)) responses['200'] = { description: 'OK' };

    const description = [
      route.description,
      route.maxBodyBytes ? `Largest accepted body: ${route.maxBodyBytes} bytes (413 above).` : undefined,
      route.localOnly ? 'Served only by the local platform (`fluxio serve`); not deployed.' : undefined,
    ]
      .filter(Boolean)
      .join('\n\n');

    pathItem[method] = {
      operationId,
      summary: route.summary,
      ...(description ? { description } : {}),
      tags: [tag],
      ...(parameters.length ? { parameters } : {}),
      ...(route.request?.body
        ? { requestBody: { required: true, content: jsonContent(hoist(route.request.body, schemas)) } }
        : {}),
      responses,
      security: route.localOnly ? [] : [{ [SIGV4_SCHEME]: [] }],
      ...(route.localOnly ? { 'x-fluxio-local-only': true } : {}),
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Fluxio platform API',
      version: API_VERSION,
      description:
        'Compile Python-syntax workflows to AWS Step Functions, deploy and trigger them, and store state data. ' +
        'JSON in and out; errors are `{"error":{"code","message","details"?}}` with 4xx for anything the caller got wrong.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: options.servers ?? [{ url: 'http://127.0.0.1:4510', description: 'Local platform (fluxio serve)' }],
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        // API Gateway's documented extension for IAM (SigV4) authorization.
        [SIGV4_SCHEME]: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
      },
    },
  };
}

let cachedDocument: OpenApiDocument | undefined;

/** `host`, `host:port`, `[ipv6]:port`: what a Host header may hold to be echoed in `servers`. */
const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The URL a request reached the platform on: its Host header (RFC 9110 §7.2)
 * after `http://` (`https://` behind a proxy that sets `x-forwarded-proto`),
 * so a platform on `--port 0` or another host documents the address it
 * actually listens on. `undefined` when the header is missing or not a plain
 * `host[:port]` (the document then keeps its default).
 */
export function requestServerUrl(event: { headers?: Record<string, string | undefined> }): string | undefined {
  const host = event.headers?.host;
  if (!host || !HOST_HEADER.test(host)) return undefined;
  const proto = event.headers?.['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}

/**
 * `GET /v1/openapi.json` (local platform only): the document of {@link ROUTES},
 * its `servers` the URL the request came in on ({@link requestServerUrl}).
 */
export const openApiHandler = jsonHandler({}, async ({ event }) => {
  cachedDocument ??= buildOpenApiDocument();
  const url = requestServerUrl(event);
  const body = url ? { ...cachedDocument, servers: [{ url, description: cachedDocument.servers[0]?.description ?? 'Local platform (fluxio serve)' }] } : cachedDocument;
  return { statusCode: 200, body };
});
