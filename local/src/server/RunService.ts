/**
 * Runs submitted to the local platform (`POST /v1/runs`): compile the source,
 * execute it on the shared runner (warm Python workers, the platform's state
 * data service), keep the record for polling.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '@fluxio/contracts/errors';
import type { Run, RunRequest } from '@fluxio/contracts/schemas/runs';
import { RUN_MAX_WAIT_SECONDS } from '@fluxio/contracts/schemas/runs';
import { compileRequest, compileSource } from '@fluxio/compiler-api';
import type { Runner } from '../index.ts';
import { executionInputProblem, jsonBytes } from '../engine/limits.ts';

/** How many finished runs are kept for polling (oldest dropped first). */
export const MAX_KEPT_RUNS = 1000;

/**
 * Bytes of outputs and causes the kept finished runs may hold together (oldest
 * dropped first). Each output is at most 262,144 bytes (the engine fails larger
 * ones with States.DataLimitExceeded) and each cause at most 32,768 characters.
 */
export const MAX_KEPT_RUN_BYTES = 64 * 1024 * 1024;

interface RunRecord {
  run: Run;
  done: Promise<void>;
  /** JSON bytes of the finished run's output and cause (0 while running). */
  bytes: number;
}

export class RunService {
  private readonly runs = new Map<string, RunRecord>();
  private keptBytes = 0;

  /**
   * @param runner what executes the runs: the platform's Step Functions execution service
   *   (`ExecutionService.run`, so every run is an execution of the local Step Functions API), or a bare runner
   */
  constructor(private readonly runner: Pick<Runner, 'run'>) {}

  /**
   * Compile and start a run; resolve once it finished or `waitSeconds` passed.
   * @throws HttpError 422 `Compile.Failed` (the first 100 errors, `details.totalErrors`) when the source does not compile,
   *   404 `Run.UnknownStateMachine` when `stateMachine` is not in it, 400 `Run.InvalidExecutionInput`
   *   when `input` is not a JSON object, 413 `Run.InputTooLarge` when it is over 262,144 bytes
   */
  async start(request: RunRequest): Promise<Run> {
    const inputProblem = executionInputProblem(request.input ?? {});
    if (inputProblem) {
      if (inputProblem.code === 'ExecutionInputTooLarge') {
        throw new HttpError(413, 'Run.InputTooLarge', inputProblem.message, { limitBytes: 262_144, sizeBytes: jsonBytes(request.input) });
      }
      throw new HttpError(400, 'Run.InvalidExecutionInput', inputProblem.message);
    }
    // Off the event loop when served (the platform's compile pool); 422 Compile.Failed with the first 100 errors.
    const result = { manifest: await compileRequest(compileSource, { source: request.source, project: request.project }) };
    const stateMachine = request.stateMachine ?? 'main';
    if (!(stateMachine in result.manifest.stateMachines)) {
      throw new HttpError(404, 'Run.UnknownStateMachine', `No state machine "${stateMachine}" in project.py; it defines: ${Object.keys(result.manifest.stateMachines).join(', ')}.`);
    }
    const runId = randomUUID();
    const run: Run = {
      runId,
      status: 'RUNNING',
      output: null,
      error: null,
      cause: null,
      executionName: runId,
      stateMachine,
      startedAt: new Date().toISOString(),
      stoppedAt: null,
      statesEntered: 0,
      links: { self: `/v1/runs/${runId}` },
    };
    const done = this.runner
      .run(result.manifest, {
        stateMachine,
        input: request.input ?? {},
        fastWaits: request.fastWaits ?? false,
        executionName: runId,
        onEvent: (event) => {
          if ((event as { type?: string }).type === 'StateEntered') run.statesEntered += 1;
        },
      })
      .then(
        (r) => {
          Object.assign(run, { status: r.status, output: r.output, error: r.error, cause: r.cause });
          if (r.failedState) run.failedState = r.failedState;
          if (r.failedLine) run.failedLine = r.failedLine;
        },
        (e: Error) => {
          Object.assign(run, { status: 'FAILED', error: 'Fluxio.RunnerError', cause: e.message });
        },
      )
      .finally(() => {
        run.stoppedAt = new Date().toISOString();
        const record = this.runs.get(runId);
        if (record) {
          record.bytes = jsonBytes(run.output) + (run.cause?.length ?? 0) + (run.error?.length ?? 0);
          this.keptBytes += record.bytes;
          this.evict();
        }
      });
    this.runs.set(runId, { run, done, bytes: 0 });
    this.evict();
    const waitMs = Math.min(request.waitSeconds ?? RUN_MAX_WAIT_SECONDS, RUN_MAX_WAIT_SECONDS) * 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    return { ...run };
  }

  /** @throws HttpError 404 `Run.NotFound` */
  get(runId: string): Run {
    const record = this.runs.get(runId);
    if (!record) {
      throw new HttpError(
        404,
        'Run.NotFound',
        `No run ${runId} on this platform (the last ${MAX_KEPT_RUNS} finished runs are kept in memory, at most ${MAX_KEPT_RUN_BYTES / 1024 / 1024} MiB of outputs, until restart).`,
      );
    }
    return { ...record.run };
  }

  /** Waits for every run still going (used at shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }

  /** Drops the oldest finished runs while more than {@link MAX_KEPT_RUNS} or {@link MAX_KEPT_RUN_BYTES} are kept. */
  private evict(): void {
    for (const [id, record] of this.runs) {
      if (this.runs.size <= MAX_KEPT_RUNS && this.keptBytes <= MAX_KEPT_RUN_BYTES) break;
      if (record.run.status !== 'RUNNING') {
        this.runs.delete(id);
        this.keptBytes -= record.bytes;
      }
    }
  }
}

let current: RunService | undefined;

/** The run service the handlers use (set by the local platform at start). */
export function setRunService(service: RunService | undefined): void {
  current = service;
}

/** @throws HttpError 503 when the platform has no runner (it was not started with one) */
export function getRunService(): RunService {
  if (!current) throw new HttpError(503, 'Run.Unavailable', 'This server runs no workflows; start the local platform with `npm start`.');
  return current;
}
