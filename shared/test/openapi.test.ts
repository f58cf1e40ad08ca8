import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { Type } from '@sinclair/typebox';
import { buildOpenApiDocument, openApiHandler, pathParameterNames, type OpenApiDocument } from '../src/openapi.ts';
import { ROUTES, type RouteDefinition } from '../src/routes.ts';
import { apiGatewayEvent, lambdaContext } from '../../test/helpers/apiGatewayEvent.ts';

type Json = Record<string, any>;

/** Every `$ref` string anywhere in `node`. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

/** Resolves a local `#/a/b` pointer in `doc`. */
const resolvePointer = (doc: unknown, ref: string) =>
  ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((node, key) => (node == null ? undefined : node[key]), doc);

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Structural checks of the OpenAPI 3.1 document rules Fluxio relies on (spec.openapis.org/oas/v3.1.0). */
function expectValidOpenApi31(doc: OpenApiDocument) {
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  expect(typeof doc.info.title).toBe('string');
  expect(typeof doc.info.version).toBe('string');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    expect(path.startsWith('/'), path).toBe(true);
    for (const [method, op] of Object.entries(item as Json)) {
      expect(HTTP_METHODS, `${method} ${path}`).toContain(method);
      expect(operationIds.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
      operationIds.add(op.operationId);
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      for (const [status, res] of Object.entries(op.responses as Json)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        expect(typeof (res as Json).description).toBe('string');
      }
      // Every templated path segment is declared as a required path parameter, and nothing else is.
      const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name).sort();
      expect(declared).toEqual(pathParameterNames(path).sort());
      for (const p of op.parameters ?? []) {
        expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
        if (p.in === 'path') expect(p.required).toBe(true);
      }
      for (const req of op.security ?? []) for (const name of Object.keys(req)) expect(doc.components.securitySchemes).toHaveProperty(name);
    }
  }
  for (const ref of refs(doc)) {
    expect(ref.startsWith('#/'), ref).toBe(true);
    expect(resolvePointer(doc, ref), `unresolved ${ref}`).toBeDefined();
  }
  // Every schema is valid JSON Schema 2020-12 (the dialect OpenAPI 3.1 uses).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'doc', components: doc.components } as never);
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` }), name).not.toThrow();
    expect(ajv.validateSchema(schema), name).toBe(true);
  }
}

/** The operation of `route` in `doc`. */
const operationOf = (doc: OpenApiDocument, route: Pick<RouteDefinition, 'method' | 'path'>) =>
  doc.paths[route.path]?.[route.method.toLowerCase()] as Json | undefined;

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument();

  it('is a valid OpenAPI 3.1 document', () => {
    expectValidOpenApi31(doc);
  });

  it('lists every route of ROUTES with its summary, and nothing else', () => {
    const listed = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(listed.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) expect(operationOf(doc, route)?.summary).toBe(route.summary);
  });

  it('documents each route with its request and response schemas', () => {
    for (const route of ROUTES) {
      const op = operationOf(doc, route)!;
      if (route.request?.body) {
        const schema = op.requestBody.content['application/json'].schema;
        const resolved = schema.$ref ? resolvePointer(doc, schema.$ref) : schema;
        expect(Object.keys(resolved.properties ?? {})).toEqual(Object.keys((route.request.body as Json).properties ?? {}));
        expect(op.responses).toHaveProperty('400');
        expect(op.responses).toHaveProperty('413');
      } else {
        expect(op.requestBody).toBeUndefined();
      }
      for (const [status, res] of Object.entries(route.responses ?? {})) {
        expect(op.responses[status].description).toBe(res.description);
        if (res.schema) expect(op.responses[status].content['application/json'].schema).toBeDefined();
      }
      // Deployed routes use IAM (SigV4) auth like serverless.yml; local-only ones none.
      expect(op.security).toEqual(route.localOnly ? [] : [{ sigv4: [] }]);
    }
  });

  it('describes POST /v1/compile: source/project in, manifest out, 422 with the errors', () => {
    const op = operationOf(doc, { method: 'POST', path: '/v1/compile' })!;
    const request = resolvePointer(doc, op.requestBody.content['application/json'].schema.$ref);
    expect(request.required).toEqual(['source']);
    expect(request.properties.source.type).toBe('string');
    expect(request.additionalProperties).toBe(false);
    const manifest = resolvePointer(doc, op.responses['200'].content['application/json'].schema.$ref);
    expect(manifest.required).toEqual(expect.arrayContaining(['project', 'stateMachines', 'tasks', 'diagnostics']));
    const failed = resolvePointer(doc, op.responses['422'].content['application/json'].schema.$ref);
    expect(failed.properties.error.properties.code.const).toBe('Compile.Failed');
    expect(op.description).toContain('1048576 bytes');
  });

  it('documents path and query parameters of routes other services add', () => {
    const routes: RouteDefinition[] = [
      {
        method: 'GET',
        path: '/v1/items/{partitionKey}/{sortKey}',
        functionName: 'getItem',
        module: 'x.ts',
        exportName: 'handler',
        summary: 'Get an item',
        request: {
          pathParameters: { partitionKey: 'The partition key' },
          query: Type.Object({ consistent: Type.Optional(Type.String({ description: 'strongly consistent read' })) }),
        },
        responses: { 200: { description: 'The item', schema: Type.Object({ value: Type.Unknown() }, { $id: 'Item' }) }, 404: { description: 'No such item' } },
      },
    ];
    const custom = buildOpenApiDocument({ routes });
    expectValidOpenApi31(custom);
    const op = operationOf(custom, routes[0])!;
    expect(op.operationId).toBe('getV1ItemsByPartitionKeyBySortKey');
    expect(op.parameters).toEqual([
      { name: 'partitionKey', in: 'path', required: true, schema: { type: 'string' }, description: 'The partition key' },
      { name: 'sortKey', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'consistent', in: 'query', required: false, schema: { type: 'string' }, description: 'strongly consistent read' },
    ]);
    expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Item' });
    expect(op.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(op.requestBody).toBeUndefined();
  });

  it('refuses two routes with the same method and path', () => {
    const route = ROUTES[0];
    expect(() => buildOpenApiDocument({ routes: [route, { ...route, functionName: 'other' }] })).toThrow(/defined twice/);
  });

  it('refuses two different schemas under one $id', () => {
    const a = { ...ROUTES[0], request: { body: Type.Object({ a: Type.String() }, { $id: 'Same' }) } };
    const b = { ...ROUTES[0], path: '/v1/other', request: { body: Type.Object({ b: Type.String() }, { $id: 'Same' }) } };
    expect(() => buildOpenApiDocument({ routes: [a, b] })).toThrow(/\$id "Same"/);
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves the document as JSON', async () => {
    const res = await openApiHandler(apiGatewayEvent('GET', '/v1/openapi.json'), lambdaContext('openapi'));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(res.body as string)).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('documents the server the request came in on (its Host header), a plain host[:port] only', async () => {
    const get = async (host: string) =>
      JSON.parse((await openApiHandler(apiGatewayEvent('GET', '/v1/openapi.json', { headers: { host } }), lambdaContext('openapi'))).body as string) as OpenApiDocument;
    expect((await get('127.0.0.1:39217')).servers).toEqual([{ url: 'http://127.0.0.1:39217', description: 'Local platform (fluxio serve)' }]);
    expect((await get('[::1]:8080')).servers[0].url).toBe('http://[::1]:8080');
    expect((await get('evil.example/x?<script>')).servers[0].url).toBe('http://127.0.0.1:4510');
  });
});
