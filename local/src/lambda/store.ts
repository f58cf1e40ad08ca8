/**
 * Where the local Lambda API keeps functions: two tables of the platform's
 * SQLite database (one row per function, one per version, `$LATEST`
 * included; configurations as the service's `FunctionConfiguration` JSON) and
 * the code on disk, one directory per distinct deployment package:
 * `<codeRoot>/<function>/<sha256 hex>/` (the unpacked zip, read-only once
 * written) next to `<sha256 hex>.zip` (served as `GetFunction`'s
 * `Code.Location`). Versions are immutable, so a published version keeps
 * pointing at its package while `$LATEST` moves on.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { unzip, type Unzipped } from 'fflate';
import type { AliasConfiguration, FunctionConfiguration, FunctionEventInvokeConfig } from '@aws-sdk/client-lambda';
import type { PlatformDatabase } from '../store/database.ts';
import { invalidParameter } from './errors.ts';
import { LATEST } from './names.ts';

/** Largest unzipped deployment package: 250 MB (Lambda quotas, "Deployment package (.zip file archive) size"). */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** One stored function (its `$LATEST` is a row of {@link StoredVersion}). */
export interface StoredFunction {
  name: string;
  tags: Record<string, string>;
  /** Highest version number ever published (numbers are never reused, as in Lambda). */
  lastVersion: number;
}

/** One version of a function (`$LATEST` or a published number). */
export interface StoredVersion {
  name: string;
  version: string;
  configuration: FunctionConfiguration;
  /** Hex SHA-256 of the zip: the code directory's name. */
  codeHash: string;
}

const DDL = `
CREATE TABLE IF NOT EXISTS lambda_functions (
  name TEXT PRIMARY KEY,
  tags TEXT NOT NULL,
  last_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS lambda_versions (
  name TEXT NOT NULL REFERENCES lambda_functions(name) ON DELETE CASCADE,
  version TEXT NOT NULL,
  -- 0 for $LATEST, else the version number: the service's listing order.
  ordinal INTEGER NOT NULL,
  configuration TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS lambda_event_invoke_configs (
  name TEXT NOT NULL REFERENCES lambda_functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  configuration TEXT NOT NULL,
  PRIMARY KEY (name, qualifier)
);
CREATE TABLE IF NOT EXISTS lambda_aliases (
  name TEXT NOT NULL REFERENCES lambda_functions(name) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  configuration TEXT NOT NULL,
  PRIMARY KEY (name, alias)
);
`;

/** An unpacked, stored deployment package. */
export interface StoredCode {
  /** Hex SHA-256 of the zip. */
  hash: string;
  /** Base64 SHA-256 of the zip (`CodeSha256`, as Lambda reports it). */
  sha256: string;
  /** Zip size in bytes (`CodeSize`). */
  size: number;
}

/**
 * Checks an archive entry name and returns its path relative to the package
 * root, or undefined for directory entries.
 * @throws InvalidParameterValueException for absolute paths and `..` (zip slip)
 */
function safeEntryPath(name: string): string | undefined {
  if (name.endsWith('/')) return undefined;
  const rel = normalize(name.replace(/\\/g, '/'));
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel) || rel === '..' || rel.startsWith(`..${sep}`) || rel.includes('\0')) {
    throw invalidParameter(`Could not unzip uploaded file: the entry "${name}" points outside the package. Zip the files with paths relative to the package root.`);
  }
  return rel;
}

/** The functions and versions tables plus the code directories. */
export class FunctionStore {
  private readonly db: PlatformDatabase['db'];
  readonly codeRoot: string;

  /**
   * @param database the platform database (tables created if missing)
   * @param codeRoot directory of the code packages (created if missing)
   */
  constructor(database: PlatformDatabase, codeRoot: string) {
    database.migrate(DDL);
    this.db = database.db;
    this.codeRoot = codeRoot;
    mkdirSync(codeRoot, { recursive: true });
  }

  /** Directory of an unpacked package. */
  codeDir(name: string, hash: string): string {
    return join(this.functionDir(name), hash);
  }

  /** `<codeRoot>/<name>`; a name that is not a plain function name never reaches the file system. */
  private functionDir(name: string): string {
    if (!/^[a-zA-Z0-9\-_]{1,64}$/.test(name)) throw invalidParameter(`Invalid function name: ${name}`);
    return join(this.codeRoot, name);
  }

  /** Path of a stored zip. */
  zipPath(name: string, hash: string): string {
    return join(this.functionDir(name), `${hash}.zip`);
  }

