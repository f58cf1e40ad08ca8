/**
 * Every state data operation through HTTP with the TypeScript client, against
 * the embedded service (dynalite in memory, directory blobs) behind the real
 * handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateDataClient, NoItemFound, StateDataClientError } from '@fluxio/contracts/stateDataClient';
import { failure, startStateDataServer, type TestPlatform } from './server.ts';

let platform: TestPlatform;
let client: StateDataClient;

beforeAll(async () => {
  platform = await startStateDataServer();
  client = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'exec-1' });
});
afterAll(async () => platform?.stop());

describe('local items', () => {
  it('put_item returns the original pointer and get_item reads the value back', async () => {
    // GIVEN a value  WHEN it is put under a key  THEN the pointer names table, partition key and key
    const pointer = await client.putItem('characters', { name: 'jerry', tags: ['a', 1, null, true], n: 1.5 });
    expect(pointer).toEqual({ table_name: 'fluxio-state-data', partition_key: 'demo:exec-1:characters', key: 'characters' });
    expect(await client.getItem('characters')).toEqual({ name: 'jerry', tags: ['a', 1, null, true], n: 1.5 });
  });

  it('stores any JSON value, null and unicode included', async () => {
    for (const [i, v] of [null, 0, false, '', 'héllo ✓ 😀', [], {}, 1e308].entries()) {
      await client.putItem('scalars', v, i);
      expect(await client.getItem('scalars', i)).toEqual(v);
    }
  });

  it('put_item at an index overwrites or creates that element', async () => {
    await client.putItems('list', ['a', 'b', 'c']);
    await client.putItem('list', 'B', 1);
    await client.putItem('list', 'Z', 24);
    expect(await client.getItems('list')).toEqual(['a', 'B', 'c', 'Z']);
    expect(await client.getItem('list', 24)).toBe('Z');
  });

  it('put_items stores each element under its index and returns the Map pointer', async () => {
    const values = Array.from({ length: 60 }, (_, i) => ({ i, name: `character-${i}` }));
    const pointer = await client.putItems('many', values);
    expect(pointer).toEqual({ table_name: 'fluxio-state-data', partition_key: 'demo:exec-1:many', key: 'many', items: new Array(60).fill(1) });
    expect(await client.getItem('many', 37)).toEqual({ i: 37, name: 'character-37' });
    // index order is numeric (2 before 10), every page is read
    expect(await client.getItems('many')).toEqual(values);
  });

  it('get_items of an unknown key is []', async () => {
    expect(await client.getItems('nothing-here')).toEqual([]);
  });

  it('get_item of a missing item throws NoItemFound naming partition key, sort key and table', async () => {
    const err = await failure(client.getItem('missing', 3));
    expect(err).toBeInstanceOf(NoItemFound);
    expect(err.status).toBe(404);
    expect(err.code).toBe('StateData.NoItemFound');
    expect(err.message).toContain('partition_key=demo:exec-1:missing sort_key=3 table_name=fluxio-state-data');
  });

  it('map-iteration helpers locate the item from the Map iteration input', async () => {
    const pointer = await client.putItems('fan', [{ n: 0 }, { n: 1 }, { n: 2 }]);
    // what the compiled Map state passes each iteration (spec §10)
    const event = {
      items_result_table_name: pointer.table_name,
      items_result_partition_key: pointer.partition_key,
      items_result_key: pointer.key!,
      context_index: 2,
      context_value: 1,
    };
    expect(await client.getItemForMapIteration(event)).toEqual({ n: 2 });
    expect(await client.getGlobalItemForMapIteration(event)).toEqual({ n: 2 });
    await client.putItemForMapIteration({ ...event, context_index: '1' }, { n: 'one' });
    expect(await client.getItem('fan', 1)).toEqual({ n: 'one' });
    const g = await client.putGlobalItemForMapIteration({ ...event, context_index: 0 }, { n: 'zero' });
    expect(g).toEqual({ table_name: 'fluxio-state-data', partition_key: 'demo:exec-1:fan' });
    expect(await client.getItems('fan')).toEqual([{ n: 'zero' }, { n: 'one' }, { n: 2 }]);
  });

  it('executions are separate namespaces', async () => {
    const other = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'exec-2' });
    await other.putItem('characters', 'other');
    expect(await client.getItem('characters')).toEqual(expect.objectContaining({ name: 'jerry' }));
    expect(await other.getItem('characters')).toBe('other');
  });
});

describe('global items', () => {
  it('a global read finds what another project stored locally', async () => {
    const writer = new StateDataClient({ baseUrl: platform.url, project: 'producer', execution: 'run-7' });
    const pointer = await writer.putItems('orders', [{ id: 1 }, { id: 2 }]);
    const reader = new StateDataClient({ baseUrl: platform.url, project: 'consumer' });
    expect(await reader.getGlobalItems(pointer.table_name, pointer.partition_key)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await reader.getGlobalItem(pointer.table_name, pointer.partition_key, 1)).toEqual({ id: 2 });
  });

  it('global puts write to the table they name (spec §20.4 bug fixed) and return pointers without key', async () => {
    const p1 = await client.putGlobalItem('team-table', 'shared:config', { flag: true });
    expect(p1).toEqual({ table_name: 'team-table', partition_key: 'shared:config' });
    const p2 = await client.putGlobalItems('team-table', 'shared:list', ['x', 'y']);
    expect(p2).toEqual({ table_name: 'team-table', partition_key: 'shared:list', items: [1, 1] });
    expect(await client.getGlobalItem('team-table', 'shared:config')).toEqual({ flag: true });
    expect(await client.getGlobalItems('team-table', 'shared:list')).toEqual(['x', 'y']);
    // not in the platform table
    await expect(client.getGlobalItem('fluxio-state-data', 'shared:config')).rejects.toBeInstanceOf(NoItemFound);
  });

  it('partition keys with spaces, punctuation and unicode round-trip', async () => {
    const pk = 'exec 1:key&with=odd+chars;é✓';
    await client.putGlobalItem('fluxio-state-data', pk, 42, 5);
    expect(await client.getGlobalItem('fluxio-state-data', pk, 5)).toBe(42);
  });

  it('a client with table_name stores local items in that table', async () => {
    const c = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'exec-9', tableName: 'custom-table' });
    expect(await c.putItem('k', 'v')).toEqual({ table_name: 'custom-table', partition_key: 'demo:exec-9:k', key: 'k' });
    expect(await c.putItems('ks', [1, 2])).toEqual({ table_name: 'custom-table', partition_key: 'demo:exec-9:ks', key: 'ks', items: [1, 1] });
    expect(await c.getItem('k')).toBe('v');
    expect(await client.getGlobalItems('custom-table', 'demo:exec-9:ks')).toEqual([1, 2]);
  });
});

describe('concurrency', () => {
  it('concurrent puts of many indexes lose nothing', async () => {
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => client.putItem('concurrent', { i, pad: 'x'.repeat(i % 50) }, i)));
    const all = (await client.getItems('concurrent')) as { i: number }[];
    expect(all.map((v) => v.i)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

describe('stop execution', () => {
  it('stops a running local execution with error and cause, then reports already-finished', async () => {
    const { InMemoryExecutionRegistry } = await import('../src/adapters/InMemoryExecutionRegistry.ts');
    const registry = platform.executions as InstanceType<typeof InMemoryExecutionRegistry>;
    const aborted: unknown[] = [];
    registry.register('exec-1', (error, cause) => aborted.push({ error, cause }), 'demo');
    expect(await client.stopExecution({ error: 'FeatureOff', cause: 'flag disabled' })).toBe('stopped');
    expect(aborted).toEqual([{ error: 'FeatureOff', cause: 'flag disabled' }]);
    expect(await client.stopExecution()).toBe('already-finished');
    expect(aborted).toHaveLength(1);
  });

  it('stopping an unknown execution is a 404', async () => {
    const c = new StateDataClient({ baseUrl: platform.url, project: 'demo', execution: 'never-ran' });
    const err = await failure(c.stopExecution());
    expect(err).toBeInstanceOf(StateDataClientError);
    expect(err.status).toBe(404);
    expect(err.code).toBe('StateData.ExecutionNotFound');
  });
});
