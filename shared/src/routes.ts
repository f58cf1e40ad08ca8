/**
 * Every HTTP route of the platform, defined once. `serverless.yml` declares the
 * same routes (test/routes.test.ts holds them equal), the local platform serves
 * them with the same handlers (DESIGN.md §2), and the OpenAPI document is built
 * from them (shared/src/openapi.ts).
 */
import type { TSchema } from '@sinclair/typebox';
import { HealthResponseSchema } from './schemas/health.ts';
import { RUN_MAX_BODY_BYTES, RunRequestSchema, RunSchema } from './schemas/runs.ts';
import {
  COMPILE_MAX_BODY_BYTES,
  COMPILE_TOO_LARGE_HINT,
  CompileFailedSchema,
  CompileRequestSchema,
  ManifestSchema,
} from './schemas/compile.ts';
import {
  GetItemsResponseSchema,
  ItemPointerSchema,
  ItemValueSchema,
  MAX_VALUE_BYTES,
  PutItemRequestSchema,
  PutItemsRequestSchema,
  STATE_DATA_TOO_LARGE_HINT,
  StopExecutionRequestSchema,
  StopExecutionResponseSchema,
  UploadUrlRequestSchema,
  UploadUrlResponseSchema,
} from './schemas/stateData.ts';
import {
  BUNDLE_TOO_LARGE_HINT,
  BundleUploadUrlRequestSchema,
  BundleUploadUrlResponseSchema,
  DEPLOY_MAX_BODY_BYTES,
  DeployQuerySchema,
  DeployRequestSchema,
  DeploymentAcceptedSchema,
  DeploymentListSchema,
  DeploymentPlanSchema,
  DeploymentRecordSchema,
  DeploymentSourceSchema,
  ProjectDescriptionSchema,
  RollbackRequestSchema,
} from './schemas/deployments.ts';
import {
  EXECUTION_INPUT_TOO_LARGE_HINT,
  ExecutionDescriptionSchema,
  ExecutionHistoryQuerySchema,
  ExecutionHistorySchema,
  ExecutionListSchema,
  ListExecutionsQuerySchema,
  RedriveResponseSchema,
  START_EXECUTION_MAX_BODY_BYTES,
  StartExecutionRequestSchema,
  StartExecutionResponseSchema,
  StopRequestSchema,
  StopResponseSchema,
} from './schemas/executions.ts';

/** One documented response of a route (OpenAPI `responses` entry). */
export interface RouteResponse {
  /** One line: when this status is returned. */
  description: string;
  /** TypeBox schema of the JSON body; omit for the standard error body or no body. */
  schema?: TSchema;
}

export interface RouteDefinition {
  /** HTTP method, upper case. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway HTTP API path, with `{param}` segments. */
  path: string;
  /** The serverless.yml function that serves it. */
  functionName: string;
  /** Handler module, relative to the repository root, and its export. */
  module: string;
  exportName: string;
  /** Served only by the local platform (not deployed, not in serverless.yml). */
  localOnly?: boolean;
  /** One-line summary for the OpenAPI document. */
  summary: string;
  /** Longer OpenAPI description (Markdown). */
  description?: string;
  /** OpenAPI tag (group), e.g. the service name. @default the functionName */
  tag?: string;
  /** OpenAPI operationId. @default method + path in camelCase, e.g. `postV1Compile` */
  operationId?: string;
  /** Request schemas. All optional: a route without them is documented without a body. */
  request?: {
    /** TypeBox schema of the JSON body (the same one the handler validates with). */
    body?: TSchema;
    /** TypeBox `Type.Object` of the query string parameters (all strings). */
    query?: TSchema;
    /** Descriptions of `{param}` path segments (each is a string). */
    pathParameters?: Record<string, string>;
  };
  /** Largest accepted body in bytes; above it the route answers 413. @default API Gateway's 10 MiB */
  maxBodyBytes?: number;
  /** What to do instead when the body is above `maxBodyBytes` (appended to the 413 message). */
  tooLargeHint?: string;
  /**
   * Documented responses by HTTP status. The OpenAPI builder adds the standard
   * error responses (400/413 for routes with a body, 500) unless listed here.
   */
  responses?: Record<number, RouteResponse>;
}

/**
 * State data paths (issue 3), scoped by project so IAM policies can isolate
 * tenants. Local items: the platform table, partition key `<execution>:<key>`;
 * global items: explicit table and partition key. `{index}` is the sort key.
 */
