/**
 * Lambda handlers of the deployments routes:
 * `POST /v1/projects/{project}/deployments[?dryRun=true]`,
 * `GET /v1/projects/{project}/deployments` (newest first) and
 * `GET /v1/projects/{project}/deployments/{deploymentId}`.
 */
import { jsonHandler, logUnhandled } from '@fluxio/contracts/http';
import { HttpError } from '@fluxio/contracts/errors';
import { DEPLOY_MAX_BODY_BYTES, DeployRequestSchema } from '@fluxio/contracts/schemas/deployments';
import { getContinuation, getDeployer } from '../serviceRegistry.ts';
import { deploymentIdOf, projectOf, withDomainErrors } from './common.ts';

/**
 * Function `deployerDeploy`: deploy (201 with the record when it finished within
 * the request, else 202 with its id: poll it) or plan (`?dryRun=true`, 200).
 * On Lambda every deployment is answered 202 once started (record IN_PROGRESS,
 * compiled), the rest runs in the deployer worker (handlers/worker.ts).
 */
export const deploy = jsonHandler({ bodySchema: DeployRequestSchema, maxBodyBytes: DEPLOY_MAX_BODY_BYTES }, (req) =>
  withDomainErrors(async () => {
    const project = projectOf(req.pathParameters);
    const dryRun = req.query.dryRun;
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false')
      throw new HttpError(400, 'Request.InvalidQuery', `dryRun=${JSON.stringify(dryRun)}: use dryRun=true for a plan, or leave it out.`);
    if (dryRun === 'true') return { body: await getDeployer().plan(project, req.body) };
    const continuation = getContinuation();
    if (continuation) {
      // Lambda: this process is frozen once it answers. Start the deployment here (compile errors and a
      // running deployment are still answered 422 / 409), hand the rest to the worker, answer 202.
      const started = await getDeployer().start(project, req.body);
      try {
        await continuation.continueLater(project, started.deploymentId);
      } catch (e) {
        // The worker could not be invoked: go on in this request (a deployment cut short by the
        // function timeout is resumed by the next deploy of the bundle, as any dead one).
        logUnhandled(`Could not hand deployment ${started.deploymentId} of ${project} to the deployer worker; continuing in the request`, e);
        return { statusCode: 201, body: await getDeployer().continueDeployment(project, started.deploymentId) };
      }
      return accepted(project, started.deploymentId);
    }
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
    const waited = new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref());
    // The record when it finishes in time; undefined when it was still running at the deadline (and had started).
    const finished = await Promise.race([run, waited.then(() => Promise.race([startedSignal.then(() => undefined), run]))]);
    if (finished) return { statusCode: 201, body: finished };
    // Still deploying: answer 202 and let it finish in this process (the local platform); its record tells the end.
    run.catch((e: unknown) => logUnhandled(`Deployment ${started} of ${project} failed after its 202`, e));
    return accepted(project, started!);
  }),
);

/** The 202 answer naming a deployment still running: poll `links.self`. */
function accepted(project: string, deploymentId: string) {
  const self = `/v1/projects/${project}/deployments/${deploymentId}`;
  return { statusCode: 202, headers: { location: self }, body: { deploymentId, status: 'IN_PROGRESS', links: { self } } };
}

/**
 * How long `POST …/deployments` waits for the deployment before answering 202
 * when it runs in this process (the local platform: `FLUXIO_DEPLOY_WAIT_SECONDS`;
 * default 25 s, under API Gateway's 30 s). On Lambda the deployment is handed
 * to the deployer worker instead and answered 202 at once ({@link getContinuation}).
 */
function deployWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.FLUXIO_DEPLOY_WAIT_SECONDS;
  if (text !== undefined && text !== '' && Number.isFinite(Number(text)) && Number(text) >= 0) return Number(text) * 1000;
  return 25_000;
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

/**
 * Local function `deployerGetSource`: the deployment's project.py and its
 * compiled manifest (`GET …/deployments/{deploymentId}/source`; the console
 * shows each state beside its line). 404 `Deploy.NotFound` / `Deploy.NoBundle`.
 */
export const source = jsonHandler({}, (req) =>
  withDomainErrors(async () => ({ body: await getDeployer().source(projectOf(req.pathParameters), deploymentIdOf(req.pathParameters)) })),
);
