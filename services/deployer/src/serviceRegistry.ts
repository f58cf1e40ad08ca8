/**
 * The deployer the handlers use: injected by the local platform
 * ({@link setDeployer}) or built once per Lambda container from the
 * environment (config.ts).
 */
import type { DeployerApi } from './api.ts';
import { readDeployerConfig } from './config.ts';
import { createAwsDeployer } from './createDeployer.ts';
import { LambdaContinuation } from './adapters/LambdaContinuation.ts';
import type { DeploymentContinuation } from './ports.ts';

let current: DeployerApi | undefined;
let continuation: DeploymentContinuation | null | undefined;

/** Make the handlers use `deployer` (the local platform's); `undefined` resets to env configuration. */
export function setDeployer(deployer: DeployerApi | undefined): void {
  current = deployer;
}

/** The deployer for this process (built from env on first use). @throws Error naming a missing variable */
export function getDeployer(): DeployerApi {
  return (current ??= createAwsDeployer(readDeployerConfig()).deployer);
}

/**
 * Make the deploy handler hand its deployments to `c` and answer 202 at once
 * (tests; `null`: no continuation, the deployment goes on in this process;
 * `undefined` resets to the environment).
 */
export function setContinuation(c: DeploymentContinuation | null | undefined): void {
  continuation = c;
}

/**
 * The continuation of this process: on Lambda (`AWS_LAMBDA_FUNCTION_NAME`) the
 * deployer worker named by `FLUXIO_DEPLOYER_WORKER_FUNCTION`, invoked
 * asynchronously; elsewhere none (the local platform's process keeps running
 * after it answers, so the deployment goes on there).
 * @throws Error on Lambda without `FLUXIO_DEPLOYER_WORKER_FUNCTION`
 */
export function getContinuation(env: NodeJS.ProcessEnv = process.env): DeploymentContinuation | null {
  if (continuation !== undefined) return continuation;
  if (!env.AWS_LAMBDA_FUNCTION_NAME) return (continuation = null);
  const functionName = env.FLUXIO_DEPLOYER_WORKER_FUNCTION;
  if (!functionName)
    throw new Error('On Lambda the deploy function needs FLUXIO_DEPLOYER_WORKER_FUNCTION (the deployer worker it hands deployments to; serverless.yml sets it).');
  return (continuation = new LambdaContinuation({ functionName }));
}
