/**
 * `fluxio deployments PROJECT [--url URL] [--json] [--sign]` (issue 8): the
 * deployments of a project, newest first, the current one marked `*`.
 *
 * Exit codes: 0 listed (also when there are none), 1 the platform refused or
 * is unreachable, 2 usage error.
 */
import type { DeploymentRecord } from '@fluxio/contracts/schemas/deployments';
import { EXIT, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { connect, PLATFORM_OPTIONS, PLATFORM_OPTIONS_HELP, projectArgument, reportError } from '../platformCommand.ts';

const USAGE = 'Usage: fluxio deployments PROJECT [--url URL] [--json]';

const HELP = `${USAGE}

List the deployments of a project, newest first: deploys, rollbacks and the
destroy, each with its status, time and state machine versions. The deployment
the aliases point at now is marked *.

Arguments:
  PROJECT                the project name (fluxio deploy prints it; default for
                         a directory: its name)

Options:
${PLATFORM_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 listed, 1 the platform refused or is unreachable, 2 usage error.

Examples:
  fluxio deployments fan-out
  fluxio deployments fan-out --json | jq '.deployments[0].stateMachines'
`;

/** The versions a record's state machines point at: `main:3, worker:2`. */
function versions(record: DeploymentRecord): string {
  const parts = Object.entries(record.stateMachines ?? {}).map(([name, sm]) => `${name}:${sm.versionArn.slice(sm.versionArn.lastIndexOf(':') + 1)}`);
  return parts.join(', ') || '-';
}

export const command: Command = {
  name: 'deployments',
  summary: 'List the deployments of a project, newest first',
  help: HELP,
  options: { ...PLATFORM_OPTIONS },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const project = projectArgument(positionals, USAGE);
    const { client, url } = connect(values);
    try {
      const [page, description] = await Promise.all([client.listDeployments(project), client.describe(project)]);
      if (values.json) {
        io.stdout.write(JSON.stringify(page, null, 2) + '\n');
        return EXIT.OK;
      }
      if (page.deployments.length === 0) {
        io.stdout.write(`No deployments of ${project} at ${url}. Deploy it with \`fluxio deploy DIR\`.\n`);
        return EXIT.OK;
      }
      const current = description.currentDeployment?.deploymentId;
      const rows = page.deployments.map((d) => [
        d.deploymentId === current ? '*' : ' ',
        d.deploymentId,
        d.kind,
        d.status,
        d.createdAt,
        d.kind === 'rollback' && d.rolledBackTo ? `${versions(d)} (from ${d.rolledBackTo})` : versions(d),
      ]);
      const header = [' ', 'DEPLOYMENT', 'KIND', 'STATUS', 'CREATED', 'VERSIONS'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
      io.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
      if (page.next) io.stdout.write(`(older deployments not shown: the list is paged, see --json "next")\n`);
      return EXIT.OK;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
