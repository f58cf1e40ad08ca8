/**
 * Request and response schemas of the deployer API (issue 8; contract agreed
 * between the deployer service and the CLI). One TypeBox source gives the
 * runtime validation (shared/src/http.ts), the TypeScript types and the
 * OpenAPI document.
 *
 * A deployment of a project: the bundle (a deterministic zip of the project
 * directory, uploaded first through a presigned URL) is compiled, one Lambda
 * function per Task class is created/updated and a version published when its
 * code or configuration changed, every first-class state machine is
 * created/updated with `publish: true`, and its alias `live` points at the new
 * version. The record of each deployment is kept (newest first).
 */
import type { Manifest } from '../manifest.ts';
import { Type, type Static } from '@sinclair/typebox';

/**
 * Largest project bundle, in bytes (50 MiB; issue 8). Lambda accepts a 50 MB
 * zipped deployment package in a direct upload.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_BUNDLE_BYTES = 50 * 1024 * 1024;

/** Appended to a 413 `Deploy.BundleTooLarge`: what to leave out. */
export const BUNDLE_TOO_LARGE_HINT =
  'Leave data files, virtual environments and build output out of the bundle with a .fluxioignore file ' +
  '(gitignore syntax) beside project.py; .fluxio/, .git/, __pycache__/ and node_modules/ are always left out.';

/** Largest body of the deployer routes (small JSON requests), in bytes. */
export const DEPLOY_MAX_BODY_BYTES = 16 * 1024;

/** The alias every deployed state machine and task function is started through. */
export const LIVE_ALIAS = 'live';

/** Deployment ids: `d-` then a sortable time part and random part (lower case). */
export const DEPLOYMENT_ID_PATTERN = '^d-[0-9a-z]{8,40}$';

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256 of the bundle zip.' });

/** A bundle already uploaded (or about to be): its SHA-256 and size. */
export const BundleRefSchema = Type.Object(
  { sha256: Sha256, sizeBytes: Type.Integer({ minimum: 1, description: 'Zip size in bytes (at most 50 MiB).' }) },
  { $id: 'BundleRef', additionalProperties: false },
);
export type BundleRef = Static<typeof BundleRefSchema>;

/** Body of `POST /v1/projects/{project}/bundles/upload-url`. */
export const BundleUploadUrlRequestSchema = Type.Object(
  { sha256: Sha256, sizeBytes: Type.Integer({ minimum: 1, description: 'Zip size in bytes; above 50 MiB → 413 Deploy.BundleTooLarge.' }) },
  { $id: 'BundleUploadUrlRequest', additionalProperties: false },
);
export type BundleUploadUrlRequest = Static<typeof BundleUploadUrlRequestSchema>;

/** Answer of the upload-url route: a presigned PUT, or `exists: true` when the bundle is already stored. */
export const BundleUploadUrlResponseSchema = Type.Object(
  {
    bundle: BundleRefSchema,
    exists: Type.Optional(Type.Boolean({ description: 'True when these bytes are already stored: no upload needed.' })),
    url: Type.Optional(Type.String({ description: 'PUT the zip bytes here (absent when `exists`).' })),
    method: Type.Optional(Type.Literal('PUT')),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    expiresAt: Type.Optional(Type.Integer({ description: 'Epoch seconds.' })),
  },
  { $id: 'BundleUploadUrlResponse' },
);
export type BundleUploadUrlResponse = Static<typeof BundleUploadUrlResponseSchema>;

/** Body of `POST /v1/projects/{project}/deployments`. */
export const DeployRequestSchema = Type.Object(
  {
    bundle: BundleRefSchema,
    description: Type.Optional(Type.String({ maxLength: 256, description: 'Free text kept in the record.' })),
  },
  { $id: 'DeployRequest', additionalProperties: false },
);
export type DeployRequest = Static<typeof DeployRequestSchema>;

/** Query of `POST /v1/projects/{project}/deployments`. */
export const DeployQuerySchema = Type.Object(
  { dryRun: Type.Optional(Type.String({ enum: ['true', 'false'], description: '`true`: answer the plan, change nothing.' })) },
  { $id: 'DeployQuery' },
);

