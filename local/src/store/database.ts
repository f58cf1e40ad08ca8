/**
 * The local platform's embedded SQL store: one SQLite database (better-sqlite3 12;
 * 13 crashes on Node 20) holding what the local Step Functions and Lambda APIs
 * persist — state machines, versions, aliases, executions and their history,
 * activities, functions. Each API module creates its own tables with
 * `CREATE TABLE IF NOT EXISTS` through {@link PlatformDatabase.migrate}.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The better-sqlite3 connection type. */
export type SqlDatabase = Database.Database;

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
 * SQLite checkpoints the log into the database file itself (inside a commit, every
 * 1,000 pages); recovery after a crash is SQLite's own, from the log. (A checkpoint
 * thread was measured and left out: it saved little, and a thread that outlives
 * `close()` can recreate files of a data directory being removed.)
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
  if (location !== ':memory:') db.pragma('journal_mode = WAL');
  return {
    db,
    location,
    migrate(ddl: string): void {
      db.exec(ddl);
    },
    close(): void {
      // Closing the last connection checkpoints the rest of the log.
      if (db.open) db.close();
    },
  };
}
