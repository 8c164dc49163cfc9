import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../game/config';
import { TINY_CONFIG } from '../testing/fixtures';
import { measureMatmul, runCase } from './runCase';
import type { BenchCase } from './results';

const TINY: RunConfig = { ...TINY_CONFIG, vocabSize: 12, maxLen: 3, seed: DEFAULT_RUN_CONFIG.seed };

function tinyCase(settings: Partial<RunConfig>): BenchCase {
  return { name: 'tiny', config: { ...TINY, ...settings }, substitution: null, warmupSteps: 1, timedSteps: 2, instrumentedSteps: 1 };
}

describe('runCase', () => {
  for (const settings of [{ extractor: 'learned' }, { extractor: 'random-frozen', augmentation: 'rotation', rotationTask: 'receiver-predicts' }, { extractor: 'random-frozen', augmentation: 'noise' }] as Partial<RunConfig>[]) {
    it(`times ${JSON.stringify(settings)}`, async () => {
      const result = await runCase(tinyCase(settings));
      expect(result.stepMs).toHaveLength(2);
      expect(result.instrumentedMs).toHaveLength(1);
      expect(result.parts).toHaveLength(1);
      expect(result.tensorGrowth).toBe(0);
      expect(result.peakBytes).toBeGreaterThan(0);
      expect(result.flops.total).toBeGreaterThan(0);
      expect(result.backend).toBe('wasm');
    });
  }
});

describe('measureMatmul', () => {
  it('returns one throughput per timed product', async () => {
    const result = await measureMatmul(16, 8, 4, 3);
    expect(result.gflopsPerSecond).toHaveLength(3);
    for (const value of result.gflopsPerSecond) expect(value).toBeGreaterThan(0);
  });
});
