/**
 * The Step Functions API's tables in the platform database (SQLite through
 * better-sqlite3; see `store/database.ts`): state machines, versions, aliases,
 * tags, executions, their history and activities. Plain rows in, plain rows
 * out; the operations shape them into the service's responses.
 *
 * History events are stored as the JSON text of the service's `HistoryEvent`
 * (timestamps in epoch seconds, as AWS JSON 1.0 sends them), several events per
 * row: one row per write of an execution's buffered events (see
 * {@link SfnStore.insertHistory}), so a history page is answered by
 * concatenating rows without parsing them, and an execution's history costs one
 * row insert per write instead of one per event.
 *
 * A definition is stored once (`sfn_definitions`, by SHA-256 of its text) and
 * executions refer to it, instead of a copy of it in every execution row.
 */
import { createHash } from 'node:crypto';
import type { PlatformDatabase, SqlDatabase } from '../store/database.ts';

/**
 * What separates the events of one history row: `,` and a line break. JSON text made by `JSON.stringify`
 * never contains a raw line break, so the separator cannot occur inside an event, and a row's text is already
 * the inside of a JSON array (the line break is JSON whitespace).
 */
export const HISTORY_SEPARATOR = ',\n';

/** Most events in one history row (a page of GetExecutionHistory reads its rows whole: at most one row more than it needs). */
const HISTORY_ROW_EVENTS = 100;

/** Splits history text (events joined by {@link HISTORY_SEPARATOR}) into the events' JSON texts. */
export const splitHistory = (text: string): string[] => (text === '' ? [] : text.split(HISTORY_SEPARATOR));

/** Columns of `sfn_executions` (also the target of {@link upgradeFromPerEventHistory}). */
const EXECUTION_COLUMNS = `
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
  definition_id INTEGER NOT NULL,
  role_arn TEXT NOT NULL,
  revision_id TEXT,
  redrive_count INTEGER NOT NULL DEFAULT 0,
  redrive_date REAL,
  failed_state TEXT,
  failed_input TEXT,
  last_event_id INTEGER NOT NULL DEFAULT 0
`;

