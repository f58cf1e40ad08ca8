/**
 * Lambda handler of `POST /v1/projects/{project}/executions/{execution}/stop`:
 * stop the execution with optional `error` and `cause` (Step Functions
 * StopExecution; the local runner on the embedded target). Stopping an
 * execution that already finished answers 200 `{"status":"already-finished"}`.
 * Only the project's own executions: another project's is a 404 (by name) or
 * a 403 `StateData.ExecutionNotInProject` (by ARN).
 */
import { jsonHandler } from '@fluxio/contracts/http';
import { HttpError } from '@fluxio/contracts/errors';
import { StopExecutionRequestSchema, EXECUTION_NAME_PATTERN, STATE_DATA_PROJECT_PATTERN } from '@fluxio/contracts/schemas/stateData';
import { getService } from '../serviceRegistry.ts';
import { withDomainErrors } from './common.ts';

const EXECUTION = new RegExp(EXECUTION_NAME_PATTERN);
const PROJECT = new RegExp(STATE_DATA_PROJECT_PATTERN);

/** The Lambda entry point of function `stateDataStop`. */
export const handler = jsonHandler({ bodySchema: StopExecutionRequestSchema, maxBodyBytes: 64 * 1024, emptyBodyAsObject: true }, (req) =>
  withDomainErrors(async () => {
    const { project, execution } = req.pathParameters;
    if (!PROJECT.test(project ?? '')) throw new HttpError(400, 'Request.InvalidPath', `Path parameter project=${JSON.stringify(project ?? '')} is invalid.`);
    if (!EXECUTION.test(execution ?? ''))
      throw new HttpError(400, 'Request.InvalidPath', `Path parameter execution=${JSON.stringify(execution ?? '')} is not an execution name (1-80 characters, no whitespace or <>{}[]?*"#%\\^|~\`$&,;:/).`);
    const arn = req.body.executionArn;
    if (arn !== undefined && arn.slice(arn.lastIndexOf(':') + 1) !== execution)
      throw new HttpError(400, 'Request.Invalid', `executionArn ${arn} does not end with the execution name ${execution} of the path.`);
    const status = await getService().stopExecution(project, arn ?? execution, { error: req.body.error, cause: req.body.cause });
    return { body: { status } };
  }),
);
