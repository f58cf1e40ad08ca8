/**
 * `fluxio compile FILE [--json] [--format manifest|asl|mermaid]
 *  [--state-machine NAME] [--out DIR] [--project NAME]` (DESIGN.md §6).
 *
 * - success: the manifest (or ASL / Mermaid) on stdout, exit 0; warnings on stderr
 * - compile errors: `{"errors":[…]}` on stdout with `--json`, else a report
 *   with a code frame on stderr; exit 1
 * - usage errors (missing file, unknown flag, bad `--format`, unknown
 *   `--state-machine`): one line + a hint on stderr, exit 2
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Manifest } from '@fluxio/contracts/manifest';
import { isValidProjectName } from '@fluxio/contracts/projectName';
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';
import { resolveProjectFile } from '../projectFile.ts';

/** Output formats of `--format`. */
export const FORMATS = ['manifest', 'asl', 'mermaid'] as const;
export type Format = (typeof FORMATS)[number];

/** The state machine `--format asl` prints when `--state-machine` is not given. */
export const DEFAULT_STATE_MACHINE = 'main';

const HELP = `Usage: fluxio compile FILE [options]

Compile a project.py (the Fluxio DSL) into a manifest: one Amazon States
Language definition per state machine, the Task classes with their run code,
triggers and a source map. The file is parsed, never executed.

Arguments:
  FILE                   project.py, a directory containing project.py, or - for stdin

Options:
  --format FORMAT        manifest (default): the manifest JSON
                         asl: the ASL definition of one state machine
                         mermaid: a Mermaid flowchart (flowchart TD) per state machine
  --state-machine NAME   the state machine for --format asl|mermaid and --out
                         (default for asl: "main", or the only state machine)
  --out DIR              write DIR/manifest.json, DIR/<sm>.asl.json and DIR/<sm>.mmd
                         for every state machine and list the files written
  --project NAME         project name in the manifest (default: FILE's directory name)
  --json                 machine-readable output: compile errors as
                         {"errors":[{"code","message","line","column","endLine","endColumn"}]}
                         on stdout instead of a report on stderr
  -h, --help             show this help

Exit codes: 0 compiled, 1 compile errors, 2 usage error.

Examples:
  fluxio compile examples/looping-counter/project.py
  fluxio compile project.py --format asl --state-machine main
  fluxio compile project.py --format mermaid > flow.mmd
  fluxio compile project.py --out build/
`;

/** A project name derived from a directory name: invalid characters become `-`. */
export function projectNameFromDirectory(dir: string): string {
  let name = basename(dir).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z]+/, '');
  name = name.slice(0, 64);
  return isValidProjectName(name) ? name : 'project';
}

