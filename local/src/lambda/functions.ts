/**
 * The Lambda API's operations as plain functions over the store and the
 * runtime: request and response shapes are the SDK's own
 * (`@aws-sdk/client-lambda`), errors the service's (see errors.ts). Python
 * runtimes only; code as a zip (`ZipFile`) only.
 */
import { randomUUID } from 'node:crypto';
import type {
  AliasConfiguration,
  AliasRoutingConfiguration,
  CreateAliasRequest,
  DeleteAliasRequest,
  GetAliasRequest,
  ListAliasesRequest,
  ListAliasesResponse,
  UpdateAliasRequest,
  CreateFunctionRequest,
  DeleteFunctionEventInvokeConfigRequest,
  DeleteFunctionRequest,
  FunctionEventInvokeConfig,
  GetFunctionEventInvokeConfigRequest,
  ListFunctionEventInvokeConfigsRequest,
  ListFunctionEventInvokeConfigsResponse,
  PutFunctionEventInvokeConfigRequest,
  UpdateFunctionEventInvokeConfigRequest,
  FunctionConfiguration,
  GetFunctionConfigurationRequest,
  GetFunctionRequest,
  GetFunctionResponse,
  InvocationType,
  ListFunctionsRequest,
  ListTagsRequest,
  ListTagsResponse,
  TagResourceRequest,
  UntagResourceRequest,
  ListFunctionsResponse,
  ListVersionsByFunctionRequest,
  ListVersionsByFunctionResponse,
  LogType,
  PublishVersionRequest,
  UpdateFunctionCodeRequest,
  UpdateFunctionConfigurationRequest,
} from '@aws-sdk/client-lambda';
import { conflict, invalidContent, invalidParameter, LambdaApiError, notFound, preconditionFailed, unsupported, validation } from './errors.ts';
import { functionArn, LATEST, parseFunctionRef, qualifiedArn } from './names.ts';
import { FunctionRuntime, isReservedVariable, logTail, type InvocationOutcome } from './runtime.ts';
import type { FunctionStore, StoredVersion } from './store.ts';

/** Runtimes the local platform runs (its Python workers); Lambda's other runtimes are refused. */
export const PYTHON_RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13'] as const;
/** Largest synchronous Invoke payload: 6 MB (Lambda quotas, "Invocation payload (request and response)"). */
export const MAX_SYNC_PAYLOAD_BYTES = 6_291_456;
/** Largest asynchronous (`Event`) Invoke payload: 256 KB (Lambda quotas). */
export const MAX_EVENT_PAYLOAD_BYTES = 262_144;
/** Environment variables: 4 KB in total (Lambda quotas). */
export const MAX_ENVIRONMENT_BYTES = 4096;

/** An Invoke request as the protocol decodes it (the SDK's `InvocationRequest` with the payload as bytes). */
export interface InvokeInput {
  FunctionName: string;
  Qualifier?: string;
  InvocationType?: InvocationType | string;
  LogType?: LogType | string;
  /** Decoded `X-Amz-Client-Context`. */
  ClientContext?: string;
  Payload?: Uint8Array;
}

/** What Invoke answers (the SDK's `InvocationResponse`, with the payload as text). */
export interface InvokeResult {
  StatusCode: 200 | 202 | 204;
  Payload?: string;
  FunctionError?: string;
  ExecutedVersion?: string;
  LogResult?: string;
}

const CREATE_KEYS = new Set([
  'FunctionName', 'Role', 'Runtime', 'Handler', 'Code', 'Description', 'Timeout', 'MemorySize', 'Publish', 'Environment',
  'Tags', 'Architectures', 'PackageType', 'TracingConfig', 'EphemeralStorage', 'LoggingConfig',
]);
const UPDATE_CONFIG_KEYS = new Set([
  'FunctionName', 'Role', 'Runtime', 'Handler', 'Description', 'Timeout', 'MemorySize', 'Environment', 'RevisionId',
  'TracingConfig', 'EphemeralStorage', 'LoggingConfig',
]);
const UPDATE_CODE_KEYS = new Set(['FunctionName', 'ZipFile', 'Publish', 'DryRun', 'RevisionId', 'Architectures']);

function refuseUnknown(operation: string, request: object, allowed: Set<string>): void {
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined || value === null || allowed.has(key)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    throw unsupported(`${operation} parameter ${key}`);
  }
}

const lastModified = () => new Date().toISOString().replace('Z', '+0000');

