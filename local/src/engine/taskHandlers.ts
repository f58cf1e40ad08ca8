/**
 * Local implementations of the Task resources Fluxio emits (spec §7.4): each
 * Task state of a definition gets a handler (aws-local-stepfunctions'
 * `taskResourceLocalHandlers`, keyed by state name) that runs the task's
 * Python code in the worker pool or starts a child execution.
 */
import { randomUUID } from 'node:crypto';
import type { AslDefinition, AslState, Manifest } from '@fluxio/contracts/manifest';
import type { JSONValue, TaskStateResourceLocalHandlerInfo } from './engine.ts';
import type { PythonWorkerPool, WorkerRequest } from '../workers/workerPool.ts';
import { PythonTaskError } from '../workers/workerPool.ts';
import { classifyPlaceholder, placeholderIn } from './placeholders.ts';

/** A local Task handler (the patched engine passes `info`). */
export type LocalTaskHandler = (input: JSONValue, info: TaskStateResourceLocalHandlerInfo) => Promise<JSONValue>;

/** What a Task state calls, decided from its (unresolved) Resource and Parameters. */
export type TaskTarget =
  | { kind: 'lambda'; task: string }
  | { kind: 'ecs'; task: string }
  | { kind: 'ecsWorker'; task: string }
  | { kind: 'stateMachine'; name: string; mode: 'sync' | 'sync:2' | 'async' }
  /** A function of the local Lambda API: `arn:aws:lambda:...:function:name[:qualifier]` (`arn`) or `arn:aws:states:::lambda:invoke` (`invoke`). */
  | { kind: 'function'; form: 'arn' | 'invoke'; resource: string }
  | { kind: 'unsupported'; resource: string; reason: string };

/** A child execution's result, as `DescribeExecution` shapes it. */
export interface ChildExecutionResult {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  input: unknown;
  output: unknown;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate: number;
}

/**
 * The local Lambda API as Task states see it (local/src/lambda): Invoke with
 * the SDK's request members (payload as JSON text) and its response members.
 * Errors it throws carry the Lambda exception name (`ResourceNotFoundException`, ...).
 */
export interface LocalFunctionInvoker {
  invoke(
    request: { FunctionName: string; Qualifier?: string; InvocationType?: string; LogType?: string; ClientContext?: string; Payload?: string },
    signal?: AbortSignal,
  ): Promise<{ StatusCode: number; Payload?: string; FunctionError?: string; ExecutedVersion?: string; LogResult?: string }>;
}

/** Everything the handlers need from the runner. */
export interface TaskHandlerContext {
  manifest: Manifest;
  stateMachine: string;
  projectFile: string;
  pool: PythonWorkerPool;
  stateDataUrl?: string;
  /** Start a nested state machine as a child execution. */
  startChild(name: string, input: unknown, signal: AbortSignal): { executionArn: string; startDate: number; done: Promise<ChildExecutionResult> };
  onOutput(state: string, line: string): void;
  onTaskFailed(state: string, error: PythonTaskError): void;
  /** The local Lambda API, for Task states whose Resource is a function ARN or `lambda:invoke` (absent in `fluxio run`). */
  functions?: LocalFunctionInvoker;
}

/** Walks every state of a definition, Map/Parallel bodies included. */
export function* allStates(definition: Pick<AslDefinition, 'States'>): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    yield [name, state];
    const body = (state.ItemProcessor ?? state.Iterator) as AslDefinition | undefined;
    if (body) yield* allStates(body);
    for (const branch of (state.Branches as AslDefinition[] | undefined) ?? []) yield* allStates(branch);
  }
}

/** A Lambda function ARN as a Task Resource, optionally version- or alias-qualified (Step Functions developer guide, "Invoke Lambda"). */
export const LAMBDA_FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9\-_.]+(:(\$LATEST|[a-zA-Z0-9\-_]+))?$/;

