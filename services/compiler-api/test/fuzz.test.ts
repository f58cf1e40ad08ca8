import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import fc from 'fast-check';
import { loadCompiler } from '../src/index.ts';

const root = join(import.meta.dirname, '../../..');
const seeds = [
  ...readdirSync(join(root, 'examples')).map((d) => readFileSync(join(root, 'examples', d, 'project.py'), 'utf8')),
  readFileSync(join(import.meta.dirname, 'fixtures/kitchen_sink.py'), 'utf8'),
];

/** One mutation: delete/duplicate/swap lines, delete/duplicate/swap tokens, insert random bytes. */
function mutate(src: string, ops: Array<[number, number, number, string]>): string {
  let lines = src.split('\n');
  for (const [kind, a, b, bytes] of ops) {
    const i = a % Math.max(1, lines.length);
    const j = b % Math.max(1, lines.length);
    switch (kind % 6) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 2:
        [lines[i], lines[j]] = [lines[j], lines[i]];
        break;
      case 3: {
        const toks = (lines[i] ?? '').split(/(\s+|[()[\]{}:,=."'])/);
        toks.splice(b % Math.max(1, toks.length), 1);
        lines[i] = toks.join('');
        break;
      }
      case 4: {
        const toks = (lines[i] ?? '').split(/(\s+|[()[\]{}:,=."'])/);
        const k = b % Math.max(1, toks.length);
        toks.splice(k, 0, toks[(k * 7) % Math.max(1, toks.length)] ?? '');
        lines[i] = toks.join('');
        break;
      }
      default: {
        const text = lines.join('\n');
        const at = (a * 31 + b) % Math.max(1, text.length);
        lines = (text.slice(0, at) + bytes + text.slice(at)).split('\n');
      }
    }
  }
  return lines.join('\n');
}

test('fuzz: 10,000 mutated projects give a manifest or structured errors with valid ranges', async () => {
  const compiler = await loadCompiler();
  let manifests = 0;
  let failures = 0;
  fc.assert(
    fc.property(
      fc.nat(seeds.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 4 })), { minLength: 1, maxLength: 4 }),
      (seed, ops) => {
        const src = mutate(seeds[seed], ops);
        const r = compiler.compile(src);
        if (r.ok) {
          manifests++;
          expect(typeof r.manifest.stateMachines).toBe('object');
          return;
        }
        failures++;
        const lines = src.split(/\r\n|\r|\n/);
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          expect(e.code).toMatch(/^(DSL|Syntax)\./); // never Compiler.Internal
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.line).toBeLessThanOrEqual(lines.length);
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeLessThanOrEqual((lines[e.line - 1]?.length ?? 0) + 1);
          expect(e.endLine).toBeGreaterThanOrEqual(e.line);
          if (e.endLine === e.line) expect(e.endColumn).toBeGreaterThan(e.column);
        }
      },
    ),
    { numRuns: 10_000, seed: 20261122 },
  );
  // the mutations hit both outcomes
  expect(manifests).toBeGreaterThan(100);
  expect(failures).toBeGreaterThan(1000);
}, 120_000);