function checkRange(field: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value)) throw validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must be an integer`);
  if (value < min) throw validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  if (value > max) throw validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
}

function checkRuntime(runtime: string | undefined): void {
  if (runtime === undefined) return;
  if (!(PYTHON_RUNTIMES as readonly string[]).includes(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is not supported by the local platform: only Python runs locally (${PYTHON_RUNTIMES.join(', ')}).`,
    );
  }
}

function checkEnvironment(env: { Variables?: Record<string, string> } | undefined): void {
  const vars = env?.Variables;
  if (!vars) return;
  const reserved = Object.keys(vars).filter(isReservedVariable);
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  for (const key of Object.keys(vars)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) {
      throw validation(`1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+] (key ${JSON.stringify(key)})`);
    }
  }
  const measured = JSON.stringify(vars);
  if (Buffer.byteLength(measured) > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured.slice(0, 200)}...`,
    );
  }
}

function checkConfiguration(c: Partial<CreateFunctionRequest>): void {
  checkRuntime(c.Runtime);
  checkRange('timeout', c.Timeout, 1, 900);
  checkRange('memorySize', c.MemorySize, 128, 10240);
  if (c.Handler !== undefined && (!/^[^\s]+$/.test(c.Handler) || c.Handler.length > 128)) {
    throw validation(`1 validation error detected: Value '${c.Handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+`);
  }
  if (c.Description !== undefined && c.Description.length > 256) {
    throw validation(`1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`);
  }
  checkEnvironment(c.Environment);
  if (c.Architectures && (c.Architectures.length !== 1 || !['x86_64', 'arm64'].includes(c.Architectures[0]))) {
    throw validation(`1 validation error detected: Value '[${c.Architectures.join(', ')}]' at 'architectures' failed to satisfy constraint: Member must have length 1 and be x86_64 or arm64`);
  }
}

/** The parts of a configuration a new version depends on (PublishVersion publishes only when they changed). */
const fingerprint = (c: FunctionConfiguration) =>
  JSON.stringify([c.CodeSha256, c.Handler, c.Runtime, c.Role, c.Timeout, c.MemorySize, c.Environment?.Variables ?? {}, c.Architectures, c.EphemeralStorage, c.TracingConfig]);

/** The version an alias invocation runs: an additional version with its weight's probability, else the primary one. */
function pickVersion(alias: AliasConfiguration): string | undefined {
  const [extra] = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  if (extra && Math.random() < extra[1]) return extra[0];
  return alias.FunctionVersion;
}

/** Decodes an opaque paging marker (an offset) or throws the service's error. */
function decodeMarker(marker: string | undefined): number {
  if (!marker) return 0;
  const n = Number(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw invalidParameter(`Invalid Marker: ${marker}. Pass the NextMarker of the previous page.`);
  return n;
}
const encodeMarker = (offset: number) => Buffer.from(String(offset)).toString('base64url');

function page<T>(items: T[], marker: string | undefined, maxItems: number | undefined): { items: T[]; next?: string } {
  checkRange('maxItems', maxItems, 1, 10000);
  const start = decodeMarker(marker);
  const size = maxItems ?? 50;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: encodeMarker(start + size) } : { items: slice };
}

/** Options of {@link LambdaFunctions}. */
export interface LambdaFunctionsOptions {
  store: FunctionStore;
  runtime: FunctionRuntime;
  /** `GetFunction`'s `Code.Location` for a stored package. */
  codeLocation(name: string, hash: string): string;
  /** Called when an `Event` invocation fails (it has no caller to tell); `retryInMs` when it will be retried. */
  onEventError?(functionName: string, outcome: InvocationOutcome | Error, attempt: number, retryInMs: number | undefined): void;
  /**
   * Delays before the first and second retry of a failed `Event` invocation.
   * @default [60_000, 120_000] (Lambda: "waits one minute before the first retry, two minutes before the second")
   */
  eventRetryDelaysMs?: readonly [number, number];
}

/** Retries of a failed asynchronous invocation by default (Lambda developer guide, "Asynchronous invocation"). */
export const DEFAULT_EVENT_RETRIES = 2;
/** Oldest event Lambda still runs by default: 6 hours. */
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;

/** The Lambda API operations. */
export class LambdaFunctions {
  private readonly store: FunctionStore;
  readonly runtime: FunctionRuntime;
  private readonly options: LambdaFunctionsOptions;
  /** Event invocations still running or waiting for a retry (drain() waits for them). */
  private readonly background = new Set<Promise<unknown>>();
  /** Retries scheduled for failed Event invocations (cancelRetries() drops them). */
  private readonly retries = new Map<NodeJS.Timeout, () => void>();

  constructor(options: LambdaFunctionsOptions) {
    this.options = options;
    this.store = options.store;
    this.runtime = options.runtime;
  }

