/**
 * `npx tsx scripts/bench-http-edge.ts [N]`: what the shared HTTP edge's
 * Powertools middlewares (shared/src/observability.ts) cost per request.
 *
 * Invokes the same route N times (default 20,000) as a bare middy handler
 * (the edge before Powertools) and through `withObservability`, first as on
 * the local platform (logger only, quiet), then — in a child process with the
 * Lambda environment variables set — as on Lambda (logger + EMF metrics per
 * invocation; the X-Ray tracer is disabled because no daemon runs here, so its
 * segment cost is not measured). Prints one JSON line per mode:
 * `{"bench":"http-edge","mode","n","bareUsPerRequest","edgeUsPerRequest","overheadUsPerRequest"}`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const n = Number(process.argv[2] ?? 20_000);
const mode = process.env.BENCH_HTTP_EDGE_MODE ?? 'local';

if (mode === 'local' && !process.env.BENCH_HTTP_EDGE_CHILD) {
  // Lambda mode in a child: the Powertools singletons read the environment at import.
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(n)], {
    env: {
      ...process.env,
      BENCH_HTTP_EDGE_MODE: 'lambda',
      BENCH_HTTP_EDGE_CHILD: '1',
      AWS_LAMBDA_FUNCTION_NAME: 'fluxio-bench-health',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      POWERTOOLS_TRACE_ENABLED: 'false',
    },
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const emf = child.stdout.split('\n').filter((l) => l.startsWith('{"_aws"')).length;
  for (const line of child.stdout.split('\n')) if (line.startsWith('{"bench"')) console.log(line.replace(/}$/, `,"emfLines":${emf}}`));
  if (child.status !== 0) console.error(child.stderr);
}

const middy = (await import('@middy/core')).default;
const { withObservability } = await import('../shared/src/observability.ts');
const { apiGatewayEvent, lambdaContext } = await import('../test/helpers/apiGatewayEvent.ts');

const route = async (_event: import('aws-lambda').APIGatewayProxyEventV2, _context: import('aws-lambda').Context): Promise<import('aws-lambda').APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"status":"ok"}',
});
const bare = middy(route);
const edge = withObservability(middy(route));
const event = apiGatewayEvent('GET', '/v1/health', { headers: { 'x-correlation-id': 'bench' } });
const context = lambdaContext('fluxio-bench-health');

const time = async (h: (e: typeof event, c: typeof context) => Promise<unknown>) => {
  for (let i = 0; i < 2000; i++) await h(event, context); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await h(event, context);
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
};
// Interleave twice to even out JIT and GC effects; keep the faster of each.
const bareUs = Math.min(await time(bare), await time(bare));
const edgeUs = Math.min(await time(edge), await time(edge));
const line = { bench: 'http-edge', mode, n, bareUsPerRequest: +bareUs.toFixed(2), edgeUsPerRequest: +edgeUs.toFixed(2), overheadUsPerRequest: +(edgeUs - bareUs).toFixed(2) };
if (mode === 'lambda') process.stdout.write(JSON.stringify(line) + '\n');
else console.log(JSON.stringify(line));
