import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { GameConfig } from './config';
import { TINY_CONFIG } from '../testing/fixtures';
import { ReferentialGame, readStepFigures } from './game';
import { IMAGE_BYTES, pixelBatch } from './images';
import { Rng } from './random';
import { STEP_PARTS, StepPartTimer } from './stepTiming';

const TINY: GameConfig = { ...TINY_CONFIG, extractor: 'learned', vocabSize: 12, maxLen: 3, seed: 3 };

async function trainFigures(config: GameConfig, timer: StepPartTimer | null, steps: number): Promise<number[]> {
  const rng = new Rng(9);
  const pixels = Uint8Array.from({ length: config.batchSize * IMAGE_BYTES }, () => rng.int(256));
  const game = new ReferentialGame(config);
  const figures: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = pixelBatch(pixels, game.rng.permutation(config.batchSize));
    timer?.start();
    const read = await readStepFigures(game.trainStep(batch, timer));
    figures.push(read.loss, read.success);
    batch.dispose();
  }
  game.dispose();
  return figures;
}

describe('StepPartTimer', () => {
  it('leaves the step values unchanged', async () => {
    const plain = await trainFigures(TINY, null, 3);
    const timed = await trainFigures(TINY, new StepPartTimer(), 3);
    expect(timed).toEqual(plain);
  });

  it('times every trained part of a learned step', async () => {
    const timer = new StepPartTimer();
    await trainFigures(TINY, timer, 1);
    for (const part of STEP_PARTS) expect(timer.times[part]).toBeGreaterThanOrEqual(0);
    expect(timer.times.extractor).toBeGreaterThan(0);
    expect(timer.times.sender).toBeGreaterThan(0);
    expect(timer.times.receiver).toBeGreaterThan(0);
    expect(timer.times.loss).toBeGreaterThan(0);
    expect(timer.times.optimiser).toBeGreaterThan(0);
    expect(timer.times.batch).toBe(0);
  });

  it('keeps the tensor count flat', async () => {
    const timer = new StepPartTimer();
    await trainFigures(TINY, timer, 1);
    const before = tf.memory().numTensors;
    await trainFigures(TINY, timer, 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('readStepFigures', () => {
  it('reads present figures and nulls for absent ones', async () => {
    const figures = await readStepFigures({ loss: tf.scalar(1.5), success: tf.scalar(0.25), temperature: null, rotationAccuracy: tf.scalar(0.75) });
    expect(figures).toEqual({ loss: 1.5, success: 0.25, temperature: null, rotationAccuracy: 0.75, parameterCheck: 0 });
  });

  it('reads a parameter check with the figures and disposes it', async () => {
    const before = tf.memory().numTensors;
    const figures = await readStepFigures({ loss: tf.scalar(1), success: tf.scalar(0), temperature: null, rotationAccuracy: null }, tf.scalar(NaN));
    expect(figures.parameterCheck).toBeNaN();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes the step result', async () => {
    const before = tf.memory().numTensors;
    await readStepFigures({ loss: tf.scalar(1), success: tf.scalar(0), temperature: tf.scalar(2), rotationAccuracy: null });
    expect(tf.memory().numTensors).toBe(before);
  });
});
