/**
 * Building the executions service: from the environment on Lambda, or for
 * the local platform (which injects it with `setExecutionsService`).
 *
 * Environment of the executions functions on AWS (serverless.yml sets them):
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `FLUXIO_STAGE` | the platform's stage: state machines are `fluxio-<stage>-<project>-<fn>` | required |
 * | `AWS_REGION` | Step Functions' region (set by Lambda) | the SDK's default chain |
 */
import { SfnExecutions } from '../adapters/SfnExecutions.ts';
import { ExecutionsService } from './ExecutionsService.ts';

/** A built service and how to release its SDK client. */
export interface ExecutionsServiceHandle {
  service: ExecutionsService;
  close(): void;
}

/** Read the configuration from `env`. @throws Error naming a missing variable */
export function readExecutionsConfig(env: NodeJS.ProcessEnv = process.env): { stage: string } {
  if (!env.FLUXIO_STAGE) throw new Error('The executions API needs FLUXIO_STAGE (the platform stage; see services/trigger/src/executions/config.ts).');
  return { stage: env.FLUXIO_STAGE };
}

/** The service of a deployed platform: the SDK's default region and credentials, stage from the environment. */
export function createAwsExecutionsService(env: NodeJS.ProcessEnv = process.env): ExecutionsServiceHandle {
  const executions = new SfnExecutions();
  return { service: new ExecutionsService({ executions, stage: readExecutionsConfig(env).stage }), close: () => executions.client.destroy() };
}

/** The service of the local platform: its Step Functions API at `platformUrl` (no auth checked), stage `stage` (`local`). */
export function createLocalExecutionsService(options: { platformUrl: string; stage: string }): ExecutionsServiceHandle {
  const executions = new SfnExecutions({
    clientConfig: { endpoint: options.platformUrl, region: 'us-east-1', credentials: { accessKeyId: 'fluxio-local', secretAccessKey: 'fluxio-local' }, maxAttempts: 2 },
  });
  return { service: new ExecutionsService({ executions, stage: options.stage }), close: () => executions.client.destroy() };
}
