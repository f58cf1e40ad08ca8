/**
 * The local platform's export registry: the embedded adapter of the trigger
 * service's {@link ExportRegistry} port (CloudFormation exports on AWS, which
 * `@subscribe(topic_arn_import_value="${Environment}-my-topic-arn")` resolves).
 *
 * Two sources, the first that names an export wins:
 * 1. the operator's file `<dataDir>/exports.json` — a JSON object of export
 *    name → value, e.g. `{"local-billing-topic-arn": "arn:aws:sns:us-east-1:000000000000:billing"}`,
 *    read again at every lookup (edit it while the platform runs): what
 *    stacks outside Fluxio would export on AWS;
 * 2. the exports of deployed projects (every state machine's result topic
 *    ARNs, `fluxio-local-<project>-<fn>-success-topic-arn` / `-failure-topic-arn`),
 *    which the trigger service publishes per project ({@link publish}), persisted
 *    in the platform's SQLite database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportRegistry } from '@fluxio/trigger/ports';
import { TriggerError } from '@fluxio/trigger/errors';
import type { PlatformDatabase } from '../store/database.ts';

/** File name of the operator's exports inside a `--data-dir`. */
export const EXPORTS_FILE = 'exports.json';

export interface LocalExportsOptions {
  database: PlatformDatabase;
  /** The platform's data directory (holding {@link EXPORTS_FILE}); undefined = no operator file. */
  dataDir?: string;
}

/** The embedded {@link Exports} adapter (see the module comment). */
export class LocalExports implements ExportRegistry {
  private readonly db: PlatformDatabase['db'];

  constructor(private readonly options: LocalExportsOptions) {
    options.database.migrate('CREATE TABLE IF NOT EXISTS trigger_exports (name TEXT PRIMARY KEY, owner TEXT NOT NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL);');
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

  /**
   * Make the exports of `owner` (a project) exactly `values`, in one transaction.
   * @throws TriggerError 409 `Trigger.ExportTaken` when another owner exports one of the names (nothing is changed)
   */
  async publish(owner: string, values: Record<string, string>): Promise<void> {
    const ownerOf = this.db.prepare('SELECT owner FROM trigger_exports WHERE name = ?');
    const upsert = this.db.prepare(
      'INSERT INTO trigger_exports (name, owner, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.db.transaction(() => {
      for (const name of Object.keys(values)) {
        const row = ownerOf.get(name) as { owner: string } | undefined;
        if (row && row.owner !== owner) {
          throw new TriggerError('Trigger.ExportTaken', 409, `Export ${name} is already exported by ${row.owner}; export names are unique on the platform (rename the state machine or destroy ${row.owner} first).`, { exportName: name, owner: row.owner });
        }
      }
      const now = Date.now();
      const keep = new Set(Object.keys(values));
      for (const { name } of this.db.prepare('SELECT name FROM trigger_exports WHERE owner = ?').all(owner) as Array<{ name: string }>) {
        if (!keep.has(name)) this.db.prepare('DELETE FROM trigger_exports WHERE name = ?').run(name);
      }
      for (const [name, value] of Object.entries(values)) upsert.run(name, owner, value, now);
    })();
  }

  /** Remove every export of `owner`; none is not an error (the operator's file is never changed). */
  async remove(owner: string): Promise<void> {
    this.db.prepare('DELETE FROM trigger_exports WHERE owner = ?').run(owner);
  }

  /** Every export: the projects', overridden by the operator's file. */
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
