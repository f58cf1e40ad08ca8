/**
 * Helpers of the trigger end-to-end tests: the real platform (startPlatform on
 * 127.0.0.1:0 over a temporary data directory), projects deployed through the
 * deployer's HTTP API with the TypeScript deployer client (as `fluxio deploy`
 * does), and the real `@aws-sdk/client-sfn` to start and read executions.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type DescribeExecutionOutput, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';
import { DeployerClient } from '@fluxio/contracts/deployerClient';
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { startPlatform, type Platform } from '../src/server/platform.ts';

export const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });

/** A platform with its SFN client. */
export interface TriggerPlatform {
  platform: Platform;
  sfn: SFNClient;
  deployer: DeployerClient;
  close(): Promise<void>;
}

/** Starts the platform on `dataDir` (one Python worker of each kind). */
export async function startTriggerPlatform(dataDir: string, workDir: string): Promise<TriggerPlatform> {
  const platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 1, projectDir: workDir });
  const sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deployer = new DeployerClient({ baseUrl: platform.url, pollIntervalMs: 50 });
  return {
    platform,
    sfn,
    deployer,
    close: async () => {
      sfn.destroy();
      await platform.close();
    },
  };
}

/** Bundles `dir`, uploads it and deploys it as `project`; the finished deployment (it must succeed). */
export async function deployProject(deployer: DeployerClient, project: string, dir: string): Promise<DeploymentRecord> {
  const bundle = await createProjectBundle(dir);
  await deployer.uploadBundle(project, bundle);
  const record = await deployer.deployAndWait(project, { bundle: { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes } });
  if (record.status !== 'SUCCEEDED') throw new Error(`deploying ${project} ended ${record.status}: ${JSON.stringify(record)}`);
  return record;
}

/** A project directory `<workDir>/<name>` holding `project.py` = `source`. */
export function writeProject(workDir: string, name: string, source: string): string {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'project.py'), source);
  return dir;
}

/** A copy of `examples/<name>` under `workDir`. */
export function copyExample(workDir: string, name: string): string {
  const dir = join(workDir, name);
  cpSync(join(EXAMPLES, name), dir, { recursive: true });
  return dir;
}

/** Polls `check` every 50 ms until it returns a value other than undefined; throws after `timeoutMs` saying `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every execution of `stateMachineArn` (all pages, newest first). */
export async function listExecutions(sfn: SFNClient, stateMachineArn: string): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken }));
    out.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** The closed execution `executionArn` (polled while RUNNING). */
export async function closedExecution(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionOutput> {
  return eventually(`${executionArn} to end`, async () => {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  });
}

/** The single execution of `stateMachineArn` once there is one and it ended; throws when there are several. */
export async function onlyExecution(sfn: SFNClient, stateMachineArn: string): Promise<DescribeExecutionOutput> {
  const [first, ...more] = await eventually(`an execution of ${stateMachineArn}`, async () => {
    const list = await listExecutions(sfn, stateMachineArn);
    return list.length ? list : undefined;
  });
  if (more.length) throw new Error(`expected one execution of ${stateMachineArn}, found ${more.length + 1}`);
  return closedExecution(sfn, first!.executionArn!);
}

/** `at(...)` of the UTC second `ms` (EventBridge Scheduler's one-time form, `timezone` left out = UTC). */
export const atExpression = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;
