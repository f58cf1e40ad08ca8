/**
 * Reads the HTTP routes `serverless.yml` declares (functions → events →
 * httpApi), so tests can hold them equal to shared/src/routes.ts.
 */
import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

/** CloudFormation intrinsic-function short forms (`!Ref x` → `{Ref: x}`, `!GetAtt a.b` → `{'Fn::GetAtt': [a, b]}`). */
const INTRINSICS = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs'];

export const CLOUDFORMATION_TAGS: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const fromScalar = (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value });
  return [
    { tag: `!${name}`, resolve: fromScalar } as ScalarTag,
    { tag: `!${name}`, collection: 'seq', resolve: (seq: any) => ({ [key]: seq.toJSON() }) } as unknown as CollectionTag,
  ];
});

/** Parses serverless.yml, CloudFormation short-form tags included. */
export const parseServerlessYml = (text: string): any => parse(text, { customTags: CLOUDFORMATION_TAGS });

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
  const doc = parseServerlessYml(readFileSync(path, 'utf8')) as { functions?: Record<string, { handler: string; events?: Array<Record<string, any>> }> };
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
