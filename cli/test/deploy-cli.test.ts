/**
 * `fluxio deploy`, `deployments`, `rollback` and `destroy` against a test
 * server on 127.0.0.1 that speaks the deployer contract
 * (/tmp/deployer-contract.md → shared/src/schemas/deployments.ts): what the
 * CLI sends (the bundle's bytes through the presigned URL, SigV4 when it
 * signs), what it prints (each step as it is recorded, the alias ARN, compile
 * errors with a code frame) and its exit codes. The same commands against the
 * real local platform: cli/test/deploy.test.ts.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signerForPlatformUrl } from '@fluxio/contracts/deployerClient';
import { isLoopbackUrl, regionOfExecuteApiUrl } from '@fluxio/contracts/platformHttp';
import { main } from '../src/main.ts';
import { startExecutionCommand } from '../src/platformCommand.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:fluxio-local-shop-main';
const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:fluxio-local-shop-Price';
const record = (over: Record<string, unknown> = {}) => ({
  project: 'shop',
  deploymentId: 'd-0000000001abcdef',
  status: 'SUCCEEDED',
  kind: 'deploy',
  stage: 'local',
  createdAt: '2026-12-01T08:00:00.000Z',
  finishedAt: '2026-12-01T08:00:01.500Z',
  stateMachines: { main: { stateMachineArn: ARN, versionArn: `${ARN}:3`, aliasArn: `${ARN}:live` } },
  functions: { Price: { functionArn: FN_ARN, version: '2', codeSha256: 'c'.repeat(64) } },
  triggers: { schedules: [{ stateMachine: 'main', expression: 'rate(1 hour)', inputData: {} }], subscriptions: [], active: false, note: 'the trigger service is not built yet' },
  steps: [
    { name: 'compile', status: 'DONE', at: '2026-12-01T08:00:00.100Z' },
    { name: 'function:Price', status: 'DONE', at: '2026-12-01T08:00:00.800Z', detail: 'published version 2' },
    { name: 'stateMachine:main', status: 'DONE', at: '2026-12-01T08:00:01.200Z' },
    { name: 'alias:main', status: 'DONE', at: '2026-12-01T08:00:01.400Z' },
  ],
  ...over,
});

/** What the next POST /deployments answers. */
let scenario: 'done' | 'accepted' | 'compile-error' | 'in-progress' | 'failed' = 'done';
let seen: Seen[] = [];
const uploads = new Map<string, Buffer>();
let polls = 0;
let server: Server;
let base: string;

