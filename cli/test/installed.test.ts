/**
 * The `fluxio` CLI as a user installs it (README "Install the CLI"): packed
 * with `npm pack` in cli/ (its `prepack` builds the bundle,
 * scripts/build-cli.mjs), installed from the tarball into prefixes outside
 * this checkout, and run on a project in a temporary directory — no tsx, no
 * workspace packages, the Python runtime and the wasm grammar from the
 * installed package.
 *
 * Offline: the tarball has no dependencies but the two native optional ones
 * (better-sqlite3, classic-level), which an offline install with an empty
 * npm cache leaves out; the
 * commands that need them get this checkout's node_modules through NODE_PATH
 * (what the bundle's native loader documents). `fluxio compile` runs without.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runProcess, type CliResult } from '../../test/helpers.ts';

const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'fluxio-installed-')));
const globalPrefix = join(tmp, 'global');
const localPrefix = join(tmp, 'local');
const project = join(tmp, 'shop');
const NATIVE = { NODE_PATH: join(REPO_ROOT, 'node_modules') };

const PROJECT_PY = `"""Prices an order in a project outside the fluxio checkout."""


class PriceOrder(Task):
    async def run(event, context):
        import statistics

        lines = [item["price"] * item["qty"] for item in event["items"]]
        return {"total": sum(lines), "median": statistics.median(lines)}


def main(data):
    data["priced"] = PriceOrder(key="Price order")
    if data["priced"]["total"] > 100:
        data["tier"] = "big"
    else:
        data["tier"] = "small"
    return
`;
const ORDER = { items: [{ price: 30, qty: 2 }, { price: 5, qty: 9 }, { price: 7, qty: 1 }] };

/**
 * The environment without what `npm test` sets for its own run (npm_config_prefix,
 * npm_package_*, …) and without this checkout's bin directories on PATH.
 */
function cleanEnv(extra: Record<string, string> = {}, pathFirst?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_PATH' && k !== 'INIT_CWD') env[k] = v;
  const path = (env.PATH ?? '').split(delimiter).filter((p) => p && !p.startsWith(REPO_ROOT));
  env.PATH = [...(pathFirst ? [pathFirst] : []), ...path].join(delimiter);
  return { ...env, ...extra };
}

type Result = CliResult;

function exec(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Result> {
  return runProcess(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv() });
}

/**
 * npm with an empty cache of its own and `--offline`: nothing can come from the
 * registry, so the optional native dependencies are skipped (npm 11 installs
 * optional dependencies of a global install whenever it can, `--omit=optional`
 * or not) and the test shows the tarball needs nothing else.
 */