/** Body of `POST /v1/projects/{project}/rollback`. */
export const RollbackRequestSchema = Type.Object(
  {
    toDeploymentId: Type.Optional(
      Type.String({ pattern: DEPLOYMENT_ID_PATTERN, description: 'A SUCCEEDED deployment of the project; default the one before the current.' }),
    ),
  },
  { $id: 'RollbackRequest', additionalProperties: false },
);
export type RollbackRequest = Static<typeof RollbackRequestSchema>;

export const DEPLOYMENT_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'DESTROYED'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** One deployed state machine: the state machine, the version this deployment published, and the `live` alias. */
export const DeployedStateMachineSchema = Type.Object(
  { stateMachineArn: Type.String(), versionArn: Type.String(), aliasArn: Type.String() },
  { $id: 'DeployedStateMachine' },
);
export type DeployedStateMachine = Static<typeof DeployedStateMachineSchema>;

/** One deployed task function: its ARN, the published version the state machines call, and the code+config hash. */
export const DeployedFunctionSchema = Type.Object(
  {
    functionArn: Type.String(),
    version: Type.String({ description: 'Published Lambda version number (the state machines call `functionArn:version`).' }),
    codeSha256: Type.String({ description: 'SHA-256 (hex) of the function zip plus its configuration; unchanged → no new version.' }),
  },
  { $id: 'DeployedFunction' },
);
export type DeployedFunction = Static<typeof DeployedFunctionSchema>;

/** The `@schedule` / `@subscribe` declarations of a deployment (recorded; activated by the trigger service). */
export const DeploymentTriggersSchema = Type.Object(
  {
    schedules: Type.Array(
      Type.Object({
        stateMachine: Type.String(),
        expression: Type.Union([Type.String(), Type.Null()]),
        inputData: Type.Unknown(),
        timezone: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'IANA time zone of the expression (`ScheduleExpressionTimezone`); null = UTC.' })),
      }),
    ),
    subscriptions: Type.Array(
      Type.Object({
        stateMachine: Type.String(),
        project: Type.Union([Type.String(), Type.Null()]),
        source: Type.String({ description: 'The state machine whose executions are subscribed to.' }),
        status: Type.String(),
        topicArnImportValue: Type.Optional(
          Type.Union([Type.String(), Type.Null()], { description: '`@subscribe(topic_arn_import_value=...)`: the export naming the topic (`${Environment}` = the stage).' }),
        ),
      }),
    ),
    eventProcessors: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: '`@process_events(processor=X)`: state machine → EventProcessor class (deployed as function fluxio-<stage>-<project>-<X>).' }),
    ),
    topics: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object({
          successTopicArn: Type.String(),
          failureTopicArn: Type.String(),
          successExportName: Type.String({ description: 'The export holding successTopicArn (`@subscribe(topic_arn_import_value=...)`, `!ImportValue`).' }),
          failureExportName: Type.String(),
        }),
        { description: 'The result topics of every deployed state machine (issue 9), once active.' },
      ),
    ),
    active: Type.Boolean({ description: 'True once the trigger service activated them (topics, schedules, subscriptions).' }),
    note: Type.String(),
  },
  { $id: 'DeploymentTriggers' },
);
export type DeploymentTriggers = Static<typeof DeploymentTriggersSchema>;

/** One checkpointed step of a deployment. */
export const DeploymentStepSchema = Type.Object(
  {
    name: Type.String({ description: 'e.g. `compile`, `function:Price`, `stateMachine:main`, `alias:main`, `triggers`.' }),
    status: Type.String({ enum: ['DONE', 'FAILED', 'SKIPPED'] }),
    at: Type.String({ description: 'ISO 8601 time.' }),
    detail: Type.Optional(Type.String()),
  },
  { $id: 'DeploymentStep' },
);
export type DeploymentStep = Static<typeof DeploymentStepSchema>;

