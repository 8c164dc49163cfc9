import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchFeeder } from './batches';
import type { RunConfig } from './config';
import { FeatureCache } from './featureCache';
import { ReferentialGame } from './game';
import { IMAGE_BYTES, rotateInto } from './images';
import { TINY_CONFIG, randomImages } from '../testing/fixtures';

const TINY: RunConfig = TINY_CONFIG;

function randomPixels(count: number, seed: number): Uint8Array {
  return randomImages(count, seed).pixels;
}

async function valuesOf(tensor: tf.Tensor): Promise<Float32Array> {
  const values = (await tensor.data()) as Float32Array;
  tensor.dispose();
  return values;
}

/** Trains `steps` steps on fixed batches and returns the losses. */
async function losses(config: RunConfig, pixels: Uint8Array, steps: number): Promise<number[]> {
  const game = new ReferentialGame(config);
  const feeder = new BatchFeeder(game, config, pixels);
  const values: number[] = [];
  for (let step = 0; step < steps; step++) {
    const owned = await feeder.next([0, 1, 2, 3, 4, 5, 6, 7].map((i) => (i + step) % 12));
    const { loss, success } = game.trainStep(owned.batch);
    values.push((await valuesOf(loss))[0] as number);
    success.dispose();
    owned.dispose();
  }
  game.dispose();
  return values;
}

describe('feature cache', () => {
  it('returns recomputed features for cached images', async () => {
    const pixels = randomPixels(12, 1);
    const game = new ReferentialGame(TINY);
    const cached = new BatchFeeder(game, { ...TINY, featureCache: 'float32' }, pixels);
    const uncached = new BatchFeeder(game, { ...TINY, featureCache: 'off' }, pixels);
    const indices = [3, 7, 1, 0];
    const turns = [0, 1, 2, 3];

    const first = await valuesOf(await cached.cachedFeatures(indices, turns));
    expect(cached.cache?.size).toBe(4);
    const second = await valuesOf(await cached.cachedFeatures(indices, turns));
    const recomputed = await valuesOf(await uncached.cachedFeatures(indices, turns));
    expect(Array.from(second)).toEqual(Array.from(first));
    for (const [i, value] of recomputed.entries()) expect(first[i]).toBeCloseTo(value, 5);
    game.dispose();
  });

  it('keeps float16 features within half-precision rounding', async () => {
    const pixels = randomPixels(12, 2);
    const game = new ReferentialGame(TINY);
    const cached = new BatchFeeder(game, { ...TINY, featureCache: 'float16' }, pixels);
    const uncached = new BatchFeeder(game, { ...TINY, featureCache: 'off' }, pixels);
    const stored = await valuesOf(await cached.cachedFeatures([5, 6], null));
    const exact = await valuesOf(await uncached.cachedFeatures([5, 6], null));
    for (const [i, value] of exact.entries()) expect(Math.abs((stored[i] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 1e-7);
    game.dispose();
  });

  it('trains to the same losses as recomputation', async () => {
    const pixels = randomPixels(12, 3);
    const fromCache = await losses({ ...TINY, featureCache: 'float32', augmentation: 'rotation' }, pixels, 4);
    const recomputed = await losses({ ...TINY, featureCache: 'off', augmentation: 'rotation' }, pixels, 4);
    for (const [step, loss] of recomputed.entries()) expect(fromCache[step]).toBeCloseTo(loss, 4);
  });

  it('stops storing at its budget and still answers', async () => {
    const pixels = randomPixels(12, 4);
    const budgetMB = (2 * 512 * 4) / 1e6; // two entries of the narrow backbone's 512 floats
    const config: RunConfig = { ...TINY, featureCache: 'float32', featureCacheMB: budgetMB };
    const game = new ReferentialGame(config);
    const feeder = new BatchFeeder(game, config, pixels);
    const features = await valuesOf(await feeder.cachedFeatures([0, 1, 2, 3], null));
    expect(feeder.cache?.size).toBe(2);
    expect(features.length).toBe(4 * 512);
    expect(features.every(Number.isFinite)).toBe(true);
    game.dispose();
  });

  it('rejects an entry of the wrong size', () => {
    const cache = new FeatureCache(4, 'float16', 1000);
    expect(() => cache.write(0, new Float32Array(3))).toThrow(/expected 4 features, got 3/);
  });
});

describe('BatchFeeder', () => {
  it('labels each rotated sender image with its quarter turns', async () => {
    const pixels = randomPixels(12, 5);
    const config: RunConfig = { ...TINY, extractor: 'learned', augmentation: 'rotation' };
    const game = new ReferentialGame(config);
    const feeder = new BatchFeeder(game, config, pixels);
    const indices = [4, 9, 2, 11, 0, 1, 3, 5];
    const owned = await feeder.next(indices);
    const { sender, receiver, quarterTurns } = owned.batch;
    if (sender.kind !== 'pixels' || receiver.kind !== 'pixels' || quarterTurns === null) throw new Error('expected pixel views with rotations');
    const turns = await quarterTurns.data();
    const senderPixels = await sender.pixels.data();
    const receiverPixels = await receiver.pixels.data();
    expect(new Set(turns).size).toBeGreaterThan(1);
    for (const [b, image] of indices.entries()) {
      const expected = new Uint8Array(IMAGE_BYTES);
      rotateInto(pixels.subarray(image * IMAGE_BYTES, (image + 1) * IMAGE_BYTES), turns[b] as number, expected);
      expect(Array.from(senderPixels.subarray(b * IMAGE_BYTES, (b + 1) * IMAGE_BYTES))).toEqual(Array.from(expected));
      expect(Array.from(receiverPixels.subarray(b * IMAGE_BYTES, (b + 1) * IMAGE_BYTES))).toEqual(Array.from(pixels.subarray(image * IMAGE_BYTES, (image + 1) * IMAGE_BYTES)));
    }
    owned.dispose();
    game.dispose();
  });

  it('adds noise to the sender only, within the pixel range', async () => {
    const pixels = randomPixels(12, 6);
    const config: RunConfig = { ...TINY, extractor: 'learned', augmentation: 'noise', noiseStd: 0.1 };
    const game = new ReferentialGame(config);
    const owned = await new BatchFeeder(game, config, pixels).next([0, 1, 2, 3, 4, 5, 6, 7]);
    const { sender, receiver } = owned.batch;
    if (sender.kind !== 'pixels' || receiver.kind !== 'pixels') throw new Error('expected pixel views');
    const noisy = await sender.pixels.data();
    const clean = await receiver.pixels.data();
    const differences = Array.from(noisy, (value, i) => value - (clean[i] as number));
    const std = Math.sqrt(differences.reduce((sum, d) => sum + d * d, 0) / differences.length);
    expect(Array.from(clean.subarray(0, IMAGE_BYTES))).toEqual(Array.from(pixels.subarray(0, IMAGE_BYTES)));
    expect(noisy.every((value) => value >= 0 && value <= 255)).toBe(true);
    // Clipping at 0 and 255 shrinks the noise a little below 0.1 * 255.
    expect(std).toBeGreaterThan(18);
    expect(std).toBeLessThan(26);
    owned.dispose();
    game.dispose();
  });
});