  /**
   * Unpacks `zip` into the function's code directory for its hash (kept if it
   * is already there: packages are content-addressed). Entry names and declared
   * sizes are checked before anything is decompressed; decompression runs off
   * the event loop (fflate's worker threads) and files are written
   * asynchronously, so a large package does not hold up other requests.
   * @throws InvalidParameterValueException when it is not a zip, an entry escapes
   *   the package, or it unzips to more than {@link MAX_UNZIPPED_BYTES}
   */
  async putCode(name: string, zip: Uint8Array): Promise<StoredCode> {
    const digest = createHash('sha256').update(zip).digest();
    const code: StoredCode = { hash: digest.toString('hex'), sha256: digest.toString('base64'), size: zip.byteLength };
    const dir = this.codeDir(name, code.hash);
    if (existsSync(dir)) return code;
    let declared = 0;
    let escaping: string | undefined;
    let files: Unzipped;
    try {
      files = await new Promise<Unzipped>((resolve, reject) => {
        try {
          unzip(
            zip,
            {
              filter: (f) => {
                if (escaping === undefined) {
                  try {
                    safeEntryPath(f.name);
                  } catch {
                    escaping = f.name;
                  }
                }
                declared += f.originalSize;
                return escaping === undefined && declared <= MAX_UNZIPPED_BYTES;
              },
            },
            (err, data) => (err ? reject(err) : resolve(data)),
          );
        } catch (e) {
          reject(e);
        }
      });
    } catch {
      throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
    }
    if (escaping !== undefined) safeEntryPath(escaping);
    if (declared > MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    let total = 0;
    const entries: Array<[string, Uint8Array]> = [];
    for (const [entry, data] of Object.entries(files)) {
      const rel = safeEntryPath(entry);
      total += data.byteLength;
      if (rel !== undefined) entries.push([rel, data]);
    }
    if (total > MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    // Unpack beside the final directory, then rename: a crash never leaves a half-written package under its hash.
    const staging = `${dir}.partial-${randomUUID()}`;
    await mkdir(staging, { recursive: true });
    try {
      for (const [rel, data] of entries) {
        const target = join(staging, rel);
        if (!target.startsWith(staging + sep)) throw invalidParameter(`Could not unzip uploaded file: the entry "${rel}" points outside the package.`);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, data);
      }
      await writeFile(this.zipPath(name, code.hash), zip);
      try {
        await rename(staging, dir);
      } catch (e) {
        // The same package was stored meanwhile by a concurrent request: keep that one.
        if (!existsSync(dir)) throw e;
        await rm(staging, { recursive: true, force: true });
      }
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      throw e;
    }
    return code;
  }

  /** Removes code directories of `name` that no version points at any more. */
  collectCode(name: string): void {
    const used = new Set((this.db.prepare('SELECT code_hash FROM lambda_versions WHERE name = ?').all(name) as Array<{ code_hash: string }>).map((r) => r.code_hash));
    const root = this.functionDir(name);
    if (!existsSync(root)) return;
    if (used.size === 0) {
      rmSync(root, { recursive: true, force: true });
      return;
    }
    for (const entry of readdirSync(root)) {
      const hash = entry.replace(/\.zip$/, '');
      if (!used.has(hash) && !entry.includes('.partial-')) rmSync(join(root, entry), { recursive: true, force: true });
    }
  }

  getFunction(name: string): StoredFunction | undefined {
    const row = this.db.prepare('SELECT name, tags, last_version FROM lambda_functions WHERE name = ?').get(name) as
      | { name: string; tags: string; last_version: number }
      | undefined;
    return row && { name: row.name, tags: JSON.parse(row.tags), lastVersion: row.last_version };
  }

  getVersion(name: string, version: string): StoredVersion | undefined {
    const row = this.db.prepare('SELECT name, version, configuration, code_hash FROM lambda_versions WHERE name = ? AND version = ?').get(name, version) as
      | { name: string; version: string; configuration: string; code_hash: string }
      | undefined;
    return row && { name: row.name, version: row.version, configuration: JSON.parse(row.configuration), codeHash: row.code_hash };
  }

  /** Versions of a function in the service's order (`$LATEST`, then 1, 2, ...). */
  listVersions(name: string): StoredVersion[] {
    const rows = this.db.prepare('SELECT name, version, configuration, code_hash FROM lambda_versions WHERE name = ? ORDER BY ordinal').all(name) as Array<{
      name: string;
      version: string;
      configuration: string;
      code_hash: string;
    }>;
    return rows.map((r) => ({ name: r.name, version: r.version, configuration: JSON.parse(r.configuration), codeHash: r.code_hash }));
  }

  /** Names of all functions, sorted. */
  listNames(): string[] {
    return (this.db.prepare('SELECT name FROM lambda_functions ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  }

  /** Creates a function with its `$LATEST`. */
  insertFunction(name: string, tags: Record<string, string>, latest: FunctionConfiguration, codeHash: string): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO lambda_functions (name, tags, last_version) VALUES (?, ?, 0)').run(name, JSON.stringify(tags));
      this.putVersion(name, LATEST, latest, codeHash);
    })();
  }

  /** Writes (inserts or replaces) one version row. */
  putVersion(name: string, version: string, configuration: FunctionConfiguration, codeHash: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO lambda_versions (name, version, ordinal, configuration, code_hash) VALUES (?, ?, ?, ?, ?)')
      .run(name, version, version === LATEST ? 0 : Number(version), JSON.stringify(configuration), codeHash);
  }

  /** Records a newly published version and bumps the function's counter, in one transaction. */
  insertPublished(name: string, version: number, configuration: FunctionConfiguration, codeHash: string): void {
    this.db.transaction(() => {
      this.putVersion(name, String(version), configuration, codeHash);
      this.db.prepare('UPDATE lambda_functions SET last_version = ? WHERE name = ?').run(version, name);
    })();
  }

  getAlias(name: string, alias: string): AliasConfiguration | undefined {
    const row = this.db.prepare('SELECT configuration FROM lambda_aliases WHERE name = ? AND alias = ?').get(name, alias) as { configuration: string } | undefined;
    return row && JSON.parse(row.configuration);
  }

  /** Aliases of a function, by name. */
  listAliases(name: string): AliasConfiguration[] {
    return (this.db.prepare('SELECT configuration FROM lambda_aliases WHERE name = ? ORDER BY alias').all(name) as Array<{ configuration: string }>).map((r) => JSON.parse(r.configuration));
  }

  putAlias(name: string, alias: AliasConfiguration): void {
    this.db.prepare('INSERT OR REPLACE INTO lambda_aliases (name, alias, configuration) VALUES (?, ?, ?)').run(name, alias.Name, JSON.stringify(alias));
  }

  deleteAlias(name: string, alias: string): void {
    this.db.prepare('DELETE FROM lambda_aliases WHERE name = ? AND alias = ?').run(name, alias);
    this.deleteEventInvokeConfig(name, alias);
  }

  getEventInvokeConfig(name: string, qualifier: string): FunctionEventInvokeConfig | undefined {
    const row = this.db.prepare('SELECT configuration FROM lambda_event_invoke_configs WHERE name = ? AND qualifier = ?').get(name, qualifier) as { configuration: string } | undefined;
    return row && JSON.parse(row.configuration);
  }

  listEventInvokeConfigs(name: string): FunctionEventInvokeConfig[] {
    return (this.db.prepare('SELECT configuration FROM lambda_event_invoke_configs WHERE name = ? ORDER BY qualifier').all(name) as Array<{ configuration: string }>).map((r) =>
      JSON.parse(r.configuration),
    );
  }

  putEventInvokeConfig(name: string, qualifier: string, config: FunctionEventInvokeConfig): void {
    this.db.prepare('INSERT OR REPLACE INTO lambda_event_invoke_configs (name, qualifier, configuration) VALUES (?, ?, ?)').run(name, qualifier, JSON.stringify(config));
  }

  deleteEventInvokeConfig(name: string, qualifier: string): void {
    this.db.prepare('DELETE FROM lambda_event_invoke_configs WHERE name = ? AND qualifier = ?').run(name, qualifier);
  }

  /** Replaces a function's tags. */
  setTags(name: string, tags: Record<string, string>): void {
    this.db.prepare('UPDATE lambda_functions SET tags = ? WHERE name = ?').run(JSON.stringify(tags), name);
  }

  deleteFunction(name: string): void {
    this.db.prepare('DELETE FROM lambda_functions WHERE name = ?').run(name);
  }

  deleteVersion(name: string, version: string): void {
    this.db.prepare('DELETE FROM lambda_versions WHERE name = ? AND version = ?').run(name, version);
    this.deleteEventInvokeConfig(name, version);
  }

  /** Runs `fn` in one transaction (better-sqlite3's, synchronous). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