/** A deployment record (`--json` of the CLI prints it). */
export const DeploymentRecordSchema = Type.Object(
  {
    project: Type.String(),
    deploymentId: Type.String({ pattern: DEPLOYMENT_ID_PATTERN }),
    status: Type.String({ enum: [...DEPLOYMENT_STATUSES] }),
    kind: Type.String({ enum: ['deploy', 'rollback', 'destroy'] }),
    stage: Type.String(),
    createdAt: Type.String(),
    finishedAt: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    bundle: Type.Optional(BundleRefSchema),
    manifestSha256: Type.Optional(Type.String()),
    stateMachines: Type.Record(Type.String(), DeployedStateMachineSchema),
    functions: Type.Record(Type.String(), DeployedFunctionSchema),
    triggers: Type.Optional(DeploymentTriggersSchema),
    previousDeploymentId: Type.Optional(Type.String()),
    rolledBackTo: Type.Optional(Type.String({ description: 'kind rollback: the deployment whose versions the alias points at again.' })),
    steps: Type.Array(DeploymentStepSchema),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  },
  { $id: 'DeploymentRecord' },
);
export type DeploymentRecord = Static<typeof DeploymentRecordSchema> & {
  status: DeploymentStatus;
  kind: 'deploy' | 'rollback' | 'destroy';
};

/** 202 answer of a deployment that runs past the request. */
export const DeploymentAcceptedSchema = Type.Object(
  {
    deploymentId: Type.String(),
    status: Type.Literal('IN_PROGRESS'),
    links: Type.Object({ self: Type.String() }),
  },
  { $id: 'DeploymentAccepted' },
);

/** A dry run: what a deployment would do, by resource (`function:<Task>`, `stateMachine:<fn>`, `alias:<fn>`). */
export const DeploymentPlanSchema = Type.Object(
  {
    plan: Type.Object({
      create: Type.Array(Type.String()),
      update: Type.Array(Type.String()),
      publish: Type.Array(Type.String()),
      delete: Type.Array(Type.String()),
      unchanged: Type.Array(Type.String()),
    }),
    triggers: Type.Optional(DeploymentTriggersSchema),
  },
  { $id: 'DeploymentPlan' },
);
export type DeploymentPlan = Static<typeof DeploymentPlanSchema>;

/** `GET /v1/projects/{project}/deployments`. */
export const DeploymentListSchema = Type.Object(
  { deployments: Type.Array(DeploymentRecordSchema), next: Type.Optional(Type.String()) },
  { $id: 'DeploymentList' },
);

/** `GET /v1/projects/{project}`. */
export const ProjectDescriptionSchema = Type.Object(
  {
    project: Type.String(),
    currentDeployment: Type.Union([DeploymentRecordSchema, Type.Null()]),
    stateMachines: Type.Record(Type.String(), DeployedStateMachineSchema),
  },
  { $id: 'ProjectDescription' },
);
/** What `GET /v1/projects/{project}` answers. */
export type ProjectDescription = Omit<Static<typeof ProjectDescriptionSchema>, 'currentDeployment'> & { currentDeployment: DeploymentRecord | null };

/** `GET /v1/projects/{project}/deployments/{deploymentId}/source` (local platform): the deployment's project.py and compiled manifest. */
export const DeploymentSourceSchema = Type.Object(
  {
    project: Type.String(),
    deploymentId: Type.String({ pattern: DEPLOYMENT_ID_PATTERN }),
    path: Type.Literal('project.py'),
    source: Type.String({ description: 'The text of project.py in the deployment\'s bundle.' }),
    manifest: Type.Unknown({ description: 'The manifest compiled from it (`stateMachines.<fn>.states.<state>.line` is the source map).' }),
  },
  { $id: 'DeploymentSource' },
);
/**
 * What `GET /v1/projects/{project}/deployments/{deploymentId}/source` answers:
 * the deployment's `project.py` (from its bundle) and the manifest compiled
 * from it (the source map `stateMachines.<fn>.states.<state>.line` links each
 * state to its line). Read-only; served by the local platform for the console.
 */
export type DeploymentSource = Omit<Static<typeof DeploymentSourceSchema>, 'manifest'> & { manifest: Manifest };
