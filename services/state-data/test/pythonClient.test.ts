/**
 * The Python client (fluxio_task.state_data) under python3 against the
 * embedded service behind the real handlers on 127.0.0.1: every operation,
 * the offload boundary, 100 MB through presigned URLs, stop execution.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryExecutionRegistry } from '../src/adapters/InMemoryExecutionRegistry.ts';
import { startStateDataServer, type TestPlatform } from './server.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');

let platform: TestPlatform;
const registry = new InMemoryExecutionRegistry();
const aborted: { error?: string; cause?: string }[] = [];

beforeAll(async () => {
  platform = await startStateDataServer({ executions: registry });
  registry.register('py-exec', (error, cause) => aborted.push({ error, cause }), 'demo');
});
afterAll(async () => platform?.stop());

it('python3 -m unittest: the Python client passes every case against the server', { timeout: 240_000 }, async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: path.join(ROOT, 'shared/python'),
    FLUXIO_STATE_DATA_URL: platform.url,
    FLUXIO_PROJECT: 'demo',
    FLUXIO_EXECUTION_NAME: 'py-exec',
    FLUXIO_TEST_BLOB_DIR: platform.blobDir!,
  };
  delete env.FLUXIO_STATE_DATA_TABLE;
  const child = spawn('python3', ['-m', 'unittest', 'discover', '-v', '-s', path.join(HERE, 'python'), '-p', 'test_*.py'], { env, cwd: ROOT });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (process.env.FLUXIO_TEST_VERBOSE) console.log(output);
  expect(output).not.toMatch(/skipped/);
  expect(output).toMatch(/Ran 2[0-9] tests|Ran 3[0-9] tests/);
  expect(output, output).toMatch(/^OK$/m);
  expect(code, output).toBe(0);
  // the Python test stopped py-exec once, with its error and cause
  expect(aborted).toEqual([{ error: 'FeatureOff', cause: 'flag disabled' }]);
  // ttl_days=1 became expires_at = now + 86,400 s
  const head = await platform.service.items.getHead('fluxio-state-data', 'demo:py-exec:ttl');
  const ttlItem = await platform.service.items.get('fluxio-state-data', `demo:py-exec:ttl#${head!.generation}`, 0);
  expect(Math.abs(ttlItem!.expiresAt - (Math.floor(Date.now() / 1000) + 86_400))).toBeLessThan(300);
});
