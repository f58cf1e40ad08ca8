/**
 * Request and response schemas of the executions API (issue 9): start, list,
 * describe, history, stop and redrive the executions of a deployed project's
 * state machine, under
 * `/v1/projects/{project}/state-machines/{stateMachine}/executions`.
 * Dates are ISO 8601 text (UTC, milliseconds); execution input and output are
 * JSON values, not strings.
 */
import { Type, type Static } from '@sinclair/typebox';

/**
 * An execution name: 1–80 characters of `A-Z a-z 0-9 - _`. Step Functions
 * accepts more (any character but whitespace, brackets, wildcards, control
 * characters and a few punctuation marks); Fluxio keeps the subset that is
 * safe in URL paths, CloudWatch and its own derived names.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#StepFunctions-StartExecution-request-name
 */
export const EXECUTION_NAME_PATTERN = '^[A-Za-z0-9_-]{1,80}$';

/**
 * Largest execution input Step Functions takes, in UTF-8 bytes of JSON
 * (256 KiB), `__trace` included.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_EXECUTION_INPUT_BYTES = 256 * 1024;

/** Largest body of the start route: the input quota plus room for `name` and the envelope. */
export const START_EXECUTION_MAX_BODY_BYTES = MAX_EXECUTION_INPUT_BYTES + 1024;

/** What to do when a start body is above {@link START_EXECUTION_MAX_BODY_BYTES} (the 413 hint). */
export const EXECUTION_INPUT_TOO_LARGE_HINT =
  'Step Functions takes at most 256 KiB of execution input: store large data with the state data API (put_items) and pass its pointer in the input.';

/** Execution statuses (Step Functions `ExecutionStatus`), the values of `?status=`. */
export const EXECUTION_STATUS_VALUES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

const StatusSchema = Type.String({ enum: [...EXECUTION_STATUS_VALUES] });
const DateText = (description: string) => Type.String({ description: `${description} (ISO 8601, UTC).` });
const NullableDate = (description: string) => Type.Union([DateText(description), Type.Null()]);
const Trigger = Type.Union([Type.String(), Type.Null()], {
  description: 'Where the execution came from: its input\'s `__trace.source` (`http`, `schedule`, `subscription:<project>/<stateMachine>`, `direct`), null when the input has none.',
});

/** Body of `POST …/executions`. */
export const StartExecutionRequestSchema = Type.Object(
  {
    input: Type.Optional(
      Type.Object({}, {
        additionalProperties: true,
        description:
          'The execution input, a JSON object (default `{}`). Its `__trace` is set to `{"id", "source": "http"}`: `id` is the caller\'s `__trace.id` when given (a trace carried over from elsewhere), else the execution name.',
      }),
    ),
    name: Type.Optional(
      Type.String({
        pattern: EXECUTION_NAME_PATTERN,
        description: 'Execution name, the idempotency key: the same name and input again answer 200 with that execution. Default: a new UUID.',
      }),
    ),
  },
  { $id: 'StartExecutionRequest', additionalProperties: false },
);
export type StartExecutionRequest = Static<typeof StartExecutionRequestSchema>;

/** 201 (started) or 200 (the execution of that name and input, already started) of `POST …/executions`. */
export const StartExecutionResponseSchema = Type.Object(
  { executionArn: Type.String(), name: Type.String(), startDate: DateText('When the execution started') },
  { $id: 'StartExecutionResponse' },
);
export type StartExecutionResponse = Static<typeof StartExecutionResponseSchema>;

/** Query of `GET …/executions`. */
export const ListExecutionsQuerySchema = Type.Object(
  {
    status: Type.Optional(StatusSchema),
    nextToken: Type.Optional(Type.String({ description: 'The `nextToken` of the previous page.' })),
    maxResults: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'Executions per page, 1 to 100 (default 25).' })),
  },
  { $id: 'ListExecutionsQuery' },
);

/** One execution of a list. */
export const ExecutionListItemSchema = Type.Object(
  {
    name: Type.String(),
    executionArn: Type.String(),
    status: StatusSchema,
    startDate: DateText('Start'),
    stopDate: NullableDate('End; null while running'),
    trigger: Trigger,
  },
  { $id: 'ExecutionListItem' },
);

