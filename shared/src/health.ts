/**
 * `GET /v1/health` (Lambda `health`, and the local platform): `{"status":"ok",
 * "version"}` plus the stage when deployed. It touches no dependency (no
 * DynamoDB, no compiler), so it answers as long as the API and Lambda do; a
 * tiny module of its own so the function's bundle and cold start stay small.
 *
 * Deployed it sits behind IAM auth like every route (see serverless.yml); the
 * local platform adds what is running through {@link setLocalHealth}.
 */
import { jsonHandler } from './http.ts';
import type { HealthResponse } from './schemas/health.ts';
import { API_VERSION } from './version.ts';

let localHealth: (() => NonNullable<HealthResponse['local']>) | undefined;

/** Local platform only: report what is running in `GET /v1/health` (undefined to stop). */
export function setLocalHealth(provider: (() => NonNullable<HealthResponse['local']>) | undefined): void {
  localHealth = provider;
}

/** The health document. */
export function health(): HealthResponse {
  const stage = process.env.FLUXIO_STAGE;
  return { status: 'ok', version: API_VERSION, ...(stage ? { stage } : {}), ...(localHealth ? { local: localHealth() } : {}) };
}

/** Lambda handler of `GET /v1/health`. */
export const handler = jsonHandler({}, async () => ({ body: health(), headers: { 'cache-control': 'no-store' } }));
