/**
 * Schemas of the local platform's run API (`POST /v1/runs`, `GET /v1/runs/{runId}`):
 * run a project's source like `fluxio run` and read the result; long runs are
 * pollable. Local platform only (on AWS, executions are started by the trigger
 * service and read with Step Functions' DescribeExecution).
 */
import { Type, type Static } from '@sinclair/typebox';
import { PROJECT_NAME_PATTERN } from '../projectName.ts';

/** Largest accepted `POST /v1/runs` body (1 MiB, as `POST /v1/compile`, plus room for input). */
export const RUN_MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Longest a `POST /v1/runs` waits for the run before answering 202, in seconds. */
export const RUN_MAX_WAIT_SECONDS = 25;

/** Step Functions execution statuses, plus RUNNING while the run goes on. */
export const RunStatusSchema = Type.Union(
  ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'].map((s) => Type.Literal(s)),
  { $id: 'RunStatus' },
);

/** Body of `POST /v1/runs`. */
export const RunRequestSchema = Type.Object(
  {
    source: Type.String({ description: 'The text of project.py (UTF-8).' }),
    project: Type.Optional(Type.String({ pattern: PROJECT_NAME_PATTERN, description: 'Project name. Default: "project".' })),
    stateMachine: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'State machine function. Default: "main".' })),
    input: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description: 'Execution input: a JSON object of at most 262,144 bytes (Step Functions StartExecution quota; larger: 413 Run.InputTooLarge). Default: {}.',
        },
      ),
    ),
    fastWaits: Type.Optional(Type.Boolean({ description: 'Skip Wait states and Retry intervals. Default: false.' })),
    waitSeconds: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: RUN_MAX_WAIT_SECONDS,
        description: `Seconds to wait for the result before answering 202 RUNNING (poll GET /v1/runs/{runId}). Default: ${RUN_MAX_WAIT_SECONDS}.`,
      }),
    ),
  },
  { $id: 'RunRequest', additionalProperties: false },
);
export type RunRequest = Static<typeof RunRequestSchema>;

/** A run, running or finished (DESIGN.md §6's `{status, output, error, cause}` plus identifiers). */
export const RunSchema = Type.Object(
  {
    runId: Type.String(),
    status: RunStatusSchema,
    output: Type.Unknown({ description: 'Execution output (null unless SUCCEEDED).' }),
    error: Type.Union([Type.String(), Type.Null()]),
    cause: Type.Union([Type.String(), Type.Null()]),
    executionName: Type.String(),
    stateMachine: Type.String(),
    startedAt: Type.String({ description: 'ISO 8601.' }),
    stoppedAt: Type.Union([Type.String(), Type.Null()]),
    failedState: Type.Optional(Type.String()),
    failedLine: Type.Optional(Type.Number({ description: 'project.py line of the failed state.' })),
    statesEntered: Type.Number({ description: 'States entered so far (nested included).' }),
    links: Type.Object({ self: Type.String() }),
  },
  { $id: 'Run' },
);
export type Run = Static<typeof RunSchema>;