function send(res: import('node:http').ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const url = new URL(req.url!, base);
    const json = () => JSON.parse(body.toString() || '{}');
    let m: RegExpExecArray | null;
    if (req.method === 'PUT' && (m = /^\/upload\/([0-9a-f]{64})$/.exec(url.pathname))) {
      const sha = createHash('sha256').update(body).digest('hex');
      if (sha !== m[1]) return send(res, 400, { error: { code: 'Upload.BadDigest', message: 'sha256 mismatch' } });
      uploads.set(sha, body);
      return res.writeHead(200).end();
    }
    if (req.method === 'POST' && (m = /^\/v1\/projects\/([^/]+)\/bundles\/upload-url$/.exec(url.pathname))) {
      const b = json();
      if (b.sizeBytes > 50 * 1024 * 1024) return send(res, 413, { error: { code: 'Deploy.BundleTooLarge', message: 'too large' } });
      if (uploads.has(b.sha256)) return send(res, 200, { bundle: b, exists: true });
      return send(res, 200, { bundle: b, url: `${base}/upload/${b.sha256}`, method: 'PUT', headers: { 'content-type': 'application/zip' }, expiresAt: 1 });
    }
    if (req.method === 'POST' && /^\/v1\/projects\/shop\/deployments$/.test(url.pathname)) {
      if (!uploads.has(json().bundle?.sha256)) return send(res, 404, { error: { code: 'Deploy.BundleNotFound', message: 'upload the bundle first' } });
      if (url.searchParams.get('dryRun') === 'true')
        return send(res, 200, { plan: { create: ['function:Price', 'stateMachine:main', 'alias:main'], update: [], publish: ['function:Price'], delete: [], unchanged: [] } });
      if (scenario === 'accepted') {
        polls = 0;
        return send(res, 202, { deploymentId: 'd-0000000001abcdef', status: 'IN_PROGRESS', links: { self: '/v1/projects/shop/deployments/d-0000000001abcdef' } });
      }
      if (scenario === 'compile-error')
        return send(res, 422, {
          error: {
            code: 'Compile.Failed',
            message: 'project.py does not compile: 1 error',
            details: { errors: [{ code: 'Syntax', message: "expected ':'", line: 7, column: 15, endLine: 7, endColumn: 16 }] },
          },
        });
      if (scenario === 'in-progress') return send(res, 409, { error: { code: 'Deploy.InProgress', message: 'Deployment d-0000000000running of shop is in progress; retry when it has finished.' } });
      if (scenario === 'failed')
        return send(res, 201, record({ status: 'FAILED', error: { code: 'Deploy.TaskServiceRefused', message: 'Task Build runs on codebuild: not deployable to AWS yet' }, steps: [] }));
      return send(res, 201, record());
    }
    if (req.method === 'GET' && url.pathname === '/v1/projects/shop/deployments/d-0000000001abcdef') {
      polls++;
      const all = record().steps;
      const n = Math.min(polls, all.length);
      return send(res, 200, record({ status: n < all.length ? 'IN_PROGRESS' : 'SUCCEEDED', steps: all.slice(0, n), ...(n < all.length ? { finishedAt: undefined } : {}) }));
    }
    if (req.method === 'GET' && url.pathname === '/v1/projects/shop/deployments')
      return send(res, 200, { deployments: [record({ deploymentId: 'd-0000000002abcdef', kind: 'rollback', rolledBackTo: 'd-0000000000abcdef' }), record()] });
    if (req.method === 'GET' && url.pathname === '/v1/projects/shop') return send(res, 200, { project: 'shop', currentDeployment: record({ deploymentId: 'd-0000000002abcdef' }), stateMachines: {} });
    if (req.method === 'GET' && url.pathname === '/v1/projects/empty/deployments') return send(res, 200, { deployments: [] });
    if (req.method === 'GET' && url.pathname === '/v1/projects/empty') return send(res, 200, { project: 'empty', currentDeployment: null, stateMachines: {} });
    if (req.method === 'POST' && url.pathname === '/v1/projects/shop/rollback') {
      const to = json().toDeploymentId;
      if (to === 'd-9999999999999999') return send(res, 404, { error: { code: 'Deploy.NotFound', message: `No deployment ${to} of shop.` } });
      return send(res, 201, record({ deploymentId: 'd-0000000003abcdef', kind: 'rollback', rolledBackTo: to ?? 'd-0000000000abcdef' }));
    }
    if (req.method === 'DELETE' && url.pathname === '/v1/projects/shop') return send(res, 200, record({ deploymentId: 'd-0000000004abcdef', kind: 'destroy', status: 'DESTROYED' }));
    send(res, 404, { error: { code: 'Test.NoRoute', message: `${req.method} ${req.url}` } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  seen = [];
  uploads.clear();
  scenario = 'done';
});

const SOURCE = 'from pricing.rules import price\n\nclass Price(Task):\n    def run(self, data):\n        return price(data)\n\ndef main(data)\n    return Price()(data)\n';

/** A project directory `shop/` with project.py and a package beside it. */
function project(source = SOURCE): string {
  const root = mkdtempSync(join(tmpdir(), 'fluxio-deploy-cli-'));
  dirs.push(root);
  const dir = join(root, 'shop');
  mkdirSync(join(dir, 'pricing'), { recursive: true });
  writeFileSync(join(dir, 'project.py'), source);
  writeFileSync(join(dir, 'pricing', '__init__.py'), '');
  writeFileSync(join(dir, 'pricing', 'rules.py'), 'def price(data):\n    return 1\n');
  return dir;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

/** Runs `fluxio ...argv` in this process. */
async function fluxio(argv: string[], options: { stdin?: NodeJS.ReadableStream; tty?: boolean } = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  if (options.tty) (stderr as unknown as { isTTY: boolean }).isTTY = true;
  const code = await main(argv, { stdout, stderr, cwd: tmpdir(), stdin: options.stdin });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const api = () => seen.filter((s) => s.url.startsWith('/v1/'));

describe('fluxio deploy DIR', () => {
  it('uploads the bundle through the presigned URL, deploys, prints the steps, the alias ARN first and the command to try; exit 0', async () => {
    const dir = project();
    const res = await fluxio(['deploy', dir, '--url', base]);
    expect(res.code).toBe(0);
    const put = seen.find((s) => s.method === 'PUT')!;
    expect(put.url).toMatch(/^\/upload\/[0-9a-f]{64}$/);
    expect(put.headers['content-type']).toBe('application/zip');
    expect(Object.keys(unzipSync(new Uint8Array(put.body)))).toEqual(['pricing/__init__.py', 'pricing/rules.py', 'project.py']);
    const deploy = api().find((s) => s.method === 'POST' && s.url === '/v1/projects/shop/deployments')!;
    expect(JSON.parse(deploy.body.toString())).toEqual({ bundle: { sha256: put.url.slice(8), sizeBytes: put.body.length } });
    expect(res.stderr).toMatch(/Bundled 3 files/);
    expect(res.stderr).toMatch(/✓ compile\n {2}✓ function:Price {2}\(published version 2\)\n {2}✓ stateMachine:main\n {2}✓ alias:main\n/);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toBe('Deployed shop: deployment d-0000000001abcdef SUCCEEDED in 1.5 s (stage local)');
    const main = lines.indexOf('  main');
    expect(lines[main + 1]).toBe(`    alias          ${ARN}:live`);
    expect(lines[main + 2]).toBe(`    version        ${ARN}:3`);
    expect(res.stdout).toContain(`Price  ${FN_ARN}  version 2`);
    expect(res.stdout).toMatch(/Triggers: 1 schedule, 0 subscriptions recorded, not active yet/);
    expect(res.stdout).toContain(`aws stepfunctions start-execution --state-machine-arn ${ARN}:live --input '{}' --region us-east-1 --endpoint-url ${base}`);
    // Not signed: the URL is loopback.
    expect(api().every((s) => s.headers.authorization === undefined)).toBe(true);
  });

  it('does not upload an unchanged bundle again (the platform holds it)', async () => {
    const dir = project();
    expect((await fluxio(['deploy', dir, '--url', base])).code).toBe(0);
    seen = [];
    const again = await fluxio(['deploy', dir, '--url', base]);
    expect(again.code).toBe(0);
    expect(seen.filter((s) => s.method === 'PUT')).toEqual([]);
    expect(again.stderr).toMatch(/already holds this bundle/);
  });

  it('follows a deployment accepted with 202, printing each step as it is recorded', async () => {
    scenario = 'accepted';
    const res = await fluxio(['deploy', project(), '--url', base]);
    expect(res.code).toBe(0);
    expect(polls).toBe(4);
    expect(res.stderr.match(/✓ /g)).toHaveLength(4); // each step once, though every poll returns all so far
    expect(res.stdout).toMatch(/SUCCEEDED/);
  });

  it('--json prints the deployment record', async () => {
    const res = await fluxio(['deploy', project(), '--url', base, '--json']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toMatchObject({ project: 'shop', deploymentId: 'd-0000000001abcdef', status: 'SUCCEEDED', stateMachines: { main: { aliasArn: `${ARN}:live` } } });
  });

  it('--plan prints what would change and deploys nothing', async () => {
    const res = await fluxio(['deploy', project(), '--url', base, '--plan']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Plan for shop \(nothing changed\):\n {2}create {4}function:Price, stateMachine:main, alias:main\n {2}update {4}-\n {2}publish {3}function:Price/);
    expect(api().filter((s) => s.url === '/v1/projects/shop/deployments')).toEqual([]);
    expect(api().filter((s) => s.url === '/v1/projects/shop/deployments?dryRun=true')).toHaveLength(1);
  });

  it('prints compile errors like fluxio compile (with the code frame) and exits 1', async () => {
    scenario = 'compile-error';
    const res = await fluxio(['deploy', project(), '--url', base]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/project\.py:7:15 error Syntax: expected ':'/);
    expect(res.stderr).toContain('def main(data)');
    expect(res.stderr).toMatch(/1 error: .*project\.py was not compiled, nothing was deployed\./);
    const json = await fluxio(['deploy', project(), '--url', base, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'Compile.Failed', details: { errors: [{ line: 7 }] } });
  });

  it('exits 1 when another deployment is in progress (409) or the deployment failed', async () => {
    scenario = 'in-progress';
    const busy = await fluxio(['deploy', project(), '--url', base]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/error Deploy\.InProgress: Deployment d-0000000000running of shop is in progress/);
    scenario = 'failed';
    const failed = await fluxio(['deploy', project(), '--url', base]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Deploy FAILED: shop: deployment d-0000000001abcdef FAILED/);
    expect(failed.stderr).toMatch(/error Deploy\.TaskServiceRefused: Task Build runs on codebuild/);
  });

  it('exits 1 with a hint when the platform is not running', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const res = await fluxio(['deploy', project(), '--url', `http://127.0.0.1:${port}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/error Client\.Network: .*ECONNREFUSED.*fluxio serve/);
  });

  it('usage errors exit 2: no DIR, a directory without project.py, a bad --url, a bad --project', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fluxio-deploy-empty-'));
    dirs.push(empty);
    const cases: Array<[string[], RegExp]> = [
      [['deploy'], /missing DIR/],
      [['deploy', empty, '--url', base], /has no project\.py/],
      [['deploy', project(), '--url', 'ftp://x'], /not an http\(s\) URL/],
      [['deploy', project(), '--url', 'nope'], /is not a URL/],
      [['deploy', project(), '--project', '9lives', '--url', base], /not a valid project name/],
      [['deploy', project(), '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const res = await fluxio(argv);
      expect(res.code, argv.join(' ')).toBe(2);
      expect(res.stderr, argv.join(' ')).toMatch(message);
    }
    expect(api()).toEqual([]);
  });

  it('a non-loopback URL without a region is a usage error before anything is sent', async () => {
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const res = await fluxio(['deployments', 'shop', '--url', 'https://fluxio.example.com']);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/no region.*set AWS_REGION/);
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
    }
  });
});

describe('SigV4 signing', () => {
  const CREDS = { AWS_ACCESS_KEY_ID: 'AKIDFLUXIOTEST', AWS_SECRET_ACCESS_KEY: 'fluxio-test-secret', AWS_REGION: 'eu-west-1' };
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE'].map((k) => [k, process.env[k]]));
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    Object.assign(process.env, CREDS);
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });

  /** Recomputes the signature of a received request from its own method, path, query, signed headers and body. */
  async function verify(s: Seen): Promise<void> {
    const auth = String(s.headers.authorization);
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
    expect(m, auth).not.toBeNull();
    const [, keyId, , region, service, signedHeaders, signature] = m!;
    expect({ keyId, region, service }).toEqual({ keyId: CREDS.AWS_ACCESS_KEY_ID, region: 'eu-west-1', service: 'execute-api' });
    expect(signedHeaders!.split(';')).toContain('host');
    const url = new URL(s.url, base);
    const headers: Record<string, string> = {};
    for (const h of signedHeaders!.split(';')) headers[h] = String(s.headers[h]);
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', sha256: Sha256, credentials: { accessKeyId: CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDS.AWS_SECRET_ACCESS_KEY } });
    const amzDate = String(s.headers['x-amz-date']);
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const again = await signer.sign(
      { method: s.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: s.body.length ? s.body.toString() : undefined },
      { signingDate },
    );
    expect(String(again.headers.authorization)).toMatch(new RegExp(`Signature=${signature}$`));
  }

  it('--sign signs every API request (execute-api, region from AWS_REGION, credentials from the default chain) and the signature matches what was sent', async () => {
    const res = await fluxio(['deploy', project(), '--url', base, '--sign', '--plan']);
    expect(res.code).toBe(0);
    const calls = api();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /v1/projects/shop/bundles/upload-url', 'POST /v1/projects/shop/deployments?dryRun=true']);
    for (const c of calls) await verify(c);
    // The presigned upload carries its own authorisation: never the CLI's credentials.
    expect(seen.find((s) => s.method === 'PUT')!.headers.authorization).toBeUndefined();
  });

  it('signs GET and DELETE requests too (deployments, destroy --yes)', async () => {
    expect((await fluxio(['deployments', 'shop', '--url', base, '--sign'])).code).toBe(0);
    expect((await fluxio(['destroy', 'shop', '--yes', '--url', base, '--sign'])).code).toBe(0);
    const calls = api();
    expect(calls.map((c) => c.method).sort()).toEqual(['DELETE', 'GET', 'GET']);
    for (const c of calls) await verify(c);
  });

  it('decides by URL: loopback unsigned, execute-api hosts signed in their own region', () => {
    expect(isLoopbackUrl('http://127.0.0.1:4510')).toBe(true);
    expect(isLoopbackUrl('http://localhost:4510')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:4510')).toBe(true);
    expect(isLoopbackUrl('https://abc123.execute-api.eu-west-1.amazonaws.com')).toBe(false);
    expect(regionOfExecuteApiUrl('https://abc123.execute-api.ap-southeast-2.amazonaws.com')).toBe('ap-southeast-2');
    expect(regionOfExecuteApiUrl('https://api.example.com')).toBeUndefined();
    expect(signerForPlatformUrl('http://127.0.0.1:4510').sign).toBeUndefined();
    const aws = signerForPlatformUrl('https://abc123.execute-api.ap-southeast-2.amazonaws.com', { env: { AWS_REGION: 'eu-west-1' } });
    expect(aws.region).toBe('ap-southeast-2');
    expect(aws.sign).toBeTypeOf('function');
    expect(signerForPlatformUrl('https://api.example.com', { env: { AWS_REGION: 'eu-west-1' } }).region).toBe('eu-west-1');
    // The command to try: against AWS no --endpoint-url, the region of the ARN.
    const alias = 'arn:aws:states:eu-west-1:123456789012:stateMachine:fluxio-prod-shop-main:live';
    expect(startExecutionCommand(alias, { url: 'https://abc123.execute-api.eu-west-1.amazonaws.com', signed: true, region: 'eu-west-1' })).toBe(
      `aws stepfunctions start-execution --state-machine-arn ${alias} --input '{}' --region eu-west-1`,
    );
  });
});

describe('fluxio deployments / rollback / destroy', () => {
  it('deployments lists newest first, marking the current one; --json prints the page; none is not an error', async () => {
    const res = await fluxio(['deployments', 'shop', '--url', base]);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+DEPLOYMENT\s+KIND\s+STATUS\s+CREATED\s+VERSIONS$/);
    expect(lines[1]).toMatch(/^\* {2}d-0000000002abcdef {2}rollback {2}SUCCEEDED .* main:3 \(from d-0000000000abcdef\)$/);
    expect(lines[2]).toMatch(/^ {3}d-0000000001abcdef {2}deploy/);
    const json = await fluxio(['deployments', 'shop', '--url', base, '--json']);
    expect(JSON.parse(json.stdout).deployments).toHaveLength(2);
    const none = await fluxio(['deployments', 'empty', '--url', base]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/No deployments of empty/);
  });

  it('rollback posts the target (or none: the previous deployment) and prints the record; an unknown target exits 1', async () => {
    const prev = await fluxio(['rollback', 'shop', '--url', base]);
    expect(prev.code).toBe(0);
    expect(prev.stdout).toMatch(/^Rolled back shop: deployment d-0000000003abcdef SUCCEEDED/);
    expect(prev.stdout).toMatch(/the aliases point at the versions of deployment d-0000000000abcdef again/);
    const to = await fluxio(['rollback', 'shop', '--to', 'd-0000000001abcdef', '--url', base, '--json']);
    expect(JSON.parse(to.stdout)).toMatchObject({ kind: 'rollback', rolledBackTo: 'd-0000000001abcdef' });
    expect(api().filter((s) => s.url.endsWith('/rollback')).map((s) => JSON.parse(s.body.toString()))).toEqual([{}, { toDeploymentId: 'd-0000000001abcdef' }]);
    const unknown = await fluxio(['rollback', 'shop', '--to', 'd-9999999999999999', '--url', base]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error Deploy\.NotFound: No deployment d-9999999999999999 of shop/);
    const bad = await fluxio(['rollback', 'shop', '--to', 'latest', '--url', base]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--to 'latest' is not a deployment id/);
  });

  it('destroy without --yes and without a terminal refuses (exit 2) and sends nothing', async () => {
    const res = await fluxio(['destroy', 'shop', '--url', base]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/pass --yes to confirm/);
    expect(api()).toEqual([]);
  });

  it('destroy on a terminal asks: "y" destroys, anything else destroys nothing (exit 1)', async () => {
    const tty = (answer: string) => {
      const stdin = new PassThrough();
      (stdin as unknown as { isTTY: boolean }).isTTY = true;
      setTimeout(() => stdin.write(answer), 20);
      return stdin;
    };
    const no = await fluxio(['destroy', 'shop', '--url', base], { stdin: tty('n\n'), tty: true });
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/Destroy shop at .*\? \[y\/N\] /);
    expect(no.stderr).toMatch(/Nothing destroyed/);
    expect(api()).toEqual([]);
    const yes = await fluxio(['destroy', 'shop', '--url', base], { stdin: tty('y\n'), tty: true });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/^Destroyed shop: deployment d-0000000004abcdef DESTROYED/);
    expect(api().map((s) => s.method)).toEqual(['DELETE']);
  });

  it('without --url the platform is FLUXIO_URL (and --url wins over it)', async () => {
    const saved = process.env.FLUXIO_URL;
    process.env.FLUXIO_URL = base;
    try {
      const res = await fluxio(['deployments', 'shop']);
      expect(res.code, res.stderr).toBe(0);
      expect(api().map((s) => s.url)).toEqual(['/v1/projects/shop/deployments', '/v1/projects/shop']);
      const wins = await fluxio(['deployments', 'shop', '--url', 'http://127.0.0.1:1']);
      expect(wins.code).toBe(1);
      expect(wins.stderr).toMatch(/127\.0\.0\.1:1\/v1\/projects\/shop/);
    } finally {
      if (saved === undefined) delete process.env.FLUXIO_URL;
      else process.env.FLUXIO_URL = saved;
    }
  });

  it('usage errors exit 2: no PROJECT, two, an invalid name', async () => {
    for (const argv of [['deployments'], ['rollback', 'a', 'b'], ['destroy', '9x', '--yes']]) {
      const res = await fluxio([...argv, '--url', base]);
      expect(res.code, argv.join(' ')).toBe(2);
    }
    expect(api()).toEqual([]);
  });
});
