import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gumbelSoftmaxStraightThrough } from './gumbel';
import { argmax, drawGumbelNoise, gumbelDemoSample, softmax } from './gumbelDemo';
import { Rng } from './random';

const TOKENS = 5;
const SEEDS = Array.from({ length: 500 }, (_, i) => i + 1);

/** Draws logits in [-3, 3) and Gumbel noise for one seed. */
function drawGame(seed: number): { logits: number[]; noise: number[] } {
  const rng = new Rng(seed);
  const logits = Array.from({ length: TOKENS }, () => 6 * rng.next() - 3);
  return { logits, noise: drawGumbelNoise(rng, TOKENS) };
}

/** Returns the gap between the largest and second largest values. */
function topGap(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => b - a);
  return (sorted[0] ?? 0) - (sorted[1] ?? 0);
}

describe('Gumbel demonstration', () => {
  it('hard sample is argmax of logits plus shown noise', () => {
    for (const seed of SEEDS) {
      const { logits, noise } = drawGame(seed);
      const sample = gumbelDemoSample(logits, noise, 1);
      const sums = logits.map((logit, i) => logit + (noise[i] ?? NaN));
      const best = sums.indexOf(Math.max(...sums));
      expect(sample.perturbed).toEqual(sums);
      expect(sample.hardIndex).toBe(best);
      expect(sample.hard).toEqual(sums.map((_, i) => (i === best ? 1 : 0)));
    }
  });

  it('soft sample sums to 1', () => {
    for (const seed of SEEDS) {
      const { logits, noise } = drawGame(seed);
      for (const temperature of [0.01, 0.5, 1, 5]) {
        const { soft } = gumbelDemoSample(logits, noise, temperature);
        expect(soft.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 12);
        for (const value of soft) expect(value).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('soft sample approaches hard as temperature falls', () => {
    const temperatures = [2, 1, 0.5, 0.1, 0.05, 0.01, 0.001];
    for (const seed of SEEDS) {
      const { logits, noise } = drawGame(seed);
      const distances = temperatures.map((temperature) => {
        const { soft, hard } = gumbelDemoSample(logits, noise, temperature);
        return Math.max(...soft.map((value, i) => Math.abs(value - (hard[i] ?? NaN))));
      });
      for (let i = 1; i < distances.length; i++) expect(distances[i]).toBeLessThanOrEqual((distances[i - 1] ?? 0) + 1e-12);

      // Every other token's relaxed probability is at most exp(-gap / temperature).
      const coldest = temperatures[temperatures.length - 1] ?? 1;
      const gap = topGap(logits.map((logit, i) => logit + (noise[i] ?? NaN)));
      expect(distances[distances.length - 1]).toBeLessThanOrEqual((TOKENS - 1) * Math.exp(-gap / coldest) + 1e-12);
    }
  });

  it('soft sample is uniform at high temperature', () => {
    const { logits, noise } = drawGame(7);
    const { soft } = gumbelDemoSample(logits, noise, 1e6);
    for (const value of soft) expect(value).toBeCloseTo(1 / TOKENS, 4);
  });

  it('draws the same noise for the same seed', () => {
    expect(drawGumbelNoise(new Rng(42), TOKENS)).toEqual(drawGumbelNoise(new Rng(42), TOKENS));
    expect(drawGumbelNoise(new Rng(42), TOKENS)).not.toEqual(drawGumbelNoise(new Rng(43), TOKENS));
  });

  it('noise has the Gumbel mean and stays finite', () => {
    const noise = drawGumbelNoise(new Rng(1), 20_000);
    const mean = noise.reduce((sum, value) => sum + value, 0) / noise.length;
    // The mean of the standard Gumbel distribution is the Euler-Mascheroni constant.
    expect(mean).toBeCloseTo(0.5772, 1);
    expect(noise.every(Number.isFinite)).toBe(true);
  });

  it('gradient matches finite differences', () => {
    const { logits, noise } = drawGame(3);
    const temperature = 0.7;
    const { hardIndex, straightThroughGradient } = gumbelDemoSample(logits, noise, temperature);
    const chosenProbability = (shifted: number[]) => gumbelDemoSample(shifted, noise, temperature).soft[hardIndex] ?? NaN;
    const step = 1e-6;
    for (let j = 0; j < TOKENS; j++) {
      const up = logits.map((logit, i) => (i === j ? logit + step : logit));
      const down = logits.map((logit, i) => (i === j ? logit - step : logit));
      const numeric = (chosenProbability(up) - chosenProbability(down)) / (2 * step);
      expect(straightThroughGradient[j]).toBeCloseTo(numeric, 6);
    }
  });

  it('agrees with the training estimator', () => {
    const { logits, noise } = drawGame(11);
    const temperature = 0.5;
    const sample = gumbelDemoSample(logits, noise, temperature);
    const noiseTensor = tf.tensor2d([noise]);
    const hard = tf.tidy(() => gumbelSoftmaxStraightThrough(tf.tensor2d([logits]), noiseTensor, temperature).arraySync());
    expect(hard[0]).toEqual(sample.hard);

    // Backward, the estimator's gradient of the sampled token's entry is the demonstration's.
    const pick = tf.oneHot([sample.hardIndex], TOKENS).toFloat();
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gumbelSoftmaxStraightThrough(x as tf.Tensor2D, noiseTensor, temperature), pick)))(
      tf.tensor2d([logits]),
    );
    const values = (gradient.arraySync() as number[][])[0] ?? [];
    values.forEach((value, j) => expect(value).toBeCloseTo(sample.straightThroughGradient[j] ?? NaN, 5));
    tf.dispose([noiseTensor, pick, gradient]);
  });

  it('stays finite for extreme logits', () => {
    const sample = gumbelDemoSample([1000, -1000, 0], [0, 0, 0], 0.01);
    expect(sample.soft).toEqual([1, 0, 0]);
    expect(sample.straightThroughGradient.every(Number.isFinite)).toBe(true);
  });

  it('rejects invalid input', () => {
    expect(() => gumbelDemoSample([1, 2], [0], 1)).toThrow(/as many noise values/);
    expect(() => gumbelDemoSample([], [], 1)).toThrow(/at least 1/);
    expect(() => gumbelDemoSample([1, NaN], [0, 0], 1)).toThrow(/finite/);
    expect(() => gumbelDemoSample([1, 2], [0, 0], 0)).toThrow(/positive/);
    expect(() => gumbelDemoSample([1, 2], [0, 0], -1)).toThrow(/positive/);
  });

  it('softmax and argmax on known values', () => {
    expect(softmax([0, 0])).toEqual([0.5, 0.5]);
    expect(softmax([Math.log(3), 0])[0]).toBeCloseTo(0.75, 12);
    expect(argmax([1, 3, 3, 2])).toBe(1);
  });
});

describe('gumbelDemoSample at extremes', () => {
  it('stays finite for a huge logit at a low temperature', () => {
    const sample = gumbelDemoSample([1e300, 0, -1], [0.5, 0.1, 0.2], 0.05);
    expect(sample.soft.every(Number.isFinite)).toBe(true);
    expect(sample.soft[0]).toBe(1);
    expect(sample.straightThroughGradient.every(Number.isFinite)).toBe(true);
  });
});