export const STATE_DATA_ROUTE_PATHS = {
  localItems: '/v1/projects/{project}/executions/{execution}/items/{key}',
  localItem: '/v1/projects/{project}/executions/{execution}/items/{key}/{index}',
  localUploadUrl: '/v1/projects/{project}/executions/{execution}/items/{key}/{index}/upload-url',
  globalItems: '/v1/projects/{project}/tables/{table}/partitions/{partitionKey}/items',
  globalItem: '/v1/projects/{project}/tables/{table}/partitions/{partitionKey}/items/{index}',
  globalUploadUrl: '/v1/projects/{project}/tables/{table}/partitions/{partitionKey}/items/{index}/upload-url',
  stop: '/v1/projects/{project}/executions/{execution}/stop',
  localBlob: '/v1/local-blobs/{token}',
} as const;

const SD = STATE_DATA_ROUTE_PATHS;
const SD_PARAMS = {
  project: 'Project name (IAM policies can scope callers to it).',
  execution: 'Execution name: local items live under partition key `<project>:<execution>:<key>`.',
  key: 'Item key (put_item\'s `key`).',
  index: 'Item index, the numeric sort key (0 for single items).',
  table: 'DynamoDB table of a global item (a pointer\'s `table_name`).',
  partitionKey: 'Partition key of a global item (a pointer\'s `partition_key`), URL-encoded.',
};
const SD_ITEMS = {
  functionName: 'stateDataItems',
  module: 'services/state-data/src/handlers/items.ts',
  exportName: 'handler',
  tag: 'state-data',
  tooLargeHint: STATE_DATA_TOO_LARGE_HINT,
} as const;
const SD_PUT_ONE = {
  ...SD_ITEMS,
  request: { body: PutItemRequestSchema, pathParameters: SD_PARAMS },
  responses: {
    200: { description: 'Stored; the pointer to pass on.', schema: ItemPointerSchema },
    409: { description: '`upload` names bytes that were never uploaded.' },
    413: { description: 'Body above 5 MiB: use the presigned upload URL.' },
  },
};
const SD_GET_ONE = {
  ...SD_ITEMS,
  request: { pathParameters: SD_PARAMS },
  responses: {
    200: { description: 'The value, or a presigned download (check its sha256) above 5 MiB.', schema: ItemValueSchema },
    404: { description: '`StateData.NoItemFound` (absent or expired) or `StateData.TableNotFound`.' },
  },
};
const SD_PUT_MANY = {
  ...SD_ITEMS,
  request: { body: PutItemsRequestSchema, pathParameters: SD_PARAMS },
  responses: {
    200: { description: 'Stored (the whole list at once); the pointer with `items: [1,…]` a Map state iterates, and `generation` when `commit` was false.', schema: ItemPointerSchema },
    403: { description: '`StateData.PartitionNotOwned`: the partition belongs to another project.' },
    413: { description: '`StateData.TooManyItems` (more than 10,000 elements: split with `commit`/`generation`) or a body above 5 MiB.' },
  },
};
const SD_GET_MANY = {
  ...SD_ITEMS,
  request: { pathParameters: SD_PARAMS },
  responses: { 200: { description: 'Every unexpired item in index order (`next` when paged).', schema: GetItemsResponseSchema } },
};
const SD_UPLOAD = {
  ...SD_ITEMS,
  request: { body: UploadUrlRequestSchema, pathParameters: SD_PARAMS },
  responses: { 200: { description: 'PUT the JSON bytes here, then put the item with {"upload"}.', schema: UploadUrlResponseSchema } },
};
const SD_LOCAL_BLOBS = {
  functionName: 'stateDataLocalBlobs',
  module: 'services/state-data/src/handlers/localBlobs.ts',
  exportName: 'handler',
  tag: 'state-data',
  localOnly: true,
  maxBodyBytes: MAX_VALUE_BYTES + 1024 * 1024,
} as const;

