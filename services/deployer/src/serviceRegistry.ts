/**
 * The deployer the handlers use: injected by the local platform
 * ({@link setDeployer}) or built once per Lambda container from the
 * environment (config.ts).
 */
import type { DeployerApi } from './api.ts';
import { DeployError } from './errors.ts';

let current: DeployerApi | undefined;

/** Make the handlers use `deployer` (the local platform's); `undefined` resets to env configuration. */
export function setDeployer(deployer: DeployerApi | undefined): void {
  current = deployer;
}

/** The deployer for this process. */
export function getDeployer(): DeployerApi {
  if (current) return current;
  throw new DeployError('Deploy.NotConfigured', 501, 'The deployer is not built yet on this target (issue 8 in progress): its configuration from the environment lands in the next commit.');
}
