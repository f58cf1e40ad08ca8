/**
 * `fluxio destroy PROJECT [--yes] [--url URL] [--json] [--sign]` (issue 8):
 * delete a deployed project's triggers, state machines (with their versions
 * and aliases) and task functions. The deployment records are kept, marked
 * DESTROYED. Without `--yes` it asks on a terminal, and refuses elsewhere.
 *
 * Exit codes: 0 destroyed, 1 refused, failed or declined at the prompt,
 * 2 usage error (including no `--yes` without a terminal).
 */
import { createInterface } from 'node:readline/promises';
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { connect, exitCodeOf, formatRecord, formatStep, PLATFORM_OPTIONS, PLATFORM_OPTIONS_HELP, projectArgument, reportError } from '../platformCommand.ts';

const USAGE = 'Usage: fluxio destroy PROJECT [--yes] [--url URL] [--json]';

const HELP = `${USAGE}

Destroy a deployed project: its triggers first, then its state machines with
their versions and aliases, then its task functions. Executions already running
are not stopped by it. The deployment records are kept (marked DESTROYED), so
\`fluxio deployments PROJECT\` still shows the history.

Arguments:
  PROJECT                the project name

Options:
  --yes                  do not ask (required when not run on a terminal, and with --json)
${PLATFORM_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 destroyed, 1 refused, failed or declined, 2 usage error.

Examples:
  fluxio destroy fan-out
  fluxio destroy fan-out --yes --json
`;

const isTty = (stream: unknown) => Boolean((stream as { isTTY?: boolean } | undefined)?.isTTY);

/** Asks on the terminal; true for y/yes. */
async function confirm(question: string, io: CommandIo): Promise<boolean> {
  const rl = createInterface({ input: io.stdin!, output: io.stderr, terminal: true });
  try {
    return /^\s*y(es)?\s*$/i.test(await rl.question(question));
  } finally {
    rl.close();
  }
}

export const command: Command = {
  name: 'destroy',
  summary: "Delete a project's state machines, task functions and triggers (records kept)",
  help: HELP,
  options: { ...PLATFORM_OPTIONS, yes: { type: 'boolean', short: 'y' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const project = projectArgument(positionals, USAGE);
    const connection = connect(values);
    if (!values.yes) {
      if (!isTty(io.stdin) || !isTty(io.stderr) || values.json)
        throw new UsageError(`destroy deletes ${project}'s state machines and task functions: pass --yes to confirm`, `Example: fluxio destroy ${project} --yes`);
      const ok = await confirm(`Destroy ${project} at ${connection.url} (its state machines, versions, aliases, task functions and triggers)? [y/N] `, io);
      if (!ok) {
        io.stderr.write('Nothing destroyed.\n');
        return EXIT.FAILED;
      }
    }
    try {
      if (!values.json) io.stderr.write(`Destroying ${project} at ${connection.url}\n`);
      const record = await connection.client.destroy(project, (step) => {
        if (!values.json) io.stderr.write(formatStep(step));
      });
      if (values.json) io.stdout.write(JSON.stringify(record, null, 2) + '\n');
      else (record.status === 'DESTROYED' ? io.stdout : io.stderr).write(formatRecord(record, connection, 'Destroyed'));
      return exitCodeOf(record, 'DESTROYED');
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
