/**
 * Routes are defined once (shared/src/routes.ts) and serverless.yml must not
 * drift from them (DESIGN.md §2): same method, path and function, IAM auth on
 * every deployed route, no extra routes.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '@fluxio/contracts/routes';
import { serverlessHttpRoutes } from './helpers/serverlessYml.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const declared = serverlessHttpRoutes(`${root}/serverless.yml`);
const deployed = ROUTES.filter((r) => !r.localOnly);
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('ROUTES and serverless.yml', () => {
  it('declare the same deployed routes, each served by the same function', () => {
    const fromRoutes = deployed.map((r) => `${key(r)} -> ${r.functionName}`).sort();
    const fromYml = declared.map((r) => `${key(r)} -> ${r.functionName}`).sort();
    expect(fromYml).toEqual(fromRoutes);
  });

  it('protect every deployed route with IAM auth (authorizer type aws_iam)', () => {
    const open = declared.filter((r) => r.authorizerType !== 'aws_iam').map(key);
    expect(open).toEqual([]);
  });

  it('point each function at the handler module and export named in ROUTES', () => {
    for (const route of deployed) {
      const fn = declared.find((d) => d.functionName === route.functionName);
      expect(fn, `${key(route)}: serverless.yml has no function '${route.functionName}'`).toBeDefined();
      expect(fn!.handler, key(route)).toBe(`${route.module.replace(/\.ts$/, '')}.${route.exportName}`);
    }
  });

  it('list no local-only route in serverless.yml', () => {
    const localOnly = new Set(ROUTES.filter((r) => r.localOnly).map(key));
    expect(declared.map(key).filter((k) => localOnly.has(k))).toEqual([]);
  });

  it('name route handler modules that exist and export a function', async () => {
    for (const route of ROUTES) {
      const file = `${root}/${route.module}`;
      expect(existsSync(file), route.module).toBe(true);
      const mod = await import(file);
      expect(typeof mod[route.exportName], `${route.module} export ${route.exportName}`).toBe('function');
    }
  });

  it('define each method + path once', () => {
    const keys = ROUTES.map(key);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});
