/**
 * Lambda handlers of the project routes: `GET /v1/projects/{project}`
 * (current deployment and ARNs), `POST /v1/projects/{project}/rollback` and
 * `DELETE /v1/projects/{project}` (destroy; the records are kept).
 */
import { jsonHandler } from '@fluxio/contracts/http';
import { DEPLOY_MAX_BODY_BYTES, RollbackRequestSchema } from '@fluxio/contracts/schemas/deployments';
import { getDeployer } from '../serviceRegistry.ts';
import { projectOf, withDomainErrors } from './common.ts';

/** Function `deployerDescribe`. */
export const describe = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({ body: await getDeployer().describe(projectOf(req.pathParameters)) })),
);

/** Function `deployerRollback`: 201 with the rollback record. */
export const rollback = jsonHandler(
  { bodySchema: RollbackRequestSchema, maxBodyBytes: DEPLOY_MAX_BODY_BYTES, emptyBodyAsObject: true },
  (req) => withDomainErrors(async () => ({ statusCode: 201, body: await getDeployer().rollback(projectOf(req.pathParameters), req.body) })),
);

/** Function `deployerDestroy`: the destroy record (status DESTROYED). */
export const destroy = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({ body: await getDeployer().destroy(projectOf(req.pathParameters)) })),
);
