/**
 * The deployer the handlers use: injected by the local platform
 * ({@link setDeployer}) or built once per Lambda container from the
 * environment (config.ts).
 */
import type { DeployerApi } from './api.ts';
import { readDeployerConfig } from './config.ts';
import { createAwsDeployer } from './createDeployer.ts';

let current: DeployerApi | undefined;

/** Make the handlers use `deployer` (the local platform's); `undefined` resets to env configuration. */
export function setDeployer(deployer: DeployerApi | undefined): void {
  current = deployer;
}

/** The deployer for this process (built from env on first use). @throws Error naming a missing variable */
export function getDeployer(): DeployerApi {
  return (current ??= createAwsDeployer(readDeployerConfig()).deployer);
}
