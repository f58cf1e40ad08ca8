/**
 * `fluxio stop PROJECT NAME [--state-machine NAME] [--error E] [--cause C]
 * [--url URL] [--json] [--sign]` (issue 9): stop a running execution (status
 * ABORTED). One that already ended is left as it is.
 *
 * Exit codes: 0 stopped or already ended, 1 not found, refused or unreachable, 2 usage error.
 */
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { reportError } from '../platformCommand.ts';
import { connectExecutions, EXECUTION_OPTIONS, EXECUTION_OPTIONS_HELP, projectAndName, stateMachineOption } from '../executionsCommand.ts';

const USAGE = 'Usage: fluxio stop PROJECT NAME [--state-machine NAME] [--error ERROR] [--cause CAUSE] [--url URL] [--json]';

const HELP = `${USAGE}

Stop a running execution: it ends ABORTED, with the error and cause given (Step
Functions StopExecution). An execution that already ended is left as it is.
Redrive a stopped execution with fluxio redrive.

Arguments:
  PROJECT                the deployed project's name
  NAME                   the execution name

Options:
  --error ERROR          the error recorded on it (at most 256 characters)
  --cause CAUSE          a longer description (at most 32,768 characters)
${EXECUTION_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 stopped or already ended, 1 not found, refused or unreachable, 2
usage error.

Examples:
  fluxio stop fan-out 3f1c… --error Ops.Manual --cause "bad input file"
`;

export const command: Command = {
  name: 'stop',
  summary: 'Stop a running execution (ABORTED)',
  help: HELP,
  options: { ...EXECUTION_OPTIONS, error: { type: 'string' }, cause: { type: 'string' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const [project, name] = projectAndName(positionals, USAGE);
    const stateMachine = stateMachineOption(values);
    const error = values.error as string | undefined;
    const cause = values.cause as string | undefined;
    if (error !== undefined && error.length > 256) throw new UsageError(`--error is ${error.length} characters; Step Functions takes at most 256`, 'Put the details in --cause.');
    if (cause !== undefined && cause.length > 32768) throw new UsageError(`--cause is ${cause.length} characters; Step Functions takes at most 32,768`);
    const { executions } = connectExecutions(values);
    try {
      const r = await executions.stop(project, stateMachine, name, { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
      if (values.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else if (r.stopped) io.stdout.write(`Stopped ${project} ${stateMachine} execution ${name}: ${r.status}${r.stopDate ? ` at ${r.stopDate}` : ''}\n`);
      else io.stdout.write(`${project} ${stateMachine} execution ${name} had already ended (${r.status}${r.stopDate ? ` at ${r.stopDate}` : ''}); nothing was changed.\n`);
      return EXIT.OK;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
