/**
 * The local platform's embedded SQL store: one SQLite database (better-sqlite3 12;
 * 13 crashes on Node 20) holding what the local Step Functions and Lambda APIs
 * persist — state machines, versions, aliases, executions and their history,
 * activities, functions. Each API module creates its own tables with
 * `CREATE TABLE IF NOT EXISTS` through {@link PlatformDatabase.migrate}.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** The better-sqlite3 connection type. */
export type SqlDatabase = Database.Database;

/** How often the checkpoint thread copies the write-ahead log into the database file (milliseconds). */
const CHECKPOINT_INTERVAL_MS = 250;

/** File name of the database inside a `--data-dir`. */
export const PLATFORM_DATABASE_FILE = 'platform.sqlite';

/** An open platform database. */
export interface PlatformDatabase {
  /** The connection (synchronous API; every statement runs on the calling thread). */
  readonly db: SqlDatabase;
  /** Where it lives (`:memory:` when not persisted). */
  readonly location: string;
  /** Runs `ddl` (idempotent `CREATE TABLE IF NOT EXISTS ...` statements) once per call. */
  migrate(ddl: string): void;
  /** Closes the connection; further use throws. */
  close(): void;
}

/**
 * Opens (creating if needed) the platform database under `dataDir`, or an
 * in-memory one when `dataDir` is undefined (tests, `fluxio run` without `--data-dir`).
 * Write-ahead logging with `synchronous = NORMAL`: a committed transaction survives a
 * process crash (not a power loss), which is what a local platform needs.
 * Checkpoints (copying the log into the database file and syncing it, which SQLite
 * would otherwise do inside a commit every 1,000 pages, blocking the event loop on
 * the disk) run on a thread of their own (`checkpointWorker.mjs`, PASSIVE every
 * 250 ms); recovery after a crash is SQLite's own, from the log.
 * @throws Error when the file cannot be opened (e.g. permissions)
 */
export function openPlatformDatabase(dataDir?: string): PlatformDatabase {
  let location = ':memory:';
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    location = join(dataDir, PLATFORM_DATABASE_FILE);
  }
  const db = new Database(location);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  let checkpointer: Worker | undefined;
  if (location !== ':memory:') {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    checkpointer = new Worker(new URL('./checkpointWorker.mjs', import.meta.url), { workerData: { location, intervalMs: CHECKPOINT_INTERVAL_MS } });
    checkpointer.on('message', (m: { error?: string }) => m.error && console.error(`[platform database] checkpoint failed: ${m.error}`));
    checkpointer.on('error', (err) => console.error('[platform database] the checkpoint thread stopped:', err));
    checkpointer.unref();
  }
  return {
    db,
    location,
    migrate(ddl: string): void {
      db.exec(ddl);
    },
    close(): void {
      // The thread checkpoints once more and closes its connection; closing the last connection checkpoints the rest.
      checkpointer?.postMessage('close');
      checkpointer = undefined;
      if (db.open) db.close();
    },
  };
}