/** `GET …/executions`: newest first. */
export const ExecutionListSchema = Type.Object(
  { executions: Type.Array(ExecutionListItemSchema), nextToken: Type.Optional(Type.String({ description: 'Pass it as `?nextToken=` for the next page.' })) },
  { $id: 'ExecutionList' },
);
export type ExecutionList = Static<typeof ExecutionListSchema>;

/** `GET …/executions/{name}`. */
export const ExecutionDescriptionSchema = Type.Object(
  {
    name: Type.String(),
    executionArn: Type.String(),
    status: StatusSchema,
    input: Type.Unknown({ description: 'The execution input (a JSON value, with its `__trace`); null when Step Functions leaves it out.' }),
    output: Type.Unknown({ description: 'The output of a SUCCEEDED execution (a JSON value), else null.' }),
    error: Type.Union([Type.String(), Type.Null()]),
    cause: Type.Union([Type.String(), Type.Null()]),
    trigger: Trigger,
    versionArn: Type.Union([Type.String(), Type.Null()], { description: 'The state machine version that ran.' }),
    startDate: DateText('Start'),
    stopDate: NullableDate('End; null while running'),
    redriveCount: Type.Integer({ description: 'How many times it was redriven.' }),
    redriveStatus: Type.Union([Type.String(), Type.Null()], { description: '`REDRIVABLE` or `NOT_REDRIVABLE` (Step Functions).' }),
    redriveStatusReason: Type.Union([Type.String(), Type.Null()], { description: 'Why it cannot be redriven.' }),
  },
  { $id: 'ExecutionDescription' },
);
export type ExecutionDescription = Static<typeof ExecutionDescriptionSchema>;

/** Query of `GET …/executions/{name}/history`. */
export const ExecutionHistoryQuerySchema = Type.Object(
  {
    nextToken: Type.Optional(Type.String({ description: 'The `nextToken` of the previous page.' })),
    reverseOrder: Type.Optional(Type.String({ enum: ['true', 'false'], description: 'Newest events first (default false).' })),
    maxResults: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'Events per page, 1 to 1000 (default 100).' })),
  },
  { $id: 'ExecutionHistoryQuery' },
);

/** `GET …/executions/{name}/history`: Step Functions history events, `timestamp` as ISO 8601 text. */
export const ExecutionHistorySchema = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        { id: Type.Integer(), previousEventId: Type.Optional(Type.Integer()), type: Type.String(), timestamp: DateText('When it happened') },
        { additionalProperties: true, description: 'A GetExecutionHistory event with the `…EventDetails` of its type.' },
      ),
    ),
    nextToken: Type.Optional(Type.String()),
  },
  { $id: 'ExecutionHistory' },
);
export type ExecutionHistory = Static<typeof ExecutionHistorySchema>;

/** Body of `POST …/executions/{name}/stop` (Step Functions StopExecution limits). */
export const StopRequestSchema = Type.Object(
  {
    error: Type.Optional(Type.String({ maxLength: 256, description: 'Error code recorded on the aborted execution.' })),
    cause: Type.Optional(Type.String({ maxLength: 32768, description: 'Longer description.' })),
  },
  { $id: 'StopRequest', additionalProperties: false },
);
export type StopRequest = Static<typeof StopRequestSchema>;

/** `POST …/executions/{name}/stop`. */
export const StopResponseSchema = Type.Object(
  {
    name: Type.String(),
    executionArn: Type.String(),
    stopped: Type.Boolean({ description: 'False when it had already ended (nothing was changed).' }),
    status: StatusSchema,
    stopDate: NullableDate('When it ended'),
  },
  { $id: 'StopResponse' },
);
export type StopResponse = Static<typeof StopResponseSchema>;

/** `POST …/executions/{name}/redrive`. */
export const RedriveResponseSchema = Type.Object(
  { name: Type.String(), executionArn: Type.String(), redriveDate: DateText('When it was redriven'), redriveCount: Type.Integer() },
  { $id: 'RedriveResponse' },
);
export type RedriveResponse = Static<typeof RedriveResponseSchema>;
