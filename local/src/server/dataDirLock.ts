/**
 * One local platform per data directory: dynalite (LevelDB) and the blob
 * directory cannot be shared by two processes (the second one crashed with
 * `Error: Database is closed`). The lock is the file `<dataDir>/fluxio.lock`,
 * created atomically (`open(..., 'wx')`, O_CREAT|O_EXCL) with the holder's pid.
 *
 * A lock whose pid is no longer alive (the holder was killed) is stale and is
 * taken over. Caveat: a pid reused by an unrelated process after a crash keeps
 * the lock held; delete the file when `fluxio serve` names a process that is
 * not a Fluxio platform.
 */
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Name of the lock file inside the data directory. */
export const LOCK_FILE = 'fluxio.lock';

/** What the lock file holds (JSON). */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601 time the holder took the lock. */
  startedAt: string;
  /** Where the holder listens, once it does. */
  url?: string;
}

/** The data directory is locked by another live process. `code` is `EDATADIRLOCKED`. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  readonly code = 'EDATADIRLOCKED';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `data directory ${dataDir} is in use by process ${holder.pid}` +
        (holder.url ? ` (a Fluxio platform listening on ${holder.url}` : ' (a Fluxio platform') +
        `, started ${holder.startedAt}${holder.hostname !== hostname() ? ` on host ${holder.hostname}` : ''})`,
    );
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Record where the holder listens (shown to a second platform that is refused). */
  update(fields: Pick<LockHolder, 'url'>): Promise<void>;
  /** Remove the lock if this process still holds it. Idempotent. */
  release(): Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readHolder = async (path: string): Promise<LockHolder | undefined> => {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : undefined;
  } catch {
    return undefined; // missing, half-written or not ours: treated as stale
  }
};

/**
 * Take the lock of `dataDir` (which must exist) for this process.
 * @throws DataDirLockedError when a live process holds it (this process included:
 *   two platforms of one process cannot share a directory either)
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(path, 'wx');
      try {
        await file.writeFile(JSON.stringify(me) + '\n');
      } finally {
        await file.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = await readHolder(path);
      // A holder on another host (shared filesystem) cannot be checked: treat it as alive.
      if (holder && (holder.hostname !== me.hostname || alive(holder.pid))) throw new DataDirLockedError(dataDir, holder);
      if (attempt >= 2) throw e;
      // Stale: take it over. Rename first so two starters racing for it cannot both win.
      const stale = `${path}.stale-${process.pid}`;
      try {
        await rename(path, stale);
        await unlink(stale);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
  let held = true;
  const stillMine = async () => held && (await readHolder(path))?.pid === process.pid;
  return {
    path,
    update: async (fields) => {
      if (!(await stillMine())) return;
      Object.assign(me, fields);
      await writeFile(`${path}.tmp-${process.pid}`, JSON.stringify(me) + '\n');
      await rename(`${path}.tmp-${process.pid}`, path);
    },
    release: async () => {
      if (!(await stillMine())) return;
      held = false;
      await unlink(path).catch(() => undefined);
    },
  };
}