/** The state data routes (issue 3). */
export const STATE_DATA_ROUTES: readonly RouteDefinition[] = [
  { method: 'PUT', path: SD.localItem, ...SD_PUT_ONE, summary: 'Put a local item (put_item); returns {table_name, partition_key, key}' },
  { method: 'GET', path: SD.localItem, ...SD_GET_ONE, summary: 'Get a local item (get_item)' },
  { method: 'PUT', path: SD.localItems, ...SD_PUT_MANY, summary: 'Put a list of local items, element i at index i (put_items)' },
  { method: 'GET', path: SD.localItems, ...SD_GET_MANY, summary: 'Get every local item of a key in index order (get_items)' },
  { method: 'POST', path: SD.localUploadUrl, ...SD_UPLOAD, summary: 'Presigned upload URL for a local value above 5 MiB' },
  { method: 'PUT', path: SD.globalItem, ...SD_PUT_ONE, summary: 'Put a global item in the named table (put_global_item)' },
  { method: 'GET', path: SD.globalItem, ...SD_GET_ONE, summary: 'Get a global item (get_global_item)' },
  { method: 'PUT', path: SD.globalItems, ...SD_PUT_MANY, summary: 'Put a list of global items, element i at index i (put_global_items)' },
  { method: 'GET', path: SD.globalItems, ...SD_GET_MANY, summary: 'Get every global item of a partition in index order (get_global_items)' },
  { method: 'POST', path: SD.globalUploadUrl, ...SD_UPLOAD, summary: 'Presigned upload URL for a global value above 5 MiB' },
  {
    method: 'POST',
    path: SD.stop,
    functionName: 'stateDataStop',
    module: 'services/state-data/src/handlers/stop.ts',
    exportName: 'handler',
    tag: 'state-data',
    summary: 'Stop an execution with optional error and cause (StopExecution); a finished execution is not an error',
    request: { body: StopExecutionRequestSchema, pathParameters: { project: SD_PARAMS.project, execution: SD_PARAMS.execution } },
    maxBodyBytes: 64 * 1024,
    responses: {
      200: { description: '`stopped`, or `already-finished`.', schema: StopExecutionResponseSchema },
      404: { description: '`StateData.ExecutionNotFound`.' },
    },
  },
  { method: 'PUT', path: SD.localBlob, ...SD_LOCAL_BLOBS, summary: 'Presigned upload target (embedded target only; raw bytes)' },
  { method: 'GET', path: SD.localBlob, ...SD_LOCAL_BLOBS, summary: 'Presigned download target (embedded target only; raw bytes)' },
];

/** Deployer paths (issue 8). */
export const DEPLOYER_ROUTE_PATHS = {
  bundleUploadUrl: '/v1/projects/{project}/bundles/upload-url',
  deployments: '/v1/projects/{project}/deployments',
  deployment: '/v1/projects/{project}/deployments/{deploymentId}',
  deploymentSource: '/v1/projects/{project}/deployments/{deploymentId}/source',
  project: '/v1/projects/{project}',
  rollback: '/v1/projects/{project}/rollback',
} as const;

const DP = DEPLOYER_ROUTE_PATHS;
const DP_PROJECT = { project: 'Project name (the manifest\'s `project`); IAM policies can scope callers to it.' };
const DP_COMMON = { tag: 'deployer', maxBodyBytes: DEPLOY_MAX_BODY_BYTES } as const;

