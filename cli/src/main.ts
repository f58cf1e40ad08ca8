/**
 * `fluxio` entry point: global flags, subcommand dispatch, strict argument
 * parsing (`node:util` parseArgs) and exit codes (0 ok, 1 failed, 2 usage).
 *
 * To add a subcommand: write `cli/src/commands/<name>.ts` exporting
 * `command: Command` (see command.ts) and add one line to {@link COMMANDS}.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command, type CommandIo } from './command.ts';

/** A registry entry: a one-line summary (for `fluxio --help`) and a lazy loader. */
export interface CommandEntry {
  summary: string;
  load: () => Promise<{ command: Command }>;
}

/** Every subcommand, in `--help` order. Others add `run` and `serve` here. */
export const COMMANDS: Record<string, CommandEntry> = {
  compile: {
    summary: 'Compile project.py to a manifest, ASL or Mermaid diagrams',
    load: () => import('./commands/compile.ts'),
  },
  run: { summary: 'Run a state machine of project.py locally with real Python tasks', load: () => import('./commands/run.ts') },
  serve: { summary: 'Start the local platform (every HTTP API on 127.0.0.1, embedded engines)', load: () => import('./commands/serve.ts') },
  deploy: { summary: 'Deploy a project directory (Lambda versions, state machine versions, alias live)', load: () => import('./commands/deploy.ts') },
  deployments: { summary: 'List the deployments of a project, newest first', load: () => import('./commands/deployments.ts') },
  rollback: { summary: 'Point the aliases of a project back at the previous (or a named) deployment', load: () => import('./commands/rollback.ts') },
  destroy: { summary: "Delete a deployed project's state machines, task functions and triggers", load: () => import('./commands/destroy.ts') },
  start: { summary: "Start an execution of a deployed project's state machine (alias live)", load: () => import('./commands/start.ts') },
  executions: { summary: "List the executions of a deployed project's state machine, newest first", load: () => import('./commands/executions.ts') },
  describe: { summary: 'Describe one execution: status, trigger, error, input and output', load: () => import('./commands/describe.ts') },
  history: { summary: 'Print the history events of one execution', load: () => import('./commands/history.ts') },
  stop: { summary: 'Stop a running execution (ABORTED)', load: () => import('./commands/stop.ts') },
  redrive: { summary: 'Run a failed execution again from where it failed', load: () => import('./commands/redrive.ts') },
  schedules: { summary: "List a deployed project's schedules with their next fire times", load: () => import('./commands/schedules.ts') },
};

/** The CLI's version (cli/package.json). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function globalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'fluxio: write AWS Step Functions workflows as Python-syntax project.py files.',
    '',
    'Usage: fluxio <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     Show help (also: fluxio <command> --help)',
    '  -v, --version  Print the version',
    '',
    'Exit codes: 0 success, 1 failed (compile errors, failed execution), 2 usage error.',
    '',
  ].join('\n');
}

const write = (stream: NodeJS.WritableStream, text: string) => stream.write(text.endsWith('\n') ? text : text + '\n');

/**
 * Runs the CLI with `argv` (without `node` and the script path).
 * @returns the process exit code (see {@link EXIT})
 */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest[0] && COMMANDS[rest[0]]) return main([rest[0], '--help'], io);
    write(first === undefined ? io.stderr : io.stdout, globalHelp());
    return first === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (first === '-v' || first === '--version') {
    write(io.stdout, version());
    return EXIT.OK;
  }
  const entry = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!entry) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    write(io.stderr, `fluxio: ${what}. Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`fluxio --help\`.`);
    return EXIT.USAGE;
  }
  const { command } = await entry.load();
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...command.options, help: { type: 'boolean', short: 'h' } },
        strict: true,
        allowPositionals: true,
      });
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/\s*To specify a positional argument.*$/s, '').replace(/\.?\s*$/, ''));
    }
    if (parsed.values.help) {
      write(io.stdout, command.help);
      return EXIT.OK;
    }
    return await command.run(parsed as never, io);
  } catch (err) {
    if (err instanceof UsageError) {
      write(io.stderr, `fluxio ${command.name}: ${err.message}.`);
      write(io.stderr, err.hint ?? `Run \`fluxio ${command.name} --help\` for usage.`);
      return EXIT.USAGE;
    }
    throw err;
  }
}
