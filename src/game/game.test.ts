import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG, type GameConfig } from './config';
import { ReferentialGame } from './game';
import { IMAGE_BYTES, pixelBatch } from './images';
import { Rng } from './random';

/** A small model on the narrow backbone: every part of the real game, sized for a unit test. */
const TINY_CONFIG: GameConfig = {
  ...DEFAULT_RUN_CONFIG,
  backbone: 'narrow',
  vocabSize: 12,
  maxLen: 2,
  hiddenSize: 64,
  embeddingSize: 32,
  batchSize: 16,
  learningRate: 3e-3,
  temperature: 2,
  seed: 5,
};

/** Random images, distinct enough to tell apart: [count * 3072] bytes. */
function randomImages(count: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: count * IMAGE_BYTES }, () => rng.int(256));
}

async function train(game: ReferentialGame, pixels: Uint8Array, images: number, steps: number): Promise<number[]> {
  const successes: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = pixelBatch(pixels, game.rng.permutation(images));
    const { loss, success } = game.trainStep(batch);
    successes.push((await success.data())[0] as number);
    tf.dispose([batch, loss, success]);
  }
  return successes;
}

describe('ReferentialGame', () => {
  it('learns a tiny game to high success', async () => {
    const images = TINY_CONFIG.batchSize;
    const pixels = randomImages(images, 11);
    const game = new ReferentialGame(TINY_CONFIG);

    const successes = await train(game, pixels, images, 600);
    const lastTwenty = successes.slice(-20).reduce((a, b) => a + b, 0) / 20;
    expect(successes[0]).toBeLessThan(0.5);
    expect(lastTwenty).toBeGreaterThan(0.85);

    const features = game.features(pixelBatch(pixels, Array.from({ length: images }, (_, i) => i)));
    const metrics = await game.evaluate(features, Array.from({ length: images }, (_, i) => i % 10));
    expect(metrics.commSuccess).toBeGreaterThan(0.9);
    features.dispose();
    game.dispose();
  });

  it('keeps the tensor count flat across training steps', async () => {
    const pixels = randomImages(TINY_CONFIG.batchSize, 12);
    const game = new ReferentialGame(TINY_CONFIG);
    await train(game, pixels, TINY_CONFIG.batchSize, 3);
    const before = tf.memory().numTensors;
    await train(game, pixels, TINY_CONFIG.batchSize, 20);
    expect(tf.memory().numTensors).toBe(before);
    game.dispose();
  });

  it('produces the same first losses from the same seed', async () => {
    const pixels = randomImages(TINY_CONFIG.batchSize, 13);
    const losses = async () => {
      const game = new ReferentialGame(TINY_CONFIG);
      const values: number[] = [];
      for (let step = 0; step < 3; step++) {
        const batch = pixelBatch(pixels, game.rng.permutation(TINY_CONFIG.batchSize));
        const { loss, success } = game.trainStep(batch);
        values.push((await loss.data())[0] as number);
        tf.dispose([batch, loss, success]);
      }
      game.dispose();
      return values;
    };
    expect(await losses()).toEqual(await losses());
  });

  it('builds the paper\u2019s VGG16 with 4096 features', () => {
    const game = new ReferentialGame({ ...DEFAULT_RUN_CONFIG, batchSize: 2 });
    expect(game.extractor.featureSize).toBe(4096);
    // 13 convolutions (14.7M), fc6 folded to 512x4096 (2.1M), fc7 4096x4096 (16.8M).
    const extractorSize = game.params.withPrefix('extractor/').reduce((total, v) => total + v.size, 0);
    expect(extractorSize).toBe(14_714_688 + 512 * 4096 + 4096 + 4096 * 4096 + 4096);
    const features = game.features(tf.zeros([2, 32, 32, 3]));
    expect(features.shape).toEqual([2, 4096]);
    tf.dispose(features);
    game.dispose();
  });
});
