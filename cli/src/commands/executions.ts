/**
 * `fluxio executions PROJECT [--state-machine NAME] [--status STATUS]
 * [--max N] [--next-token T] [--url URL] [--json] [--sign]` (issue 9): the
 * executions of a deployed project's state machine, newest first, with where
 * each came from (its `__trace.source`).
 *
 * Exit codes: 0 listed (also when there are none), 1 refused or unreachable, 2 usage error.
 */
import { EXECUTION_STATUS_VALUES } from '@fluxio/contracts/schemas/executions';
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { projectArgument, reportError } from '../platformCommand.ts';
import { connectExecutions, elapsed, EXECUTION_OPTIONS, EXECUTION_OPTIONS_HELP, stateMachineOption } from '../executionsCommand.ts';

const USAGE = 'Usage: fluxio executions PROJECT [--state-machine NAME] [--status STATUS] [--max N] [--url URL] [--json]';

const HELP = `${USAGE}

List the executions of a deployed project's state machine, newest first: name,
status, trigger (http, schedule, subscription:<project>/<state machine>, or -
when the input has no __trace), start time and duration.

Arguments:
  PROJECT                the deployed project's name

Options:
  --status STATUS        only ${EXECUTION_STATUS_VALUES.join(', ')}
  --max N                at most N executions, 1 to 100 (default 25)
  --next-token TOKEN     the page after the one that printed this token
${EXECUTION_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 listed, 1 the platform refused or is unreachable, 2 usage error.

Examples:
  fluxio executions fan-out
  fluxio executions shop --state-machine nightly --status FAILED
  fluxio executions shop --json | jq -r '.executions[].name'
`;

export const command: Command = {
  name: 'executions',
  summary: "List the executions of a deployed project's state machine, newest first",
  help: HELP,
  options: { ...EXECUTION_OPTIONS, status: { type: 'string' }, max: { type: 'string' }, 'next-token': { type: 'string' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const project = projectArgument(positionals, USAGE);
    const stateMachine = stateMachineOption(values);
    const status = (values.status as string | undefined)?.toUpperCase();
    if (status !== undefined && !(EXECUTION_STATUS_VALUES as readonly string[]).includes(status))
      throw new UsageError(`--status '${values.status}' is not an execution status`, `Use one of ${EXECUTION_STATUS_VALUES.join(', ')}.`);
    let maxResults: number | undefined;
    if (values.max !== undefined) {
      maxResults = Number(values.max);
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) throw new UsageError(`--max must be a whole number from 1 to 100, got '${values.max}'`);
    }
    const { executions, url } = connectExecutions(values);
    try {
      const page = await executions.list(project, stateMachine, { status, maxResults, nextToken: values['next-token'] as string | undefined });
      if (values.json) {
        io.stdout.write(JSON.stringify(page, null, 2) + '\n');
        return EXIT.OK;
      }
      if (page.executions.length === 0) {
        io.stdout.write(`No ${status ? `${status} ` : ''}executions of ${project} ${stateMachine} at ${url}. Start one with \`fluxio start ${project}${stateMachine === 'main' ? '' : ` --state-machine ${stateMachine}`}\`.\n`);
        return EXIT.OK;
      }
      const rows = page.executions.map((e) => [e.name, e.status, e.trigger ?? '-', e.startDate, elapsed(e.startDate, e.stopDate) + (e.stopDate ? '' : ' so far')]);
      const header = ['NAME', 'STATUS', 'TRIGGER', 'STARTED', 'DURATION'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
      io.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
      if (page.nextToken) {
        const same = `${stateMachine === 'main' ? '' : ` --state-machine ${stateMachine}`}${status ? ` --status ${status}` : ''}${maxResults ? ` --max ${maxResults}` : ''}`;
        io.stdout.write(`(more: fluxio executions ${project}${same} --next-token ${page.nextToken})\n`);
      }
      return EXIT.OK;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
