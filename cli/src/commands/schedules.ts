/**
 * `fluxio schedules PROJECT [--count N] [--url URL] [--json] [--sign]`
 * (issue 9): the `@schedule`s of a deployed project (its current deployment's
 * `triggers.schedules`, `GET /v1/projects/{project}`) with their next fire
 * times, computed with shared/src/schedules.ts (AWS EventBridge Scheduler's
 * rate/cron/at rules and time zones).
 *
 * Exit codes: 0 listed (also when there are none), 1 refused or unreachable, 2 usage error.
 */
import { nextFireTimes } from '@fluxio/contracts/schedules';
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { connect, PLATFORM_OPTIONS, PLATFORM_OPTIONS_HELP, projectArgument, reportError } from '../platformCommand.ts';

const USAGE = 'Usage: fluxio schedules PROJECT [--count N] [--url URL] [--json]';

const HELP = `${USAGE}

List the schedules of a deployed project (its @schedule state machines in the
current deployment) with their next fire times, in UTC and in the schedule's
time zone. A rate(...) schedule is counted from when its deployment finished
(EventBridge Scheduler fires a rate schedule when it is created, then every
interval).

Arguments:
  PROJECT                the deployed project's name

Options:
  --count N              next fire times per schedule, 1 to 50 (default 3)
${PLATFORM_OPTIONS_HELP}
  -h, --help             show this help

With --json: {"project","deploymentId","active","schedules":[{"stateMachine",
"expression","timezone","nextFireTimes":[ISO 8601 UTC]}]}.

Exit codes: 0 listed, 1 the platform refused or is unreachable, 2 usage error.

Examples:
  fluxio schedules orders-report
  fluxio schedules orders-report --count 10 --json
`;

/** `2026-12-01T09:00:00Z` (and the local time in `timezone` when it is not UTC). */
function formatTime(t: Date, timezone: string | null): string {
  const utc = t.toISOString().replace('.000Z', 'Z');
  if (!timezone || timezone === 'UTC') return utc;
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(t);
  return `${utc}  (${local} ${timezone})`;
}

export const command: Command = {
  name: 'schedules',
  summary: "List a deployed project's schedules with their next fire times",
  help: HELP,
  options: { ...PLATFORM_OPTIONS, count: { type: 'string' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const project = projectArgument(positionals, USAGE);
    const count = values.count === undefined ? 3 : Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > 50) throw new UsageError(`--count must be a whole number from 1 to 50, got '${values.count}'`);
    const { client, url } = connect(values);
    try {
      const description = await client.describe(project);
      const current = description.currentDeployment;
      if (!current) {
        if (values.json) io.stdout.write(JSON.stringify({ project, deploymentId: null, active: false, schedules: [] }, null, 2) + '\n');
        else io.stdout.write(`${project} is not deployed at ${url}: deploy it with \`fluxio deploy DIR\`.\n`);
        return EXIT.OK;
      }
      const now = new Date();
      // A rate(...) schedule counts from its creation, at second precision as Scheduler's times are (approximated by the deployment's end).
      const anchor = new Date(Math.floor(Date.parse(current.finishedAt ?? current.createdAt) / 1000) * 1000);
      const triggers = current.triggers;
      const schedules = (triggers?.schedules ?? []).map((s) => {
        const timezone = (s as { timezone?: string | null }).timezone ?? null;
        let times: Date[] = [];
        let problem: string | undefined;
        if (s.expression) {
          try {
            times = nextFireTimes(s.expression, timezone, now, count, { anchor });
          } catch (e) {
            problem = (e as Error).message;
          }
        } else problem = 'no expression';
        return { stateMachine: s.stateMachine, expression: s.expression, timezone, nextFireTimes: times.map((t) => t.toISOString()), ...(problem ? { problem } : {}), times };
      });
      if (values.json) {
        io.stdout.write(
          JSON.stringify({ project, deploymentId: current.deploymentId, active: triggers?.active ?? false, schedules: schedules.map(({ times: _t, ...rest }) => rest) }, null, 2) + '\n',
        );
        return EXIT.OK;
      }
      if (schedules.length === 0) {
        io.stdout.write(`${project} (deployment ${current.deploymentId}) has no schedules: add @schedule(expression="rate(1 hour)") to a state machine function.\n`);
        return EXIT.OK;
      }
      const out = [`Schedules of ${project} (deployment ${current.deploymentId}${triggers?.active ? '' : `, recorded but not active${triggers?.note ? `: ${triggers.note}` : ''}`}):`];
      for (const s of schedules) {
        out.push(`  ${s.stateMachine}  ${s.expression ?? '-'}${s.timezone ? `  (${s.timezone})` : '  (UTC)'}`);
        if (s.problem) out.push(`    ${s.problem}`);
        else if (s.times.length === 0) out.push('    no more fire times (a one-time at(...) schedule in the past, or a cron schedule whose years are over)');
        else for (const t of s.times) out.push(`    ${formatTime(t, s.timezone)}`);
      }
      io.stdout.write(out.join('\n') + '\n');
      return EXIT.OK;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
