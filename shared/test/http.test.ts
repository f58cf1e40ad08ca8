/**
 * The shared HTTP edge (jsonHandler): bodies are decoded strictly as UTF-8 on
 * every JSON route, errors carry the standard body, correlation ids come from
 * the request, and the health handler answers.
 */
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { jsonHandler, decodeUtf8Body } from '../src/http.ts';
import { correlationIdOf } from '../src/observability.ts';
import { handler as healthHandler, setLocalHealth } from '../src/health.ts';
import { API_VERSION } from '../src/version.ts';
import { apiGatewayEvent, lambdaContext } from '../../test/helpers/apiGatewayEvent.ts';

const echo = jsonHandler({ bodySchema: Type.Object({ text: Type.String() }) }, async ({ body }) => ({ body: { text: body.text } }));
const invalidUtf8 = Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);

describe('jsonHandler body decoding', () => {
  it('answers 400 Request.InvalidUtf8 (never a lossy decode) for a body that is not UTF-8, passed base64-encoded', async () => {
    const event = { ...apiGatewayEvent('POST', '/x'), body: invalidUtf8.toString('base64'), isBase64Encoded: true };
    const res = await echo(event, lambdaContext());
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body as string);
    expect(body.error.code).toBe('Request.InvalidUtf8');
    expect(body.error.message).toMatch(/UTF-8/);
    expect(body.error.details).toEqual({ nearByte: 12 });
  });

  it('accepts valid UTF-8, base64-encoded or as text, with the characters intact', async () => {
    const text = JSON.stringify({ text: 'café € 😀' });
    for (const event of [
      apiGatewayEvent('POST', '/x', { body: text }),
      apiGatewayEvent('POST', '/x', { body: text, base64: true }),
    ]) {
      const res = await echo(event, lambdaContext());
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body as string)).toEqual({ text: 'café € 😀' });
    }
  });

  it('locates the first invalid byte, also across its 4 KiB chunks and for a truncated last character', () => {
    const at = (buf: Buffer) => {
      try {
        decodeUtf8Body(buf);
        return undefined;
      } catch (e) {
        return (e as { details: { nearByte: number } }).details.nearByte;
      }
    };
    expect(at(Buffer.from([0x7b, 0xff]))).toBe(1);
    expect(at(Buffer.concat([Buffer.from('x'.repeat(4094)), Buffer.from([0xe2, 0x82, 0x41])]))).toBe(4094);
    expect(at(Buffer.concat([Buffer.from('é'.repeat(3000)), Buffer.from([0xc3])]))).toBe(6000);
    expect(at(Buffer.from('ok €'))).toBeUndefined();
  });

  it('still answers 400 Request.MalformedJson for UTF-8 that is not JSON', async () => {
    const res = await echo(apiGatewayEvent('POST', '/x', { body: '{"text": ' }), lambdaContext());
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string).error.code).toBe('Request.MalformedJson');
  });
});

describe('correlation ids', () => {
  const event = (headers: Record<string, string>) => apiGatewayEvent('GET', '/v1/health', { headers });

  it('come from x-correlation-id, else a traceparent trace id, else the API Gateway request id', () => {
    expect(correlationIdOf(event({ 'x-correlation-id': 'abc-123' }))).toBe('abc-123');
    expect(correlationIdOf(event({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }))).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const plain = event({});
    expect(correlationIdOf(plain)).toBe(plain.requestContext.requestId);
    expect(correlationIdOf(event({ 'x-correlation-id': 'x'.repeat(500) }))).toMatch(/^test-/);
    expect(correlationIdOf(event({ 'x-correlation-id': 'bad\nline' }))).toMatch(/^test-/);
    expect(correlationIdOf(event({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }))).toMatch(/^test-/);
  });

  it('are echoed in the x-correlation-id response header', async () => {
    const res = await healthHandler(event({ 'x-correlation-id': 'run-42' }), lambdaContext());
    expect(res.headers?.['x-correlation-id']).toBe('run-42');
  });
});

describe('GET /v1/health handler', () => {
  it('answers {"status":"ok","version"} and, on the local platform, what is running', async () => {
    const res = await healthHandler(apiGatewayEvent('GET', '/v1/health'), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toEqual({ status: 'ok', version: API_VERSION });
    setLocalHealth(() => ({ dataDir: '/tmp/d', pid: 1, uptimeSeconds: 2, workers: 3 }));
    try {
      const local = JSON.parse((await healthHandler(apiGatewayEvent('GET', '/v1/health'), lambdaContext())).body as string);
      expect(local).toMatchObject({ status: 'ok', local: { dataDir: '/tmp/d', workers: 3 } });
    } finally {
      setLocalHealth(undefined);
    }
  });
});

describe('structured error logs (Powertools logger)', () => {
  it('log an unhandled error once as a JSON line with the correlation id, route and the execution trace id, and answer the standard 500 body', async () => {
    const failing = jsonHandler({ bodySchema: Type.Object({ input: Type.Unknown() }) }, async () => {
      throw new Error('boom');
    });
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const writeOut = process.stdout.write.bind(process.stdout);
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    process.stderr.write = capture as typeof process.stderr.write;
    process.stdout.write = capture as typeof process.stdout.write;
    let res;
    try {
      const event = apiGatewayEvent('POST', '/v1/runs', { body: { input: { __trace: { id: 'exec-42', source: 'direct' } } }, headers: { 'x-correlation-id': 'corr-7' } });
      res = await failing(event, lambdaContext('fluxio-test'));
    } finally {
      process.stderr.write = write;
      process.stdout.write = writeOut;
    }
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body as string).error).toEqual({ code: 'Internal', message: expect.stringMatching(/Retry/) });
    const logged = lines.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'ERROR',
      message: 'Unhandled error',
      service: 'fluxio',
      correlation_id: 'corr-7',
      fluxioTraceId: 'exec-42',
      routeKey: 'POST /v1/runs',
      function_name: 'fluxio-test',
      error: { name: 'Error', message: 'boom' },
    });
  });

  it('print nothing for a request that succeeds or is refused with a 4xx (quiet by default off Lambda)', async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const writeOut = process.stdout.write.bind(process.stdout);
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    process.stderr.write = capture as typeof process.stderr.write;
    process.stdout.write = capture as typeof process.stdout.write;
    try {
      await echo(apiGatewayEvent('POST', '/x', { body: { text: 'ok' } }), lambdaContext());
      await echo(apiGatewayEvent('POST', '/x', { body: '{' }), lambdaContext());
    } finally {
      process.stderr.write = write;
      process.stdout.write = writeOut;
    }
    expect(lines).toEqual([]);
  });
});