/** The deployer routes (issue 8): deploy, plan, describe, list, rollback, destroy. */
export const DEPLOYER_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: DP.bundleUploadUrl,
    functionName: 'deployerBundleUploadUrl',
    module: 'services/deployer/src/handlers/bundles.ts',
    exportName: 'uploadUrl',
    ...DP_COMMON,
    summary: 'Presigned upload URL for a project bundle (deterministic zip, at most 50 MiB)',
    request: { body: BundleUploadUrlRequestSchema, pathParameters: DP_PROJECT },
    responses: {
      200: { description: 'PUT the zip here (or `exists: true`: these bytes are already stored).', schema: BundleUploadUrlResponseSchema },
      413: { description: '`Deploy.BundleTooLarge`: above 50 MiB; leave files out with .fluxioignore.' },
    },
    tooLargeHint: BUNDLE_TOO_LARGE_HINT,
  },
  {
    method: 'POST',
    path: DP.deployments,
    functionName: 'deployerDeploy',
    module: 'services/deployer/src/handlers/deployments.ts',
    exportName: 'deploy',
    ...DP_COMMON,
    summary: 'Deploy an uploaded bundle (or `?dryRun=true`: the plan, nothing changes)',
    description:
      'Compiles the bundle\'s project.py, creates/updates one Lambda function per Task class (a version published only when ' +
      'its code or configuration changed), creates/updates every first-class state machine with `publish: true` and points ' +
      'its alias `live` at the new version. One deployment per project at a time (409). A deployment that died half way is ' +
      'resumed by the next call.',
    request: { body: DeployRequestSchema, query: DeployQuerySchema, pathParameters: DP_PROJECT },
    responses: {
      200: { description: 'dryRun: what would be created, updated, published, deleted.', schema: DeploymentPlanSchema },
      201: { description: 'Deployed; the deployment record.', schema: DeploymentRecordSchema },
      202: { description: 'Still deploying: poll `links.self`.', schema: DeploymentAcceptedSchema },
      404: { description: '`Deploy.BundleNotFound`: upload the bundle first.' },
      409: { description: '`Deploy.InProgress`: another deployment of the project is running (named in the message).' },
      422: { description: '`Compile.Failed`: every compile error in `error.details.errors`; nothing changed.' },
    },
  },
  {
    method: 'GET',
    path: DP.deployments,
    functionName: 'deployerListDeployments',
    module: 'services/deployer/src/handlers/deployments.ts',
    exportName: 'list',
    tag: 'deployer',
    summary: 'The deployments of a project, newest first',
    request: { pathParameters: DP_PROJECT },
    responses: { 200: { description: 'Deployment records, newest first.', schema: DeploymentListSchema } },
  },
  {
    method: 'GET',
    path: DP.deployment,
    functionName: 'deployerGetDeployment',
    module: 'services/deployer/src/handlers/deployments.ts',
    exportName: 'get',
    tag: 'deployer',
    summary: 'One deployment record (poll it while IN_PROGRESS)',
    request: { pathParameters: { ...DP_PROJECT, deploymentId: 'A deployment id (`d-…`).' } },
    responses: {
      200: { description: 'The record.', schema: DeploymentRecordSchema },
      404: { description: '`Deploy.NotFound`.' },
    },
  },
  {
    method: 'GET',
    path: DP.deploymentSource,
    functionName: 'deployerGetSource',
    module: 'services/deployer/src/handlers/deployments.ts',
    exportName: 'source',
    localOnly: true,
    tag: 'deployer',
    summary: 'The project.py of a deployment (from its bundle) and the manifest compiled from it (read-only; the console\'s source view)',
    request: { pathParameters: { ...DP_PROJECT, deploymentId: 'A deployment id (`d-…`) of kind deploy.' } },
    responses: {
      200: { description: '`{project, deploymentId, path, source, manifest}`.', schema: DeploymentSourceSchema },
      404: { description: '`Deploy.NotFound`, or `Deploy.NoBundle` for a rollback or destroy record.' },
    },
  },
  {
    method: 'GET',
    path: DP.project,
    functionName: 'deployerDescribe',
    module: 'services/deployer/src/handlers/projects.ts',
    exportName: 'describe',
    tag: 'deployer',
    summary: 'The current deployment of a project and its ARNs',
    request: { pathParameters: DP_PROJECT },
    responses: { 200: { description: 'The current deployment (null when never deployed or destroyed).', schema: ProjectDescriptionSchema } },
  },
  {
    method: 'POST',
    path: DP.rollback,
    functionName: 'deployerRollback',
    module: 'services/deployer/src/handlers/projects.ts',
    exportName: 'rollback',
    ...DP_COMMON,
    summary: 'Point the aliases back at the previous (or a named) deployment\'s versions',
    request: { body: RollbackRequestSchema, pathParameters: DP_PROJECT },
    responses: {
      201: { description: 'Rolled back; the record of the rollback (kind `rollback`).', schema: DeploymentRecordSchema },
      404: { description: '`Deploy.NotFound`: no deployment to roll back to.' },
      409: { description: '`Deploy.InProgress`.' },
    },
  },
  {
    method: 'DELETE',
    path: DP.project,
    functionName: 'deployerDestroy',
    module: 'services/deployer/src/handlers/projects.ts',
    exportName: 'destroy',
    tag: 'deployer',
    summary: 'Destroy a project: triggers, state machines (versions, aliases), functions; records kept, marked DESTROYED',
    request: { pathParameters: DP_PROJECT },
    responses: {
      200: { description: 'The destroy record.', schema: DeploymentRecordSchema },
      409: { description: '`Deploy.InProgress`.' },
    },
  },
];

