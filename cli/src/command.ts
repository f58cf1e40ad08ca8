/**
 * The shape of a `fluxio` subcommand. Each subcommand lives in
 * `cli/src/commands/<name>.ts` and exports `command: Command`; `main.ts` lists
 * them in its registry (lazily imported, so `fluxio compile` never loads the
 * local platform's engines).
 */
import type { ParseArgsConfig } from 'node:util';

/** Where a command writes and what it runs relative to (tests inject these). */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Standard input, for commands that accept `-` as FILE. */
  stdin?: NodeJS.ReadableStream;
}

/** Parsed arguments as `util.parseArgs` returns them (strict mode). */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Exit codes shared by every command. */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** The command ran and the answer is "no": compile errors, a failed execution. */
  FAILED: 1,
  /** The command line is wrong: unknown flag, missing file, bad value. */
  USAGE: 2,
} as const;

export interface Command {
  /** Subcommand name, e.g. `compile`. */
  name: string;
  /** One line for `fluxio --help`. */
  summary: string;
  /** Full text of `fluxio <name> --help` (usage line, arguments, options, examples). */
  help: string;
  /** `util.parseArgs` options (`--help`/`-h` is added by main.ts). */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Runs the command; resolves to the process exit code. Throw {@link UsageError} for usage errors. */
  run(args: ParsedArgs, io: CommandIo): Promise<number>;
}

/**
 * A wrong command line (exit 2). `message` says what is wrong in one line;
 * `hint` says what to do instead (printed after it).
 */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
