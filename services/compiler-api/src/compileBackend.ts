/**
 * Where a compile runs. By default in this thread (the Lambda handler: one
 * request per instance, nothing to starve); the local platform installs a
 * {@link CompilePool} (worker threads) with {@link setCompileBackend} so a
 * CPU-heavy compile never blocks its event loop. Both run the same
 * `compileWithParser` pipeline.
 */
import type { CompileResult } from '@fluxio/contracts/manifest';
import { loadCompiler, type CompileOptions } from './index.ts';

/** Something that compiles one `project.py` and never rejects for bad input. */
export interface CompileBackend {
  compile(source: string, options?: CompileOptions): Promise<CompileResult>;
}

let backend: CompileBackend | undefined;

/** Installs (or, with `undefined`, removes) the process-wide compile backend. */
export function setCompileBackend(b: CompileBackend | undefined): void {
  backend = b;
}

/** Compiles with the installed backend, or in this thread when none is installed. */
export async function compileSource(source: string, options?: CompileOptions): Promise<CompileResult> {
  if (backend) return backend.compile(source, options);
  return (await loadCompiler()).compile(source, options);
}
