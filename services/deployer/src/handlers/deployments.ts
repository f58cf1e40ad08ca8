/**
 * Lambda handlers of the deployments routes:
 * `POST /v1/projects/{project}/deployments[?dryRun=true]`,
 * `GET /v1/projects/{project}/deployments` (newest first) and
 * `GET /v1/projects/{project}/deployments/{deploymentId}`.
 */
import { jsonHandler } from '@fluxio/contracts/http';
import { HttpError } from '@fluxio/contracts/errors';
import { DEPLOY_MAX_BODY_BYTES, DeployRequestSchema } from '@fluxio/contracts/schemas/deployments';
import { getDeployer } from '../serviceRegistry.ts';
import { deploymentIdOf, projectOf, withDomainErrors } from './common.ts';

/** Function `deployerDeploy`: deploy (201 with the record) or plan (`?dryRun=true`, 200). */
export const deploy = jsonHandler({ bodySchema: DeployRequestSchema, maxBodyBytes: DEPLOY_MAX_BODY_BYTES }, (req) =>
  withDomainErrors(async () => {
    const project = projectOf(req.pathParameters);
    const dryRun = req.query.dryRun;
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false')
      throw new HttpError(400, 'Request.InvalidQuery', `dryRun=${JSON.stringify(dryRun)}: use dryRun=true for a plan, or leave it out.`);
    if (dryRun === 'true') return { body: await getDeployer().plan(project, req.body) };
    return { statusCode: 201, body: await getDeployer().deploy(project, req.body) };
  }),
);

/** Function `deployerListDeployments`: the records, newest first (`?limit=` 1–100, `?next=` from the previous page). */
export const list = jsonHandler({}, (req) =>
  withDomainErrors(async () => {
    const project = projectOf(req.pathParameters);
    const limitText = req.query.limit;
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new HttpError(400, 'Request.InvalidQuery', `limit=${JSON.stringify(limitText)}: use a whole number from 1 to 100.`);
    return { body: await getDeployer().list(project, { limit, next: req.query.next }) };
  }),
);

/** Function `deployerGetDeployment`: one record (404 `Deploy.NotFound`). */
export const get = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({ body: await getDeployer().get(projectOf(req.pathParameters), deploymentIdOf(req.pathParameters)) })),
);
