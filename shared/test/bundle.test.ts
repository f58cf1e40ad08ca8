/**
 * The project bundle `fluxio deploy` uploads (issue 8): deterministic, the
 * excluded directories and .fluxioignore left out, the 50 MiB limit refused
 * with what to leave out, symbolic links never followed out of the directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { createProjectBundle, MAX_BUNDLE_BYTES, ProjectBundleError } from '../src/bundle/createProjectBundle.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory holding `files` (path → content). */
function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'fluxio-bundle-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const PROJECT = {
  'project.py': 'from fluxio import Task\n\nclass Price(Task):\n    def run(self, data):\n        from pricing.rules import price\n        return price(data)\n\ndef main(data):\n    return Price()(data)\n',
  'pricing/__init__.py': '',
  'pricing/rules.py': 'def price(data):\n    return {"price": 42}\n',
  'helpers.py': 'X = 1\n',
};

describe('createProjectBundle', () => {
  it('zips project.py at the root with the packages beside it, sorted', async () => {
    const bundle = await createProjectBundle(tree(PROJECT));
    expect(bundle.files).toEqual(['helpers.py', 'pricing/__init__.py', 'pricing/rules.py', 'project.py']);
    const unzipped = unzipSync(bundle.zip);
    expect(Object.keys(unzipped)).toEqual(bundle.files);
    expect(Buffer.from(unzipped['pricing/rules.py']).toString()).toBe(PROJECT['pricing/rules.py']);
    expect(bundle.sizeBytes).toBe(bundle.zip.length);
    expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the same tree the same across runs, copies and mtimes; a changed byte changes the hash', async () => {
    const a = tree(PROJECT);
    const b = tree(PROJECT);
    const first = await createProjectBundle(a);
    utimesSync(join(b, 'pricing/rules.py'), new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'));
    utimesSync(join(b, 'project.py'), 1, 1);
    const second = await createProjectBundle(b);
    expect(second.sha256).toBe(first.sha256);
    expect(Buffer.from(second.zip).equals(Buffer.from(first.zip))).toBe(true);
    expect((await createProjectBundle(a)).sha256).toBe(first.sha256);

    writeFileSync(join(b, 'pricing/rules.py'), 'def price(data):\n    return {"price": 43}\n');
    expect((await createProjectBundle(b)).sha256).not.toBe(first.sha256);
  });

  it('stores fixed timestamps and permissions (unzip lists 1980-01-01 and -rw-r--r--)', async () => {
    const root = tree(PROJECT);
    execFileSync('chmod', ['0755', join(root, 'helpers.py')]);
    const bundle = await createProjectBundle(root);
    const zipPath = join(root, '..', `${bundle.sha256}.zip`);
    writeFileSync(zipPath, bundle.zip);
    dirs.push(zipPath);
    const listing = execFileSync('python3', [
      '-c',
      'import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.date_time, oct(i.external_attr >> 16))',
      zipPath,
    ]).toString();
    for (const line of listing.trim().split('\n')) expect(line).toMatch(/\(1980, 1, 1, 0, 0, 0\) 0o100644$/);
  });

  it('leaves out .fluxio/, .git/, __pycache__/, node_modules/ at any depth, and *.pyc', async () => {
    const bundle = await createProjectBundle(
      tree({
        ...PROJECT,
        '.fluxio/cache.json': '{}',
        '.git/HEAD': 'ref: refs/heads/main\n',
        '__pycache__/helpers.cpython-312.pyc': 'x',
        'pricing/__pycache__/rules.cpython-312.pyc': 'x',
        'pricing/old.pyc': 'x',
        'node_modules/left-pad/index.js': 'x',
        'tools/node_modules/x.js': 'x',
        'tools/build.py': 'print(1)\n',
      }),
    );
    expect(bundle.files).toEqual(['helpers.py', 'pricing/__init__.py', 'pricing/rules.py', 'project.py', 'tools/build.py']);
  });

  it('honours .fluxioignore with gitignore semantics (directories, globs, negation, anchored paths)', async () => {
    const bundle = await createProjectBundle(
      tree({
        ...PROJECT,
        '.fluxioignore': '# data stays out\ndata/\n*.csv\n!keep.csv\n/notes.md\n',
        'data/big.bin': 'x',
        'report.csv': 'a,b\n',
        'keep.csv': 'a,b\n',
        'notes.md': 'x',
        'pricing/notes.md': 'kept: /notes.md is anchored at the root',
        'pricing/table.csv': 'x',
      }),
    );
    expect(bundle.files).toEqual(['helpers.py', 'keep.csv', 'pricing/__init__.py', 'pricing/notes.md', 'pricing/rules.py', 'project.py']);
  });

  it('refuses a bundle above 50 MiB naming what to leave out', async () => {
    expect(MAX_BUNDLE_BYTES).toBe(52_428_800);
    // Random bytes do not compress: 51 MiB of them zip to more than the limit.
    const root = tree({ ...PROJECT, 'data/weights.bin': randomBytes(51 * 1024 * 1024), 'data/small.txt': 'x' });
    const err = await createProjectBundle(root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProjectBundleError);
    const e = err as ProjectBundleError;
    expect(e.code).toBe('Deploy.BundleTooLarge');
    expect(e.message).toMatch(/above the 50\.0 MiB limit/);
    expect(e.message).toMatch(/data\/ \(51\.0 MiB\)/);
    expect(e.message).toMatch(/\.fluxioignore/);
    expect(e.details?.largest?.[0]).toEqual({ path: 'data/', sizeBytes: 51 * 1024 * 1024 + 1 });

    // Leaving it out as the message says makes the bundle fit.
    writeFileSync(join(root, '.fluxioignore'), 'data/\n');
    expect((await createProjectBundle(root)).files).not.toContain('data/weights.bin');
  });

  it('refuses a smaller limit too (maxBytes), checking the zip size, not the raw size', async () => {
    const root = tree({ ...PROJECT, 'zeros.txt': Buffer.alloc(30_000) });
    // 30 kB of zeros deflate to a few hundred bytes: under a 20 kB limit.
    expect((await createProjectBundle(root, { maxBytes: 20_000 })).files).toContain('zeros.txt');
    writeFileSync(join(root, 'noise.bin'), randomBytes(25_000));
    await expect(createProjectBundle(root, { maxBytes: 20_000 })).rejects.toMatchObject({
      code: 'Deploy.BundleTooLarge',
      message: expect.stringMatching(/zips to 2\d\.\d KiB, above the 19\.5 KiB limit\. Largest: zeros\.txt \(29\.3 KiB\), noise\.bin \(24\.4 KiB\)/),
    });
  });

  it('follows symbolic links only inside the directory; links out, dangling links and loops are skipped and reported', async () => {
    const outside = tree({ 'secret.txt': 'do not ship', 'lib/x.py': 'x' });
    const root = tree({ ...PROJECT, 'shared/util.py': 'U = 1\n' });
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret.txt'));
    symlinkSync(join(outside, 'lib'), join(root, 'outlib'));
    symlinkSync('../helpers.py', join(root, 'pricing', 'helpers_link.py'));
    symlinkSync('shared', join(root, 'shared_link'));
    symlinkSync('missing.py', join(root, 'dangling.py'));
    symlinkSync('..', join(root, 'shared', 'up'));
    const bundle = await createProjectBundle(root);
    expect(bundle.files).toEqual([
      'helpers.py',
      'pricing/__init__.py',
      'pricing/helpers_link.py',
      'pricing/rules.py',
      'project.py',
      'shared/util.py',
      'shared_link/util.py',
    ]);
    expect(Buffer.from(unzipSync(bundle.zip)['pricing/helpers_link.py']).toString()).toBe('X = 1\n');
    expect(bundle.skipped).toEqual([
      { path: 'dangling.py', reason: 'dangling symbolic link' },
      { path: 'outlib', reason: 'symbolic link to outside the project directory' },
      { path: 'secret.txt', reason: 'symbolic link to outside the project directory' },
      { path: 'shared/up', reason: 'symbolic link loop' },
      { path: 'shared_link/up', reason: 'symbolic link loop' },
    ]);
    expect(JSON.stringify(Object.keys(unzipSync(bundle.zip)))).not.toMatch(/secret|outlib/);
  });

  it('refuses a directory without project.py, and a path that is not a directory', async () => {
    const root = tree({ 'helpers.py': 'x' });
    await expect(createProjectBundle(root)).rejects.toMatchObject({ code: 'Deploy.NoProjectFile', message: expect.stringMatching(/has no project\.py/) });
    await expect(createProjectBundle(join(root, 'helpers.py'))).rejects.toMatchObject({ code: 'Deploy.NotADirectory' });
    await expect(createProjectBundle(join(root, 'nope'))).rejects.toMatchObject({ code: 'Deploy.NotADirectory' });
  });
});
