import { copyFileSync, mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { bundleCompiler } from '../bench/bundle.ts';

test('the esbuild bundle (wasm embedded) compiles a project from a directory without node_modules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxio-bundle-test-'));
  const file = await bundleCompiler(dir);
  const isolated = join(mkdtempSync(join(tmpdir(), 'fluxio-bundle-run-')), 'compiler.mjs');
  copyFileSync(file, isolated);
  expect(existsSync(join(isolated, '../node_modules'))).toBe(false);
  const mod = await import(pathToFileURL(isolated).href);
  const r = await mod.compile('class A(Task):\n    pass\n\ndef main(data):\n    data["x"] = A(data, key="Do A")\n', { project: 'p' });
  expect(r.ok).toBe(true);
  expect(r.manifest.stateMachines.main.definition.States['Do A'].Resource).toBe('${LambdaFunctionA}');
  const bad = await mod.compile('def main(data)\n    pass\n');
  expect(bad.ok).toBe(false);
  expect(bad.errors[0]).toMatchObject({ code: 'Syntax.MissingColon', line: 1 });
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(isolated, '..'), { recursive: true, force: true });
});
