/**
 * `fluxio describe PROJECT NAME [--state-machine NAME] [--url URL] [--json]
 * [--sign]` (issue 9): one execution of a deployed project: status, trigger,
 * version, times, error and cause, input and output.
 *
 * Exit codes: 0 described (whatever its status), 1 refused, not found or
 * unreachable, 2 usage error.
 */
import { EXIT, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { reportError } from '../platformCommand.ts';
import { connectExecutions, elapsed, lambdaErrorOf, EXECUTION_OPTIONS, EXECUTION_OPTIONS_HELP, projectAndName, stateMachineOption } from '../executionsCommand.ts';

const USAGE = 'Usage: fluxio describe PROJECT NAME [--state-machine NAME] [--url URL] [--json]';

const HELP = `${USAGE}

Describe one execution of a deployed project's state machine: its status, where
it came from (its __trace.source), the state machine version it ran, its start
and end, its error and cause, its input and output (as JSON).

Arguments:
  PROJECT                the deployed project's name
  NAME                   the execution name (fluxio start and fluxio executions
                         print it)

Options:
${EXECUTION_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 described (whatever its status), 1 not found, refused or
unreachable, 2 usage error.

Examples:
  fluxio describe fan-out 3f1c…
  fluxio describe shop nightly-2026-12-01 --state-machine nightly --json | jq .output
`;

const indent = (text: string) => text.replace(/^/gm, '    ');

export const command: Command = {
  name: 'describe',
  summary: 'Describe one execution: status, trigger, error, input and output',
  help: HELP,
  options: { ...EXECUTION_OPTIONS },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const [project, name] = projectAndName(positionals, USAGE);
    const stateMachine = stateMachineOption(values);
    const { executions } = connectExecutions(values);
    try {
      const d = await executions.describe(project, stateMachine, name);
      if (values.json) {
        io.stdout.write(JSON.stringify(d, null, 2) + '\n');
        return EXIT.OK;
      }
      const out = [
        `${project} ${stateMachine} execution ${d.name}: ${d.status}`,
        `  arn        ${d.executionArn}`,
        `  trigger    ${d.trigger ?? '- (no __trace in the input)'}`,
        `  version    ${d.versionArn ?? '-'}`,
        `  started    ${d.startDate}`,
        `  ${d.stopDate ? `ended      ${d.stopDate} (${elapsed(d.startDate, d.stopDate)})` : `running    for ${elapsed(d.startDate, null)}`}`,
      ];
      if (d.redriveCount) out.push(`  redriven   ${d.redriveCount} time${d.redriveCount === 1 ? '' : 's'}`);
      if (d.error) out.push(`  error      ${d.error}`);
      const task = lambdaErrorOf(d.cause);
      if (task) {
        // A Python task's exception (Lambda's error JSON): its message and traceback.
        out.push(`  cause      ${task.message}`);
        if (task.traceback) out.push('  traceback', task.traceback.trimEnd().replace(/^/gm, '    '));
      } else if (d.cause) out.push(`  cause      ${d.cause.length > 2000 ? `${d.cause.slice(0, 2000)}… (--json for all of it)` : d.cause}`);
      out.push('  input', indent(JSON.stringify(d.input, null, 2)));
      if (d.status === 'SUCCEEDED') out.push('  output', indent(JSON.stringify(d.output, null, 2)));
      if (d.redriveStatus === 'REDRIVABLE' && d.status !== 'RUNNING') out.push('', `Run it again from where it failed: fluxio redrive ${project} ${d.name}${stateMachine === 'main' ? '' : ` --state-machine ${stateMachine}`}`);
      io.stdout.write(out.join('\n') + '\n');
      return EXIT.OK;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