/** Executions API paths (issue 9), scoped by project and state machine function name. */
export const EXECUTION_ROUTE_PATHS = {
  executions: '/v1/projects/{project}/state-machines/{stateMachine}/executions',
  execution: '/v1/projects/{project}/state-machines/{stateMachine}/executions/{name}',
  history: '/v1/projects/{project}/state-machines/{stateMachine}/executions/{name}/history',
  stop: '/v1/projects/{project}/state-machines/{stateMachine}/executions/{name}/stop',
  redrive: '/v1/projects/{project}/state-machines/{stateMachine}/executions/{name}/redrive',
} as const;

const EX = EXECUTION_ROUTE_PATHS;
const EX_SCOPE = {
  project: 'Project name (the manifest\'s `project`); IAM policies can scope callers to it.',
  stateMachine: 'State machine function name (`def main(data)` → `main`): the deployed `fluxio-<stage>-<project>-<stateMachine>`.',
};
const EX_ONE = { ...EX_SCOPE, name: 'Execution name (1–80 of `A-Za-z0-9_-`).' };
const EX_MODULE = { module: 'services/trigger/src/handlers/executions.ts', tag: 'executions' } as const;
const EX_NOT_FOUND = { description: '`Trigger.StateMachineNotFound` (project or state machine not deployed) or `Execution.NotFound`.' };

/** The executions routes (issue 9): start on the alias `live`, list, describe, history, stop, redrive. */
export const EXECUTION_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: EX.executions,
    functionName: 'executionsStart',
    exportName: 'start',
    ...EX_MODULE,
    summary: 'Start an execution on the alias live (idempotent by name)',
    description:
      'Starts `fluxio-<stage>-<project>-<stateMachine>` on its alias `live` with the input plus `__trace = {"id", "source": "http"}` ' +
      '(`id`: the caller\'s `__trace.id` when given, else the execution name). The same name and input again answer 200 with that ' +
      'execution; the same name with other input 409.',
    request: { body: StartExecutionRequestSchema, pathParameters: EX_SCOPE },
    maxBodyBytes: START_EXECUTION_MAX_BODY_BYTES,
    tooLargeHint: EXECUTION_INPUT_TOO_LARGE_HINT,
    responses: {
      200: { description: 'An execution of that name and input already existed: that execution.', schema: StartExecutionResponseSchema },
      201: { description: 'Started.', schema: StartExecutionResponseSchema },
      400: { description: '`Request.Invalid` (input not a JSON object, bad name), `Execution.InvalidInput` (a malformed `__trace`), `Request.InvalidPath`.' },
      404: { description: '`Trigger.StateMachineNotFound`: the project or state machine is not deployed.' },
      409: { description: '`Execution.AlreadyExists`: that name was used with other input.' },
      413: { description: '`Execution.InputTooLarge` / `Request.TooLarge`: above Step Functions\' 256 KiB.' },
    },
  },
  {
    method: 'GET',
    path: EX.executions,
    functionName: 'executionsList',
    exportName: 'list',
    ...EX_MODULE,
    summary: 'The executions of a state machine, newest first, with their trigger',
    request: { query: ListExecutionsQuerySchema, pathParameters: EX_SCOPE },
    responses: {
      200: { description: 'A page of executions (`nextToken` for the next).', schema: ExecutionListSchema },
      400: { description: '`Request.InvalidQuery`: an unknown status, maxResults outside 1–100, a foreign nextToken.' },
      404: { description: '`Trigger.StateMachineNotFound`.' },
    },
  },
  {
    method: 'GET',
    path: EX.execution,
    functionName: 'executionsDescribe',
    exportName: 'describe',
    ...EX_MODULE,
    summary: 'One execution: status, input and output (JSON values), error, cause, trigger, version',
    request: { pathParameters: EX_ONE },
    responses: { 200: { description: 'The execution.', schema: ExecutionDescriptionSchema }, 404: EX_NOT_FOUND },
  },
  {
    method: 'GET',
    path: EX.history,
    functionName: 'executionsHistory',
    exportName: 'history',
    ...EX_MODULE,
    summary: 'A page of an execution\'s history events (GetExecutionHistory)',
    request: { query: ExecutionHistoryQuerySchema, pathParameters: EX_ONE },
    responses: {
      200: { description: 'Events oldest first (newest with `reverseOrder=true`); `nextToken` for the next page.', schema: ExecutionHistorySchema },
      400: { description: '`Request.InvalidQuery`.' },
      404: EX_NOT_FOUND,
    },
  },
  {
    method: 'POST',
    path: EX.stop,
    functionName: 'executionsStop',
    exportName: 'stop',
    ...EX_MODULE,
    summary: 'Stop a running execution (ABORTED, with optional error and cause); an ended one is left as it is',
    request: { body: StopRequestSchema, pathParameters: EX_ONE },
    maxBodyBytes: 64 * 1024,
    responses: { 200: { description: '`stopped` true, or false when it had already ended.', schema: StopResponseSchema }, 404: EX_NOT_FOUND },
  },
  {
    method: 'POST',
    path: EX.redrive,
    functionName: 'executionsRedrive',
    exportName: 'redrive',
    ...EX_MODULE,
    summary: 'Redrive a FAILED, ABORTED or TIMED_OUT execution from where it failed (RedriveExecution)',
    request: { pathParameters: EX_ONE },
    responses: {
      200: { description: 'Redriven: it runs again.', schema: RedriveResponseSchema },
      404: EX_NOT_FOUND,
      409: { description: '`Execution.NotRedrivable`, with Step Functions\' reason (e.g. it SUCCEEDED or is RUNNING).' },
    },
  },
];

