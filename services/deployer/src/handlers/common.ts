/**
 * Path parsing and domain error mapping shared by the deployer handlers.
 */
import { HttpError } from '@fluxio/contracts/errors';
import { PROJECT_NAME_PATTERN } from '@fluxio/contracts/projectName';
import { DEPLOYMENT_ID_PATTERN } from '@fluxio/contracts/schemas/deployments';
import { isDeployError } from '../errors.ts';

const PROJECT = new RegExp(PROJECT_NAME_PATTERN);
const DEPLOYMENT_ID = new RegExp(DEPLOYMENT_ID_PATTERN);

/** `{project}` of the path, validated (a 400 names the rule). */
export function projectOf(params: Record<string, string>): string {
  const project = params.project;
  if (!PROJECT.test(project ?? ''))
    throw new HttpError(400, 'Request.InvalidPath', `Path parameter project=${JSON.stringify(project ?? '')} is invalid: a letter, then up to 63 letters, digits, "-" or "_".`, { parameter: 'project' });
  return project!;
}

/** `{deploymentId}` of the path, validated. */
export function deploymentIdOf(params: Record<string, string>): string {
  const id = params.deploymentId;
  if (!DEPLOYMENT_ID.test(id ?? ''))
    throw new HttpError(400, 'Request.InvalidPath', `Path parameter deploymentId=${JSON.stringify(id ?? '')} is not a deployment id (d-…).`, { parameter: 'deploymentId' });
  return id!;
}

/** The base URL a request came in on (presigned local URLs point back at it). */
export function originOf(headers: Record<string, string>): string {
  const host = headers['x-forwarded-host'] ?? headers.host ?? '127.0.0.1';
  const proto = headers['x-forwarded-proto'] ?? 'http';
  return `${proto}://${host}`;
}

/** Run `fn`, turning a {@link DeployError} into its HTTP error. */
export async function withDomainErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isDeployError(e)) throw new HttpError(e.statusCode, e.code, e.message, e.details);
    throw e;
  }
}
