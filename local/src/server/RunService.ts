/**
 * Runs submitted to the local platform (`POST /v1/runs`): compile the source,
 * execute it on the shared runner (warm Python workers, the platform's state
 * data service), keep the record for polling.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '@fluxio/contracts/errors';
import type { Run, RunRequest } from '@fluxio/contracts/schemas/runs';
import { RUN_MAX_WAIT_SECONDS } from '@fluxio/contracts/schemas/runs';
import { loadCompiler } from '@fluxio/compiler-api';
import type { Runner } from '../index.ts';

/** How many finished runs are kept for polling (oldest dropped first). */
export const MAX_KEPT_RUNS = 1000;

interface RunRecord {
  run: Run;
  done: Promise<void>;
}

export class RunService {
  private readonly runs = new Map<string, RunRecord>();

  constructor(private readonly runner: Runner) {}

  /**
   * Compile and start a run; resolve once it finished or `waitSeconds` passed.
   * @throws HttpError 422 `Compile.Failed` (with every error) when the source does not compile,
   *   404 `Run.UnknownStateMachine` when `stateMachine` is not in it
   */
  async start(request: RunRequest): Promise<Run> {
    const compiler = await loadCompiler();
    const result = compiler.compile(request.source, { project: request.project ?? 'project', fileName: 'project.py' });
    if (!result.ok) {
      throw new HttpError(422, 'Compile.Failed', `project.py has ${result.errors.length} compile error(s); the first: ${result.errors[0]?.message}`, {
        errors: result.errors,
      });
    }
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
      });
    this.runs.set(runId, { run, done });
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
    if (!record) throw new HttpError(404, 'Run.NotFound', `No run ${runId} on this platform (runs are kept in memory until restart).`);
    return { ...record.run };
  }

  /** Waits for every run still going (used at shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }

  private evict(): void {
    for (const [id, record] of this.runs) {
      if (this.runs.size <= MAX_KEPT_RUNS) break;
      if (record.run.status !== 'RUNNING') this.runs.delete(id);
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
