/**
 * The embedded DynamoDB: dynalite (DynamoDB's protocol over HTTP), in memory
 * or on disk (LevelDB under `path`, e.g. `.fluxio/dynamodb`). dynalite 4 has no
 * TTL and no transactions; the service depends on neither.
 */
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import dynalite from 'dynalite';

export interface EmbeddedDynalite {
  /** `http://127.0.0.1:<port>`, for `DynamoDBClient({ endpoint })`. */
  endpoint: string;
  port: number;
  /** Stop the server and close the LevelDB store (so it can be reopened). */
  close(): Promise<void>;
}

export interface EmbeddedDynaliteOptions {
  /** LevelDB directory; omit for an in-memory store. */
  path?: string;
  /** @default 0 (ephemeral) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** Start dynalite on loopback. @example `const db = await startEmbeddedDynalite({ path: '.fluxio/dynamodb' })` */
export async function startEmbeddedDynalite(options: EmbeddedDynaliteOptions = {}): Promise<EmbeddedDynalite> {
  if (options.path) await mkdir(options.path, { recursive: true });
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err?: Error) => (err ? reject(err) : resolve()));
        server.closeAllConnections?.();
      })),
  };
}
