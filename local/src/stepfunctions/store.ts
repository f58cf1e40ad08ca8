/**
 * The Step Functions API's tables in the platform database (SQLite through
 * better-sqlite3; see `store/database.ts`): state machines, versions, aliases,
 * tags, executions, their history and activities. Plain rows in, plain rows
 * out; the operations shape them into the service's responses.
 *
 * History events are stored as the JSON text of the service's `HistoryEvent`
 * (timestamps in epoch seconds, as AWS JSON 1.0 sends them), so a history page
 * is answered by concatenating rows without parsing them.
 */
import type { PlatformDatabase, SqlDatabase } from '../store/database.ts';

const DDL = `
CREATE TABLE IF NOT EXISTS sfn_state_machines (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  type TEXT NOT NULL,
  description TEXT,
  logging TEXT,
  tracing TEXT,
  revision_id TEXT NOT NULL,
  created REAL NOT NULL,
  updated REAL NOT NULL,
  last_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sfn_versions (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  description TEXT,
  created REAL NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS sfn_aliases (
  name TEXT NOT NULL,
  alias TEXT NOT NULL,
  description TEXT,
  routing TEXT NOT NULL,
  created REAL NOT NULL,
  updated REAL NOT NULL,
  PRIMARY KEY (name, alias)
);
CREATE TABLE IF NOT EXISTS sfn_tags (
  arn TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (arn, key)
);
CREATE TABLE IF NOT EXISTS sfn_executions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  arn TEXT NOT NULL UNIQUE,
  state_machine TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_date REAL NOT NULL,
  stop_date REAL,
  version_arn TEXT,
  alias_arn TEXT,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  revision_id TEXT,
  redrive_count INTEGER NOT NULL DEFAULT 0,
  redrive_date REAL,
  failed_state TEXT,
  failed_input TEXT,
  last_event_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sfn_executions_by_machine ON sfn_executions (state_machine, seq);
CREATE TABLE IF NOT EXISTS sfn_events (
  execution INTEGER NOT NULL,
  id INTEGER NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (execution, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sfn_activities (
  name TEXT PRIMARY KEY,
  created REAL NOT NULL
);
`;

export interface StateMachineRow {
  name: string;
  definition: string;
  role_arn: string;
  type: string;
  description: string | null;
  logging: string | null;
  tracing: string | null;
  revision_id: string;
  /** Epoch seconds. */
  created: number;
  updated: number;
  last_version: number;
}

export interface VersionRow {
  name: string;
  version: number;
  definition: string;
  role_arn: string;
  revision_id: string;
  description: string | null;
  created: number;
}

export interface AliasRow {
  name: string;
  alias: string;
  description: string | null;
  /** JSON of `RoutingConfigurationListItem[]`. */
  routing: string;
  created: number;
  updated: number;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionRow {
  /** Row id, the key of the execution's history events (set by insertExecution). */
  seq?: number;
  arn: string;
  state_machine: string;
  name: string;
  status: ExecutionStatus;
  /** JSON text of the input. */
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  start_date: number;
  stop_date: number | null;
  version_arn: string | null;
  alias_arn: string | null;
  /** The definition this execution runs (of the version, or the machine at start). */
  definition: string;
  role_arn: string;
  revision_id: string | null;
  redrive_count: number;
  redrive_date: number | null;
  /** Top-level state whose failure closed the execution, and its input (JSON), for redrive. */
  failed_state: string | null;
  failed_input: string | null;
  last_event_id: number;
}

/** Prepared statements over the Step Functions tables. */
export class SfnStore {
  readonly db: SqlDatabase;
  private readonly s;