  private latest(name: string): StoredVersion {
    const v = this.store.getVersion(name, LATEST);
    if (!v) throw notFound(`Function not found: ${functionArn(name)}`);
    return v;
  }

  /**
   * The version a qualifier names: `$LATEST` (default), a published number, or
   * an alias (its `FunctionVersion`, or with `RoutingConfig` one of its versions
   * picked by weight when `route` is set, as Invoke does).
   */
  resolve(functionName: string | undefined, qualifier?: string, route = false): StoredVersion {
    const ref = parseFunctionRef(functionName, qualifier);
    const latest = this.latest(ref.name);
    if (ref.qualifier === undefined || ref.qualifier === LATEST) return latest;
    let version: string | undefined = /^\d+$/.test(ref.qualifier) ? String(Number(ref.qualifier)) : undefined;
    if (version === undefined) {
      const alias = this.store.getAlias(ref.name, ref.qualifier);
      if (alias) version = route ? pickVersion(alias) : alias.FunctionVersion;
    }
    const v = version === undefined ? undefined : version === LATEST ? latest : this.store.getVersion(ref.name, version);
    if (!v) throw notFound(`Function not found: ${qualifiedArn(ref.name, ref.qualifier)}`);
    return v;
  }

  /** CreateFunction (201 FunctionConfiguration). */
  async createFunction(req: CreateFunctionRequest): Promise<FunctionConfiguration> {
    refuseUnknown('CreateFunction', req, CREATE_KEYS);
    if (req.FunctionName === undefined) throw validation(`1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null`);
    const ref = parseFunctionRef(req.FunctionName);
    if (ref.qualifier !== undefined) throw invalidParameter('A qualifier is not allowed in the function name of CreateFunction.');
    if (!req.Role) throw validation(`1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null`);
    if (req.PackageType && req.PackageType !== 'Zip') throw unsupported(`PackageType ${req.PackageType} (container images); use a zip`);
    if (!req.Runtime) throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    if (!req.Handler) throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    checkConfiguration(req);
    const code = req.Code ?? {};
    for (const k of ['S3Bucket', 'S3Key', 'S3ObjectVersion', 'ImageUri', 'SourceKMSKeyArn'] as const) {
      if (code[k]) throw unsupported(`Code.${k} (code from S3 or an image); upload the zip as Code.ZipFile`);
    }
    if (!code.ZipFile || code.ZipFile.byteLength === 0) throw invalidParameter('Please provide a source for function code (Code.ZipFile).');
    if (this.store.getFunction(ref.name)) throw conflict(`Function already exist: ${ref.name}`);
    const stored = await this.store.putCode(ref.name, code.ZipFile);
    // Another CreateFunction of this name may have finished while the package was unpacked.
    if (this.store.getFunction(ref.name)) throw conflict(`Function already exist: ${ref.name}`);
    const configuration: FunctionConfiguration = {
      FunctionName: ref.name,
      FunctionArn: functionArn(ref.name),
      Runtime: req.Runtime,
      Role: req.Role,
      Handler: req.Handler,
      CodeSize: stored.size,
      Description: req.Description ?? '',
      Timeout: req.Timeout ?? 3,
      MemorySize: req.MemorySize ?? 128,
      LastModified: lastModified(),
      CodeSha256: stored.sha256,
      Version: LATEST,
      ...(req.Environment?.Variables ? { Environment: { Variables: { ...req.Environment.Variables } } } : {}),
      TracingConfig: { Mode: req.TracingConfig?.Mode ?? 'PassThrough' },
      RevisionId: randomUUID(),
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: req.Architectures ?? ['x86_64'],
      EphemeralStorage: { Size: req.EphemeralStorage?.Size ?? 512 },
      LoggingConfig: { LogFormat: req.LoggingConfig?.LogFormat ?? 'Text', LogGroup: req.LoggingConfig?.LogGroup ?? `/aws/lambda/${ref.name}` },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    };
    this.store.insertFunction(ref.name, { ...(req.Tags ?? {}) }, configuration, stored.hash);
    if (req.Publish) return this.publish(ref.name, undefined);
    return configuration;
  }

