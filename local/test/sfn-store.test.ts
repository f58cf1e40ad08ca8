/**
 * The Step Functions store: history rows holding several events (pages cut
 * across rows, both directions), a definition stored once for its executions,
 * and databases of the previous layout (one row per event, a definition copy
 * per execution) carried over when the platform opens them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openPlatformDatabase } from '../src/store/database.ts';
import { SfnStore, splitHistory, type ExecutionRow } from '../src/stepfunctions/store.ts';
import { removeDir, tempDir } from './sfn-helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const event = (id: number) => JSON.stringify({ timestamp: 1, type: 'PassStateEntered', id, previousEventId: id - 1, stateEnteredEventDetails: { name: `S${id}`, input: '{"a":"x,\\ny"}' } });
const ids = (text: string) => splitHistory(text).map((t) => (JSON.parse(t) as { id: number }).id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function execution(name: string, definition: string): ExecutionRow {
  return {
    arn: `arn:aws:states:us-east-1:000000000000:execution:m:${name}`, state_machine: 'm', name, status: 'RUNNING', input: '{}', output: null, error: null, cause: null,
    start_date: 1, stop_date: null, version_arn: null, alias_arn: null, definition, role_arn: 'arn:aws:iam::000000000000:role/r', revision_id: null,
    redrive_count: 0, redrive_date: null, failed_state: null, failed_input: null, last_event_id: 0,
  };
}

describe('SfnStore', () => {
  it('pages history written as rows of several events, forward and in reverse, with the right next page', () => {
    const store = new SfnStore(openPlatformDatabase());
    const row = execution('paged', '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}');
    store.insertExecution(row);
    // Rows of 3, 1 and 6 events: ids 1-3, 4, 5-10.
    store.insertHistory(row.seq!, 1, range(1, 3).map(event));
    store.insertHistory(row.seq!, 4, [event(4)]);
    store.insertHistory(row.seq!, 5, range(5, 10).map(event));
    expect(store.lastEventId(row.seq!)).toBe(10);

    const forward: number[][] = [];
    let from = 0;
    for (let more = true; more; ) {
      const page = store.historyPage(row.seq!, false, from, 4);
      forward.push(ids(page.text));
      expect(page.count).toBe(forward.at(-1)!.length);
      ({ lastId: from, more } = page);
    }
    expect(forward).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);

    const backward: number[][] = [];
    from = Number.MAX_SAFE_INTEGER;
    for (let more = true; more; ) {
      const page = store.historyPage(row.seq!, true, from, 3);
      backward.push(ids(page.text));
      ({ lastId: from, more } = page);
    }
    expect(backward).toEqual([[10, 9, 8], [7, 6, 5], [4, 3, 2], [1]]);

    // A page that ends exactly at the last event has no next page; the text of a page is a JSON array's inside.
    const all = store.historyPage(row.seq!, false, 0, 10);
    expect([all.count, all.more]).toEqual([10, false]);
    expect((JSON.parse(`[${all.text}]`) as Array<{ id: number }>).map((e) => e.id)).toEqual(range(1, 10));
    expect(store.historyPage(row.seq!, false, 10, 5)).toEqual({ text: '', count: 0, lastId: 0, more: false });
  });

  it('a long write is kept as several rows and pages the same', () => {
    const database = openPlatformDatabase();
    const store = new SfnStore(database);
    const row = execution('long', '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}');
    store.insertExecution(row);
    store.insertHistory(row.seq!, 1, range(1, 250).map(event));
    expect(database.db.prepare('SELECT first_id, last_id FROM sfn_history ORDER BY last_id').all()).toEqual([
      { first_id: 1, last_id: 100 }, { first_id: 101, last_id: 200 }, { first_id: 201, last_id: 250 },
    ]);
    expect(ids(store.historyPage(row.seq!, false, 90, 120).text)).toEqual(range(91, 210));
    expect(ids(store.historyPage(row.seq!, true, 251, 250).text)).toEqual(range(1, 250).reverse());
  });

  it('stores a definition once for all the executions that run it, and gives it back with each', () => {
    const database = openPlatformDatabase();
    const store = new SfnStore(database);
    const definition = '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}';
    for (const name of ['one', 'two', 'three']) store.insertExecution(execution(name, definition));
    store.insertExecution(execution('other', '{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}'));
    expect(database.db.prepare('SELECT COUNT(*) FROM sfn_definitions').pluck().get()).toBe(2);
    expect(store.getExecution(execution('two', '').arn)?.definition).toBe(definition);
    expect(store.listExecutions('m', undefined, 10, 0).map((r) => r.name)).toEqual(['other', 'three', 'two', 'one']);
  });

  it('carries a database of the previous layout (one row per event, a definition per execution) over to the current one', () => {
    const dir = tempDir();
    dirs.push(dir);
    const old = new Database(`${dir}/platform.sqlite`);
    old.exec(`CREATE TABLE sfn_executions (seq INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE, state_machine TEXT NOT NULL, name TEXT NOT NULL,
      status TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT, start_date REAL NOT NULL, stop_date REAL, version_arn TEXT, alias_arn TEXT,
      definition TEXT NOT NULL, role_arn TEXT NOT NULL, revision_id TEXT, redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date REAL, failed_state TEXT,
      failed_input TEXT, last_event_id INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX sfn_executions_by_machine ON sfn_executions (state_machine, seq);
      CREATE TABLE sfn_events (execution INTEGER NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution, id)) WITHOUT ROWID;`);
    const insert = old.prepare(`INSERT INTO sfn_executions (arn, state_machine, name, status, input, start_date, definition, role_arn, last_event_id)
      VALUES (?, 'm', ?, 'SUCCEEDED', '{}', 1, ?, 'arn:aws:iam::000000000000:role/r', ?)`);
    const def = (n: number) => `{"StartAt":"S${n}","States":{"S${n}":{"Type":"Succeed"}}}`;
    const a = Number(insert.run('arn:aws:states:us-east-1:000000000000:execution:m:a', 'a', def(1), 1200).lastInsertRowid);
    const b = Number(insert.run('arn:aws:states:us-east-1:000000000000:execution:m:b', 'b', def(1), 2).lastInsertRowid);
    const c = Number(insert.run('arn:aws:states:us-east-1:000000000000:execution:m:c', 'c', def(2), 0).lastInsertRowid);
    const put = old.prepare('INSERT INTO sfn_events (execution, id, event) VALUES (?, ?, ?)');
    old.transaction(() => {
      for (const id of range(1, 1200)) put.run(a, id, event(id));
      for (const id of [1, 2]) put.run(b, id, event(id));
    })();
    old.close();

    const database = openPlatformDatabase(dir);
    try {
      const store = new SfnStore(database);
      expect(store.getExecution('arn:aws:states:us-east-1:000000000000:execution:m:a')).toMatchObject({ seq: a, name: 'a', status: 'SUCCEEDED', definition: def(1), last_event_id: 1200 });
      expect(store.getExecution('arn:aws:states:us-east-1:000000000000:execution:m:c')).toMatchObject({ seq: c, definition: def(2) });
      expect(ids(store.historyPage(a, false, 0, 1000).text)).toEqual(range(1, 1000));
      expect(ids(store.historyPage(a, false, 1000, 1000).text)).toEqual(range(1001, 1200));
      expect(splitHistory(store.historyPage(b, false, 0, 100).text)).toEqual([event(1), event(2)]);
      expect(store.historyPage(c, false, 0, 100).count).toBe(0);
      expect(database.db.prepare("SELECT name FROM sqlite_master WHERE name = 'sfn_events'").get()).toBeUndefined();
      // New executions continue after the carried-over ones.
      const next = execution('d', def(1));
      store.insertExecution(next);
      expect(next.seq).toBe(c + 1);
    } finally {
      database.close();
    }
  });
});
