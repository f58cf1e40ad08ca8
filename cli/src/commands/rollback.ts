/**
 * `fluxio rollback PROJECT [--to DEPLOYMENT] [--url URL] [--json] [--sign]`
 * (issue 8): point every state machine's alias `live` back at the versions
 * of the previous deployment (or of DEPLOYMENT), its triggers with it.
 *
 * Exit codes: 0 rolled back, 1 refused or failed (nothing to roll back to,
 * a deployment in progress), 2 usage error.
 */
import { DEPLOYMENT_ID_PATTERN } from '@fluxio/contracts/schemas/deployments';
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { connect, exitCodeOf, formatRecord, formatStep, PLATFORM_OPTIONS, PLATFORM_OPTIONS_HELP, projectArgument, reportError } from '../platformCommand.ts';

const USAGE = 'Usage: fluxio rollback PROJECT [--to DEPLOYMENT] [--url URL] [--json]';

const HELP = `${USAGE}

Roll a project back: every state machine's alias "live" points at the versions
(definition and task code) of the deployment before the current one, or of
--to DEPLOYMENT. New executions started on the alias run them; running ones
keep theirs. The rollback is recorded as a deployment of kind rollback.

Arguments:
  PROJECT                the project name

Options:
  --to DEPLOYMENT        the deployment to go back to (a d-… id from
                         \`fluxio deployments PROJECT\`; it must have SUCCEEDED)
${PLATFORM_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 rolled back, 1 refused or failed, 2 usage error.

Examples:
  fluxio rollback fan-out
  fluxio rollback fan-out --to d-0m3kq2x9a1b2c3d4
`;

export const command: Command = {
  name: 'rollback',
  summary: 'Point the aliases of a project back at the previous (or a named) deployment',
  help: HELP,
  options: { ...PLATFORM_OPTIONS, to: { type: 'string' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const project = projectArgument(positionals, USAGE);
    const to = values.to as string | undefined;
    if (to !== undefined && !new RegExp(DEPLOYMENT_ID_PATTERN).test(to))
      throw new UsageError(`--to '${to}' is not a deployment id`, `Deployment ids look like d-0m3kq2x9a1b2c3d4: list them with \`fluxio deployments ${project}\`.`);
    const connection = connect(values);
    try {
      if (!values.json) io.stderr.write(`Rolling ${project} back${to ? ` to ${to}` : ' to the previous deployment'} at ${connection.url}\n`);
      const record = await connection.client.rollback(project, to ? { toDeploymentId: to } : {}, (step) => {
        if (!values.json) io.stderr.write(formatStep(step));
      });
      if (values.json) io.stdout.write(JSON.stringify(record, null, 2) + '\n');
      else (record.status === 'SUCCEEDED' ? io.stdout : io.stderr).write(formatRecord(record, connection, 'Rolled back'));
      return exitCodeOf(record);
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
