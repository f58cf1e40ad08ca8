/**
 * Test helpers for the local Lambda API: a server with only the Lambda
 * protocol handler on 127.0.0.1:0, a real `@aws-sdk/client-lambda` client
 * pointed at it, and zips built in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { openPlatformDatabase, type PlatformDatabase } from '../src/store/database.ts';
import { startHttpServer, type RunningServer } from '../src/server/httpServer.ts';
import { createLambdaApi, LAMBDA_MAX_BUFFERED_BYTES, type LambdaApi } from '../src/lambda/index.ts';

/** A zip of `files` (path → text). */
export const zipOf = (files: Record<string, string>): Uint8Array =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));

export interface LambdaHarness {
  dataDir: string;
  url: string;
  client: LambdaClient;
  api: LambdaApi;
  logs: string[];
  /** Stops the server and the workers (the data directory stays). */
  stop(): Promise<void>;
  /** stop() and remove the data directory. */
  close(): Promise<void>;
}

/** Starts the Lambda API on a fresh (or the given) data directory. */
export async function startLambda(dataDir = mkdtempSync(join(tmpdir(), 'fluxio-lambda-test-'))): Promise<LambdaHarness> {
  const database: PlatformDatabase = openPlatformDatabase(dataDir);
  const logs: string[] = [];
  const api = createLambdaApi({ database, dataDir, workers: 2, onLog: (fn, line) => logs.push(`${fn}: ${line}`), eventRetryDelaysMs: [50, 100] });
  const server: RunningServer = await startHttpServer([], { protocolHandlers: [api.protocolHandler], maxProtocolBodyBytes: LAMBDA_MAX_BUFFERED_BYTES });
  const client = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    await server.close();
    await api.close();
    database.close();
  };
  return {
    dataDir,
    url: server.url,
    client,
    api,
    logs,
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The payload of an Invoke response as parsed JSON. */
export const payloadOf = (out: { Payload?: Uint8Array }): unknown => JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'));

export const ROLE = 'arn:aws:iam::000000000000:role/lambda-local';
