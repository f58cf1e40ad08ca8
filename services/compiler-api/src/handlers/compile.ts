/**
 * `POST /v1/compile` (Lambda, API Gateway HTTP API payload 2.0).
 *
 * Body `{"source": string, "project"?: string}` →
 * - 200 the manifest (DESIGN.md §6)
 * - 422 `Compile.Failed`, `details.errors` = the first 100 compile errors, `details.totalErrors` their count
 * - 400 `Request.MalformedJson` / `Request.Invalid` for a body that is not JSON
 *   or does not match `CompileRequestSchema`
 * - 413 `Request.TooLarge` above {@link COMPILE_MAX_BODY_BYTES} (1 MiB)
 *
 * The tree-sitter wasm is loaded at module scope, during the Lambda init phase,
 * so the first request does not pay for it twice. Served by the local
 * platform, the compile runs in its worker pool (worker/compilePool.ts).
 */
import { jsonHandler } from '@fluxio/contracts/http';
import {
  COMPILE_MAX_BODY_BYTES,
  COMPILE_TOO_LARGE_HINT,
  CompileRequestSchema,
} from '@fluxio/contracts/schemas/compile';
import { loadCompiler } from '../index.ts';
import { compileRequest } from '../compileRequest.ts';
import { compileSource } from '../compileBackend.ts';

// Start loading now (cold start); a failed load is retried on the next request.
loadCompiler().catch(() => undefined);

export const handler = jsonHandler(
  { bodySchema: CompileRequestSchema, maxBodyBytes: COMPILE_MAX_BODY_BYTES, tooLargeHint: COMPILE_TOO_LARGE_HINT },
  async ({ body }) => {
    // In-process on Lambda; in a worker thread when the local platform installed its pool.
    return { statusCode: 200, body: await compileRequest(compileSource, body) };
  },
);
