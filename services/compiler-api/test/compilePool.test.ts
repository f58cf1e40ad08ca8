/**
 * The local platform's compile pool (worker threads): a big compile does not
 * hold up a small one, a compile over the time limit is stopped with a
 * diagnostic, and a worker that dies is replaced.
 */
import { afterEach, expect, it } from 'vitest';
import { CompilePool } from '../src/worker/compilePool.ts';
import { generateProject } from '../bench/generate.ts';

const SMALL = 'class T(Task):\n    async def run(event, context):\n        return event\n\ndef main(data):\n    T(data)\n';
const BIG = generateProject(5000); // ~1-2 s of compile

let pool: CompilePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

it('a small compile sent during a big one finishes first (the big one runs in another worker)', async () => {
  pool = new CompilePool({ size: 2 });
  // both workers started and warm
  const warm = await Promise.all([pool.compile(SMALL), pool.compile(SMALL)]);
  expect(warm.every((r) => r.ok)).toBe(true);
  const order: string[] = [];
  const big = pool.compile(BIG).then((r) => order.push(`big ${r.ok}`));
  const small = pool.compile(SMALL).then((r) => order.push(`small ${r.ok}`));
  await Promise.all([big, small]);
  expect(order).toEqual(['small true', 'big true']);
  expect(pool.started).toBe(2);
});

it('a compile over the time limit is stopped with DSL.TooComplex, and the next compile gets a fresh worker', async () => {
  pool = new CompilePool({ size: 1, timeLimitMs: 150 });
  expect((await pool.compile(SMALL)).ok).toBe(true);
  const r = await pool.compile(BIG);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].code).toBe('DSL.TooComplex');
    expect(r.errors[0].message).toContain('0.15 s');
  }
  const next = await pool.compile(SMALL);
  expect(next.ok).toBe(true);
  expect(pool.started).toBe(2);
});

it('a worker that dies during a compile answers that compile and is replaced', async () => {
  pool = new CompilePool({ size: 1 });
  expect((await pool.compile(SMALL)).ok).toBe(true);
  const running = pool.compile(BIG);
  // the worker stops as a crash would (e.g. a wasm trap taking the thread down)
  const slot = (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots[0];
  await new Promise((r) => setTimeout(r, 50));
  await slot.worker.terminate();
  const r = await running;
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.errors[0].code).toBe('Compiler.Internal');
  expect((await pool.compile(SMALL)).ok).toBe(true);
  expect(pool.started).toBe(2);
});
