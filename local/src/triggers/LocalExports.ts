/**
 * The local platform's export registry: the embedded adapter of the trigger
 * service's {@link Exports} port (CloudFormation exports on AWS, which
 * `@subscribe(topic_arn_import_value="${Environment}-my-topic-arn")` resolves).
 *
 * Two sources, the first that names an export wins:
 * 1. the operator's file `<dataDir>/exports.json` — a JSON object of export
 *    name → value, e.g. `{"local-billing-topic-arn": "arn:aws:sns:us-east-1:000000000000:billing"}`,
 *    read again at every lookup (edit it while the platform runs);
 * 2. exports the platform registers itself ({@link register}), persisted in the
 *    platform's SQLite database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exports } from '@fluxio/trigger/ports';
import type { PlatformDatabase } from '../store/database.ts';

/** File name of the operator's exports inside a `--data-dir`. */
export const EXPORTS_FILE = 'exports.json';

export interface LocalExportsOptions {
  database: PlatformDatabase;
  /** The platform's data directory (holding {@link EXPORTS_FILE}); undefined = no operator file. */
  dataDir?: string;
}

/** The embedded {@link Exports} adapter (see the module comment). */
export class LocalExports implements Exports {
  private readonly db: PlatformDatabase['db'];

  constructor(private readonly options: LocalExportsOptions) {
    options.database.migrate('CREATE TABLE IF NOT EXISTS trigger_exports (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);');
    this.db = options.database.db;
  }

  /**
   * The value of export `name`, or `undefined` when nothing exports it.
   * @throws Error when `<dataDir>/exports.json` exists but is not a JSON object of strings (saying how to fix it)
   */
  async resolve(name: string): Promise<string | undefined> {
    const declared = this.operatorExports()[name];
    if (declared !== undefined) return declared;
    const row = this.db.prepare('SELECT value FROM trigger_exports WHERE name = ?').get(name) as { value: string } | undefined;
    return row?.value;
  }

  /** Registers (or replaces) export `name` = `value`, persisted. */
  register(name: string, value: string): void {
    this.db
      .prepare('INSERT INTO trigger_exports (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(name, value, Date.now());
  }

  /** Removes a registered export; absent is not an error (the operator's file is never changed). */
  unregister(name: string): void {
    this.db.prepare('DELETE FROM trigger_exports WHERE name = ?').run(name);
  }

  /** Every export: registered ones, overridden by the operator's file. */
  list(): Record<string, string> {
    const rows = this.db.prepare('SELECT name, value FROM trigger_exports ORDER BY name').all() as Array<{ name: string; value: string }>;
    return { ...Object.fromEntries(rows.map((r) => [r.name, r.value])), ...this.operatorExports() };
  }

  private operatorExports(): Record<string, string> {
    if (this.options.dataDir === undefined) return {};
    const file = join(this.options.dataDir, EXPORTS_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); write an object of export name to value, e.g. {"local-my-topic-arn": "arn:aws:sns:us-east-1:000000000000:my-topic"}.`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new Error(`${file} must be a JSON object of export name to string value, e.g. {"local-my-topic-arn": "arn:aws:sns:us-east-1:000000000000:my-topic"}.`);
    }
    return parsed as Record<string, string>;
  }
}
