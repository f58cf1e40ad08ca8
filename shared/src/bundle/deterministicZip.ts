/**
 * The one deterministic zip of Fluxio (issue 8): the project bundle
 * (createProjectBundle.ts) and every task function's code (the deployer's
 * functionCode.ts) are zipped by {@link deterministicZip}, so unchanged files
 * always give the same bytes, hence the same bundle SHA-256 and the same Lambda
 * `CodeSha256` (an unchanged redeploy publishes no new version).
 *
 * Deterministic: entries sorted by path, every timestamp 1980-01-01 00:00 (the
 * earliest DOS date a zip can hold), every file mode 0644 made by Unix, one
 * deflate level.
 */
import { zipSync, type Zippable } from 'fflate';

/** Files of a zip, `/`-separated relative path → bytes. */
export type ZipFiles = Record<string, Uint8Array>;

/** The entry timestamp of every zip entry: 1980-01-01 00:00 local time (zip's DOS epoch; fflate encodes local time). */
export const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);
/** Unix mode of every entry (regular file, rw-r--r--) in the external attributes' high 16 bits. */
const ZIP_FILE_ATTRS = (0o100644 << 16) >>> 0;
/** Made by Unix (so `attrs` is read as a Unix mode). */
const ZIP_OS_UNIX = 3;
/** Deflate level: fixed, part of the determinism. */
const ZIP_LEVEL = 6;

/** A deterministic zip of `files` (any key order in, entries sorted by path out). */
export function deterministicZip(files: ZipFiles): Uint8Array {
  const entries: Zippable = {};
  for (const path of Object.keys(files).sort()) entries[path] = [files[path]!, { level: ZIP_LEVEL, mtime: ZIP_EPOCH, os: ZIP_OS_UNIX, attrs: ZIP_FILE_ATTRS }];
  return zipSync(entries, { level: ZIP_LEVEL, mtime: ZIP_EPOCH });
}
