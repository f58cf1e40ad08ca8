/**
 * Request and response schemas of `POST /v1/compile` (issue 2, "Interfaces").
 * One TypeBox source gives the runtime validation (shared/src/http.ts), the
 * TypeScript types and the OpenAPI document (shared/src/openapi.ts).
 */
import { Type, type Static } from '@sinclair/typebox';

/**
 * Largest accepted `POST /v1/compile` body, in bytes (1 MiB).
 *
 * Why: the biggest realistic `project.py` is a few thousand lines (~200 KB);
 * 5,000 states compile in well under a second, but a body far above that would
 * only hold one Lambda invocation (29 s timeout, 1 GB memory) for nothing, and
 * the manifest of such a file would exceed API Gateway's 10 MB response limit
 * anyway. Split bigger projects into several projects (`@subscribe` chains them).
 */
export const COMPILE_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Most compile errors a 422 `Compile.Failed` returns in `details.errors` (the
 * first ones in source order; `details.totalErrors` counts all). 20,000 errors
 * made a 7.1 MB body; nobody fixes more than a hundred in one go, and
 * `fluxio compile` still prints all of them.
 */
export const COMPILE_MAX_ERRORS_RETURNED = 100;

/** What to do instead when the compile body is too large (appended to the 413 message). */
export const COMPILE_TOO_LARGE_HINT =
  'Split the workflow into several projects (chain them with @subscribe) or move task code into imported Python modules.';

import { PROJECT_NAME_PATTERN } from '../projectName.ts';

export { PROJECT_NAME_PATTERN };

/** Body of `POST /v1/compile`. */
export const CompileRequestSchema = Type.Object(
  {
    source: Type.String({ description: 'The text of project.py (UTF-8).', minLength: 0 }),
    project: Type.Optional(
      Type.String({
        description: 'Project name recorded in the manifest. Default: "project".',
        pattern: PROJECT_NAME_PATTERN,
      }),
    ),
  },
  { $id: 'CompileRequest', additionalProperties: false },
);
export type CompileRequest = Static<typeof CompileRequestSchema>;

/** A compile error or warning with its 1-based source range (`endColumn` exclusive). */
export const DiagnosticSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable code, e.g. `DSL.UnknownName`.' }),
    message: Type.String({ description: 'What is wrong and what to write instead.' }),
    line: Type.Integer({ minimum: 1 }),
    column: Type.Integer({ minimum: 1 }),
    endLine: Type.Integer({ minimum: 1 }),
    endColumn: Type.Integer({ minimum: 1 }),
    severity: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('warning')])),
  },
  { $id: 'Diagnostic' },
);

const AslDefinitionSchema = Type.Object(
  { StartAt: Type.String(), States: Type.Record(Type.String(), Type.Object({ Type: Type.String() })) },
  { description: 'Amazon States Language definition (JSONPath flavour).', additionalProperties: true },
);

const StateSourceSchema = Type.Object(
  {
    line: Type.Integer(),
    column: Type.Integer(),
    kind: Type.String({ description: 'ASL state type.' }),
    task: Type.Optional(Type.String()),
    function: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const ManifestStateMachineSchema = Type.Object(
  {
    definition: AslDefinitionSchema,
    firstClass: Type.Boolean(),
    schedule: Type.Union([
      Type.Object(
        {
          expression: Type.Union([Type.String(), Type.Null()], { description: 'EventBridge Scheduler expression: rate(...), cron(...) or at(...).' }),
          timezone: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'IANA time zone (ScheduleExpressionTimezone); null = UTC.' })),
        },
        { additionalProperties: true },
      ),
      Type.Null(),
    ]),
    subscriptions: Type.Array(Type.Object({}, { additionalProperties: true })),
    export: Type.Union([Type.Object({ enabled: Type.Boolean() }), Type.Null()]),
    eventProcessor: Type.Optional(
      Type.Union([Type.Object({ processor: Type.Union([Type.String(), Type.Null()], { description: 'EventProcessor class, or null for the built-in processor.' }) }), Type.Null()]),
    ),
    substitutions: Type.Array(Type.String()),
    states: Type.Record(Type.String(), StateSourceSchema),
  },
  { additionalProperties: true },
);

/** The manifest (shared/src/manifest.ts, DESIGN.md §6): 200 body of `POST /v1/compile`. */
export const ManifestSchema = Type.Object(
  {
    project: Type.String(),
    stateMachines: Type.Record(Type.String(), ManifestStateMachineSchema),
    tasks: Type.Record(Type.String(), Type.Object({ service: Type.String() }, { additionalProperties: true })),
    eventProcessors: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            source: Type.String({ description: 'The class statement, dedented (Python).' }),
            line: Type.Integer({ minimum: 1 }),
            eventTypes: Type.Array(Type.String(), { description: 'Event types it has get_custom_tags_<EventType> methods for.' }),
            imports: Type.Array(Type.String()),
          },
          { additionalProperties: true },
        ),
        { description: 'EventProcessor classes of the project (spec §2.4).' },
      ),
    ),
    diagnostics: Type.Array(DiagnosticSchema),
  },
  { $id: 'Manifest', additionalProperties: true },
);

/**
 * 422 body: `{"error":{"code":"Compile.Failed","message","details":{"errors":[…],"totalErrors"}}}`.
 * `errors` holds at most the first {@link COMPILE_MAX_ERRORS_RETURNED}
 * diagnostics; `totalErrors` counts all of them.
 */
export const CompileFailedSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Literal('Compile.Failed'),
      message: Type.String(),
      details: Type.Object({
        errors: Type.Array(DiagnosticSchema, {
          description: `The first (at most ${COMPILE_MAX_ERRORS_RETURNED}) compile errors, in source order.`,
          maxItems: COMPILE_MAX_ERRORS_RETURNED,
        }),
        totalErrors: Type.Integer({ minimum: 1, description: 'How many compile errors the file has (more than errors.length when some were left out).' }),
      }),
    }),
  },
  { $id: 'CompileFailed' },
);
