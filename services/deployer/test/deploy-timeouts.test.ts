/**
 * A task function's Lambda timeout outlasts the Task states that call it, so
 * a deployed task that overruns its `timeout` fails the state with
 * `States.Timeout` — what `with retry(on_exceptions=[States.Timeout])` and
 * `except States.Timeout:` name, and what `fluxio run` raises — rather than
 * the function's own `Sandbox.Timedout`. End to end: examples/parallel-errors
 * deployed on the local platform behaves as `fluxio run` runs it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { compileSource } from '@fluxio/compiler-api';
import { startPlatform, type Platform } from '@fluxio/local/server/platform';
import { LAMBDA_TIMEOUT_MARGIN_SECONDS, lambdaTimeoutSeconds, taskStateTimeouts } from '../src/Deployer.ts';
import { localPlatformClient } from './localPlatformClient.ts';

const EXAMPLE = fileURLToPath(new URL('../../../examples/parallel-errors', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('Lambda timeouts of task functions', () => {
  test('the longest TimeoutSeconds of the states calling a task, plus the margin, within 1–900 s', async () => {
    const result = await compileSource(readFileSync(join(EXAMPLE, 'project.py'), 'utf8'), { project: 'parallel-errors' });
    if (!('manifest' in result) || !result.manifest) throw new Error('parallel-errors must compile');
    const timeouts = taskStateTimeouts(result.manifest);
    expect(timeouts.get('Flaky')).toBe(2); // the class timeout = 2 → TimeoutSeconds 2
    expect(timeouts.get('LogMessage')).toBe(300); // the default TimeoutSeconds
    expect(lambdaTimeoutSeconds(2, timeouts.get('Flaky'))).toBe(2 + LAMBDA_TIMEOUT_MARGIN_SECONDS);
    // A call site's longer timeout wins over the class's; Lambda's 900 s bound holds.
    expect(lambdaTimeoutSeconds(2, 60)).toBe(60 + LAMBDA_TIMEOUT_MARGIN_SECONDS);
    expect(lambdaTimeoutSeconds(900, 900)).toBe(900);
  });
});

describe('examples/parallel-errors deployed on the local platform', () => {
  let dataDir: string;
  let platform: Platform;
  let sfn: SFNClient;
  let lambda: LambdaClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fluxio-deploy-timeouts-'));
    platform = await startPlatform({ dataDir, port: 0, workers: 1, lambdaWorkers: 2, projectDir: dataDir });
    sfn = new SFNClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    lambda = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    sfn?.destroy();
    lambda?.destroy();
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the overrunning task times out as States.Timeout, is retried, and its MyError is caught into WorkerError', async () => {
    const { api, upload } = localPlatformClient(() => platform.url, () => sfn);
    const deployed = await api('POST', '/v1/projects/parallel-errors/deployments', { bundle: await upload('parallel-errors', EXAMPLE) });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    const flaky = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fluxio-local-parallel-errors-Flaky' }));
    expect(flaky.Timeout).toBe(2 + LAMBDA_TIMEOUT_MARGIN_SECONDS);

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: deployed.body.stateMachines.main.aliasArn, input: JSON.stringify({ level: 20, message: 'foo' }) }),
    );
    let d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; d.status === 'RUNNING' && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('WorkerError');
    expect(d.cause).toBe('MyError was raised');
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const timedOut = events.filter((e) => e.type === 'LambdaFunctionTimedOut' || e.type === 'TaskTimedOut');
    expect(timedOut.length).toBe(1); // the first attempt, then the retry raised MyError
    expect(JSON.stringify(events)).not.toContain('Sandbox.Timedout');
  }, 120_000);
});
