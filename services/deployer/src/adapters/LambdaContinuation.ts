/**
 * {@link DeploymentContinuation} on AWS: the deployer worker function
 * (serverless.yml `deployerWorker`, 15-minute timeout), invoked asynchronously
 * (`InvocationType: 'Event'`: Lambda queues the event and answers 202 at once)
 * with `{"fluxioDeploymentContinuation": {"project", "deploymentId"}}`.
 * Lambda retries a failed asynchronous invocation up to twice; the worker's
 * lease hand-over makes a repeated event a no-op.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 */
import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { DeploymentContinuation } from '../ports.ts';

/** The event the deployer worker receives. */
export interface DeploymentContinuationEvent {
  fluxioDeploymentContinuation: { project: string; deploymentId: string };
}

export interface LambdaContinuationOptions {
  /** Name or ARN of the deployer worker function (`FLUXIO_DEPLOYER_WORKER_FUNCTION`). */
  functionName: string;
  client?: LambdaClient;
  clientConfig?: LambdaClientConfig;
}

export class LambdaContinuation implements DeploymentContinuation {
  readonly client: LambdaClient;
  private readonly functionName: string;

  constructor(options: LambdaContinuationOptions) {
    this.functionName = options.functionName;
    this.client = options.client ?? new LambdaClient(options.clientConfig ?? {});
  }

  /** @throws Error when Lambda does not accept the event (its status is not 202) */
  async continueLater(project: string, deploymentId: string): Promise<void> {
    const event: DeploymentContinuationEvent = { fluxioDeploymentContinuation: { project, deploymentId } };
    const out = await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    if (out.StatusCode !== 202) throw new Error(`Invoke of ${this.functionName} (InvocationType Event) answered ${out.StatusCode}, not 202.`);
  }
}
