/**
 * `fluxio history PROJECT NAME [--state-machine NAME] [--reverse] [--max N]
 * [--url URL] [--json] [--sign]` (issue 9): the history events of one
 * execution (Step Functions' GetExecutionHistory), every page.
 *
 * Exit codes: 0 printed, 1 not found, refused or unreachable, 2 usage error.
 */
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { reportError } from '../platformCommand.ts';
import { causeText, connectExecutions, EXECUTION_OPTIONS, EXECUTION_OPTIONS_HELP, projectAndName, stateMachineOption } from '../executionsCommand.ts';

const USAGE = 'Usage: fluxio history PROJECT NAME [--state-machine NAME] [--reverse] [--max N] [--url URL] [--json]';

const HELP = `${USAGE}

Print the history of one execution: every event (Step Functions history event
types) with its id, time, and the state, error or cause it is about.

Arguments:
  PROJECT                the deployed project's name
  NAME                   the execution name

Options:
  --reverse              newest events first
  --max N                at most N events (default: all of them)
${EXECUTION_OPTIONS_HELP}
  -h, --help             show this help

With --json: {"events": [...]} (the API's events, all pages joined).

Exit codes: 0 printed, 1 not found, refused or unreachable, 2 usage error.

Examples:
  fluxio history fan-out 3f1c…
  fluxio history shop nightly-2026-12-01 --state-machine nightly --reverse --max 5
`;

/** The one line of detail an event carries: its state, error and cause, or resource. */
function detail(e: Record<string, unknown>): string {
  for (const [k, v] of Object.entries(e)) {
    if (!k.endsWith('EventDetails') || !v || typeof v !== 'object') continue;
    const d = v as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof d.name === 'string') parts.push(d.name);
    if (typeof d.index === 'number') parts.push(`[${d.index}]`);
    if (typeof d.error === 'string') parts.push(d.error);
    const cause = typeof d.cause === 'string' ? causeText(d.cause) : null; // a Python task's exception: its message
    if (cause) parts.push(cause.length > 120 ? `${cause.slice(0, 120)}…` : cause);
    if (!parts.length && typeof d.resource === 'string') parts.push(d.resource);
    return parts.join('  ');
  }
  return '';
}

export const command: Command = {
  name: 'history',
  summary: 'Print the history events of one execution',
  help: HELP,
  options: { ...EXECUTION_OPTIONS, reverse: { type: 'boolean' }, max: { type: 'string' } },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    const [project, name] = projectAndName(positionals, USAGE);
    const stateMachine = stateMachineOption(values);
    let max = Infinity;
    if (values.max !== undefined) {
      max = Number(values.max);
      if (!Number.isInteger(max) || max < 1) throw new UsageError(`--max must be a whole number, at least 1, got '${values.max}'`);
    }
    const { executions } = connectExecutions(values);
    try {
      const events: Array<Record<string, unknown> & { id: number; type: string; timestamp: string }> = [];
      let nextToken: string | undefined;
      do {
        const page = await executions.history(project, stateMachine, name, { reverseOrder: Boolean(values.reverse), maxResults: Math.min(1000, max - events.length), nextToken });
        events.push(...page.events);
        nextToken = page.nextToken;
      } while (nextToken && events.length < max);
      if (values.json) {
        io.stdout.write(JSON.stringify({ events }, null, 2) + '\n');
        return EXIT.OK;
      }
      const idWidth = Math.max(2, ...events.map((e) => String(e.id).length));
      const typeWidth = Math.max(4, ...events.map((e) => e.type.length));
      const lines = events.map((e) => `${String(e.id).padStart(idWidth)}  ${e.timestamp}  ${e.type.padEnd(typeWidth)}  ${detail(e)}`.trimEnd());
      io.stdout.write([`${'ID'.padStart(idWidth)}  ${'TIME'.padEnd(24)}  ${'TYPE'.padEnd(typeWidth)}  DETAIL`, ...lines].join('\n') + '\n');
      if (nextToken) io.stdout.write(`(more events: raise --max)\n`);
      return EXIT.OK;
    } catch (e) {
      return reportError(e, io, values);
    }
  },
};
