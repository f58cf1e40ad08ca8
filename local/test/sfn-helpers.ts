/**
 * Test helpers for the local Step Functions API: the real platform
 * (`startPlatform`) on 127.0.0.1:0 and the real `@aws-sdk/client-sfn` pointed at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient, DescribeExecutionCommand, type DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { startPlatform, type Platform } from '../src/server/platform.ts';

export interface SfnPlatform {
  platform: Platform;
  client: SFNClient;
  dataDir: string;
  close(): Promise<void>;
}

export const ROLE = 'arn:aws:iam::000000000000:role/local';

/** A fresh temporary directory (removed by `removeDir`). */
export const tempDir = (prefix = 'fluxio-sfn-') => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** Starts the platform on `dataDir` (a new temporary one by default) with one Python worker. */
export async function startSfnPlatform(dataDir = tempDir()): Promise<SfnPlatform> {
  const platform = await startPlatform({ port: 0, dataDir, projectDir: dataDir, workers: 1 });
  const client = new SFNClient({
    endpoint: platform.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    platform,
    client,
    dataDir,
    close: async () => {
      client.destroy();
      await platform.close();
    },
  };
}

/** Polls DescribeExecution until the execution is no longer RUNNING. */
export async function waitForExecution(client: SFNClient, executionArn: string, timeoutMs = 30_000): Promise<DescribeExecutionOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    if (Date.now() > deadline) throw new Error(`execution ${executionArn} still RUNNING after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls until `check` returns a value (not undefined). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A definition of Pass states. */
export const passMachine = (result: unknown = { ok: true }) =>
  JSON.stringify({ StartAt: 'Hello', States: { Hello: { Type: 'Pass', Result: result, ResultPath: '$.greeting', Next: 'Done' }, Done: { Type: 'Succeed' } } });