/** Decides what a Task state calls (spec §7.4) from its unresolved Resource/Parameters. */
export function taskTargetOf(state: AslState): TaskTarget {
  const resource = String(state.Resource ?? '');
  const params = (state.Parameters ?? {}) as Record<string, unknown>;
  const placeholder = placeholderIn(resource);
  if (placeholder) {
    const t = classifyPlaceholder(placeholder);
    if (t.kind === 'lambda') return { kind: 'lambda', task: t.task };
    return { kind: 'unsupported', resource, reason: `Resource placeholder \${${placeholder}} is not a Lambda function` };
  }
  if (resource.startsWith('arn:aws:states:::ecs:runTask')) {
    const t = classifyPlaceholder(placeholderIn(params.TaskDefinition) ?? '');
    if (t.kind === 'ecsTaskDefinition') return { kind: 'ecs', task: t.task };
  }
  if (resource.startsWith('arn:aws:states:::sqs:sendMessage')) {
    const t = classifyPlaceholder(placeholderIn(params.QueueUrl) ?? '');
    if (t.kind === 'queue') return { kind: 'ecsWorker', task: t.task };
  }
  if (resource.startsWith('arn:aws:states:::states:startExecution')) {
    const t = classifyPlaceholder(placeholderIn(params.StateMachineArn) ?? '');
    const mode = resource.endsWith('.sync:2') ? 'sync:2' : resource.endsWith('.sync') ? 'sync' : 'async';
    if (t.kind === 'stateMachine') return { kind: 'stateMachine', name: t.name, mode };
  }
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: 'function', form: 'arn', resource };
  if (resource === 'arn:aws:states:::lambda:invoke') return { kind: 'function', form: 'invoke', resource };
  if (resource.startsWith('arn:aws:states:::codebuild:')) {
    return { kind: 'unsupported', resource, reason: 'CodeBuild tasks cannot run locally; deploy the project to run them' };
  }
  return { kind: 'unsupported', resource, reason: 'this Resource has no local implementation' };
}

/** Error thrown to the engine; `name` is the ASL error name, `message` the Cause. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function metaFrom(info: TaskStateResourceLocalHandlerInfo, extra: Record<string, unknown>): Record<string, unknown> {
  const ctx = info.context as { Execution?: { Name?: string }; StateMachine?: { Name?: string }; Task?: { Token?: string } };
  return {
    sfn_execution_name: ctx.Execution?.Name,
    sfn_state_name: info.stateName,
    sfn_state_machine_name: ctx.StateMachine?.Name,
    ...extra,
  };
}

/**
 * Runs a request on the pool with `HeartbeatSeconds` enforced for callback
 * tasks (`ecs:worker`): without a heartbeat for that long the worker is killed
 * and the state fails with `States.HeartbeatTimeout` (ASL spec, Task state
 * "HeartbeatSeconds"). A TaskWorker sends heartbeats while its event loop runs.
 */
async function invokeWithHeartbeat(
  ctx: TaskHandlerContext,
  request: WorkerRequest,
  info: TaskStateResourceLocalHandlerInfo,
): Promise<JSONValue> {
  // Heartbeats come from SendTaskHeartbeat with a task token: only callback tasks (.waitForTaskToken) can
  // send them, so HeartbeatSeconds is enforced there only (AWS Step Functions developer guide, "Task" state).
  const isCallback = String(info.stateDefinition.Resource).endsWith('.waitForTaskToken');
  const heartbeatSeconds = isCallback ? Number((info.stateDefinition as { HeartbeatSeconds?: number }).HeartbeatSeconds ?? 0) || 0 : 0;
  const hb = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (!heartbeatSeconds) return;
    clearTimeout(timer);
    timer = setTimeout(
      () => hb.abort(new TaskError('States.HeartbeatTimeout', `No heartbeat from the task for ${heartbeatSeconds} s (HeartbeatSeconds).`)),
      heartbeatSeconds * 1000,
    );
  };
  arm();
  try {
    return (await ctx.pool.invoke(
      { ...request, heartbeat: heartbeatSeconds || undefined },
      {
        signal: heartbeatSeconds ? AbortSignal.any([info.signal, hb.signal]) : info.signal,
        onHeartbeat: arm,
        onOutput: (line) => ctx.onOutput(info.stateName, line),
      },
    )) as JSONValue;
  } catch (err) {
    if (err instanceof PythonTaskError) ctx.onTaskFailed(info.stateName, err);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function runSourceOf(ctx: TaskHandlerContext, task: string): Pick<WorkerRequest, 'source' | 'filename' | 'firstLine' | 'exceptions'> {
  const t = ctx.manifest.tasks[task];
  if (!t) throw new TaskError('Fluxio.UnknownTask', `Task class ${task} is not in the manifest.`);
  if (!t.run) {
    throw new TaskError('Fluxio.NoRunMethod', `Task class ${task} (project.py line ${t.line}) has no run(event, context) method; add async def run(event, context).`);
  }
  const out: Pick<WorkerRequest, 'source' | 'filename' | 'firstLine' | 'exceptions'> = { source: t.run.source, filename: ctx.projectFile, firstLine: t.run.line };
  if (ctx.manifest.exceptions) out.exceptions = ctx.manifest.exceptions as Record<string, unknown>;
  return out;
}

const parseJsonText = (text: string | undefined): JSONValue => {
  if (text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as JSONValue;
  } catch {
    return text;
  }
};

/**
 * Invokes a local function as Step Functions does and turns a function error
 * into the state's error: the function's `errorType` is the Error (e.g.
 * `ValueError`, `Sandbox.Timedout`; `Lambda.Unknown` when it has none) and the
 * error payload (`{"errorMessage","errorType","requestId","stackTrace"}`) the
 * Cause; a Lambda API error becomes `Lambda.<Exception>` (e.g.
 * `Lambda.ResourceNotFoundException`). Source: Step Functions developer guide,
 * "Handling errors" and "Invoke Lambda" (optimized integration).
 */
async function invokeFunction(
  functions: LocalFunctionInvoker | undefined,
  request: Parameters<LocalFunctionInvoker['invoke']>[0],
  signal: AbortSignal,
): Promise<Awaited<ReturnType<LocalFunctionInvoker['invoke']>>> {
  if (!functions) {
    throw new TaskError(
      'Fluxio.UnsupportedLocally',
      `Task states that call Lambda function ${request.FunctionName} need the local Lambda API: run the workflow on the local platform (fluxio serve / npm start), where functions are created with aws lambda create-function.`,
    );
  }
  let out: Awaited<ReturnType<LocalFunctionInvoker['invoke']>>;
  try {
    out = await functions.invoke(request, signal);
  } catch (err) {
    const e = err as Error & { statusCode?: number };
    if (signal.aborted) throw err;
    throw new TaskError(`Lambda.${e.name}`, `${e.message} (Service: AWSLambda; Status Code: ${e.statusCode ?? 400}; Error Code: ${e.name})`);
  }
  if (out.FunctionError) {
    const payload = parseJsonText(out.Payload);
    const errorType = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>).errorType : undefined;
    throw new TaskError(typeof errorType === 'string' && errorType ? errorType : 'Lambda.Unknown', out.Payload ?? '');
  }
  return out;
}

