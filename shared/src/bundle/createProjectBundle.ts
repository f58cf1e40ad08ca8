/**
 * The project bundle (issue 8): a deterministic zip of a project directory,
 * `project.py` at its root with the Python packages and modules beside it, so
 * that `from pricing.rules import price` inside a `run` method works when the
 * project is deployed. `fluxio deploy` uploads it; the deployer unpacks it into
 * every task function's code.
 *
 * Deterministic ({@link deterministicZip}: entries sorted by path, every
 * timestamp 1980-01-01 00:00, every file mode 0644, one compression level), so
 * an unchanged tree always hashes the same whatever its mtimes, and an
 * unchanged bundle is never re-uploaded or re-published.
 *
 * Left out: the directories `.fluxio/`, `.git/`, `__pycache__/` and
 * `node_modules/` at any depth, `*.pyc` files, the `.fluxioignore` file itself,
 * and whatever `.fluxioignore` (at the project root, gitignore syntax, read with
 * the `ignore` package) matches.
 *
 * Symbolic links are followed only while they stay inside the project
 * directory (a link to a file inside is stored as that file's bytes, a link to
 * a directory inside is walked once); a link that leaves the directory, dangles
 * or loops is left out and reported in `skipped`, never read.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignoreModule from 'ignore';
import { MAX_BUNDLE_BYTES } from '../schemas/deployments.ts';
import { deterministicZip, type ZipFiles } from './deterministicZip.ts';

// `ignore` is CommonJS whose types declare an ES default export: under NodeNext the default
// import is module.exports (the function itself, which also carries `.default`).
const ignore = ((ignoreModule as unknown as { default?: typeof ignoreModule }).default ?? ignoreModule) as unknown as typeof ignoreModule.default;

/**
 * Largest bundle the platform accepts, in bytes (50 MiB = 52,428,800; the
 * deployer's 413 `Deploy.BundleTooLarge` above it): defined with the deployer schemas.
 */
export { MAX_BUNDLE_BYTES };

/**
 * Largest total of uncompressed file bytes read into a bundle (4 × MAX_BUNDLE_BYTES):
 * a tree above it is refused before it is read (zipping it could only be
 * over the limit unless it compressed more than 4:1; leave the data out).
 */
export const MAX_BUNDLE_INPUT_BYTES = 4 * MAX_BUNDLE_BYTES;

/** Directories never bundled, at any depth (build output, VCS, caches, JavaScript dependencies). */
export const BUNDLE_EXCLUDED_DIRECTORIES = ['.fluxio', '.git', '__pycache__', 'node_modules'] as const;

/** The ignore file at the project root (gitignore syntax). */
export const FLUXIO_IGNORE_FILE = '.fluxioignore';

/** A refused bundle. `code` is one of the `Deploy.*` codes below. */
export class ProjectBundleError extends Error {
  override name = 'ProjectBundleError';
  constructor(
    /**
     * `Deploy.BundleTooLarge` (above {@link MAX_BUNDLE_BYTES}; `details.largest` lists what to leave out),
     * `Deploy.NoProjectFile` (no project.py in the directory), `Deploy.NotADirectory`.
     */
    readonly code: 'Deploy.BundleTooLarge' | 'Deploy.NoProjectFile' | 'Deploy.NotADirectory',
    message: string,
    readonly details?: { sizeBytes?: number; limitBytes?: number; largest?: Array<{ path: string; sizeBytes: number }> },
  ) {
    super(message);
  }
}

/** A bundle, ready to upload. */
export interface ProjectBundle {
  /** The zip bytes. */
  zip: Uint8Array;
  /** SHA-256 of `zip`, lowercase hex: the bundle's identity (`bundles/<project>/<sha256>.zip`). */
  sha256: string;
  /** `zip.length`, in bytes. */
  sizeBytes: number;
  /** The paths stored, relative, `/`-separated, sorted (`project.py` among them). */
  files: string[];
  /** Paths seen and not stored because they are unsafe to follow (symbolic links leaving the directory, dangling or looping). */
  skipped: Array<{ path: string; reason: string }>;
}

export interface CreateProjectBundleOptions {
  /** Refuse bundles above this many bytes. @default MAX_BUNDLE_BYTES */
  maxBytes?: number;
}

interface Entry {
  path: string;
  abs: string;
  size: number;
}

/** `n` bytes for a message: `812 bytes`, `9.8 KiB`, `51.0 MiB`. */
const formatBytes = (n: number) => (n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);
const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));
const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Zips project directory `dir` (see the module comment for what is stored and
 * left out).
 *
 * @throws ProjectBundleError `Deploy.NotADirectory`, `Deploy.NoProjectFile`,
 *   `Deploy.BundleTooLarge` (the message names the largest files and
 *   directories and says to list them in `.fluxioignore`)
 */
