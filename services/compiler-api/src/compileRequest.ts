/**
 * The domain side of `POST /v1/compile`: a validated request in, a manifest
 * out, compile errors as a 422 {@link HttpError}. Knows nothing of Lambda or
 * API Gateway (the handler in `handlers/compile.ts` maps the event).
 */
import { HttpError } from '@fluxio/contracts/errors';
import type { Manifest } from '@fluxio/contracts/manifest';
import type { CompileRequest } from '@fluxio/contracts/schemas/compile';
import type { Compiler } from './index.ts';

/** Project name used when the request names none (same default as `compile()`). */
export const DEFAULT_PROJECT_NAME = 'project';

/** How many errors the 422 message summarises inline (all of them are in `details.errors`). */
const SUMMARY_ERRORS = 3;

/**
 * Compiles the request's `source` as `project.py`.
 *
 * @returns the manifest (DESIGN.md §6)
 * @throws HttpError 422 `Compile.Failed` with `details.errors` = every
 *   diagnostic of the file (1-based ranges, `endColumn` exclusive) when the
 *   source does not compile. The compiler itself never throws.
 */
export function compileRequest(compiler: Compiler, request: CompileRequest): Manifest {
  const project = request.project ?? DEFAULT_PROJECT_NAME;
  const result = compiler.compile(request.source, { project, fileName: 'project.py' });
  if (result.ok) return result.manifest;
  const errors = result.errors;
  const summary = errors
    .slice(0, SUMMARY_ERRORS)
    .map((d) => `line ${d.line}, column ${d.column}: ${d.message} (${d.code})`)
    .join('; ');
  const more = errors.length > SUMMARY_ERRORS ? `; and ${errors.length - SUMMARY_ERRORS} more in details.errors` : '';
  throw new HttpError(
    422,
    'Compile.Failed',
    `project.py has ${errors.length} compile error${errors.length === 1 ? '' : 's'}: ${summary}${more}. Fix them and send the source again.`,
    { errors },
  );
}