/**
 * The handler of a Task state that calls a local Lambda function:
 * `Resource: arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`
 * (the state's effective input is the payload, the function's result the
 * state's result) or `Resource: arn:aws:states:::lambda:invoke` with
 * `Parameters.FunctionName` (+ `Payload`, `Qualifier`, `InvocationType`,
 * `LogType`, `ClientContext`), whose result is the Invoke response
 * (`{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode}`,
 * the payload parsed from JSON), as Step Functions' optimized integration returns it.
 * Returns undefined for any other Resource.
 */
export function functionTaskHandler(state: { readonly [key: string]: unknown }, functions: LocalFunctionInvoker | undefined): LocalTaskHandler | undefined {
  const resource = String(state.Resource ?? '');
  if (placeholderIn(resource)) return undefined;
  if (LAMBDA_FUNCTION_ARN.test(resource)) {
    return async (input, info) => {
      const out = await invokeFunction(functions, { FunctionName: resource, Payload: JSON.stringify(input ?? null) }, info.signal);
      return parseJsonText(out.Payload);
    };
  }
  if (resource !== 'arn:aws:states:::lambda:invoke') return undefined;
  return async (input, info) => {
    const params = asRecord(input);
    if (typeof params.FunctionName !== 'string' || params.FunctionName === '') {
      throw new TaskError('States.Runtime', `The lambda:invoke state ${info.stateName} needs Parameters.FunctionName (a function name or ARN).`);
    }
    const str = (k: string) => (typeof params[k] === 'string' ? (params[k] as string) : undefined);
    const out = await invokeFunction(
      functions,
      {
        FunctionName: params.FunctionName,
        Qualifier: str('Qualifier'),
        InvocationType: str('InvocationType'),
        LogType: str('LogType'),
        ClientContext: str('ClientContext'),
        Payload: 'Payload' in params ? JSON.stringify(params.Payload) : '',
      },
      info.signal,
    );
    const requestId = randomUUID();
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId };
    if (out.ExecutedVersion) headers['X-Amz-Executed-Version'] = out.ExecutedVersion;
    if (out.LogResult) headers['X-Amz-Log-Result'] = out.LogResult;
    return {
      ...(out.ExecutedVersion ? { ExecutedVersion: out.ExecutedVersion } : {}),
      ...(out.LogResult ? { LogResult: out.LogResult } : {}),
      Payload: out.StatusCode === 200 ? parseJsonText(out.Payload) : '',
      SdkHttpMetadata: { AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])), HttpHeaders: headers, HttpStatusCode: out.StatusCode },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: out.StatusCode,
    } as JSONValue;
  };
}

