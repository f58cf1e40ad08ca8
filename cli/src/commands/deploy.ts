/**
 * `fluxio deploy DIR [--plan] [--project NAME] [--url URL] [--json] [--sign]` (issue 8).
 *
 * Zips the project directory (a deterministic bundle, shared/src/bundle),
 * uploads it through the presigned URL the deployer hands out (skipped when
 * the platform already holds these bytes), then deploys it: each step is
 * printed as the deployer records it, then the ARNs (the alias first:
 * executions are started on it) and the command to try it.
 *
 * Exit codes: 0 deployed (or planned), 1 refused or failed (compile errors,
 * a deployment in progress, a bundle above 50 MiB, a failed step, platform
 * unreachable), 2 usage error.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { DeploymentPlan } from '@fluxio/contracts/schemas/deployments';
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { connect, formatRecord, formatStep, PLATFORM_OPTIONS, PLATFORM_OPTIONS_HELP, reportError, exitCodeOf } from '../platformCommand.ts';
import { projectNameFromDirectory } from './compile.ts';
import { isValidProjectName } from '@fluxio/contracts/projectName';

const USAGE = 'Usage: fluxio deploy DIR [--plan] [--project NAME] [--url URL] [--json]';

const HELP = `${USAGE}

Deploy a project to the platform: zip DIR (project.py and the Python packages
and modules beside it), upload the zip, compile it, create or update one Lambda
function per Task class and every state machine, and point each state
machine's alias "live" at its new version. Unchanged code publishes nothing.

Arguments:
  DIR                    the project directory (holding project.py); a path to
                         project.py works too

Options:
  --plan                 dry run: what would be created, updated, published
                         and deleted; nothing changes
  --project NAME         project name (default: DIR's name)
${PLATFORM_OPTIONS_HELP}
  -h, --help             show this help

Left out of the bundle: .fluxio/, .git/, __pycache__/, node_modules/, *.pyc and
whatever .fluxioignore (gitignore syntax, beside project.py) lists. The zip must
be at most 50 MiB.

Exit codes: 0 deployed (or planned), 1 refused or failed (compile errors, another
deployment of the project in progress, bundle too large, a failed step), 2 usage error.

Examples:
  fluxio deploy examples/fan-out
  fluxio deploy . --plan
  FLUXIO_URL=https://abc123.execute-api.eu-west-1.amazonaws.com fluxio deploy . --json
`;

/** DIR → the project directory and its project.py. @throws UsageError */
async function projectDirectory(arg: string, io: CommandIo): Promise<{ dir: string; projectFile: string; display: string }> {
  const abs = resolve(io.cwd, arg);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new UsageError(`cannot read ${arg}: no such directory`, 'Pass the project directory (the one holding project.py).');
  const dir = info.isDirectory() ? abs : dirname(abs);
  if (!info.isDirectory() && !abs.endsWith('project.py')) throw new UsageError(`${arg} is not a project directory`, 'Pass the directory holding project.py.');
  const projectFile = join(dir, 'project.py');
  const pf = await stat(projectFile).catch(() => undefined);
  if (!pf?.isFile()) throw new UsageError(`${arg} has no project.py`, 'Pass the directory holding project.py.');
  const rel = relative(io.cwd, projectFile);
  return { dir, projectFile, display: rel && !rel.startsWith('..') ? rel : projectFile };
}