/** Execution columns without the definition (`SELECT ${SUMMARY} FROM sfn_executions`). */
const SUMMARY = 'seq, arn, state_machine, name, status, input, output, error, cause, start_date, stop_date, version_arn, alias_arn, role_arn, revision_id, redrive_count, redrive_date, failed_state, failed_input, last_event_id';
/** An execution row with its definition text (`SELECT ${WITH_DEFINITION} WHERE e.…`). */
const WITH_DEFINITION = `${SUMMARY.split(', ').map((c) => `e.${c}`).join(', ')}, d.definition FROM sfn_executions e JOIN sfn_definitions d ON d.id = e.definition_id`;

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
CREATE TABLE IF NOT EXISTS sfn_executions (${EXECUTION_COLUMNS});
CREATE INDEX IF NOT EXISTS sfn_executions_by_machine ON sfn_executions (state_machine, seq);
CREATE TABLE IF NOT EXISTS sfn_definitions (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sfn_history (
  execution INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (execution, last_id)
);
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
  /** The definition this execution runs (of the version, or the machine at start); stored once in `sfn_definitions`. */
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

/** An execution row without its definition (what ListExecutions needs). */
export type ExecutionSummaryRow = Omit<ExecutionRow, 'definition'>;

/** One page of an execution's history (see {@link SfnStore.historyPage}). */
export interface HistoryPage {
  /** The events' JSON texts joined by {@link HISTORY_SEPARATOR}, in page order: the inside of a JSON array. */
  text: string;
  /** Number of events on the page. */
  count: number;
  /** Id of the page's last event (0 when the page is empty). */
  lastId: number;
  /** Whether events follow the page (in its direction). */
  more: boolean;
}

/** Where the `n`-th {@link HISTORY_SEPARATOR} of `text` starts (n from 1), or text.length when there are fewer. */
function separatorAt(text: string, n: number): number {
  let at = -HISTORY_SEPARATOR.length;
  for (let k = 0; k < n; k++) {
    at = text.indexOf(HISTORY_SEPARATOR, at + HISTORY_SEPARATOR.length);
    if (at < 0) return text.length;
  }
  return at;
}

/** Events `from`..`to` (0-based, inclusive) of a history row's text. */
function sliceEvents(text: string, from: number, to: number, count: number): string {
  if (from === 0 && to === count - 1) return text;
  const start = from === 0 ? 0 : separatorAt(text, from) + HISTORY_SEPARATOR.length;
  const end = to === count - 1 ? text.length : separatorAt(text, to + 1);
  return text.slice(start, end);
}

/** Prepared statements over the Step Functions tables. */
export class SfnStore {
  readonly db: SqlDatabase;
  private readonly s;

  /** Machine rows by name, read once (every StartExecution resolves its machine); writes drop the entry. */
  private readonly machines = new Map<string, StateMachineRow | undefined>();
  /** Definition ids by definition text. */
  private readonly definitionIds = new Map<string, number>();

  constructor(database: PlatformDatabase) {
    database.migrate(DDL);
    const db = (this.db = database.db);
    upgradeFromPerEventHistory(db);
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
           definition_id, role_arn, revision_id, redrive_count, redrive_date, failed_state, failed_input, last_event_id)
         VALUES (@arn, @state_machine, @name, @status, @input, @output, @error, @cause, @start_date, @stop_date, @version_arn, @alias_arn,
           @definition_id, @role_arn, @revision_id, @redrive_count, @redrive_date, @failed_state, @failed_input, @last_event_id)`,
      ),
      updateExecution: db.prepare(
        `UPDATE sfn_executions SET status = @status, output = @output, error = @error, cause = @cause, stop_date = @stop_date,
           redrive_count = @redrive_count, redrive_date = @redrive_date, failed_state = @failed_state, failed_input = @failed_input,
           last_event_id = @last_event_id WHERE arn = @arn`,
      ),
      getExecution: db.prepare(`SELECT ${WITH_DEFINITION} WHERE e.arn = ?`),
      listExecutions: db.prepare(`SELECT ${SUMMARY} FROM sfn_executions WHERE state_machine = ? ORDER BY seq DESC LIMIT ? OFFSET ?`),
      listExecutionsByStatus: db.prepare(`SELECT ${SUMMARY} FROM sfn_executions WHERE state_machine = ? AND status = ? ORDER BY seq DESC LIMIT ? OFFSET ?`),
      listExecutionsByVersion: db.prepare(`SELECT ${SUMMARY} FROM sfn_executions WHERE (version_arn = ? OR alias_arn = ?) ORDER BY seq DESC LIMIT ? OFFSET ?`),
      running: db.prepare(`SELECT ${WITH_DEFINITION} WHERE e.status = 'RUNNING'`),
      definitionId: db.prepare('SELECT id FROM sfn_definitions WHERE sha256 = ?').pluck(),
      insertDefinition: db.prepare('INSERT INTO sfn_definitions (sha256, definition) VALUES (?, ?)'),
      insertHistory: db.prepare('INSERT INTO sfn_history (execution, last_id, first_id, events) VALUES (?, ?, ?, ?)'),
      historyAsc: db.prepare('SELECT first_id, last_id, events FROM sfn_history WHERE execution = ? AND last_id > ? ORDER BY last_id'),
      historyDesc: db.prepare('SELECT first_id, last_id, events FROM sfn_history WHERE execution = ? AND first_id < ? ORDER BY last_id DESC'),
      historyAfter: db.prepare('SELECT 1 FROM sfn_history WHERE execution = ? AND last_id > ? LIMIT 1').pluck(),
      historyBefore: db.prepare('SELECT 1 FROM sfn_history WHERE execution = ? AND first_id < ? LIMIT 1').pluck(),
      maxEventId: db.prepare('SELECT COALESCE(MAX(last_id), 0) FROM sfn_history WHERE execution = ?').pluck(),
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

  getMachine(name: string): StateMachineRow | undefined {
    if (this.machines.has(name)) return this.machines.get(name);
    const row = this.s.getMachine.get(name) as StateMachineRow | undefined;
    if (this.machines.size >= 1000) this.machines.clear();
    this.machines.set(name, row);
    return row;
  }
  insertMachine = (row: Omit<StateMachineRow, 'last_version'>) => {
    this.machines.delete(row.name);
    this.s.insertMachine.run(row);
  };
  updateMachine = (row: Pick<StateMachineRow, 'name' | 'definition' | 'role_arn' | 'logging' | 'tracing' | 'revision_id' | 'updated'>) => {
    this.machines.delete(row.name);
    this.s.updateMachine.run(row);
  };
  /** Reserves the next version number of a machine (versions are never reused, as in the service). */
  nextVersion = (name: string) => {
    this.machines.delete(name);
    return (this.s.bumpVersion.get(name) as { last_version: number }).last_version;
  };
  listMachines = (limit: number, offset: number) => this.s.listMachines.all(limit, offset) as StateMachineRow[];
  /** Deletes a machine with its versions, aliases and their tags (executions and their history stay, as in the service). */
  deleteMachine(name: string, arn: string): void {
    this.machines.delete(name);
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
  /** The id of a definition text in `sfn_definitions` (stored the first time it is seen). */
  private definitionId(definition: string): number {
    let id = this.definitionIds.get(definition);
    if (id === undefined) {
      const sha256 = createHash('sha256').update(definition).digest('hex');
      id = (this.s.definitionId.get(sha256) as number | undefined) ?? Number(this.s.insertDefinition.run(sha256, definition).lastInsertRowid);
      if (this.definitionIds.size >= 1000) this.definitionIds.clear();
      this.definitionIds.set(definition, id);
    }
    return id;
  }
  /** Inserts an execution (its definition stored once for all executions of it) and sets its `seq` (the key of its history). */
  insertExecution = (row: ExecutionRow) => {
    const { definition, ...rest } = row;
    row.seq = Number(this.s.insertExecution.run({ ...rest, definition_id: this.definitionId(definition) }).lastInsertRowid);
  };
  updateExecution = (row: ExecutionRow) => void this.s.updateExecution.run(row);
  getExecution = (arn: string) => this.s.getExecution.get(arn) as ExecutionRow | undefined;
  listExecutions(stateMachine: string, status: string | undefined, limit: number, offset: number): ExecutionSummaryRow[] {
    return (status ? this.s.listExecutionsByStatus.all(stateMachine, status, limit, offset) : this.s.listExecutions.all(stateMachine, limit, offset)) as ExecutionSummaryRow[];
  }
  listExecutionsOf = (versionOrAliasArn: string, limit: number, offset: number) =>
    this.s.listExecutionsByVersion.all(versionOrAliasArn, versionOrAliasArn, limit, offset) as ExecutionSummaryRow[];
  runningExecutions = () => this.s.running.all() as ExecutionRow[];
  /**
   * Appends history events of the execution with `seq` `execution` as one row: `events` are the JSON texts of
   * events `firstId`, `firstId + 1`, … (ids follow the last stored one; none may contain a line break, which
   * `JSON.stringify` guarantees).
   */
  insertHistory(execution: number, firstId: number, events: readonly string[]): void {
    // Rows of at most HISTORY_ROW_EVENTS: a page reads whole rows, so a long execution's rows stay small.
    for (let i = 0; i < events.length; i += HISTORY_ROW_EVENTS) {
      const part = events.length <= HISTORY_ROW_EVENTS ? events : events.slice(i, i + HISTORY_ROW_EVENTS);
      this.s.insertHistory.run(execution, firstId + i + part.length - 1, firstId + i, part.join(HISTORY_SEPARATOR));
    }
  }
  /** Id of the last stored event of an execution (0 when none). */
  lastEventId = (execution: number) => this.s.maxEventId.get(execution) as number;
  /**
   * Up to `limit` events of an execution: those after id `fromId` oldest first, or (`reverse`) those before id
   * `fromId` newest first. Rows entirely on the page are passed on as they are stored (no per-event work).
   */
  historyPage(execution: number, reverse: boolean, fromId: number, limit: number): HistoryPage {
    const parts: string[] = [];
    let count = 0;
    let lastId = 0;
    let more = false;
    if (!reverse) {
      for (const r of this.s.historyAsc.iterate(execution, fromId) as IterableIterator<{ first_id: number; last_id: number; events: string }>) {
        const n = r.last_id - r.first_id + 1;
        const from = Math.max(0, fromId + 1 - r.first_id);
        const to = Math.min(n - 1, from + (limit - count) - 1);
        parts.push(sliceEvents(r.events, from, to, n));
        count += to - from + 1;
        lastId = r.first_id + to;
        if (count === limit) {
          more = to < n - 1;
          break;
        }
      }
      if (count === limit && !more) more = this.s.historyAfter.get(execution, lastId) !== undefined;
    } else {
      for (const r of this.s.historyDesc.iterate(execution, fromId) as IterableIterator<{ first_id: number; last_id: number; events: string }>) {
        const events = splitHistory(r.events);
        let i = Math.min(events.length, fromId - r.first_id) - 1;
        for (; i >= 0 && count < limit; i--, count++) parts.push(events[i]!);
        lastId = r.first_id + i + 1;
        if (count === limit) {
          more = i >= 0;
          break;
        }
      }
      if (count === limit && !more) more = this.s.historyBefore.get(execution, lastId) !== undefined;
    }
    return { text: parts.join(HISTORY_SEPARATOR), count, lastId, more };
  }
  getActivity = (name: string) => this.s.getActivity.get(name) as { name: string; created: number } | undefined;
  insertActivity = (name: string, created: number) => void this.s.insertActivity.run(name, created);
  listActivities = (limit: number, offset: number) => this.s.listActivities.all(limit, offset) as Array<{ name: string; created: number }>;
  deleteActivity = (name: string) => void this.s.deleteActivity.run(name);
}

/**
 * Databases written before history rows held several events (table `sfn_events`, one row per event) and before
 * definitions were stored once (`sfn_executions.definition`): their executions and history are carried over into
 * the current tables, in one transaction, the first time the platform opens them.
 */
function upgradeFromPerEventHistory(db: SqlDatabase): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('sfn_executions')").pluck().all() as string[];
  const perEvent = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sfn_events'").pluck().get() !== undefined;
  if (!columns.includes('definition') && !perEvent) return;
  db.transaction(() => {
    if (columns.includes('definition')) {
      const ids = new Map<string, number>();
      const insert = db.prepare('INSERT INTO sfn_definitions (sha256, definition) VALUES (?, ?) ON CONFLICT (sha256) DO UPDATE SET sha256 = sha256 RETURNING id').pluck();
      const rows = db.prepare('SELECT seq, definition FROM sfn_executions').all() as Array<{ seq: number; definition: string }>;
      db.exec(`CREATE TABLE sfn_executions_upgraded (${EXECUTION_COLUMNS})`);
      const copy = db.prepare(`INSERT INTO sfn_executions_upgraded (${SUMMARY}, definition_id) SELECT ${SUMMARY}, ? FROM sfn_executions WHERE seq = ?`);
      for (const { seq, definition } of rows) {
        let id = ids.get(definition);
        if (id === undefined) ids.set(definition, (id = insert.get(createHash('sha256').update(definition).digest('hex'), definition) as number));
        copy.run(id, seq);
      }
      db.exec(`DROP TABLE sfn_executions;
        ALTER TABLE sfn_executions_upgraded RENAME TO sfn_executions;
        CREATE INDEX IF NOT EXISTS sfn_executions_by_machine ON sfn_executions (state_machine, seq);`);
    }
    if (perEvent) {
      const executions = db.prepare('SELECT DISTINCT execution FROM sfn_events').pluck().all() as number[];
      const events = db.prepare('SELECT id, event FROM sfn_events WHERE execution = ? ORDER BY id');
      const insert = db.prepare('INSERT INTO sfn_history (execution, last_id, first_id, events) VALUES (?, ?, ?, ?)');
      for (const execution of executions) {
        let run: Array<{ id: number; event: string }> = [];
        const write = () => run.length && insert.run(execution, run[run.length - 1]!.id, run[0]!.id, run.map((e) => e.event).join(HISTORY_SEPARATOR));
        for (const e of events.all(execution) as Array<{ id: number; event: string }>) {
          // A row holds consecutive ids, at most HISTORY_ROW_EVENTS of them.
          if (run.length && (e.id !== run[run.length - 1]!.id + 1 || run.length === HISTORY_ROW_EVENTS)) {
            write();
            run = [];
          }
          run.push(e);
        }
        write();
      }
      db.exec('DROP TABLE sfn_events');
    }
  })();
}
