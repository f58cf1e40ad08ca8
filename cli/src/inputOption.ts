/**
 * `--input JSON|@file` of `fluxio run` and `fluxio start`: inline JSON, or
 * `@path` (relative to the working directory) to read it from a file.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, type CommandIo } from './command.ts';

/**
 * The parsed `--input` value and how to name it in a message (`--input` or
 * `--input file <path>`); `{}` when the option is absent.
 * @throws UsageError for an unreadable file or text that is not JSON
 */
export async function readInputOption(raw: string | undefined, io: Pick<CommandIo, 'cwd'>): Promise<{ input: unknown; what: string }> {
  if (raw === undefined) return { input: {}, what: '--input' };
  let text = raw;
  let what = '--input';
  if (raw.startsWith('@')) {
    what = `--input file ${raw.slice(1)}`;
    try {
      text = await readFile(resolve(io.cwd, raw.slice(1)), 'utf8');
    } catch {
      throw new UsageError(`cannot read ${what}: no such file`, 'Use --input @path/to/input.json with an existing file, or inline JSON.');
    }
  }
  try {
    return { input: JSON.parse(text), what };
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON (${(err as Error).message})`, `Example: --input '{"increment": 3}' or --input @input.json`);
  }
}
