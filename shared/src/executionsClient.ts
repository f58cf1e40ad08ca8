/**
 * TypeScript client of the executions API (issue 9): start an execution of a
 * deployed project's state machine on its alias `live`, list, describe, page
 * the history, stop, redrive. The `fluxio start`/`executions`/`describe`/
 * `history`/`stop`/`redrive` commands are built on it; it works with any
 * `fetch` and signer (SigV4 against a deployed platform).
 *
 * @example
 * ```ts
 * const client = new ExecutionsClient({ baseUrl: 'http://127.0.0.1:4510' });
 * const { execution } = await client.start('fan-out', 'main', { input: { n: 3 } });
 * const d = await client.describe('fan-out', 'main', execution.name); // d.status, d.output
 * ```
 */
import { EXECUTION_ROUTE_PATHS } from './routes.ts';
import type {
  ExecutionDescription,
  ExecutionHistory,
  ExecutionList,
  RedriveResponse,
  StartExecutionRequest,
  StartExecutionResponse,
  StopRequest,
  StopResponse,
} from './schemas/executions.ts';
import { PlatformClientError, platformJsonRequest, type RequestSigner } from './platformHttp.ts';

/** Any failure reported by the executions API, or the client's own (`Client.Network`). */
export class ExecutionsClientError extends PlatformClientError {
  override name = 'ExecutionsClientError';
}

export interface ExecutionsClientOptions {
  /** Base URL of the platform's HTTP API, e.g. `http://127.0.0.1:4510` or the API Gateway URL. */
  baseUrl: string;
  /** Signs each request (SigV4 for a deployed platform). */
  sign?: RequestSigner;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

const enc = encodeURIComponent;
const path = (template: string, params: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => enc(params[k]!));
const query = (q: Record<string, string | number | boolean | undefined>) => {
  const s = new URLSearchParams(Object.entries(q).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();
  return s ? `?${s}` : '';
};

/** Client of the executions API. Methods throw {@link ExecutionsClientError}. */
export class ExecutionsClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(readonly options: ExecutionsClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  private request(method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    return platformJsonRequest({ base: this.base, fetch: this.fetchFn, sign: this.options.sign }, ExecutionsClientError, method, p, body);
  }

  /**
   * `POST …/executions`: `created` true (201) for a new execution, false (200)
   * for the existing one of that name and input.
   * @throws ExecutionsClientError 404 `Trigger.StateMachineNotFound`, 409 `Execution.AlreadyExists`, 400, 413
   */
  async start(project: string, stateMachine: string, request: StartExecutionRequest): Promise<{ created: boolean; execution: StartExecutionResponse }> {
    const res = await this.request('POST', path(EXECUTION_ROUTE_PATHS.executions, { project, stateMachine }), request);
    return { created: res.status === 201, execution: res.body as StartExecutionResponse };
  }

  /** `GET …/executions`: newest first. */
  async list(project: string, stateMachine: string, options: { status?: string; nextToken?: string; maxResults?: number } = {}): Promise<ExecutionList> {
    return (await this.request('GET', path(EXECUTION_ROUTE_PATHS.executions, { project, stateMachine }) + query(options))).body as ExecutionList;
  }

  /** `GET …/executions/{name}`. @throws ExecutionsClientError 404 `Execution.NotFound` */
  async describe(project: string, stateMachine: string, name: string): Promise<ExecutionDescription> {
    return (await this.request('GET', path(EXECUTION_ROUTE_PATHS.execution, { project, stateMachine, name }))).body as ExecutionDescription;
  }

  /** `GET …/executions/{name}/history`: one page of events. */
  async history(project: string, stateMachine: string, name: string, options: { nextToken?: string; reverseOrder?: boolean; maxResults?: number } = {}): Promise<ExecutionHistory> {
    return (await this.request('GET', path(EXECUTION_ROUTE_PATHS.history, { project, stateMachine, name }) + query(options))).body as ExecutionHistory;
  }

  /** `POST …/executions/{name}/stop`. */
  async stop(project: string, stateMachine: string, name: string, request: StopRequest = {}): Promise<StopResponse> {
    return (await this.request('POST', path(EXECUTION_ROUTE_PATHS.stop, { project, stateMachine, name }), request)).body as StopResponse;
  }

  /** `POST …/executions/{name}/redrive`. @throws ExecutionsClientError 409 `Execution.NotRedrivable` */
  async redrive(project: string, stateMachine: string, name: string): Promise<RedriveResponse> {
    return (await this.request('POST', path(EXECUTION_ROUTE_PATHS.redrive, { project, stateMachine, name }))).body as RedriveResponse;
  }
}