/** The platform's routes. Services append theirs here. */
export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/v1/compile',
    functionName: 'compile',
    module: 'services/compiler-api/src/handlers/compile.ts',
    exportName: 'handler',
    summary: 'Compile a project.py into Amazon States Language and a manifest',
    description:
      'Parses the DSL source (never executes it) and returns the manifest: one ASL definition per state machine, ' +
      'the Task classes with their extracted `run` source, triggers and a source map. All compile errors of the file ' +
      'are returned at once (422).',
    tag: 'compiler',
    request: { body: CompileRequestSchema },
    maxBodyBytes: COMPILE_MAX_BODY_BYTES,
    tooLargeHint: COMPILE_TOO_LARGE_HINT,
    responses: {
      200: { description: 'The manifest.', schema: ManifestSchema },
      422: { description: 'The source does not compile; `error.details.errors` lists the first 100 errors with their ranges, `error.details.totalErrors` how many there are.', schema: CompileFailedSchema },
    },
  },
  {
    method: 'GET',
    path: '/v1/health',
    functionName: 'health',
    module: 'shared/src/health.ts',
    exportName: 'handler',
    summary: 'The platform answers: {"status":"ok","version"}',
    description:
      'Touches no dependency. Deployed it requires IAM (SigV4) auth like every route; the local platform needs none ' +
      'and adds what is running (`local`: data directory, pid, uptime, workers). HEAD answers the same without a body.',
    tag: 'platform',
    responses: { 200: { description: 'The platform is up.', schema: HealthResponseSchema } },
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    functionName: 'openapi',
    module: 'shared/src/openapi.ts',
    exportName: 'openApiHandler',
    localOnly: true,
    summary: 'This OpenAPI 3.1 document',
    tag: 'platform',
    responses: { 200: { description: 'The OpenAPI 3.1 document of every route.' } },
  },
  {
    method: 'POST',
    path: '/v1/runs',
    functionName: 'runs',
    module: 'local/src/server/handlers/runs.ts',
    exportName: 'startRun',
    localOnly: true,
    summary: 'Run a project.py locally like `fluxio run` (real Python tasks); long runs are pollable',
    description: 'Compiles the source and executes a state machine on the embedded engine. Answers 200 with the result when the run ends within `waitSeconds`, else 202 with status RUNNING and a `Location` to poll.',
    tag: 'platform',
    request: { body: RunRequestSchema },
    maxBodyBytes: RUN_MAX_BODY_BYTES,
    responses: {
      200: { description: 'The run finished (any status).', schema: RunSchema },
      202: { description: 'Still running: poll `links.self`.', schema: RunSchema },
      404: { description: '`Run.UnknownStateMachine`.' },
      422: { description: '`Compile.Failed`: the first 100 compile errors in `error.details.errors` (`details.totalErrors` counts all).' },
    },
  },
  {
    method: 'GET',
    path: '/v1/runs/{runId}',
    functionName: 'runs',
    module: 'local/src/server/handlers/runs.ts',
    exportName: 'getRun',
    localOnly: true,
    summary: 'Read a run started with POST /v1/runs',
    tag: 'platform',
    request: { pathParameters: { runId: 'The runId returned by POST /v1/runs.' } },
    responses: {
      200: { description: 'The run.', schema: RunSchema },
      404: { description: '`Run.NotFound`.' },
    },
  },
  ...STATE_DATA_ROUTES,
  ...DEPLOYER_ROUTES,
  ...EXECUTION_ROUTES,
];