/** The handler of one Task state. */
export function createTaskHandler(ctx: TaskHandlerContext, target: TaskTarget): LocalTaskHandler {
  const common = { project: ctx.manifest.project, stateDataUrl: ctx.stateDataUrl };
  switch (target.kind) {
    case 'lambda':
      return async (input, info) => {
        const payload = asRecord(input);
        const isEnvelope = 'data' in payload && 'meta' in payload;
        return invokeWithHeartbeat(
          ctx,
          {
            kind: 'run',
            ...runSourceOf(ctx, target.task),
            event: isEnvelope ? payload.data : input,
            meta: { ...metaFrom(info, {}), ...(isEnvelope ? asRecord(payload.meta) : {}) },
            ...common,
          },
          info,
        );
      };
    case 'ecs':
      return async (input, info) => {
        const overrides = asRecord(asRecord(input).Overrides);
        const container = asRecord((overrides.ContainerOverrides as unknown[] | undefined)?.[0]);
        const env: Record<string, unknown> = {};
        for (const e of (container.Environment as unknown[] | undefined) ?? []) env[String(asRecord(e).Name)] = asRecord(e).Value;
        let event: unknown = null;
        if ('SFN_INPUT_VALUE' in env) {
          event = env.SFN_INPUT_VALUE;
          if (typeof event === 'string') {
            try {
              event = JSON.parse(event);
            } catch {
              /* a plain string input stays a string */
            }
          }
        }
        const started = Date.now();
        await invokeWithHeartbeat(
          ctx,
          {
            kind: 'run',
            ...runSourceOf(ctx, target.task),
            event,
            meta: metaFrom(info, { trace_id: env.TRACE_ID, trace_source: env.TRACE_SOURCE }),
            ...common,
          },
          info,
        );
        const params = asRecord(input);
        // ecs:runTask.sync returns the stopped task's description (DescribeTasks), not a value.
        return {
          Cluster: params.Cluster ?? null,
          TaskDefinitionArn: params.TaskDefinition ?? null,
          LaunchType: params.LaunchType ?? 'FARGATE',
          LastStatus: 'STOPPED',
          DesiredStatus: 'STOPPED',
          StopCode: 'EssentialContainerExited',
          StartedAt: started,
          StoppedAt: Date.now(),
          Containers: [{ Name: String(container.Name ?? target.task), ExitCode: 0, LastStatus: 'STOPPED' }],
        } as unknown as JSONValue;
      };
    case 'ecsWorker':
      return async (input, info) => {
        const params = asRecord(input);
        const body = asRecord(params.MessageBody);
        const attrs = asRecord(params.MessageAttributes);
        const attr = (k: string) => asRecord(attrs[k]).StringValue;
        const spec = ctx.manifest.tasks[target.task]?.attributes.spec;
        if (!spec) {
          throw new TaskError('Fluxio.NoWorkerSpec', `ecs:worker task ${target.task} has no spec; set spec = "package.module:ClassName" (a fluxio_task.TaskWorker subclass).`);
        }
        return invokeWithHeartbeat(
          ctx,
          {
            kind: 'worker',
            spec,
            event: body.Input ?? null,
            meta: metaFrom(info, {
              sfn_execution_name: attr('SFN_EXECUTION_NAME') ?? asRecord(info.context.Execution).Name,
              trace_id: attr('TRACE_ID'),
              trace_source: attr('TRACE_SOURCE'),
              task_token: body.TaskToken,
              message_group_id: params.MessageGroupId,
            }),
            ...common,
          },
          info,
        );
      };
    case 'stateMachine':
      return async (input, info) => {
        const params = asRecord(input);
        const childInput = typeof params.Input === 'string' ? JSON.parse(params.Input) : (params.Input ?? {});
        const child = ctx.startChild(target.name, childInput, info.signal);
        if (target.mode === 'async') {
          child.done.catch(() => undefined);
          return { ExecutionArn: child.executionArn, StartDate: child.startDate };
        }
        const r = await child.done;
        const asString = target.mode === 'sync';
        const description: Record<string, unknown> = {
          ExecutionArn: r.executionArn,
          StateMachineArn: r.stateMachineArn,
          Name: r.name,
          Status: r.status,
          StartDate: r.startDate,
          StopDate: r.stopDate,
          Input: asString ? JSON.stringify(r.input) : r.input,
          InputDetails: { Included: true },
        };
        if (r.status === 'SUCCEEDED') {
          description.Output = asString ? JSON.stringify(r.output) : r.output;
          description.OutputDetails = { Included: true };
          return description as JSONValue;
        }
        // Step Functions fails the parent's Task with States.TaskFailed; the Cause is the child's description.
        throw new TaskError('States.TaskFailed', JSON.stringify({ ...description, Error: r.error, Cause: r.cause }));
      };
    case 'function':
      return functionTaskHandler({ Resource: target.resource }, ctx.functions)!;
    case 'unsupported':
      return async () => {
        throw new TaskError('Fluxio.UnsupportedLocally', `${target.reason} (Resource ${target.resource}).`);
      };
  }
}
