/**
 * `fluxio redrive PROJECT NAME [--state-machine NAME] [--url URL] [--json]
 * [--sign]` (issue 9): run a FAILED, ABORTED or TIMED_OUT execution again from
 * where it failed (Step Functions RedriveExecution).
 *
 * Exit codes: 0 redriven, 1 not redrivable (the reason is printed), not found,
 * refused or unreachable, 2 usage error.
 */
import { EXIT, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { reportError } from '../platformCommand.ts';
import { connectExecutions, EXECUTION_OPTIONS, EXECUTION_OPTIONS_HELP, projectAndName, stateMachineOption } from '../executionsCommand.ts';

const USAGE = 'Usage: fluxio redrive PROJECT NAME [--state-machine NAME] [--url URL] [--json]';

const HELP = `${USAGE}

Redrive an execution that ended FAILED, ABORTED or TIMED_OUT: it runs again
from the state it failed in, with that state's input (Step Functions
RedriveExecution); its history goes on. A SUCCEEDED or RUNNING execution
cannot be redriven (the reason is printed).

Arguments:
  PROJECT                the deployed project's name
  NAME                   the execution name

Options:
${EXECUTION_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 redriven, 1 not redrivable, not found, refused or unreachable, 2
usage error.

Examples:
  fluxio redrive fan-out 3f1c…
`;

export const command: Command = {
  name: 'redrive',
  summary: 'Run a failed execution again from where it failed',
  help: HELP,
  options: { ...EXECUTION_OPTIONS },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const [project, name] = projectAndName(positionals, USAGE);
    const stateMachine = stateMachineOption(values);
    const { executions } = connectExecutions(values);
    try {
      const r = await executions.redrive(project, stateMachine, name);
      if (values.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else
        io.stdout.write(
          `Redrove ${project} ${stateMachine} execution ${name} at ${r.redriveDate} (redrive ${r.redriveCount}); it is running again.\n` +
            `Follow it: fluxio describe ${project} ${name}${stateMachine === 'main' ? '' : ` --state-machine ${stateMachine}`}\n`,
        );
      return EXIT.OK;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
