/** Helpers for end-to-end tests: run the real `fluxio` binary. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const FLUXIO_BIN = resolve(REPO_ROOT, 'cli/bin/fluxio.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawn `command ...args` in `cwd`, feed `stdin` (then close it) and collect its output.
 * `env` replaces the environment entirely (callers merge `process.env` themselves).
 */
export function runProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Run `fluxio ...args` in `cwd` (default: the repo root) and collect its output.
 * `bin` runs another entry script (e.g. a symlinked copy); `stdin` is fed then closed.
 */
export function runFluxio(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string; bin?: string } = {},
): Promise<CliResult> {
  return runProcess(process.execPath, [options.bin ?? FLUXIO_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdin: options.stdin,
  });
}
