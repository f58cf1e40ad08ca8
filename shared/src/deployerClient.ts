/**
 * TypeScript client of the deployer API (issue 8): upload a project bundle
 * through its presigned URL, deploy it (or plan), follow a deployment that
 * runs past the request, list, describe, roll back, destroy. `fluxio deploy`
 * and friends are built on it; it works with any `fetch` and signer
 * (SigV4 against a deployed platform, see {@link signerForPlatformUrl}).
 *
 * @example
 * ```ts
 * const client = new DeployerClient({ baseUrl: 'http://127.0.0.1:4510' });
 * const bundle = await createProjectBundle('examples/fan-out');
 * await client.uploadBundle('fan-out', bundle);
 * const record = await client.deployAndWait('fan-out', { bundle: { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes } });
 * record.stateMachines.main.aliasArn; // → arn:aws:states:…:stateMachine:fluxio-local-fan-out-main:live
 * ```
 */
import { DEPLOYER_ROUTE_PATHS } from './routes.ts';
import type {
  BundleRef,
  BundleUploadUrlResponse,
  DeploymentPlan,
  DeploymentRecord,
  DeploymentStep,
  DeployRequest,
  RollbackRequest,
} from './schemas/deployments.ts';
import { PlatformClientError, createSigV4Signer, isLoopbackUrl, regionOfExecuteApiUrl, platformJsonRequest, type RequestSigner, type SigV4SignerOptions } from './platformHttp.ts';

/** Any failure reported by the deployer API (or the bundle upload). */
export class DeployerClientError extends PlatformClientError {
  override name = 'DeployerClientError';
}

export interface DeployerClientOptions {
  /** Base URL of the platform's HTTP API, e.g. `http://127.0.0.1:4510` or the API Gateway URL. */
  baseUrl: string;
  /** Signs each API request (not the presigned upload). */
  sign?: RequestSigner;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** First interval between polls of a running deployment, in ms (doubles up to 2 s). @default 200 */
  pollIntervalMs?: number;
}

/** The 202 answer of a deployment that goes on past the request. */
export interface DeploymentAccepted {
  deploymentId: string;
  status: 'IN_PROGRESS';
  links: { self: string };
}

/** The project as `GET /v1/projects/{project}` describes it. */
export interface ProjectDescription {
  project: string;
  currentDeployment: DeploymentRecord | null;
  stateMachines: DeploymentRecord['stateMachines'];
}

/** Called with each step of a deployment once, in order, as it is recorded. */
export type StepListener = (step: DeploymentStep, record: DeploymentRecord) => void;

