/** `POST /v1/runs` and `GET /v1/runs/{runId}` (local platform only). */
import { jsonHandler } from '@fluxio/contracts/http';
import { RunRequestSchema, RUN_MAX_BODY_BYTES } from '@fluxio/contracts/schemas/runs';
import { getRunService } from '../RunService.ts';

/** Start a run; 200 with the result when it finished within `waitSeconds`, else 202 RUNNING. */
export const startRun = jsonHandler(
  { bodySchema: RunRequestSchema, maxBodyBytes: RUN_MAX_BODY_BYTES, tooLargeHint: 'Keep project.py small and pass big inputs through the state data service.' },
  async ({ body }) => {
    const run = await getRunService().start(body);
    return { statusCode: run.status === 'RUNNING' ? 202 : 200, body: run, headers: { location: run.links.self } };
  },
);

/** Read a run (poll until `status` is not RUNNING). */
export const getRun = jsonHandler({}, async ({ pathParameters }) => ({ body: getRunService().get(pathParameters.runId ?? '') }));
