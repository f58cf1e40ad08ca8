/**
 * Lambda handlers of the deployments routes:
 * `POST /v1/projects/{project}/deployments[?dryRun=true]`,
 * `GET /v1/projects/{project}/deployments` (newest first) and
 * `GET /v1/projects/{project}/deployments/{deploymentId}`.
 */
import { jsonHandler, logUnhandled } from '@fluxio/contracts/http';
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
    const waitMs = deployWaitMs();
    let started: string | undefined;
    let wake: () => void = () => undefined;
    const startedSignal = new Promise<void>((resolve) => (wake = resolve));
    const run = getDeployer().deploy(project, req.body, {
      onStarted: (id) => {
        started = id;
        wake();
      },
    });
    if (waitMs === Infinity) return { statusCode: 201, body: await run };
    const waited = new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref());
    // The record when it finishes in time; undefined when it was still running at the deadline (and had started).
    const finished = await Promise.race([run, waited.then(() => Promise.race([startedSignal.then(() => undefined), run]))]);
    if (finished) return { statusCode: 201, body: finished };
    // Still deploying: answer 202 and let it finish in this process (the local platform); its record tells the end.
    run.catch((e: unknown) => logUnhandled(`Deployment ${started} of ${project} failed after its 202`, e));
    return {
      statusCode: 202,
      headers: { location: `/v1/projects/${project}/deployments/${started}` },
      body: { deploymentId: started, status: 'IN_PROGRESS', links: { self: `/v1/projects/${project}/deployments/${started}` } },
    };
  }),
);

/**
 * How long `POST …/deployments` waits for the deployment before answering 202
 * (`FLUXIO_DEPLOY_WAIT_SECONDS`; default 25 s, under API Gateway's 30 s). On
 * Lambda the default is to wait to the end: a Lambda process is frozen once it
 * answers, so the rest of the deployment would not run (answering 202 there
 * needs an asynchronous continuation, not built yet).
 */
function deployWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.FLUXIO_DEPLOY_WAIT_SECONDS;
  if (text !== undefined && text !== '' && Number.isFinite(Number(text)) && Number(text) >= 0) return Number(text) * 1000;
  return env.AWS_LAMBDA_FUNCTION_NAME ? Infinity : 25_000;
}

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