  constructor(database: PlatformDatabase) {
    database.migrate(DDL);
    const db = (this.db = database.db);
    this.s = {
      getMachine: db.prepare('SELECT * FROM sfn_state_machines WHERE name = ?'),
      insertMachine: db.prepare(
        `INSERT INTO sfn_state_machines (name, definition, role_arn, type, description, logging, tracing, revision_id, created, updated)
         VALUES (@name, @definition, @role_arn, @type, @description, @logging, @tracing, @revision_id, @created, @updated)`,
      ),
      updateMachine: db.prepare(
        `UPDATE sfn_state_machines SET definition = @definition, role_arn = @role_arn, logging = @logging, tracing = @tracing,
         revision_id = @revision_id, updated = @updated WHERE name = @name`,
      ),
      bumpVersion: db.prepare('UPDATE sfn_state_machines SET last_version = last_version + 1 WHERE name = ? RETURNING last_version'),
      listMachines: db.prepare('SELECT * FROM sfn_state_machines ORDER BY name LIMIT ? OFFSET ?'),
      deleteMachine: db.prepare('DELETE FROM sfn_state_machines WHERE name = ?'),
      deleteVersions: db.prepare('DELETE FROM sfn_versions WHERE name = ?'),
      deleteAliases: db.prepare('DELETE FROM sfn_aliases WHERE name = ?'),
      insertVersion: db.prepare(
        `INSERT INTO sfn_versions (name, version, definition, role_arn, revision_id, description, created)
         VALUES (@name, @version, @definition, @role_arn, @revision_id, @description, @created)`,
      ),
      getVersion: db.prepare('SELECT * FROM sfn_versions WHERE name = ? AND version = ?'),
      latestVersion: db.prepare('SELECT * FROM sfn_versions WHERE name = ? ORDER BY version DESC LIMIT 1'),
      listVersions: db.prepare('SELECT * FROM sfn_versions WHERE name = ? ORDER BY version DESC LIMIT ? OFFSET ?'),
      deleteVersion: db.prepare('DELETE FROM sfn_versions WHERE name = ? AND version = ?'),
      getAlias: db.prepare('SELECT * FROM sfn_aliases WHERE name = ? AND alias = ?'),
      putAlias: db.prepare(
        `INSERT INTO sfn_aliases (name, alias, description, routing, created, updated) VALUES (@name, @alias, @description, @routing, @created, @updated)
         ON CONFLICT (name, alias) DO UPDATE SET description = excluded.description, routing = excluded.routing, updated = excluded.updated`,
      ),
      listAliases: db.prepare('SELECT * FROM sfn_aliases WHERE name = ? ORDER BY alias LIMIT ? OFFSET ?'),
      allAliases: db.prepare('SELECT * FROM sfn_aliases WHERE name = ?'),
      deleteAlias: db.prepare('DELETE FROM sfn_aliases WHERE name = ? AND alias = ?'),
      tags: db.prepare('SELECT key, value FROM sfn_tags WHERE arn = ? ORDER BY key'),
      putTag: db.prepare('INSERT INTO sfn_tags (arn, key, value) VALUES (?, ?, ?) ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value'),
      deleteTag: db.prepare('DELETE FROM sfn_tags WHERE arn = ? AND key = ?'),
      deleteTags: db.prepare('DELETE FROM sfn_tags WHERE arn = ? OR arn LIKE ?'),
      insertExecution: db.prepare(
        `INSERT INTO sfn_executions (arn, state_machine, name, status, input, output, error, cause, start_date, stop_date, version_arn, alias_arn,
           definition, role_arn, revision_id, redrive_count, redrive_date, failed_state, failed_input, last_event_id)
         VALUES (@arn, @state_machine, @name, @status, @input, @output, @error, @cause, @start_date, @stop_date, @version_arn, @alias_arn,
           @definition, @role_arn, @revision_id, @redrive_count, @redrive_date, @failed_state, @failed_input, @last_event_id)`,
      ),
      updateExecution: db.prepare(
        `UPDATE sfn_executions SET status = @status, output = @output, error = @error, cause = @cause, stop_date = @stop_date,
           redrive_count = @redrive_count, redrive_date = @redrive_date, failed_state = @failed_state, failed_input = @failed_input,
           last_event_id = @last_event_id WHERE arn = @arn`,
      ),
      getExecution: db.prepare('SELECT * FROM sfn_executions WHERE arn = ?'),
      listExecutions: db.prepare('SELECT * FROM sfn_executions WHERE state_machine = ? ORDER BY seq DESC LIMIT ? OFFSET ?'),
      listExecutionsByStatus: db.prepare('SELECT * FROM sfn_executions WHERE state_machine = ? AND status = ? ORDER BY seq DESC LIMIT ? OFFSET ?'),
      listExecutionsByVersion: db.prepare('SELECT * FROM sfn_executions WHERE (version_arn = ? OR alias_arn = ?) ORDER BY seq DESC LIMIT ? OFFSET ?'),
      running: db.prepare("SELECT * FROM sfn_executions WHERE status = 'RUNNING'"),
      insertEvent: db.prepare('INSERT INTO sfn_events (execution, id, event) VALUES (?, ?, ?)'),
      insertEvents32: db.prepare(`INSERT INTO sfn_events (execution, id, event) VALUES ${Array(32).fill('(?, ?, ?)').join(', ')}`),
      historyAsc: db.prepare('SELECT event FROM sfn_events WHERE execution = ? AND id > ? ORDER BY id LIMIT ?'),
      maxEventId: db.prepare('SELECT COALESCE(MAX(id), 0) FROM sfn_events WHERE execution = ?').pluck(),
      historyDesc: db.prepare('SELECT event FROM sfn_events WHERE execution = ? AND id < ? ORDER BY id DESC LIMIT ?'),
      getActivity: db.prepare('SELECT * FROM sfn_activities WHERE name = ?'),
      insertActivity: db.prepare('INSERT INTO sfn_activities (name, created) VALUES (?, ?)'),
      listActivities: db.prepare('SELECT * FROM sfn_activities ORDER BY name LIMIT ? OFFSET ?'),
      deleteActivity: db.prepare('DELETE FROM sfn_activities WHERE name = ?'),
    };
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMachine = (name: string) => this.s.getMachine.get(name) as StateMachineRow | undefined;
  insertMachine = (row: Omit<StateMachineRow, 'last_version'>) => void this.s.insertMachine.run(row);
  updateMachine = (row: Pick<StateMachineRow, 'name' | 'definition' | 'role_arn' | 'logging' | 'tracing' | 'revision_id' | 'updated'>) => void this.s.updateMachine.run(row);
  /** Reserves the next version number of a machine (versions are never reused, as in the service). */
  nextVersion = (name: string) => (this.s.bumpVersion.get(name) as { last_version: number }).last_version;
  listMachines = (limit: number, offset: number) => this.s.listMachines.all(limit, offset) as StateMachineRow[];
  /** Deletes a machine with its versions, aliases and their tags (executions and their history stay, as in the service). */
  deleteMachine(name: string, arn: string): void {
    this.transaction(() => {
      this.s.deleteMachine.run(name);
      this.s.deleteVersions.run(name);
      this.s.deleteAliases.run(name);
      this.s.deleteTags.run(arn, `${arn}:%`);
    });
  }
  insertVersion = (row: VersionRow) => void this.s.insertVersion.run(row);
  getVersion = (name: string, version: number) => this.s.getVersion.get(name, version) as VersionRow | undefined;
  latestVersion = (name: string) => this.s.latestVersion.get(name) as VersionRow | undefined;
  listVersions = (name: string, limit: number, offset: number) => this.s.listVersions.all(name, limit, offset) as VersionRow[];
  deleteVersion = (name: string, version: number) => void this.s.deleteVersion.run(name, version);
  getAlias = (name: string, alias: string) => this.s.getAlias.get(name, alias) as AliasRow | undefined;
  putAlias = (row: AliasRow) => void this.s.putAlias.run(row);
  listAliases = (name: string, limit: number, offset: number) => this.s.listAliases.all(name, limit, offset) as AliasRow[];
  allAliases = (name: string) => this.s.allAliases.all(name) as AliasRow[];
  deleteAlias = (name: string, alias: string) => void this.s.deleteAlias.run(name, alias);
  tags = (arn: string) => this.s.tags.all(arn) as Array<{ key: string; value: string }>;
  putTags(arn: string, tags: Array<{ key?: string; value?: string }>): void {
    this.transaction(() => {
      for (const t of tags) this.s.putTag.run(arn, String(t.key), String(t.value ?? ''));
    });
  }
  deleteTags(arn: string, keys: string[]): void {
    this.transaction(() => {
      for (const k of keys) this.s.deleteTag.run(arn, k);
    });
  }
  /** Inserts an execution and sets its `seq` (the key of its history events). */
  insertExecution = (row: ExecutionRow) => {
    row.seq = Number(this.s.insertExecution.run(row).lastInsertRowid);
  };
  updateExecution = (row: ExecutionRow) => void this.s.updateExecution.run(row);
  getExecution = (arn: string) => this.s.getExecution.get(arn) as ExecutionRow | undefined;
  listExecutions(stateMachine: string, status: string | undefined, limit: number, offset: number): ExecutionRow[] {
    return (status ? this.s.listExecutionsByStatus.all(stateMachine, status, limit, offset) : this.s.listExecutions.all(stateMachine, limit, offset)) as ExecutionRow[];
  }
  listExecutionsOf = (versionOrAliasArn: string, limit: number, offset: number) =>
    this.s.listExecutionsByVersion.all(versionOrAliasArn, versionOrAliasArn, limit, offset) as ExecutionRow[];
  runningExecutions = () => this.s.running.all() as ExecutionRow[];
  /** Appends history events (JSON text, ids given) of the execution with `seq` `execution`. */
  insertEvents(execution: number, events: Array<[id: number, json: string]>): void {
    let i = 0;
    // 32 rows per statement: one statement per event costs more than the rows themselves.
    for (; i + 32 <= events.length; i += 32) {
      const args: unknown[] = [];
      for (let k = i; k < i + 32; k++) args.push(execution, events[k]![0], events[k]![1]);
      this.s.insertEvents32.run(args);
    }
    for (; i < events.length; i++) this.s.insertEvent.run(execution, events[i]![0], events[i]![1]);
  }
  /** Id of the last stored event of an execution (0 when none). */
  lastEventId = (execution: number) => this.s.maxEventId.get(execution) as number;
  /** Events (JSON text) after `afterId` ascending, or before `beforeId` descending. */
  history(execution: number, reverse: boolean, fromId: number, limit: number): string[] {
    const stmt = reverse ? this.s.historyDesc : this.s.historyAsc;
    return (stmt.pluck().all(execution, fromId, limit) as string[]);
  }
  getActivity = (name: string) => this.s.getActivity.get(name) as { name: string; created: number } | undefined;
  insertActivity = (name: string, created: number) => void this.s.insertActivity.run(name, created);
  listActivities = (limit: number, offset: number) => this.s.listActivities.all(limit, offset) as Array<{ name: string; created: number }>;
  deleteActivity = (name: string) => void this.s.deleteActivity.run(name);
}
