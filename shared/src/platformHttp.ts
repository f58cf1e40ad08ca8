/**
 * The one way Fluxio's TypeScript clients talk to the platform's HTTP API
 * (the state data, deployer and executions clients): JSON requests through any
 * `fetch`, an optional signer, and the standard error body
 * `{"error":{"code","message","details"?}}` turned into an error.
 *
 * Deployed, every route requires IAM auth (serverless.yml `authorizer:
 * aws_iam`): {@link createSigV4Signer} signs requests with Signature Version 4
 * for `execute-api` (`@smithy/signature-v4`, credentials from the AWS SDK's
 * default provider chain: environment, SSO, shared config/credentials files,
 * web identity, ECS/EC2 metadata). The local platform (loopback) needs none.
 */
import type { SignatureV4 } from '@smithy/signature-v4';

/** What a signer sees of a request (the URL is absolute). */
export interface SignableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Signs or decorates a request; returns the headers to add (e.g. `authorization`, `x-amz-date`). */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;

/** AWS credentials as the SDK's providers return them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface SigV4SignerOptions {
  /** Region of the API (the credential scope). */
  region: string;
  /** Signing name. @default 'execute-api' (API Gateway) */
  service?: string;
  /** Credentials or a provider of them. @default the AWS SDK's default chain (fromNodeProviderChain) */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
}

/**
 * A {@link RequestSigner} that signs with AWS Signature Version 4
 * (`AWS4-HMAC-SHA256`, scope `<date>/<region>/execute-api/aws4_request`).
 * The provider chain is only consulted on the first request.
 */
export function createSigV4Signer(options: SigV4SignerOptions): RequestSigner {
  let signer: SignatureV4 | undefined;
  const getSigner = async () => {
    if (signer) return signer;
    // Loaded on first use: clients that never sign (the local platform) never load them.
    const [{ SignatureV4 }, { Sha256 }] = await Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]);
    let credentials = options.credentials;
    if (credentials === undefined) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      credentials = fromNodeProviderChain();
    }
    signer = new SignatureV4({ service: options.service ?? 'execute-api', region: options.region, credentials, sha256: Sha256 });
    return signer;
  };
  return async ({ method, url, headers, body }) => {
    const u = new URL(url);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of u.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const signed = await (await getSigner()).sign({
      method,
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      path: u.pathname,
      query,
      // `host` is signed (SigV4 requires it); fetch sends the same value from the URL.
      headers: { ...headers, host: u.host },
      body,
    });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host' && headers[k] === undefined) out[k] = String(v);
    return out;
  };
}

/** True for `localhost`, 127.0.0.0/8 and `::1`: the local platform, which takes unsigned requests. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The region of an API Gateway endpoint host (`<api-id>.execute-api.<region>.amazonaws.com`,
 * also `.amazonaws.com.cn`); undefined for other hosts (custom domain names).
 */
export function regionOfExecuteApiUrl(url: string): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/i.exec(new URL(url).hostname)?.[1];
}

/**
 * Base of the platform clients' errors (`StateDataClientError`,
 * `DeployerClientError`): what an API answered, or the client's own failure.
 * Subclasses only set `name`.
 */
export class PlatformClientError extends Error {
  override name = 'PlatformClientError';
  constructor(
    message: string,
    /** HTTP status (0 when the request never got an answer). */
    readonly status: number,
    /** API error code, e.g. `StateData.TableNotFound`, `Deploy.InProgress`; `Client.*` for the client's own. */
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** An answer of the platform: status, parsed JSON body (undefined when empty or not JSON), raw text and headers. */
export interface PlatformResponse {
  status: number;
  ok: boolean;
  body: unknown;
  text: string;
  headers: Headers;
}

/** The standard error body's `error`, when the answer carries one. */
export function errorOfBody(body: unknown): { code?: string; message?: string; details?: unknown } | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return error && typeof error === 'object' ? (error as { code?: string; message?: string; details?: unknown }) : undefined;
}

/**
 * Sends one JSON request: `accept: application/json`, `content-type` when there
 * is a body, the signer's headers. Never throws for an HTTP status (the caller
 * maps errors); a request that got no answer rejects with `onNetworkError(e)`.
 */
export async function sendPlatformRequest(
  options: { fetch: typeof fetch; sign?: RequestSigner; onNetworkError: (message: string) => Error },
  method: string,
  url: string,
  body?: string,
): Promise<PlatformResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.sign) Object.assign(headers, await options.sign({ method, url, headers, body }));
  let res: Response;
  try {
    res = await options.fetch(url, { method, headers, body });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw options.onNetworkError(`${method} ${url} failed: ${(e as Error).message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, ok: res.ok, body: parsed, text, headers: res.headers };
}

/** The error class of one platform client (a {@link PlatformClientError} subclass). */
export type PlatformErrorClass = new (message: string, status: number, code: string, details?: unknown) => PlatformClientError;

/**
 * One JSON request of a platform API client (deployer, executions) to
 * `base + path`: the parsed body of a 2xx answer, else `ErrorClass` from the
 * standard error body (`{"error":{"code","message","details"?}}`); without one
 * (API Gateway's own 403/429 `{"message"}`, a proxy's page) a message that says
 * what answered, and for an unsigned 403 that the platform wants signed requests.
 * @throws ErrorClass: status 0 and code `Client.Network` when nothing answered
 */
export async function platformJsonRequest(
  client: { base: string; fetch: typeof fetch; sign?: RequestSigner },
  ErrorClass: PlatformErrorClass,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await sendPlatformRequest(
    {
      fetch: client.fetch,
      sign: client.sign,
      onNetworkError: (message) =>
        new ErrorClass(`${message}. Is the platform running there? Start the local one with \`fluxio serve\` (npm start), or pass --url.`, 0, 'Client.Network'),
    },
    method,
    client.base + path,
    body === undefined ? undefined : JSON.stringify(body),
  );
  if (!res.ok) {
    const err = errorOfBody(res.body);
    const fallback =
      res.status === 403 && !client.sign
        ? `${method} ${path} answered 403: the platform wants signed requests (IAM auth).`
        : `${method} ${path} answered ${res.status}: ${res.text.slice(0, 300) || '(no body)'}`;
    throw new ErrorClass(err?.message ?? (res.body as { message?: string })?.message ?? fallback, res.status, err?.code ?? `Http.${res.status}`, err?.details);
  }
  return { status: res.status, body: res.body };
}