  private checkRevision(current: FunctionConfiguration, revisionId: string | undefined): void {
    if (revisionId !== undefined && revisionId !== current.RevisionId) {
      throw preconditionFailed('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
    }
  }

  /** UpdateFunctionCode (200 FunctionConfiguration of `$LATEST`, or of the new version with `Publish`). */
  async updateFunctionCode(req: UpdateFunctionCodeRequest): Promise<FunctionConfiguration> {
    for (const k of ['S3Bucket', 'S3Key', 'S3ObjectVersion', 'ImageUri', 'SourceKMSKeyArn'] as const) {
      if (req[k]) throw unsupported(`UpdateFunctionCode parameter ${k} (code from S3 or an image); upload the zip as ZipFile`);
    }
    refuseUnknown('UpdateFunctionCode', req, UPDATE_CODE_KEYS);
    const ref = parseFunctionRef(req.FunctionName);
    if (ref.qualifier !== undefined) throw invalidParameter('A qualifier is not allowed in the function name of UpdateFunctionCode.');
    const latest = this.latest(ref.name);
    this.checkRevision(latest.configuration, req.RevisionId);
    if (!req.ZipFile || req.ZipFile.byteLength === 0) throw invalidParameter('Please provide a source for function code (ZipFile).');
    checkConfiguration({ Architectures: req.Architectures });
    if (req.DryRun) {
      // Validate only: nothing is stored (Lambda API reference, UpdateFunctionCode DryRun).
      return { ...latest.configuration, CodeSize: req.ZipFile.byteLength };
    }
    const stored = await this.store.putCode(ref.name, req.ZipFile);
    // Re-read $LATEST: its configuration may have changed (or the function gone) while the package was unpacked.
    const current = this.latest(ref.name);
    this.checkRevision(current.configuration, req.RevisionId);
    const configuration: FunctionConfiguration = {
      ...current.configuration,
      CodeSha256: stored.sha256,
      CodeSize: stored.size,
      ...(req.Architectures ? { Architectures: req.Architectures } : {}),
      LastModified: lastModified(),
      RevisionId: randomUUID(),
      LastUpdateStatus: 'Successful',
    };
    this.store.putVersion(ref.name, LATEST, configuration, stored.hash);
    this.store.collectCode(ref.name);
    if (req.Publish) return this.publish(ref.name, undefined);
    return configuration;
  }

  /** UpdateFunctionConfiguration (200 FunctionConfiguration of `$LATEST`). */
  updateFunctionConfiguration(req: UpdateFunctionConfigurationRequest): FunctionConfiguration {
    refuseUnknown('UpdateFunctionConfiguration', req, UPDATE_CONFIG_KEYS);
    const ref = parseFunctionRef(req.FunctionName);
    if (ref.qualifier !== undefined) throw invalidParameter('A qualifier is not allowed in the function name of UpdateFunctionConfiguration.');
    const latest = this.latest(ref.name);
    this.checkRevision(latest.configuration, req.RevisionId);
    checkConfiguration(req as Partial<CreateFunctionRequest>);
    const c: FunctionConfiguration = { ...latest.configuration };
    if (req.Role !== undefined) c.Role = req.Role;
    if (req.Runtime !== undefined) c.Runtime = req.Runtime;
    if (req.Handler !== undefined) c.Handler = req.Handler;
    if (req.Description !== undefined) c.Description = req.Description;
    if (req.Timeout !== undefined) c.Timeout = req.Timeout;
    if (req.MemorySize !== undefined) c.MemorySize = req.MemorySize;
    if (req.TracingConfig?.Mode !== undefined) c.TracingConfig = { Mode: req.TracingConfig.Mode };
    if (req.EphemeralStorage?.Size !== undefined) c.EphemeralStorage = { Size: req.EphemeralStorage.Size };
    if (req.LoggingConfig !== undefined) c.LoggingConfig = { ...c.LoggingConfig, ...req.LoggingConfig };
    if (req.Environment !== undefined) {
      const vars = req.Environment.Variables ?? {};
      if (Object.keys(vars).length > 0) c.Environment = { Variables: { ...vars } };
      else delete c.Environment;
    }
    c.LastModified = lastModified();
    c.RevisionId = randomUUID();
    c.LastUpdateStatus = 'Successful';
    this.store.putVersion(ref.name, LATEST, c, latest.codeHash);
    return c;
  }

  /** GetFunction: the version's configuration, its code location and the function's tags. */
  getFunction(req: GetFunctionRequest): GetFunctionResponse {
    const v = this.resolve(req.FunctionName, req.Qualifier);
    const fn = this.store.getFunction(v.name)!;
    return {
      Configuration: this.getFunctionConfiguration(req),
      Code: { RepositoryType: 'S3', Location: this.options.codeLocation(v.name, v.codeHash) },
      ...(Object.keys(fn.tags).length > 0 ? { Tags: fn.tags } : {}),
    };
  }

  /** GetFunctionConfiguration. */
  getFunctionConfiguration(req: GetFunctionConfigurationRequest): FunctionConfiguration {
    const ref = parseFunctionRef(req.FunctionName, req.Qualifier);
    const c = this.resolve(req.FunctionName, req.Qualifier).configuration;
    // Through an alias: the version's configuration under the alias ARN.
    const viaAlias = ref.qualifier !== undefined && ref.qualifier !== LATEST && !/^\d+$/.test(ref.qualifier);
    return viaAlias ? { ...c, FunctionArn: qualifiedArn(ref.name, ref.qualifier!) } : c;
  }

  /** ListFunctions: `$LATEST` of every function by name (every version with `FunctionVersion: ALL`), paged. */
  listFunctions(req: ListFunctionsRequest): ListFunctionsResponse {
    if (req.MasterRegion) throw unsupported('ListFunctions parameter MasterRegion (Lambda@Edge replicas)');
    if (req.FunctionVersion !== undefined && req.FunctionVersion !== 'ALL') {
      throw validation(`1 validation error detected: Value '${req.FunctionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`);
    }
    const all: FunctionConfiguration[] = [];
    for (const name of this.store.listNames()) {
      if (req.FunctionVersion === 'ALL') for (const v of this.store.listVersions(name)) all.push(v.configuration);
      else {
        const latest = this.store.getVersion(name, LATEST);
        if (latest) all.push(latest.configuration);
      }
    }
    const p = page(all, req.Marker, req.MaxItems);
    return { Functions: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  }

  /** ListVersionsByFunction: `$LATEST`, then the published versions in order, paged. */
  listVersionsByFunction(req: ListVersionsByFunctionRequest): ListVersionsByFunctionResponse {
    const ref = parseFunctionRef(req.FunctionName);
    this.latest(ref.name);
    const p = page(this.store.listVersions(ref.name).map((v) => v.configuration), req.Marker, req.MaxItems);
    return { Versions: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  }

  private publish(name: string, description: string | undefined): FunctionConfiguration {
    return this.store.transaction(() => {
      const fn = this.store.getFunction(name)!;
      const latest = this.latest(name);
      const last = fn.lastVersion > 0 ? this.store.getVersion(name, String(fn.lastVersion)) : undefined;
      // Lambda publishes only when code or configuration changed since the last version; otherwise it returns that version.
      if (last && fingerprint(last.configuration) === fingerprint(latest.configuration)) return last.configuration;
      const version = fn.lastVersion + 1;
      const configuration: FunctionConfiguration = {
        ...latest.configuration,
        FunctionArn: qualifiedArn(name, String(version)),
        Version: String(version),
        Description: description ?? latest.configuration.Description ?? '',
        LastModified: lastModified(),
        RevisionId: randomUUID(),
      };
      this.store.insertPublished(name, version, configuration, latest.codeHash);
      return configuration;
    });
  }

  /** PublishVersion (201): a new version from `$LATEST`, or the latest version when nothing changed. */
  publishVersion(req: PublishVersionRequest): FunctionConfiguration {
    refuseUnknown('PublishVersion', req, new Set(['FunctionName', 'CodeSha256', 'Description', 'RevisionId']));
    const ref = parseFunctionRef(req.FunctionName);
    if (ref.qualifier !== undefined) throw invalidParameter('A qualifier is not allowed in the function name of PublishVersion.');
    const latest = this.latest(ref.name);
    if (req.CodeSha256 !== undefined && req.CodeSha256 !== latest.configuration.CodeSha256) {
      throw invalidParameter(
        `CodeSHA256 (${req.CodeSha256}) is different from current CodeSHA256 in $LATEST (${latest.configuration.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    this.checkRevision(latest.configuration, req.RevisionId);
    return this.publish(ref.name, req.Description);
  }

  private taggedFunction(resource: string | undefined): string {
    const ref = parseFunctionRef(resource);
    if (ref.qualifier !== undefined) throw invalidParameter(`Tags apply to functions, not to versions or aliases: use the function ARN without :${ref.qualifier}.`);
    this.latest(ref.name);
    return ref.name;
  }

  /** ListTags: the function's tags (`Resource` is its ARN). */
  listTags(req: ListTagsRequest): ListTagsResponse {
    return { Tags: this.store.getFunction(this.taggedFunction(req.Resource))!.tags };
  }

  /** TagResource: adds or replaces tags (at most 50 per function, Lambda quotas). */
  tagResource(req: TagResourceRequest): void {
    const name = this.taggedFunction(req.Resource);
    const tags = { ...this.store.getFunction(name)!.tags, ...(req.Tags ?? {}) };
    if (Object.keys(tags).length > 50) throw invalidParameter('A function can have at most 50 tags.');
    this.store.setTags(name, tags);
  }

  /** UntagResource: removes the tags named by `TagKeys`. */
  untagResource(req: UntagResourceRequest): void {
    const name = this.taggedFunction(req.Resource);
    const tags = { ...this.store.getFunction(name)!.tags };
    for (const key of req.TagKeys ?? []) delete tags[key];
    this.store.setTags(name, tags);
  }

  private aliasTarget(name: string, version: string | undefined, routing: AliasRoutingConfiguration | undefined): void {
    if (version === undefined) throw validation(`1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null`);
    if (version !== LATEST && (!/^\d+$/.test(version) || !this.store.getVersion(name, version))) throw notFound(`Function not found: ${qualifiedArn(name, version)}`);
    const weights = routing?.AdditionalVersionWeights ?? {};
    const extra = Object.entries(weights);
    if (extra.length > 1) throw invalidParameter('An alias can route to at most one additional version.');
    for (const [v, w] of extra) {
      if (version === LATEST || v === LATEST) throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
      if (v === version) throw invalidParameter(`The additional version ${v} must differ from the alias's FunctionVersion.`);
      if (!this.store.getVersion(name, v)) throw notFound(`Function not found: ${qualifiedArn(name, v)}`);
      if (!(typeof w === 'number' && w >= 0 && w <= 1)) throw validation(`1 validation error detected: Value '${w}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Member must have value between 0.0 and 1.0`);
    }
  }

  /** CreateAlias (201 AliasConfiguration): a name for a version, optionally routing a share of invocations to a second version. */
  createAlias(req: CreateAliasRequest): AliasConfiguration {
    const ref = parseFunctionRef(req.FunctionName);
    this.latest(ref.name);
    const name = req.Name ?? '';
    if (!/^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/.test(name) || name.length > 128) {
      throw validation(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
    }
    if (this.store.getAlias(ref.name, name)) throw conflict(`Alias already exists: ${qualifiedArn(ref.name, name)}`);
    this.aliasTarget(ref.name, req.FunctionVersion, req.RoutingConfig);
    const alias: AliasConfiguration = {
      AliasArn: qualifiedArn(ref.name, name),
      Name: name,
      FunctionVersion: req.FunctionVersion,
      Description: req.Description ?? '',
      ...(req.RoutingConfig?.AdditionalVersionWeights ? { RoutingConfig: { AdditionalVersionWeights: { ...req.RoutingConfig.AdditionalVersionWeights } } } : {}),
      RevisionId: randomUUID(),
    };
    this.store.putAlias(ref.name, alias);
    return alias;
  }

  private alias(functionName: string | undefined, name: string | undefined): { fn: string; alias: AliasConfiguration } {
    const ref = parseFunctionRef(functionName);
    this.latest(ref.name);
    const alias = this.store.getAlias(ref.name, name ?? '');
    if (!alias) throw notFound(`Alias not found: ${qualifiedArn(ref.name, name ?? '')}`);
    return { fn: ref.name, alias };
  }

  /** GetAlias. */
  getAlias(req: GetAliasRequest): AliasConfiguration {
    return this.alias(req.FunctionName, req.Name).alias;
  }

  /** ListAliases (optionally only those pointing at `FunctionVersion`), paged. */
  listAliases(req: ListAliasesRequest): ListAliasesResponse {
    const ref = parseFunctionRef(req.FunctionName);
    this.latest(ref.name);
    const all = this.store.listAliases(ref.name).filter((a) => req.FunctionVersion === undefined || a.FunctionVersion === req.FunctionVersion);
    const p = page(all, req.Marker, req.MaxItems);
    return { Aliases: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  }

  /** UpdateAlias: another version, description or routing (`RevisionId` checked). */
  updateAlias(req: UpdateAliasRequest): AliasConfiguration {
    const { fn, alias } = this.alias(req.FunctionName, req.Name);
    if (req.RevisionId !== undefined && req.RevisionId !== alias.RevisionId) {
      throw preconditionFailed('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
    }
    const next: AliasConfiguration = { ...alias, RevisionId: randomUUID() };
    if (req.FunctionVersion !== undefined) next.FunctionVersion = req.FunctionVersion;
    if (req.Description !== undefined) next.Description = req.Description;
    if (req.RoutingConfig !== undefined) {
      if (Object.keys(req.RoutingConfig.AdditionalVersionWeights ?? {}).length > 0) next.RoutingConfig = { AdditionalVersionWeights: { ...req.RoutingConfig.AdditionalVersionWeights } };
      else delete next.RoutingConfig;
    }
    this.aliasTarget(fn, next.FunctionVersion, next.RoutingConfig);
    this.store.putAlias(fn, next);
    return next;
  }

  /** DeleteAlias. */
  deleteAlias(req: DeleteAliasRequest): void {
    const { fn, alias } = this.alias(req.FunctionName, req.Name);
    this.store.deleteAlias(fn, alias.Name!);
  }

  /** DeleteFunction: the whole function, or one published version with `Qualifier`. */
  deleteFunction(req: DeleteFunctionRequest): void {
    const ref = parseFunctionRef(req.FunctionName, req.Qualifier);
    this.latest(ref.name);
    if (ref.qualifier === undefined) {
      this.store.deleteFunction(ref.name);
    } else if (ref.qualifier === LATEST) {
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    } else {
      if (!/^\d+$/.test(ref.qualifier)) throw invalidParameter(`Deleting an alias with DeleteFunction is not allowed: use DeleteAlias for ${ref.qualifier}.`);
      const v = this.resolve(ref.name, ref.qualifier);
      const users = this.store
        .listAliases(ref.name)
        .filter((a) => a.FunctionVersion === v.version || Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {}).includes(v.version))
        .map((a) => a.Name);
      if (users.length > 0) throw conflict(`Unable to delete version because the following aliases reference it: [${users.join(', ')}]`);
      this.store.deleteVersion(ref.name, v.version);
    }
    this.store.collectCode(ref.name);
  }

  /**
   * Invoke: `RequestResponse` (200 with the payload; `FunctionError` when the
   * function failed), `Event` (202, runs in the background, not retried),
   * `DryRun` (204, checks the function and version exist).
   */
  async invoke(req: InvokeInput, signal?: AbortSignal): Promise<InvokeResult> {
    const type = req.InvocationType ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw validation(`1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
    }
    if (req.LogType !== undefined && !['None', 'Tail'].includes(req.LogType)) {
      throw validation(`1 validation error detected: Value '${req.LogType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`);
    }
    const ref = parseFunctionRef(req.FunctionName, req.Qualifier);
    const version = this.resolve(ref.name, ref.qualifier, true);
    const payload = req.Payload ?? new Uint8Array();
    const limit = type === 'Event' ? MAX_EVENT_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (payload.byteLength > limit) {
      throw new LambdaApiError('RequestTooLargeException', 413, `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    }
    const text = Buffer.from(payload).toString('utf8');
    if (text.trim() !== '') {
      try {
        JSON.parse(text);
      } catch (e) {
        throw invalidContent(`Could not parse request body into json: ${(e as Error).message}`);
      }
    }
    let clientContext: unknown;
    if (req.ClientContext) {
      try {
        clientContext = JSON.parse(Buffer.from(req.ClientContext, 'base64').toString('utf8'));
      } catch {
        throw invalidContent('Client context must be a valid Base64-encoded JSON object.');
      }
    }
    if (type === 'DryRun') return { StatusCode: 204 };
    const invokedArn = ref.qualifier !== undefined ? qualifiedArn(ref.name, ref.qualifier) : functionArn(ref.name);
    const run = this.runtime.run(version, text, { invokedArn, clientContext, signal: type === 'Event' ? undefined : signal });
    if (type === 'Event') {
      const config = this.store.getEventInvokeConfig(ref.name, ref.qualifier ?? LATEST);
      const maxRetries = config?.MaximumRetryAttempts ?? DEFAULT_EVENT_RETRIES;
      const maxAgeMs = (config?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
      const delays = this.options.eventRetryDelaysMs ?? [60_000, 120_000];
      const received = Date.now();
      const attempt = async (n: number, first: Promise<InvocationOutcome> | undefined): Promise<void> => {
        let failure: InvocationOutcome | Error | undefined;
        try {
          const outcome = await (first ?? this.runtime.run(version, text, { invokedArn, clientContext }));
          if (outcome.functionError) failure = outcome;
        } catch (err) {
          failure = err as Error;
        }
        if (!failure) return;
        const delay = delays[Math.min(n, delays.length - 1)];
        const retry = !this.cancelled && n < maxRetries && Date.now() + delay - received <= maxAgeMs && this.store.getFunction(ref.name) !== undefined;
        this.options.onEventError?.(ref.name, failure, n + 1, retry ? delay : undefined);
        if (!retry) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.retries.delete(timer);
            resolve();
          }, delay);
          this.retries.set(timer, resolve);
        });
        if (this.cancelled) return;
        await attempt(n + 1, undefined);
      };
      const tracked = attempt(0, run);
      this.background.add(tracked);
      void tracked.finally(() => this.background.delete(tracked));
      return { StatusCode: 202 };
    }
    const outcome = await run;
    return {
      StatusCode: 200,
      Payload: outcome.payload,
      ExecutedVersion: outcome.executedVersion,
      ...(outcome.functionError ? { FunctionError: outcome.functionError } : {}),
      ...(req.LogType === 'Tail' ? { LogResult: logTail(outcome.log) } : {}),
    };
  }

  private cancelled = false;

  /** Drops every scheduled retry of a failed Event invocation (the platform is stopping); returns how many. */
  cancelRetries(): number {
    this.cancelled = true;
    const dropped = this.retries.size;
    for (const [timer, resolve] of this.retries) {
      clearTimeout(timer);
      resolve();
    }
    this.retries.clear();
    return dropped;
  }

  /** Resolves once every `Event` invocation started so far has ended, retries included. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private eventConfigTarget(functionName: string | undefined, qualifier: string | undefined): { name: string; qualifier: string; arn: string } {
    const ref = parseFunctionRef(functionName, qualifier);
    this.resolve(ref.name, ref.qualifier);
    const q = ref.qualifier ?? LATEST;
    return { name: ref.name, qualifier: q, arn: qualifiedArn(ref.name, q) };
  }

  private checkEventConfig(req: PutFunctionEventInvokeConfigRequest): void {
    checkRange('maximumRetryAttempts', req.MaximumRetryAttempts, 0, 2);
    checkRange('maximumEventAgeInSeconds', req.MaximumEventAgeInSeconds, 60, 21600);
    const d = req.DestinationConfig;
    if (d && (d.OnSuccess?.Destination || d.OnFailure?.Destination)) throw unsupported('DestinationConfig (on-success / on-failure destinations of asynchronous invocations)');
  }

  /** PutFunctionEventInvokeConfig: retries and maximum event age of Event invocations of a function, version or alias. */
  putFunctionEventInvokeConfig(req: PutFunctionEventInvokeConfigRequest): FunctionEventInvokeConfig {
    this.checkEventConfig(req);
    const t = this.eventConfigTarget(req.FunctionName, req.Qualifier);
    const config: FunctionEventInvokeConfig = {
      FunctionArn: t.arn,
      LastModified: (Date.now() / 1000) as unknown as Date,
      ...(req.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: req.MaximumRetryAttempts } : {}),
      ...(req.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: req.MaximumEventAgeInSeconds } : {}),
      DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    };
    this.store.putEventInvokeConfig(t.name, t.qualifier, config);
    return config;
  }

  /** UpdateFunctionEventInvokeConfig: changes only the settings given. */
  updateFunctionEventInvokeConfig(req: UpdateFunctionEventInvokeConfigRequest): FunctionEventInvokeConfig {
    this.checkEventConfig(req);
    const t = this.eventConfigTarget(req.FunctionName, req.Qualifier);
    const current = this.store.getEventInvokeConfig(t.name, t.qualifier) ?? { FunctionArn: t.arn, DestinationConfig: { OnSuccess: {}, OnFailure: {} } };
    const config: FunctionEventInvokeConfig = {
      ...current,
      LastModified: (Date.now() / 1000) as unknown as Date,
      ...(req.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: req.MaximumRetryAttempts } : {}),
      ...(req.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: req.MaximumEventAgeInSeconds } : {}),
    };
    this.store.putEventInvokeConfig(t.name, t.qualifier, config);
    return config;
  }

  /** GetFunctionEventInvokeConfig. */
  getFunctionEventInvokeConfig(req: GetFunctionEventInvokeConfigRequest): FunctionEventInvokeConfig {
    const t = this.eventConfigTarget(req.FunctionName, req.Qualifier);
    const config = this.store.getEventInvokeConfig(t.name, t.qualifier);
    if (!config) throw notFound(`The function ${t.arn} doesn't have an EventInvokeConfig`);
    return config;
  }

  /** ListFunctionEventInvokeConfigs, paged. */
  listFunctionEventInvokeConfigs(req: ListFunctionEventInvokeConfigsRequest): ListFunctionEventInvokeConfigsResponse {
    const ref = parseFunctionRef(req.FunctionName);
    this.latest(ref.name);
    const p = page(this.store.listEventInvokeConfigs(ref.name), req.Marker, req.MaxItems);
    return { FunctionEventInvokeConfigs: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  }

  /** DeleteFunctionEventInvokeConfig. */
  deleteFunctionEventInvokeConfig(req: DeleteFunctionEventInvokeConfigRequest): void {
    const t = this.eventConfigTarget(req.FunctionName, req.Qualifier);
    if (!this.store.getEventInvokeConfig(t.name, t.qualifier)) throw notFound(`The function ${t.arn} doesn't have an EventInvokeConfig`);
    this.store.deleteEventInvokeConfig(t.name, t.qualifier);
  }
}
