import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Value } from '@sinclair/typebox/value';
import { CompileFailedSchema, COMPILE_MAX_BODY_BYTES, ManifestSchema } from '@fluxio/contracts/schemas/compile';
import { ErrorBodySchema } from '@fluxio/contracts/schemas/error';
import { handler } from '../../src/handlers/compile.ts';
import { apiGatewayEvent, lambdaContext } from '../../../../test/helpers/apiGatewayEvent.ts';

const GREETER = readFileSync(new URL('../../../../cli/test/fixtures/greeter/project.py', import.meta.url), 'utf8');
const BROKEN = readFileSync(new URL('../../../../cli/test/fixtures/broken/project.py', import.meta.url), 'utf8');

async function post(body: unknown, options: { base64?: boolean } = {}) {
  const res = await handler(apiGatewayEvent('POST', '/v1/compile', { body, ...options }), lambdaContext('compile'));
  expect(res.headers?.['content-type']).toBe('application/json');
  return { status: res.statusCode, body: JSON.parse(res.body as string) };
}

describe('POST /v1/compile', () => {
  it('200: returns the manifest of a valid project, named after "project"', async () => {
    const res = await post({ source: GREETER, project: 'greeter-api' });
    expect(res.status).toBe(200);
    expect(Value.Check(ManifestSchema, res.body)).toBe(true);
    expect(res.body.project).toBe('greeter-api');
    expect(Object.keys(res.body.stateMachines).sort()).toEqual(['greet_one', 'main']);
    const main = res.body.stateMachines.main;
    expect(main.definition.States[main.definition.StartAt]).toBeDefined();
    expect(main.states.Greet).toMatchObject({ kind: 'Task', task: 'Greet' });
    expect(Object.keys(res.body.tasks).sort()).toEqual(['Greet', 'Shout']);
    expect(res.body.tasks.Shout.attributes.timeout).toBe(60);
  });

  it('200: defaults the project name to "project"', async () => {
    const res = await post({ source: GREETER });
    expect(res.status).toBe(200);
    expect(res.body.project).toBe('project');
  });

  it('200: accepts a base64-encoded body (API Gateway does this for non-text content types)', async () => {
    const res = await post({ source: GREETER, project: 'b64' }, { base64: true });
    expect(res.status).toBe(200);
    expect(res.body.project).toBe('b64');
  });

  it('422: 20,000 errors give the first 100 with the total count, and the message says how many were left out', async () => {
    const res = await post({ source: 'def main(data):\n' + '    foo()\n'.repeat(20_000) });
    expect(res.status).toBe(422);
    expect(Value.Check(CompileFailedSchema, res.body)).toBe(true);
    const { errors, totalErrors } = res.body.error.details;
    expect(totalErrors).toBe(20_000);
    expect(errors).toHaveLength(100);
    expect(errors[0]).toMatchObject({ code: 'DSL.UnknownName', line: 2 });
    expect(errors[99].line).toBe(101);
    expect(res.body.error.message).toContain('20000 compile errors');
    expect(res.body.error.message).toContain('19900 more are left out');
    expect(JSON.stringify(res.body).length).toBeLessThan(100_000); // was 7.1 MB
  });

  it('422: returns every compile error with its source range', async () => {
    const res = await post({ source: BROKEN, project: 'broken' });
    expect(res.status).toBe(422);
    expect(Value.Check(CompileFailedSchema, res.body)).toBe(true);
    expect(res.body.error.code).toBe('Compile.Failed');
    const errors = res.body.error.details.errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(res.body.error.details.totalErrors).toBe(errors.length);
    const first = errors[0];
    expect(res.body.error.message).toContain(`line ${first.line}, column ${first.column}`);
    expect(res.body.error.message).toContain(first.code);
    for (const e of errors) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(BROKEN.split('\n').length);
      expect(e.endLine).toBeGreaterThanOrEqual(e.line);
    }
  });

  it('400: a body that is not JSON', async () => {
    const res = await post('{"source": "def main(data):');
    expect(res.status).toBe(400);
    expect(Value.Check(ErrorBodySchema, res.body)).toBe(true);
    expect(res.body.error.code).toBe('Request.MalformedJson');
  });

  it('400: an empty body', async () => {
    const res = await handler(apiGatewayEvent('POST', '/v1/compile'), lambdaContext('compile'));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string).error.code).toBe('Request.MalformedJson');
  });

  it.each([
    ['missing source', { project: 'x' }, '/source'],
    ['source not a string', { source: 42 }, '/source'],
    ['an unknown field', { source: GREETER, sourcefile: 'project.py' }, '/sourcefile'],
    ['an invalid project name', { source: GREETER, project: 'has spaces' }, '/project'],
    ['a JSON array', [GREETER], '/'],
  ])('400: %s, naming the failing path', async (_name, body, path) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request.Invalid');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('413: a body above the 1 MiB limit, saying what to do instead', async () => {
    const source = '#'.repeat(COMPILE_MAX_BODY_BYTES);
    const res = await post({ source });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('Request.TooLarge');
    expect(res.body.error.message).toMatch(/Split the workflow into several projects/);
    expect(res.body.error.details.limitBytes).toBe(COMPILE_MAX_BODY_BYTES);
  });

  it('just under the limit: a large file is compiled (200 or 422), never refused with 413 or 5xx', async () => {
    const source = '#'.repeat(COMPILE_MAX_BODY_BYTES - 100) + '\n';
    const res = await post({ source });
    expect([200, 422]).toContain(res.status);
  });

  it('never answers 5xx, whatever the body (seeded property test)', async () => {
    const lines = GREETER.split('\n');
    const mutatedSource = fc
      .array(fc.tuple(fc.nat(lines.length - 1), fc.nat(lines.length - 1), fc.string()), { maxLength: 5 })
      .map((edits) => {
        const copy = [...lines];
        for (const [i, j, text] of edits) [copy[i], copy[j]] = [copy[j] + text, copy[i]];
        return copy.join('\n');
      });
    const body = fc.oneof(
      fc.string(), // not JSON, mostly
      fc.json(), // JSON of any shape
      fc.record({ source: mutatedSource, project: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ['source'] }).map((b) => JSON.stringify(b)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await handler(apiGatewayEvent('POST', '/v1/compile', { body: text }), lambdaContext('compile'));
        expect([200, 400, 422]).toContain(res.statusCode);
        const parsed = JSON.parse(res.body as string);
        if (res.statusCode === 200) expect(Value.Check(ManifestSchema, parsed)).toBe(true);
        else expect(Value.Check(ErrorBodySchema, parsed)).toBe(true);
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });
});