export async function createProjectBundle(dir: string, options: CreateProjectBundleOptions = {}): Promise<ProjectBundle> {
  const maxBytes = options.maxBytes ?? MAX_BUNDLE_BYTES;
  const root = resolve(dir);
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new ProjectBundleError('Deploy.NotADirectory', `${dir} is not a directory: pass the project directory (the one holding project.py).`);
  const realRoot = await realpath(root);
  const projectFile = await lstat(join(root, 'project.py')).catch(() => undefined);
  if (!projectFile?.isFile()) throw new ProjectBundleError('Deploy.NoProjectFile', `${dir} has no project.py: a project directory holds project.py at its root.`);

  const ig = ignore();
  const ignoreText = await readFile(join(root, FLUXIO_IGNORE_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw e;
  });
  ig.add(ignoreText);
  const excluded = new Set<string>(BUNDLE_EXCLUDED_DIRECTORIES);

  const entries: Entry[] = [];
  const skipped: ProjectBundle['skipped'] = [];
  // Real paths of the directories being walked (the current chain): a link back into one of them would loop.
  const walking = new Set<string>();

  async function walk(absDir: string, realDir: string, relDir: string): Promise<void> {
    walking.add(realDir);
    const names = (await readdir(absDir)).sort();
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = join(absDir, name);
      let st = await lstat(abs);
      let real = join(realDir, name);
      if (st.isSymbolicLink()) {
        const target = await realpath(abs).catch(() => undefined);
        if (target === undefined) {
          skipped.push({ path: rel, reason: 'dangling symbolic link' });
          continue;
        }
        if (!inside(realRoot, target)) {
          skipped.push({ path: rel, reason: 'symbolic link to outside the project directory' });
          continue;
        }
        st = await stat(target);
        real = target;
        if (st.isDirectory() && walking.has(target)) {
          skipped.push({ path: rel, reason: 'symbolic link loop' });
          continue;
        }
      }
      if (st.isDirectory()) {
        if (excluded.has(name) || ig.ignores(`${rel}/`)) continue;
        await walk(abs, real, rel);
      } else if (st.isFile()) {
        if (rel === FLUXIO_IGNORE_FILE || name.endsWith('.pyc') || ig.ignores(rel)) continue;
        entries.push({ path: rel, abs: real, size: st.size });
      }
      // Sockets, FIFOs and devices are not project code: left out silently.
    }
    walking.delete(realDir);
  }
  await walk(root, realRoot, '');
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const inputBytes = entries.reduce((n, e) => n + e.size, 0);
  if (inputBytes > maxBytes * (MAX_BUNDLE_INPUT_BYTES / MAX_BUNDLE_BYTES)) throw tooLarge(dir, inputBytes, maxBytes, entries, 'holds');

  const files: ZipFiles = {};
  // 64 reads at a time: a tree of many thousands of files never runs out of file descriptors (EMFILE).
  for (let i = 0; i < entries.length; i += 64) {
    const batch = entries.slice(i, i + 64);
    const contents = await Promise.all(batch.map((e) => readFile(e.abs)));
    batch.forEach((e, j) => {
      files[e.path] = contents[j]!;
    });
  }
  const zip = deterministicZip(files);
  if (zip.length > maxBytes) throw tooLarge(dir, zip.length, maxBytes, entries, 'zips to');
  return {
    zip,
    sha256: createHash('sha256').update(zip).digest('hex'),
    sizeBytes: zip.length,
    files: entries.map((e) => toPosix(e.path)),
    skipped,
  };
}

/** The refusal, naming the five largest top-level files/directories (by uncompressed bytes). */
function tooLarge(dir: string, sizeBytes: number, limitBytes: number, entries: Entry[], verb: string): ProjectBundleError {
  const byTop = new Map<string, number>();
  for (const e of entries) {
    const slash = e.path.indexOf('/');
    const top = slash < 0 ? e.path : e.path.slice(0, slash + 1);
    byTop.set(top, (byTop.get(top) ?? 0) + e.size);
  }
  const largest = [...byTop].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5).map(([path, size]) => ({ path, sizeBytes: size }));
  const list = largest.map((l) => `${l.path} (${formatBytes(l.sizeBytes)})`).join(', ');
  return new ProjectBundleError(
    'Deploy.BundleTooLarge',
    `The project bundle of ${dir} ${verb} ${formatBytes(sizeBytes)}, above the ${formatBytes(limitBytes)} limit. ` +
      `Largest: ${list}. Leave data, virtual environments and build output out: list them in ${FLUXIO_IGNORE_FILE} ` +
      `(gitignore syntax, e.g. "${largest[0]?.path ?? 'data/'}"), and read big inputs from S3 or the state data API at run time.`,
    { sizeBytes, limitBytes, largest },
  );
}
