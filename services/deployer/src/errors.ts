/**
 * The deployer error family. Domain code throws these; the handlers map them
 * to HTTP (`statusCode`, `code`) at the edge.
 */
import { ServiceError, isServiceErrorNamed } from '@fluxio/contracts/errors';

export class DeployError extends ServiceError {
  override name = 'DeployError';
}

export const isDeployError = (e: unknown): e is DeployError => isServiceErrorNamed<DeployError>(e, 'DeployError');

/** 409: another deployment of the project holds the lease. */
export const deployInProgress = (project: string, deploymentId: string, expiresAt: string) =>
  new DeployError(
    'Deploy.InProgress',
    409,
    `Deployment ${deploymentId} of project ${project} is in progress; wait for it to finish (poll GET /v1/projects/${project}/deployments/${deploymentId}) and retry. ` +
      `Its lease expires at ${expiresAt} if its deployer died.`,
    { deploymentId, leaseExpiresAt: expiresAt },
  );

/** 404: no such deployment. */
export const deploymentNotFound = (project: string, deploymentId: string) =>
  new DeployError('Deploy.NotFound', 404, `Project ${project} has no deployment ${deploymentId}; list them with GET /v1/projects/${project}/deployments.`, {
    deploymentId,
  });

/** 404: the bundle was never uploaded. */
export const bundleNotFound = (project: string, sha256: string) =>
  new DeployError(
    'Deploy.BundleNotFound',
    404,
    `Bundle ${sha256} of project ${project} was not uploaded; POST /v1/projects/${project}/bundles/upload-url and PUT the zip first (fluxio deploy does this).`,
    { sha256 },
  );