const enc = encodeURIComponent;
const path = (template: string, params: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => enc(params[k]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Client of the deployer API. Methods throw {@link DeployerClientError}. */
export class DeployerClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(readonly options: DeployerClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  private request(method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    return platformJsonRequest({ base: this.base, fetch: this.fetchFn, sign: this.options.sign }, DeployerClientError, method, p, body);
  }

  /** `POST /v1/projects/{project}/bundles/upload-url`. @throws 413 `Deploy.BundleTooLarge` */
  async bundleUploadUrl(project: string, bundle: BundleRef): Promise<BundleUploadUrlResponse> {
    return (await this.request('POST', path(DEPLOYER_ROUTE_PATHS.bundleUploadUrl, { project }), bundle)).body as BundleUploadUrlResponse;
  }

  /**
   * Uploads a bundle's zip through its presigned URL, unless the platform
   * already holds these bytes. @returns whether bytes were sent
   */
  async uploadBundle(project: string, bundle: { zip: Uint8Array; sha256: string; sizeBytes: number }): Promise<{ uploaded: boolean }> {
    const target = await this.bundleUploadUrl(project, { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes });
    if (target.exists) return { uploaded: false };
    if (!target.url) throw new DeployerClientError('The upload-url answer has neither `url` nor `exists`.', 0, 'Client.BadResponse', target);
    let res: Response;
    try {
      res = await this.fetchFn(target.url, { method: target.method ?? 'PUT', headers: target.headers ?? {}, body: bundle.zip as Uint8Array<ArrayBuffer> });
    } catch (e) {
      throw new DeployerClientError(`Upload of the bundle to its presigned URL failed: ${(e as Error).message}`, 0, 'Client.UploadFailed');
    }
    const text = await res.text();
    if (!res.ok) throw new DeployerClientError(`Upload of the bundle to its presigned URL failed with ${res.status}: ${text.slice(0, 300)}`, res.status, 'Client.UploadFailed');
    return { uploaded: true };
  }

  /** `POST /v1/projects/{project}/deployments?dryRun=true`: what a deployment would do; nothing changes. @throws 422 `Compile.Failed` */
  async plan(project: string, request: DeployRequest): Promise<DeploymentPlan> {
    return (await this.request('POST', `${path(DEPLOYER_ROUTE_PATHS.deployments, { project })}?dryRun=true`, request)).body as DeploymentPlan;
  }

  /**
   * `POST /v1/projects/{project}/deployments`: the record (201) when it
   * finished within the request, else the 202 acceptance to follow with
   * {@link waitForDeployment}. @throws 409 `Deploy.InProgress`, 422 `Compile.Failed`, 404 `Deploy.BundleNotFound`
   */
  async deploy(project: string, request: DeployRequest): Promise<DeploymentRecord | DeploymentAccepted> {
    return (await this.request('POST', path(DEPLOYER_ROUTE_PATHS.deployments, { project }), request)).body as DeploymentRecord | DeploymentAccepted;
  }

  /** {@link deploy}, then {@link waitForDeployment} when it was accepted (202). */
  async deployAndWait(project: string, request: DeployRequest, onStep?: StepListener): Promise<DeploymentRecord> {
    return this.settle(project, await this.deploy(project, request), onStep);
  }

  /** `GET /v1/projects/{project}/deployments/{deploymentId}`. @throws 404 `Deploy.NotFound` */
  async getDeployment(project: string, deploymentId: string): Promise<DeploymentRecord> {
    return (await this.request('GET', path(DEPLOYER_ROUTE_PATHS.deployment, { project, deploymentId }))).body as DeploymentRecord;
  }

  /** `GET /v1/projects/{project}/deployments`: one page, newest first. */
  async listDeployments(project: string, options: { limit?: number; next?: string } = {}): Promise<{ deployments: DeploymentRecord[]; next?: string }> {
    const q = new URLSearchParams();
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    if (options.next !== undefined) q.set('next', options.next);
    const qs = q.size ? `?${q}` : '';
    return (await this.request('GET', path(DEPLOYER_ROUTE_PATHS.deployments, { project }) + qs)).body as { deployments: DeploymentRecord[]; next?: string };
  }

  /** `GET /v1/projects/{project}`: the current deployment and its ARNs. */
  async describe(project: string): Promise<ProjectDescription> {
    return (await this.request('GET', path(DEPLOYER_ROUTE_PATHS.project, { project }))).body as ProjectDescription;
  }

  /** `POST /v1/projects/{project}/rollback` (followed to the end when accepted). @throws 404 `Deploy.NotFound`, 409 `Deploy.InProgress` */
  async rollback(project: string, request: RollbackRequest = {}, onStep?: StepListener): Promise<DeploymentRecord> {
    const res = await this.request('POST', path(DEPLOYER_ROUTE_PATHS.rollback, { project }), request);
    return this.settle(project, res.body as DeploymentRecord | DeploymentAccepted, onStep);
  }

  /** `DELETE /v1/projects/{project}` (followed to the end when accepted): the record marked DESTROYED. */
  async destroy(project: string, onStep?: StepListener): Promise<DeploymentRecord> {
    const res = await this.request('DELETE', path(DEPLOYER_ROUTE_PATHS.project, { project }));
    return this.settle(project, res.body as DeploymentRecord | DeploymentAccepted, onStep);
  }

  /**
   * Polls a deployment until it is no longer IN_PROGRESS, calling `onStep`
   * once for each new step. Intervals start at `pollIntervalMs` and double up to 2 s.
   */
  async waitForDeployment(project: string, deploymentId: string, onStep?: StepListener, signal?: AbortSignal): Promise<DeploymentRecord> {
    let seen = 0;
    let interval = this.options.pollIntervalMs ?? 200;
    for (;;) {
      const record = await this.getDeployment(project, deploymentId);
      seen = emitSteps(record, seen, onStep);
      if (record.status !== 'IN_PROGRESS') return record;
      if (signal?.aborted) throw new DeployerClientError(`Stopped waiting for deployment ${deploymentId} (it goes on on the platform).`, 0, 'Client.Aborted');
      await sleep(interval);
      interval = Math.min(interval * 2, 2000);
    }
  }

  private async settle(project: string, answer: DeploymentRecord | DeploymentAccepted, onStep?: StepListener): Promise<DeploymentRecord> {
    if (answer.status === 'IN_PROGRESS' && 'links' in answer) return this.waitForDeployment(project, answer.deploymentId, onStep);
    const record = answer as DeploymentRecord;
    if (record.status === 'IN_PROGRESS') return this.waitForDeployment(project, record.deploymentId, onStep);
    emitSteps(record, 0, onStep);
    return record;
  }
}

function emitSteps(record: DeploymentRecord, seen: number, onStep?: StepListener): number {
  const steps = record.steps ?? [];
  if (onStep) for (let i = seen; i < steps.length; i++) onStep(steps[i], record);
  return Math.max(seen, steps.length);
}

/** How {@link signerForPlatformUrl} decides. `auto`: sign unless the URL is loopback. */
export type SignMode = 'auto' | 'always' | 'never';

/**
 * The signer for requests to platform URL `url`: none for the local platform
 * (loopback) unless `mode` is `always`; otherwise SigV4 for `execute-api` in
 * the region of the execute-api host, else `AWS_REGION` / `AWS_DEFAULT_REGION`.
 * @throws DeployerClientError `Client.NoRegion` when no region can be found
 */
export function signerForPlatformUrl(
  url: string,
  options: { mode?: SignMode; env?: NodeJS.ProcessEnv; credentials?: SigV4SignerOptions['credentials'] } = {},
): { sign?: RequestSigner; region?: string } {
  const mode = options.mode ?? 'auto';
  if (mode === 'never' || (mode === 'auto' && isLoopbackUrl(url))) return {};
  const env = options.env ?? process.env;
  const region = regionOfExecuteApiUrl(url) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new DeployerClientError(
      `Cannot sign requests to ${url}: no region. The URL is not an execute-api host (<id>.execute-api.<region>.amazonaws.com); set AWS_REGION.`,
      0,
      'Client.NoRegion',
    );
  return { sign: createSigV4Signer({ region, credentials: options.credentials }), region };
}
