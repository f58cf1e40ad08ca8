/**
 * `fluxio start PROJECT [--state-machine NAME] [--input JSON|@file] [--name N]
 * [--wait] [--url URL] [--json] [--sign]` (issue 9): start an execution of a
 * deployed project's state machine on its alias `live` through the
 * executions API. With `--wait`: live progress on stderr like `fluxio run`
 * (read from the execution's history), the output on stdout.
 *
 * Exit codes: 0 started (with `--wait`: SUCCEEDED), 1 refused, unreachable or
 * (with `--wait`) any other status, 2 usage error.
 */
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { projectArgument, reportError } from '../platformCommand.ts';
import { readInputOption } from '../inputOption.ts';
import { bareManifest, causeText, connectExecutions, elapsed, executionName, EXECUTION_OPTIONS, EXECUTION_OPTIONS_HELP, followExecution, historyToRunEvents, stateMachineOption } from '../executionsCommand.ts';

const USAGE = 'Usage: fluxio start PROJECT [--state-machine NAME] [--input JSON|@FILE] [--name NAME] [--wait] [--url URL] [--json]';

const HELP = `${USAGE}

Start an execution of a deployed project's state machine on its alias live
(POST /v1/projects/PROJECT/state-machines/NAME/executions). Its input gets
__trace = {"id": <the execution name, or your __trace.id>, "source": "http"}.
Starting is idempotent by name: the same --name and input again give back that
execution (nothing new starts); the same name with other input is refused.

Arguments:
  PROJECT                the deployed project's name

Options:
  --input JSON|@FILE     the execution input, a JSON object: inline, or @path to a
                         JSON file (default: {})
  --name NAME            the execution name, 1 to 80 letters, digits, "-" or "_"
                         (default: a new UUID)
  --wait                 follow the execution to its end: live progress on stderr
                         like fluxio run (read from its history: task print()
                         output is in the task function's logs, not here), the
                         output on stdout. Ctrl-C stops following, not the
                         execution (fluxio stop PROJECT NAME does)
${EXECUTION_OPTIONS_HELP}
  -h, --help             show this help

With --json: {"executionArn","name","startDate","created"} on stdout; with
--wait --json: {"name","executionArn","status","output","error","cause"}.

Exit codes: 0 started (with --wait: SUCCEEDED), 1 refused, unreachable or (with
--wait) FAILED / TIMED_OUT / ABORTED, 2 usage error.

Examples:
  fluxio start fan-out
  fluxio start looping-counter --input '{"increment": 3}' --wait
  fluxio start shop --state-machine nightly --name nightly-2026-12-01 --input @input.json
`;

/** `--input`: inline JSON or `@file`, a JSON object. @throws UsageError */
async function inputOption(raw: string | undefined, io: CommandIo): Promise<Record<string, unknown>> {
  const { input, what } = await readInputOption(raw, io);
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new UsageError(`${what} must be a JSON object, not ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`, `Wrap it in an object, e.g. --input '{"items": [1, 2]}'.`);
  return input as Record<string, unknown>;
}

export const command: Command = {
  name: 'start',
  summary: "Start an execution of a deployed project's state machine (alias live)",
  help: HELP,
  options: { ...EXECUTION_OPTIONS, input: { type: 'string' }, name: { type: 'string' }, wait: { type: 'boolean' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const project = projectArgument(positionals, USAGE);
    const stateMachine = stateMachineOption(values);
    const name = values.name === undefined ? undefined : executionName(values.name as string, '--name');
    const input = await inputOption(values.input as string | undefined, io);
    const { executions } = connectExecutions(values);
    try {
      const { created, execution } = await executions.start(project, stateMachine, { input, ...(name ? { name } : {}) });
      if (!values.wait) {
        if (values.json) io.stdout.write(JSON.stringify({ ...execution, created }, null, 2) + '\n');
        else {
          io.stdout.write(
            `${created ? 'Started' : 'Already started (same name and input; nothing new started):'} ${stateMachine} execution ${execution.name} of ${project}\n` +
              `  ${execution.executionArn}\n` +
              `Follow it: fluxio describe ${project} ${execution.name}${stateMachine === 'main' ? '' : ` --state-machine ${stateMachine}`}\n`,
          );
        }
        return EXIT.OK;
      }
      const { createProgressReporter, causeWorthShowing } = await import('../progress.ts');
      const where = { project, stateMachine, name: execution.name };
      const feed = values.json
        ? () => undefined
        : historyToRunEvents(stateMachine, execution.name, createProgressReporter({ manifest: bareManifest(project, stateMachine), write: (t) => void io.stderr.write(t) }));
      if (!values.json && !created) io.stderr.write(`(execution ${execution.name} already existed with this input: following it)\n`);
      const end = await followExecution(executions, where, feed);
      if (values.json) {
        io.stdout.write(JSON.stringify({ name: end.name, executionArn: end.executionArn, status: end.status, output: end.output, error: end.error, cause: end.cause }) + '\n');
      } else {
        const took = elapsed(end.startDate, end.stopDate);
        if (end.status === 'SUCCEEDED') {
          io.stderr.write(`■ ${stateMachine} SUCCEEDED in ${took} (execution ${end.name})\n`);
          io.stdout.write(JSON.stringify(end.output, null, 2) + '\n');
        } else {
          const cause = causeWorthShowing(end.error, causeText(end.cause));
          const why = end.error ? `: ${end.error}${cause ? `: ${cause}` : ''}` : cause ? `: ${cause}` : '';
          io.stderr.write(`■ ${stateMachine} ${end.status} in ${took} (execution ${end.name})${why}\n`);
        }
      }
      return end.status === 'SUCCEEDED' ? EXIT.OK : EXIT.FAILED;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
