/**
 * `fluxio run FILE [--state-machine NAME] [--input JSON|@file] [--json]
 *  [--fast-waits] [--data-dir DIR] [--workers N] [--log-level LEVEL]`
 *  (DESIGN.md §6, issue 4; --log-level issue 12).
 *
 * Compiles project.py and executes a state machine locally with real Python
 * tasks. With `--json`: `{"status","output","error","cause"}` on stdout.
 * Without: live progress on stderr, the output JSON on stdout.
 * Exit 0 only when SUCCEEDED; 1 for compile errors and any other status;
 * 2 for usage errors.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { resolveProjectFile } from '../projectFile.ts';
import { readInputOption } from '../inputOption.ts';
import { projectNameFromDirectory } from './compile.ts';
import type { RunEvent } from '@fluxio/local/engine/events';

const HELP = `Usage: fluxio run FILE [options]

Compile project.py and run one of its state machines locally, the way AWS
Step Functions would: tasks run as real Python (a pool of warm python3
workers), nested state machines as child executions, and the tasks'
state_data_client talks to an embedded state data service.

Arguments:
  FILE                   project.py, or a directory containing project.py

Options:
  --state-machine NAME   state machine function to run (default: main)
  --input JSON|@FILE     execution input: inline JSON, or @path to a JSON file
                         (default: {})
  --json                 print {"status","output","error","cause"} on stdout
                         (no progress output)
  --fast-waits           Wait states and Retry intervals take no time
  --data-dir DIR         keep state data on disk under DIR (default: in memory)
  --workers N            Python worker processes (default: CPU cores)
  --log-level LEVEL      the tasks' Python logging level: DEBUG, INFO, WARNING
                         or ERROR (default: INFO); print() output always shows
  -h, --help             show this help

The input must be a JSON object of at most 262,144 bytes (Step Functions'
quota); so must every state's input and output (States.DataLimitExceeded).
Ctrl-C or SIGTERM stops the execution (ABORTED).

Statuses: SUCCEEDED, FAILED, TIMED_OUT, ABORTED.
Exit codes: 0 SUCCEEDED, 1 compile errors or any other status, 2 usage error.
Environment: FLUXIO_PYTHON selects the Python interpreter (default python3).

Examples:
  fluxio run examples/looping-counter/project.py --input '{"increment": 3}'
  fluxio run project.py --input @input.json --json
  fluxio run project.py --state-machine nightly --fast-waits
  fluxio run project.py --log-level DEBUG
`;

/** `--log-level` values: Python's logging level names (the root logger's level in the task workers). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;

async function parseInput(raw: string | undefined, io: CommandIo): Promise<unknown> {
  const { input, what } = await readInputOption(raw, io);
  // Refused up front like Step Functions' StartExecution (InvalidExecutionInput), not deep inside the run.
  const { executionInputProblem } = await import('@fluxio/local/engine/limits');
  const problem = executionInputProblem(input);
  if (problem) throw new UsageError(`${what} is refused: ${problem.message}`);
  return input;
}

export const command: Command = {
  name: 'run',
  summary: 'Run a state machine of project.py locally with real Python tasks',
  help: HELP,
  options: {
    'state-machine': { type: 'string' },
    input: { type: 'string' },
    json: { type: 'boolean' },
    'fast-waits': { type: 'boolean' },
    'data-dir': { type: 'string' },
    workers: { type: 'string' },
    'log-level': { type: 'string' },
  },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length ? `expected one FILE, got ${positionals.length}` : 'missing FILE', 'Usage: fluxio run FILE [--input JSON|@file] [--json]');
    }
    let workers: number | undefined;
    if (values.workers !== undefined) {
      workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new UsageError(`--workers must be an integer from 1 to 256, got '${values.workers}'`);
    }
    const rawLevel = values['log-level'] as string | undefined;
    const logLevel = rawLevel === undefined ? 'INFO' : rawLevel.toUpperCase();
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${rawLevel}'`, 'Example: --log-level DEBUG');
    }
    const path = await resolveProjectFile(positionals[0]!, io);
    const input = await parseInput(values.input as string | undefined, io);
    const source = await readFile(path, 'utf8');
    const rel = relative(io.cwd, path);
    const display = rel && !rel.startsWith('..') ? rel : path;
    const projectDir = dirname(path);

    const { loadCompiler, formatDiagnostics } = await import('@fluxio/compiler-api');
    const result = (await loadCompiler()).compile(source, { project: projectNameFromDirectory(projectDir), fileName: display });
    if (!result.ok) {
      if (values.json) io.stdout.write(JSON.stringify({ errors: result.errors }, null, 2) + '\n');
      else {
        io.stderr.write(formatDiagnostics(source, result.errors, display));
        const n = result.errors.length;
        io.stderr.write(`\n${n} error${n === 1 ? '' : 's'}: ${display} was not compiled, nothing was run.\n`);
      }
      return EXIT.FAILED;
    }
    const manifest = result.manifest;
    const stateMachine = (values['state-machine'] as string | undefined) ?? 'main';
    if (!manifest.stateMachines[stateMachine]) {
      const names = Object.keys(manifest.stateMachines);
      throw new UsageError(
        `no state machine named '${stateMachine}' in ${display}`,
        names.length ? `State machines: ${names.join(', ')}. Pick one with --state-machine NAME.` : `${display} defines no state machine function (def name(data): ...).`,
      );
    }

    const { createRunner } = await import('@fluxio/local');
    const { createProgressReporter, causeWorthShowing } = await import('../progress.ts');
    const dataDir = values['data-dir'] as string | undefined;
    const runner = await createRunner({
      projectDir,
      projectFile: path,
      workers,
      // The workers' root logger level (fluxio_task/worker.py reads FLUXIO_LOG_LEVEL).
      taskEnv: { FLUXIO_LOG_LEVEL: logLevel },
      stateData: { embedded: true, dataDir: dataDir === undefined ? undefined : resolve(io.cwd, dataDir) },
    });
    // The run is an execution of the local Step Functions API's execution service (in memory here),
    // the one way an execution runs locally (the platform's API and POST /v1/runs use it too).
    const { openPlatformDatabase } = await import('@fluxio/local/store/database');
    const { createStepFunctionsApi } = await import('@fluxio/local/stepfunctions/index');
    const { EventBus } = await import('@fluxio/local/events/bus');
    const database = openPlatformDatabase();
    // Nobody reads this in-memory service's history: events are counted (the 25,000-event quota), not kept.
    const stepFunctions = createStepFunctionsApi({ database, runner, bus: new EventBus(), recordHistory: false });
    const stop = new AbortController();
    // The engine yields to the event loop between transitions, so a signal stops even a task-less loop at once.
    const onSigint = () => stop.abort(new Error('Stopped with Ctrl-C (SIGINT).'));
    const onSigterm = () => stop.abort(new Error('Stopped by SIGTERM.'));
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigterm);
    const started = Date.now();
    try {
      // With --json, stdout carries only the result; what tasks print still goes to stderr.
      const report = values.json
        ? (event: RunEvent) => {
            if (event.type === 'TaskOutput') io.stderr.write(`${event.state}: ${event.line}\n`);
          }
        : createProgressReporter({ manifest, projectFile: path, source, fastWaits: Boolean(values['fast-waits']), write: (t) => void io.stderr.write(t) });
      const run = await stepFunctions.executions.run(manifest, { stateMachine, input, fastWaits: Boolean(values['fast-waits']), onEvent: report, signal: stop.signal });
      if (values.json) {
        io.stdout.write(JSON.stringify({ status: run.status, output: run.output, error: run.error, cause: run.cause }) + '\n');
      } else {
        const took = ((Date.now() - started) / 1000).toFixed(1);
        if (run.status === 'SUCCEEDED') {
          io.stderr.write(`■ ${stateMachine} SUCCEEDED in ${took} s (execution ${run.executionName})\n`);
          io.stdout.write(JSON.stringify(run.output, null, 2) + '\n');
        } else {
          const at = run.failedLine ? ` at ${display}:${run.failedLine} (state "${run.failedState}")` : run.failedState ? ` (state "${run.failedState}")` : '';
          // One line: the progress output already showed the failing state's code frame and traceback.
          const cause = causeWorthShowing(run.error, run.cause);
          const why = run.error ? `: ${run.error}${cause ? `: ${cause}` : ''}` : cause ? `: ${cause}` : '';
          io.stderr.write(`■ ${stateMachine} ${run.status} in ${took} s${at}${why}\n`);
        }
      }
      return run.status === 'SUCCEEDED' ? EXIT.OK : EXIT.FAILED;
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      await stepFunctions.close();
      await runner.close();
      database.close();
    }
  },
};
