/**
 * RunService (the local platform's `POST /v1/runs` domain) with a stub runner:
 * what it keeps for polling is bounded in bytes, not only in count.
 */
import { describe, expect, it } from 'vitest';
import { MAX_KEPT_RUN_BYTES, RunService } from '../src/server/RunService.ts';
import type { Runner } from '../src/index.ts';

const OUTPUT_CHARS = 200_000;
const stubRunner = {
  stateDataUrl: undefined,
  run: async () => ({ status: 'SUCCEEDED', output: 'o'.repeat(OUTPUT_CHARS), error: null, cause: null, executionName: 'x', executionArn: 'arn:x' }),
  close: async () => undefined,
} as unknown as Runner;

describe('RunService', () => {
  it(`keeps at most ${MAX_KEPT_RUN_BYTES / 1024 / 1024} MiB of finished runs' outputs: the oldest are dropped first`, async () => {
    const service = new RunService(stubRunner);
    const source = 'def main(data):\n    return\n';
    const count = Math.ceil((MAX_KEPT_RUN_BYTES / OUTPUT_CHARS) * 1.5); // ~500 runs, far below the 1,000-run cap
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await service.start({ source })).runId);
    expect(() => service.get(ids[0]!)).toThrow(/No run/);
    expect(service.get(ids.at(-1)!).output).toHaveLength(OUTPUT_CHARS);
    let kept = 0;
    for (const id of ids) {
      try {
        service.get(id);
        kept++;
      } catch {
        /* dropped */
      }
    }
    expect(kept * (OUTPUT_CHARS + 2)).toBeLessThanOrEqual(MAX_KEPT_RUN_BYTES);
    expect(kept).toBeGreaterThan(count / 2);
  }, 60_000);
});
