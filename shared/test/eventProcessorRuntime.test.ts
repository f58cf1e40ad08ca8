/**
 * The deployed EventProcessor function's handler
 * (`fluxio_task.entry.event_processor_handler`) under a real python3, with the
 * function's files laid out as the deployer packages them (the class source
 * compiled from project.py as fluxio_event_processor.py, the project's
 * exception classes as fluxio_exceptions.json), and its state_data_client
 * against the embedded state data service on 127.0.0.1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_PROCESSOR_HANDLER, EVENT_PROCESSOR_SOURCE_FILE, EXECUTION_EVENT_TYPES } from '../src/eventProcessors.ts';
import { loadCompiler } from '../../services/compiler-api/src/index.ts';
import { startStateDataServer, type TestPlatform } from '../../services/state-data/test/server.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'fluxio-processor-'));
let platform: TestPlatform;

const PROJECT = `
class Quota(Exception):
    pass

class Step(Task):
    async def run(event, context):
        return event

class ShopEvents(EventProcessor):
    async def get_custom_tags_ExecutionSucceeded(message, input_data, state_data_client):
        import json
        return {"team": "shop", "items": len(message["output"]["items"]), "region": input_data.get("region"), "ok": True, "meta": {"a": [1]}}

    async def get_custom_tags_ExecutionFailed(state_data_client, input_data, message):
        return {"error": message["error"], "stored": state_data_client.get_item("summary")["total"]}

    async def get_custom_tags_ExecutionTimedOut(message, input_data, state_data_client):
        raise Quota("too many tags today")

    async def get_custom_tags_ExecutionAborted(message, input_data, state_data_client):
        return None

    async def get_custom_tags_ExecutionStarted(message, input_data, state_data_client):
        return ["not", "a", "dict"]

@process_events(processor=ShopEvents)
def main(data):
    Step()
`;

/** python3 running `code` (async: the state data server answers from this process). */
async function python(code: string, args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn('python3', ['-c', code, ...args], { cwd: dir, env: { ...process.env, PYTHONPATH: join(ROOT, 'shared/python'), FLUXIO_STATE_DATA_URL: platform.url, ...extraEnv } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise<number | null>((done) => child.on('close', done));
  return { status, stdout, stderr };
}

async function invoke(request: unknown, extraEnv: Record<string, string> = {}) {
  const [module, fn] = [EVENT_PROCESSOR_HANDLER.slice(0, EVENT_PROCESSOR_HANDLER.lastIndexOf('.')), EVENT_PROCESSOR_HANDLER.slice(EVENT_PROCESSOR_HANDLER.lastIndexOf('.') + 1)];
  const r = await python(`import json, sys\nfrom ${module} import ${fn}\nprint(json.dumps(${fn}(json.loads(sys.argv[1]), None)))`, [JSON.stringify(request)], extraEnv);
  return { ...r, body: r.status === 0 ? JSON.parse(r.stdout) : undefined };
}

beforeAll(async () => {
  platform = await startStateDataServer();
  const c = await loadCompiler();
  const r = c.compile(PROJECT);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const p = r.manifest.eventProcessors!.ShopEvents;
  // the layout the deployer writes (shared/src/eventProcessors.ts, fluxio_task/entry.py docstring)
  writeFileSync(join(dir, EVENT_PROCESSOR_SOURCE_FILE), `${'\n'.repeat(p.line - 1)}${p.source}\n`);
  writeFileSync(join(dir, 'fluxio_exceptions.json'), JSON.stringify(r.manifest.exceptions));
});
afterAll(async () => {
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const message = { project: 'shop', stateMachine: 'main', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:shop-main:run-7', status: 'SUCCEEDED', output: { items: [1, 2, 3] } };

describe('event_processor_handler', () => {
  it('answers the method’s tags for the event type, every value a string', async () => {
    const r = await invoke({ processor: 'ShopEvents', eventType: 'ExecutionSucceeded', message, inputData: { region: 'eu' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.body).toEqual({ tags: { team: 'shop', items: '3', region: 'eu', ok: 'true', meta: '{"a":[1]}' } });
  });

  it('gives state_data_client scoped to the upstream project and execution (parameters in any order)', async () => {
    // what the upstream execution's task stored
    const store = await invoke(
      { processor: 'ShopEvents', eventType: 'ExecutionFailed', message: { ...message, status: 'FAILED', error: 'Boom' }, inputData: {} },
      {},
    );
    expect(store.status).not.toBe(0); // nothing stored yet: NoItemFound propagates
    expect(store.stderr).toMatch(/NoItemFound/);
    const put = await python('from fluxio_task.state_data import StateDataClient\nimport os\nStateDataClient(os.environ["FLUXIO_STATE_DATA_URL"], "shop", "run-7").put_item("summary", {"total": 42})', []);
    expect(put.status, put.stderr).toBe(0);
    // execution given as an ARN in the request, or only in the message: both reach run-7 of shop
    for (const request of [
      { processor: 'ShopEvents', eventType: 'ExecutionFailed', message: { error: 'Boom' }, inputData: {}, project: 'shop', execution: message.executionArn },
      { processor: 'ShopEvents', eventType: 'ExecutionFailed', message: { ...message, status: 'FAILED', error: 'Boom' }, inputData: {} },
    ]) {
      const r = await invoke(request);
      expect(r.status, r.stderr).toBe(0);
      expect(r.body).toEqual({ tags: { error: 'Boom', stored: '42' } });
    }
    // another execution of the project does not see it
    const other = await invoke({ processor: 'ShopEvents', eventType: 'ExecutionFailed', message: { error: 'Boom' }, inputData: {}, project: 'shop', execution: 'run-8' });
    expect(other.stderr).toMatch(/NoItemFound/);
  });

  it('a method returning None, and an event type the class has no method for, give no tags', async () => {
    expect((await invoke({ processor: 'ShopEvents', eventType: 'ExecutionAborted', message, inputData: {} })).body).toEqual({ tags: {} });
    writeFileSync(join(dir, 'only_success.py'), 'class Few(EventProcessor):\n    async def get_custom_tags_ExecutionSucceeded(message, input_data, state_data_client):\n        return {"a": "b"}\n');
    const r = await invoke({ processor: 'Few', eventType: 'ExecutionFailed', message, inputData: {} }, { FLUXIO_EVENT_PROCESSOR_SOURCE_FILE: join(dir, 'only_success.py') });
    expect(r.status, r.stderr).toBe(0);
    expect(r.body).toEqual({ tags: {} });
  });

  it('an exception propagates with its class name (a project exception class too) and the project.py line', async () => {
    const r = await invoke({ processor: 'ShopEvents', eventType: 'ExecutionTimedOut', message, inputData: {} });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Quota: too many tags today/);
    const line = PROJECT.split('\n').findIndex((l) => l.includes('raise Quota')) + 1;
    expect(r.stderr).toContain(`line ${line}`);
  });

  it('refuses a non-dict result, an unknown event type and an unknown class, saying why', async () => {
    const notDict = await invoke({ processor: 'ShopEvents', eventType: 'ExecutionStarted', message, inputData: {} });
    expect(notDict.stderr).toMatch(/TypeError: get_custom_tags_ExecutionStarted must return a dict of tags \(or None\), not list/);
    const unknownType = await invoke({ processor: 'ShopEvents', eventType: 'ExecutionRedriven', message, inputData: {} });
    expect(unknownType.stderr).toMatch(/ValueError: unknown event type 'ExecutionRedriven'/);
    for (const t of EXECUTION_EVENT_TYPES) expect(unknownType.stderr).toContain(t);
    const unknownClass = await invoke({ processor: 'Nope', eventType: 'ExecutionSucceeded', message, inputData: {} });
    expect(unknownClass.stderr).toMatch(/TypeError: the event processor source defines no class Nope\(EventProcessor\)/);
  });

  it('the task entry still works beside it (lambda_handler)', async () => {
    writeFileSync(join(dir, 'fluxio_task_run.py'), 'async def run(event, context):\n    return {"echo": event}\n');
    const r = spawnSync('python3', ['-c', 'import json\nfrom fluxio_task.entry import lambda_handler\nprint(json.dumps(lambda_handler({"meta": {}, "data": 5}, None)))'], {
      cwd: dir,
      env: { ...process.env, PYTHONPATH: join(ROOT, 'shared/python') },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ echo: 5 });
  });
});
