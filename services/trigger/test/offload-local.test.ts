/**
 * A result too big for SNS, end to end on the local platform: the upstream's
 * output (just under Step Functions' 256 KiB) makes a message above SNS's
 * 262,144 bytes, so the status handler offloads it to state data and
 * publishes a pointer; the downstream's input would have no room left with
 * the output read back, so it gets the pointer and its task reads the whole
 * output with get_global_item. Nothing is dropped. Real Python tasks, the
 * real handlers, the platform's topic bus (which refuses messages above the
 * SNS limit, as SNS does).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import type { PublishedMessage } from '@fluxio/local/triggers/index';
import { closedExecution, deployProject, onlyExecution, removeDir, startTriggerPlatform, tempDir, writeProject, type TriggerPlatform } from '../../../local/test/triggers-helpers.ts';

/** Characters of the upstream's big string: its output stays under 256 KiB, its result message does not. */
const BIG = 261_950;

const UPSTREAM = `
class Big(Task):
    async def run(event, context):
        return "x" * ${BIG}


def main(data):
    data["blob"] = Big(key="Make a big value")
`;

const DOWNSTREAM = `
class Measure(Task):
    async def run(event, context):
        if "__offloaded" in event:
            p = event["__offloaded"]
            blob = context.state_data_client.get_global_item(p["table_name"], p["partition_key"])["blob"]
        else:
            blob = event["blob"]
        return {"length": len(blob), "offloaded": "__offloaded" in event, "trace": event["__trace"]}


@subscribe(project="big", state_machine="main", status="success")
def main(data):
    data["measured"] = Measure(key="Measure")
`;

let dataDir: string;
let workDir: string;
let t: TriggerPlatform;
let big: DeploymentRecord;
let measure: DeploymentRecord;
const published: PublishedMessage[] = [];

beforeAll(async () => {
  dataDir = tempDir('fluxio-offload-data-');
  workDir = tempDir('fluxio-offload-work-');
  t = await startTriggerPlatform(dataDir, workDir);
  t.platform.triggers.topics.onPublish((m) => published.push(m));
  measure = await deployProject(t.deployer, 'measure', writeProject(workDir, 'measure', DOWNSTREAM));
  big = await deployProject(t.deployer, 'big', writeProject(workDir, 'big', UPSTREAM));
}, 180_000);

afterAll(async () => {
  await t?.close();
  removeDir(dataDir);
  removeDir(workDir);
});

test('an output whose message would pass 256 KB is published as a state data pointer, and the downstream reads the whole output with it', async () => {
  const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: big.stateMachines.main!.aliasArn, name: 'big-1', input: '{}' }));
  const upstream = await closedExecution(t.sfn, executionArn!);
  expect(upstream.status).toBe('SUCCEEDED');
  expect(Buffer.byteLength(upstream.output!)).toBeGreaterThan(BIG);

  const downstream = await onlyExecution(t.sfn, measure.stateMachines.main!.stateMachineArn);
  expect(downstream.status, downstream.cause).toBe('SUCCEEDED');
  expect(JSON.parse(downstream.output!).measured).toEqual({ length: BIG, offloaded: true, trace: { id: 'big-1', source: 'subscription:big/main' } });

  const message = published.find((m) => m.topicArn.endsWith(':fluxio-local-big-main-success'));
  expect(message).toBeDefined();
  const body = JSON.parse(message!.message);
  expect(body.offloaded).toEqual(['output']);
  expect(body.output).toEqual({ __offloaded: { table_name: 'fluxio-state-data', partition_key: 'big:big-1:__fluxio_result_output', key: '__fluxio_result_output' } });
  expect(Buffer.byteLength(message!.message)).toBeLessThan(2_000);
}, 120_000);
