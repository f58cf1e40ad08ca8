/**
 * The domain side of `POST /v1/compile`: a validated request in, a manifest
 * out, compile errors as a 422 {@link HttpError}. Knows nothing of Lambda or
 * API Gateway (the handler in `handlers/compile.ts` maps the event).
 */
import { HttpError } from '@fluxio/contracts/errors';
import type { Manifest } from '@fluxio/contracts/manifest';
import { COMPILE_MAX_ERRORS_RETURNED, type CompileRequest } from '@fluxio/contracts/schemas/compile';
import type { CompileResult } from '@fluxio/contracts/manifest';
import type { CompileOptions } from './index.ts';

/** Project name used when the request names none (same default as `compile()`). */
export const DEFAULT_PROJECT_NAME = 'project';

/** How many errors the 422 message summarises inline. */
const SUMMARY_ERRORS = 3;

/** Most diagnostics a 422 returns (shared contract; the CLI prints every error). */
export const MAX_ERRORS_RETURNED = COMPILE_MAX_ERRORS_RETURNED;

/**
 * Compiles the request's `source` as `project.py` with `compile` (in-process
 * `Compiler.compile`, or `compileSource` of compileBackend.ts).
 *
 * @returns the manifest (DESIGN.md §6)
 * @throws HttpError 422 `Compile.Failed` when the source does not compile:
 *   `details.errors` = the first {@link MAX_ERRORS_RETURNED} diagnostics
 *   (1-based ranges, `endColumn` exclusive), `details.totalErrors` = how many
 *   the file has. The compiler itself never throws.
 */
export async function compileRequest(
  compile: (source: string, options: CompileOptions) => CompileResult | Promise<CompileResult>,
  request: CompileRequest,
): Promise<Manifest> {
  const project = request.project ?? DEFAULT_PROJECT_NAME;
  const result = await compile(request.source, { project, fileName: 'project.py' });
  if (result.ok) return result.manifest;
  const errors = result.errors;
  const summary = errors
    .slice(0, SUMMARY_ERRORS)
    .map((d) => `line ${d.line}, column ${d.column}: ${d.message} (${d.code})`)
    .join('; ');
  const returned = errors.slice(0, MAX_ERRORS_RETURNED);
  const more = errors.length > SUMMARY_ERRORS ? `; and ${errors.length - SUMMARY_ERRORS} more in details.errors` : '';
  const left =
    errors.length > returned.length
      ? ` details.errors lists the first ${returned.length}; ${errors.length - returned.length} more are left out (run \`fluxio compile\` to see all of them).`
      : '';
  throw new HttpError(
    422,
    'Compile.Failed',
    `project.py has ${errors.length} compile error${errors.length === 1 ? '' : 's'}: ${summary}${more}.${left} Fix them and send the source again.`,
    { errors: returned, totalErrors: errors.length },
  );
}