const formatBytes = (n: number) => (n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

function formatPlan(project: string, plan: DeploymentPlan): string {
  const lines = [`Plan for ${project} (nothing changed):`];
  const groups: Array<[keyof DeploymentPlan['plan'], string]> = [
    ['create', 'create'],
    ['update', 'update'],
    ['publish', 'publish'],
    ['delete', 'delete'],
    ['unchanged', 'unchanged'],
  ];
  for (const [key, label] of groups) {
    const items = plan.plan[key] ?? [];
    lines.push(`  ${label.padEnd(9)} ${items.length ? items.join(', ') : '-'}`);
  }
  const t = plan.triggers;
  if (t && (t.schedules.length || t.subscriptions.length)) lines.push(`  triggers  ${t.schedules.length} schedule(s), ${t.subscriptions.length} subscription(s)${t.active ? '' : ' (recorded, not active yet)'}`);
  return lines.join('\n') + '\n';
}

export const command: Command = {
  name: 'deploy',
  summary: 'Deploy a project directory to the platform (Lambda versions, state machine versions, alias live)',
  help: HELP,
  options: { ...PLATFORM_OPTIONS, plan: { type: 'boolean' }, project: { type: 'string' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    if (positionals.length === 0) throw new UsageError('missing DIR', USAGE);
    if (positionals.length > 1) throw new UsageError(`expected one DIR, got ${positionals.length}: ${positionals.join(' ')}`, 'Deploy one project directory at a time.');
    const explicit = values.project as string | undefined;
    if (explicit !== undefined && !isValidProjectName(explicit))
      throw new UsageError(`--project '${explicit}' is not a valid project name`, 'Use a letter followed by up to 63 letters, digits, "-" or "_".');
    const connection = connect(values);
    const { dir, projectFile, display } = await projectDirectory(positionals[0]!, io);
    const project = explicit ?? projectNameFromDirectory(dir);
    const say = (text: string) => {
      if (!values.json) io.stderr.write(text);
    };

    const { createProjectBundle, ProjectBundleError } = await import('@fluxio/contracts/bundle/createProjectBundle');
    let bundle;
    try {
      bundle = await createProjectBundle(dir);
    } catch (e) {
      if (!(e instanceof ProjectBundleError)) throw e;
      if (e.code !== 'Deploy.BundleTooLarge') throw new UsageError(e.message.replace(/\.$/, ''));
      if (values.json) io.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } }, null, 2) + '\n');
      else io.stderr.write(`error ${e.code}: ${e.message}\n`);
      return EXIT.FAILED;
    }
    for (const s of bundle.skipped) say(`warning: left out ${s.path}: ${s.reason}\n`);
    say(`Bundled ${bundle.files.length} file${bundle.files.length === 1 ? '' : 's'} of ${display.replace(/project\.py$/, '') || '.'} (${formatBytes(bundle.sizeBytes)}, sha256 ${bundle.sha256.slice(0, 12)})\n`);

    const ref = { sha256: bundle.sha256, sizeBytes: bundle.sizeBytes };
    try {
      const { uploaded } = await connection.client.uploadBundle(project, bundle);
      say(uploaded ? `Uploaded the bundle to ${connection.url}\n` : 'The platform already holds this bundle (not uploaded again)\n');
      if (values.plan) {
        const plan = await connection.client.plan(project, { bundle: ref });
        if (values.json) io.stdout.write(JSON.stringify(plan, null, 2) + '\n');
        else io.stdout.write(formatPlan(project, plan));
        return EXIT.OK;
      }
      say(`Deploying ${project} to ${connection.url}${connection.signed ? ' (SigV4)' : ''}\n`);
      const record = await connection.client.deployAndWait(project, { bundle: ref }, (step) => say(formatStep(step)));
      if (values.json) io.stdout.write(JSON.stringify(record, null, 2) + '\n');
      else if (record.status === 'SUCCEEDED') io.stdout.write(formatRecord(record, connection));
      else io.stderr.write(formatRecord(record, connection, 'Deploy'));
      return exitCodeOf(record);
    } catch (e) {
      const err = e as { code?: string; details?: { errors?: unknown[] } };
      if (err.code === 'Compile.Failed' && !values.json && Array.isArray(err.details?.errors)) {
        const { formatDiagnostics } = await import('@fluxio/compiler-api');
        const source = await readFile(projectFile, 'utf8');
        const errors = err.details.errors as Parameters<typeof formatDiagnostics>[1];
        io.stderr.write(formatDiagnostics(source, errors, display));
        const n = errors.length;
        const total = Number((err.details as { totalErrors?: number }).totalErrors ?? n);
        const count = total > n ? `${total} errors (the first ${n} shown; \`fluxio compile\` lists all)` : `${n} error${n === 1 ? '' : 's'}`;
        io.stderr.write(`\n${count}: ${display} was not compiled, nothing was deployed.\n`);
        return EXIT.FAILED;
      }
      return reportError(e, io, values);
    }
  },
};