async function npm(args: string[], cwd: string): Promise<Result> {
  const r = await exec('npm', [...args, '--offline', '--cache', join(tmp, 'npm-cache'), '--no-audit', '--no-fund', '--loglevel=error'], { cwd });
  if (r.code !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The installed `fluxio` command, found on PATH as a user's shell would. */
const fluxio = (args: string[], extra: Record<string, string> = {}) =>
  exec('fluxio', args, { cwd: project, env: cleanEnv(extra, join(globalPrefix, 'bin')) });

let tarball: string;

beforeAll(async () => {
  const packed = await npm(['pack', '--pack-destination', tmp, '--json'], join(REPO_ROOT, 'cli'));
  tarball = join(tmp, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
  await npm(['install', '--global', '--prefix', globalPrefix, tarball], tmp);
  mkdirSync(project);
  writeFileSync(join(project, 'project.py'), PROJECT_PY);
}, 180_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the installed fluxio CLI (npm pack, npm install -g, outside the checkout)', () => {
  it('is installed outside the checkout as the bundle: bin, dist and the Python runtime, no sources, no dependencies to download', () => {
    expect(relative(REPO_ROOT, tmp).startsWith('..')).toBe(true);
    const pkgDir = join(globalPrefix, 'lib', 'node_modules', 'fluxio');
    expect(readdirSync(pkgDir).sort()).toEqual(['bin', 'dist', 'package.json']);
    expect(existsSync(join(pkgDir, 'dist', 'fluxio.mjs'))).toBe(true);
    expect(existsSync(join(pkgDir, 'dist', 'python', 'fluxio_task', 'worker.py'))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies).toBeUndefined();
    expect(Object.keys(pkg.optionalDependencies as object).sort()).toEqual(['better-sqlite3', 'classic-level']);
  });

  it('fluxio --version and compile work in a project directory (the wasm grammar comes with the bundle)', async () => {
    const version = await fluxio(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(join(REPO_ROOT, 'cli/package.json'), 'utf8')).version}\n` });
    const asl = await fluxio(['compile', 'project.py', '--format', 'asl']);
    expect(asl.stderr).toBe('');
    expect(asl.code).toBe(0);
    const definition = JSON.parse(asl.stdout) as { States: Record<string, { Type: string }> };
    expect(definition.States['Price order']?.Type).toBe('Task');
    expect(Object.values(definition.States).some((s) => s.Type === 'Choice')).toBe(true);
  });

  it('compile errors point into the user project file', async () => {
    writeFileSync(join(project, 'broken.py'), 'def main(data):\n    data["x"] = PriceOrdr()\n');
    const r = await fluxio(['compile', 'broken.py']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.py:2');
  });

  it('fluxio run executes the Python task with the installed runtime (the patched engine in the bundle)', async () => {
    const r = await fluxio(['run', '.', '--input', JSON.stringify(ORDER), '--json'], NATIVE);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { status: string; output: Record<string, unknown> };
    expect(body.status).toBe('SUCCEEDED');
    expect(body.output).toMatchObject({ priced: { total: 112, median: 45 }, tier: 'big' });
  });

  it('without its native module, fluxio run says which one and what to do (exit 1, no stack trace)', async () => {
    const r = await fluxio(['run', '.', '--input', JSON.stringify(ORDER)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/needs the native module (better-sqlite3|classic-level)/);
    expect(r.stderr).toContain('NODE_PATH');
    expect(r.stderr).not.toContain('internal error');
  });

  it('fluxio serve: the platform on port 0, its OpenAPI servers entry, a run over HTTP, fluxio deploy and an execution of the alias', async () => {
    const child = spawn('fluxio', ['serve', '--port', '0', '--data-dir', join(tmp, 'data'), '--workers', '1'], {
      cwd: project,
      env: cleanEnv(NATIVE, join(globalPrefix, 'bin')),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        const onData = (d: Buffer) => {
          out += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolveUrl(m[1]);
        };
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`fluxio serve exited (${code}) before listening:\n${out}`)));
      });
      const doc = (await (await fetch(`${url}/v1/openapi.json`)).json()) as { servers: Array<{ url: string }> };
      expect(doc.servers.map((s) => s.url)).toEqual([url]);
      // The console: the page and its prebuilt script (the installed CLI has no esbuild).
      expect((await fetch(`${url}/`)).status).toBe(200);
      const script = await fetch(`${url}/console/app.js`);
      expect(script.status).toBe(200);
      expect((await script.text()).length).toBeGreaterThan(100_000);
      const res = await fetch(`${url}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: PROJECT_PY, project: 'shop', input: ORDER }),
      });
      const run = (await res.json()) as { status: string; output: Record<string, unknown> };
      expect(run).toMatchObject({ status: 'SUCCEEDED', output: { tier: 'big' } });

      // fluxio deploy to it: the deployer packs the task runtime of the installed bundle into the function
      const deployed = await fluxio(['deploy', '.', '--url', url, '--json']);
      expect(deployed.code, deployed.stderr).toBe(0);
      const record = JSON.parse(deployed.stdout) as { stateMachines: Record<string, { aliasArn: string }> };
      const sfn = new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: record.stateMachines.main.aliasArn, input: JSON.stringify(ORDER) }));
      let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      while (described.status === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 100));
        described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      }
      expect(described.status, described.cause).toBe('SUCCEEDED');
      expect(JSON.parse(described.output!)).toMatchObject({ priced: { total: 112 }, tier: 'big' });
      sfn.destroy();
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('npx --prefix DIR fluxio (installed into a directory) and npx fluxio (installed globally), run from the project', async () => {
    await npm(['install', '--prefix', localPrefix, tarball], tmp);
    const r = await exec('npx', ['--prefix', localPrefix, '--offline', '--cache', join(tmp, 'npm-cache'), 'fluxio', 'compile', 'project.py', '--format', 'mermaid'], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^flowchart TD/m);
    expect(r.stdout).toContain('Price order');
    // after `npm install -g`, a bare `npx fluxio` in a project finds the global install, not the registry
    const global = await exec('npx', ['--offline', '--cache', join(tmp, 'npm-cache'), 'fluxio', '--version'], { cwd: project, env: cleanEnv({ npm_config_prefix: globalPrefix }) });
    expect(global.code, global.stderr).toBe(0);
    expect(global.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
