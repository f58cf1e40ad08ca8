/**
 * Function `deployerWorker` (AWS only): the rest of a deployment the deploy
 * function answered 202. `deployerDeploy` starts it (compiled, record
 * IN_PROGRESS, lease handed over) and invokes this function asynchronously
 * with `{"fluxioDeploymentContinuation": {"project", "deploymentId"}}`
 * (adapters/LambdaContinuation.ts); this takes the lease over and runs the
 * deployment from its checkpoints through the same domain path as any
 * deployment ({@link Deployer.continueDeployment}), within Lambda's 15 minutes.
 *
 * A deployment error is recorded in the deployment record (FAILED, aliases
 * pointed back) and logged, not thrown: Lambda's asynchronous retries could
 * not change it. A repeated event (Lambda delivers asynchronous events at
 * least once) finds the lease taken or the deployment finished and does nothing.
 */
import type { Context } from 'aws-lambda';
import { HttpError } from '@fluxio/contracts/errors';
import { PROJECT_NAME_PATTERN } from '@fluxio/contracts/projectName';
import { DEPLOYMENT_ID_PATTERN, type DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { logger } from '@fluxio/contracts/observability';
import type { DeploymentContinuationEvent } from '../adapters/LambdaContinuation.ts';
import { isDeployError } from '../errors.ts';
import { getDeployer } from '../serviceRegistry.ts';

const PROJECT = new RegExp(PROJECT_NAME_PATTERN);
const DEPLOYMENT_ID = new RegExp(DEPLOYMENT_ID_PATTERN);

/** What the worker did: the deployment's status, or why it did nothing. */
export type ContinuationOutcome =
  | { deploymentId: string; status: DeploymentRecord['status'] }
  | { deploymentId: string; status: 'FAILED'; error: { code: string; message: string } }
  | { deploymentId: string; skipped: string };

/** The Lambda handler. @throws Error for an event that is not a continuation (a wrong caller), or an unexpected failure */
export async function continueDeployment(event: unknown, _context?: Context): Promise<ContinuationOutcome> {
  const c = (event as Partial<DeploymentContinuationEvent> | null)?.fluxioDeploymentContinuation;
  if (!c || typeof c.project !== 'string' || !PROJECT.test(c.project) || typeof c.deploymentId !== 'string' || !DEPLOYMENT_ID.test(c.deploymentId))
    throw new Error('The deployer worker takes {"fluxioDeploymentContinuation": {"project", "deploymentId"}} events only (sent by the deploy function).');
  const { project, deploymentId } = c;
  try {
    const record = await getDeployer().continueDeployment(project, deploymentId);
    logger.info('Deployment continued', { project, deploymentId, status: record.status });
    return { deploymentId, status: record.status };
  } catch (e) {
    if (!isDeployError(e) && !(e instanceof HttpError)) throw e;
    if (e.code === 'Deploy.InProgress') {
      logger.info('Deployment already continued elsewhere', { project, deploymentId, message: e.message });
      return { deploymentId, skipped: e.message };
    }
    logger.warn('Deployment failed', { project, deploymentId, code: e.code, message: e.message });
    return { deploymentId, status: 'FAILED', error: { code: e.code, message: e.message } };
  }
}
