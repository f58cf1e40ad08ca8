/** Finding project.py from a command-line argument (shared by `fluxio compile` and `fluxio run`). */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError, type CommandIo } from './command.ts';

/**
 * Resolves FILE (a project.py path, or a directory holding one) against `io.cwd`.
 * @returns the absolute path of the file
 * @throws UsageError when it does not exist, is a directory without project.py, or is not a regular file
 */
export async function resolveProjectFile(file: string, io: CommandIo): Promise<string> {
  let path = resolve(io.cwd, file);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`cannot read ${file}: no such file`, 'Pass the path of a project.py file (or of a directory containing one).');
  }
  if (info.isDirectory()) {
    path = join(path, 'project.py');
    try {
      info = await stat(path);
    } catch {
      throw new UsageError(`${file} is a directory without a project.py`, 'Pass the path of a project.py file.');
    }
  }
  if (!info.isFile()) throw new UsageError(`${file} is not a regular file`, 'Pass the path of a project.py file.');
  return path;
}