async function readStdin(io: CommandIo): Promise<string> {
  if (!io.stdin) throw new UsageError('FILE is "-" but there is no standard input');
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads FILE (a file, a directory holding project.py, or `-`). */
async function readProject(file: string, io: CommandIo): Promise<{ source: string; path: string; display: string; dir: string }> {
  if (file === '-') return { source: await readStdin(io), path: '-', display: '<stdin>', dir: io.cwd };
  const path = await resolveProjectFile(file, io);
  const bytes = await readFile(path);
  const source = bytes.toString('utf8');
  if (source.includes('\uFFFD') && !Buffer.from(source, 'utf8').equals(bytes)) {
    throw new UsageError(`${file} is not UTF-8 text`, 'Save project.py as UTF-8 (Python\'s default source encoding).');
  }
  const rel = relative(io.cwd, path);
  return { source, path, display: rel && !rel.startsWith('..') ? rel : path, dir: dirname(path) };
}

function pickStateMachine(manifest: Manifest, requested: string | undefined, format: string): string {
  const names = Object.keys(manifest.stateMachines);
  const list = names.length ? names.join(', ') : '(none: the file defines no state machine function)';
  if (requested !== undefined) {
    if (!Object.hasOwn(manifest.stateMachines, requested)) {
      throw new UsageError(`unknown state machine '${requested}'`, `The project defines: ${list}. Pass one of them to --state-machine.`);
    }
    return requested;
  }
  if (Object.hasOwn(manifest.stateMachines, DEFAULT_STATE_MACHINE)) return DEFAULT_STATE_MACHINE;
  if (names.length === 1) return names[0];
  throw new UsageError(
    `--format ${format} needs --state-machine: the project has no '${DEFAULT_STATE_MACHINE}' state machine`,
    `The project defines: ${list}.`,
  );
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

export const command: Command = {
  name: 'compile',
  summary: 'Compile project.py to a manifest, ASL or Mermaid diagrams',
  help: HELP,
  options: {
    json: { type: 'boolean' },
    format: { type: 'string' },
    'state-machine': { type: 'string' },
    out: { type: 'string' },
    project: { type: 'string' },
  },
  async run({ values, positionals }: ParsedArgs, io: CommandIo): Promise<number> {
    if (positionals.length === 0) throw new UsageError('missing FILE', 'Usage: fluxio compile FILE [--json] [--format manifest|asl|mermaid] [--state-machine NAME] [--out DIR]');
    if (positionals.length > 1) {
      throw new UsageError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`, 'Compile one project.py at a time.');
    }
    const format = (values.format as string | undefined) ?? 'manifest';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`unknown --format '${format}'`, `Use one of: ${FORMATS.join(', ')}.`);
    }
    const out = values.out as string | undefined;
    if (out !== undefined && values.format !== undefined) {
      throw new UsageError('--out and --format cannot be combined', '--out writes every format (manifest.json, <sm>.asl.json, <sm>.mmd); drop --format.');
    }
    if (out === '') throw new UsageError('--out needs a directory', 'Example: --out build/');
    const requested = values['state-machine'] as string | undefined;
    const explicitProject = values.project as string | undefined;
    if (explicitProject !== undefined && !isValidProjectName(explicitProject)) {
      throw new UsageError(`--project '${explicitProject}' is not a valid project name`, 'Use a letter followed by up to 63 letters, digits, "-" or "_".');
    }

    const file = await readProject(positionals[0], io);
    const project = explicitProject ?? projectNameFromDirectory(file.dir);
    const { loadCompiler, formatDiagnostics, renderMermaid } = await import('@fluxio/compiler-api');
    const compiler = await loadCompiler();
    const result = compiler.compile(file.source, { project, fileName: file.display });

    if (!result.ok) {
      if (values.json) io.stdout.write(json({ errors: result.errors }));
      else {
        io.stderr.write(formatDiagnostics(file.source, result.errors, file.display));
        const n = result.errors.length;
        io.stderr.write(`\n${n} error${n === 1 ? '' : 's'}: ${file.display} was not compiled.\n`);
      }
      return EXIT.FAILED;
    }
    const manifest = result.manifest;
    if (!values.json && manifest.diagnostics.length) {
      io.stderr.write(formatDiagnostics(file.source, manifest.diagnostics, file.display));
    }

    if (out !== undefined) {
      const names = requested !== undefined ? [pickStateMachine(manifest, requested, 'asl')] : Object.keys(manifest.stateMachines);
      const dir = resolve(io.cwd, out);
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw new UsageError(`cannot create --out directory ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Pass a writable directory.');
      }
      const files: Array<[string, string]> = [['manifest.json', json(manifest)]];
      for (const name of names) {
        files.push([`${name}.asl.json`, json(manifest.stateMachines[name].definition)]);
        files.push([`${name}.mmd`, renderMermaid(manifest.stateMachines[name], name)]);
      }
      const written: string[] = [];
      for (const [name, text] of files) {
        const path = join(dir, name);
        try {
          await writeFile(path, text.endsWith('\n') ? text : text + '\n');
        } catch (err) {
          throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Pass a writable --out directory.');
        }
        const rel = relative(io.cwd, path);
        written.push(rel && !rel.startsWith('..') ? rel : path);
      }
      if (values.json) io.stdout.write(json({ files: written }));
      else io.stdout.write(written.map((p) => `wrote ${p}`).join('\n') + '\n');
      return EXIT.OK;
    }

    if (format === 'manifest') {
      // The manifest always holds every state machine; a --state-machine must still name one of them.
      if (requested !== undefined) pickStateMachine(manifest, requested, format);
      io.stdout.write(json(manifest));
    } else if (format === 'asl') {
      const name = pickStateMachine(manifest, requested, format);
      io.stdout.write(json(manifest.stateMachines[name].definition));
    } else {
      const names = requested !== undefined ? [pickStateMachine(manifest, requested, format)] : Object.keys(manifest.stateMachines);
      if (names.length === 0) {
        throw new UsageError('--format mermaid: the project defines no state machine', 'Add a module-level `def main(data):` to project.py.');
      }
      const diagrams = names.map((name) => {
        const text = renderMermaid(manifest.stateMachines[name], name);
        return (names.length > 1 ? `%% state machine: ${name}\n` : '') + (text.endsWith('\n') ? text : text + '\n');
      });
      io.stdout.write(diagrams.join('\n'));
    }
    return EXIT.OK;
  },
};
