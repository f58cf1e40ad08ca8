/**
 * The code of one task function (issue 8 step 3): the project bundle (so
 * `from pricing.rules import price` inside `run` imports the package beside
 * `project.py`; `project.py` itself is not needed and left out), the `fluxio_task` runtime (shared/python/fluxio_task; the
 * platform's copy replaces any copy the bundle carries) and the task's
 * extracted `run` method as `fluxio_task_run.py`, which
 * `fluxio_task.entry.lambda_handler` loads (its default `FLUXIO_TASK_SOURCE_FILE`).
 *
 * The zip is the bundle's deterministic zip (shared/src/bundle/deterministicZip.ts:
 * entries sorted, every timestamp 1980-01-01, mode 0644, one compression level), so unchanged code zips to the same bytes and
 * the same Lambda `CodeSha256`; {@link codeAndConfigSha256} decides whether a
 * new version is published.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { deterministicZip, type ZipFiles } from '@fluxio/contracts/bundle/deterministicZip';
import type { Manifest, ManifestEventProcessor, ManifestTask } from '@fluxio/contracts/manifest';
import { EVENT_PROCESSOR_HANDLER, EVENT_PROCESSOR_SOURCE_FILE } from '@fluxio/contracts/eventProcessors';
import type { FunctionConfig } from './ports.ts';

/** The Lambda handler of every task function. */
export const TASK_HANDLER = 'fluxio_task.entry.lambda_handler';
/** The Lambda runtime of every task function (issue 8). */
export const TASK_RUNTIME = 'python3.12';
/** The file `lambda_handler` reads the run source from. */
export const RUN_SOURCE_FILE = 'fluxio_task_run.py';
/** Directory of the `fluxio_task` package in this repository. */
export const DEFAULT_TASK_RUNTIME_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/python/fluxio_task');

export type { ZipFiles };

/** The `fluxio_task` package's `.py` files, as zip entries `fluxio_task/<file>`. */
export async function loadTaskRuntime(dir: string = DEFAULT_TASK_RUNTIME_DIR): Promise<ZipFiles> {
  const files: ZipFiles = {};
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith('.py')) files[`fluxio_task/${name}`] = new Uint8Array(await readFile(join(dir, name)));
  }
  if (!files['fluxio_task/entry.py']) throw new Error(`${dir} holds no fluxio_task/entry.py: set FLUXIO_TASK_RUNTIME_DIR to the fluxio_task package directory.`);
  return files;
}

/** The files of a bundle zip (directories left out). @throws Error when the bytes are not a zip */
export function unzipBundle(zip: Uint8Array): ZipFiles {
  const files = unzipSync(zip);
  for (const path of Object.keys(files)) if (path.endsWith('/')) delete files[path];
  return files;
}

/**
 * The run source as `fluxio_task_run.py`: blank lines first, so that line
 * numbers in tracebacks are those of `project.py` (`lambda_handler` dedents it).
 */
export function runSourceFile(run: NonNullable<ManifestTask['run']>): string {
  return `${'\n'.repeat(Math.max(0, run.line - 1))}${run.source}\n`;
}

/** The file `fluxio_task.entry` reads the project's exception classes from (its default `FLUXIO_EXCEPTIONS_FILE`). */
export const EXCEPTIONS_FILE = 'fluxio_exceptions.json';

/**
 * The zip of one task function: bundle + runtime + run source, and the
 * project's exception classes (the manifest's `exceptions`) as
 * `fluxio_exceptions.json` when it has some, so a `run` method can raise them.
 */
export function functionZip(bundle: ZipFiles, runtime: ZipFiles, task: ManifestTask, exceptions?: Manifest['exceptions']): Uint8Array {
  if (!task.run) throw new Error('A task without an async run method has no function code.');
  const files: ZipFiles = {};
  // project.py itself is left out: the task's run method comes extracted, so editing one task's run
  // changes only that function's code (and publishes only its version).
  for (const [path, bytes] of Object.entries(bundle)) if (!path.startsWith('fluxio_task/') && path !== RUN_SOURCE_FILE && path !== EXCEPTIONS_FILE && path !== 'project.py') files[path] = bytes;
  Object.assign(files, runtime);
  files[RUN_SOURCE_FILE] = new TextEncoder().encode(runSourceFile(task.run));
  if (exceptions && Object.keys(exceptions).length > 0) files[EXCEPTIONS_FILE] = new TextEncoder().encode(JSON.stringify(exceptions));
  return deterministicZip(files);
}

/** The Lambda handler of every event processor function (issue 9; shared/src/eventProcessors.ts). */
export const PROCESSOR_HANDLER = EVENT_PROCESSOR_HANDLER;
/** Timeout of an event processor function, in seconds (it computes tags; the status function waits for it). */
export const PROCESSOR_TIMEOUT_SECONDS = 30;
/** Memory of an event processor function, in MB. */
export const PROCESSOR_MEMORY_MB = 512;

/**
 * The zip of one event processor function (`@process_events(processor=X)`):
 * bundle + runtime, the class source as `fluxio_event_processor.py` (blank
 * lines first, so tracebacks give project.py's line numbers) and the
 * project's exception classes, which `fluxio_task.entry.event_processor_handler` loads.
 */
export function processorZip(bundle: ZipFiles, runtime: ZipFiles, processor: ManifestEventProcessor, exceptions?: Manifest['exceptions']): Uint8Array {
  const files: ZipFiles = {};
  for (const [path, bytes] of Object.entries(bundle))
    if (!path.startsWith('fluxio_task/') && path !== RUN_SOURCE_FILE && path !== EVENT_PROCESSOR_SOURCE_FILE && path !== EXCEPTIONS_FILE && path !== 'project.py') files[path] = bytes;
  Object.assign(files, runtime);
  files[EVENT_PROCESSOR_SOURCE_FILE] = new TextEncoder().encode(`${'\n'.repeat(Math.max(0, processor.line - 1))}${processor.source}\n`);
  if (exceptions && Object.keys(exceptions).length > 0) files[EXCEPTIONS_FILE] = new TextEncoder().encode(JSON.stringify(exceptions));
  return deterministicZip(files);
}

/** Hex SHA-256 over the function zip and every configuration field a version depends on. */
export function codeAndConfigSha256(zip: Uint8Array, config: Omit<FunctionConfig, 'description'>): string {
  const configText = JSON.stringify([
    config.functionName,
    config.runtime,
    config.handler,
    config.roleArn,
    config.timeoutSeconds,
    config.memoryMb,
    Object.entries(config.environment).sort(([a], [b]) => (a < b ? -1 : 1)),
    config.tracing,
  ]);
  return createHash('sha256').update(zip).update('\0').update(configText).digest('hex');
}

/** The function description that carries the hash (and identifies the published version). */
export const hashDescription = (sha256: string) => `fluxio code+config sha256 ${sha256}`;
