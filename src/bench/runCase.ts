/**
 * Times training steps of one benchmark case on the active TF.js backend, through the same code
 * as a training run: `BatchFeeder` builds the batch (feature cache included), `trainStep` trains,
 * and `readStepFigures` reads the figures back.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchFeeder } from '../game/batches';
import { ReferentialGame, readStepFigures } from '../game/game';
import { IMAGE_BYTES, ROTATIONS } from '../game/images';
import { Rng } from '../game/random';
import { StepPartTimer } from '../game/stepTiming';
import { trainingStepFlops } from './flops';
import type { BenchCase, CaseResult, MatmulResult } from './results';

/** Seed of the random images, whose content does not change the work of a step. */
const IMAGE_SEED = 17;

/** Draws `count` random images. The benchmark plays each step on a new order of one batch of them. */
function randomImages(count: number): Uint8Array {
  const rng = new Rng(IMAGE_SEED);
  return Uint8Array.from({ length: count * IMAGE_BYTES }, () => rng.int(256));
}

/**
 * Stores the features of every image, in every rotation the case draws, before timing, as a
 * long run has after its first epoch. Noisy images are not cached, so nothing is stored for them.
 */
async function fillFeatureCache(feeder: BatchFeeder, benchCase: BenchCase): Promise<void> {
  if (feeder.cache === null) return;
  const indices = Array.from({ length: benchCase.config.batchSize }, (_, i) => i);
  const turns = benchCase.config.augmentation === 'rotation' ? ROTATIONS : 1;
  for (let quarterTurns = 0; quarterTurns < turns; quarterTurns++) {
    const features = await feeder.cachedFeatures(indices, indices.map(() => quarterTurns));
    features.dispose();
  }
}

/** Plays one step as the training loop does; returns its wall-clock milliseconds. */
async function timedStep(game: ReferentialGame, feeder: BatchFeeder, timer: StepPartTimer | null): Promise<number> {
  const started = performance.now();
  timer?.start();
  const owned = await feeder.next(game.rng.permutation(game.config.batchSize));
  const { sender, receiver, quarterTurns } = owned.batch;
  const views = [sender, receiver].map((view) => (view.kind === 'features' ? view.features : view.pixels));
  timer?.lap('batch', quarterTurns === null ? views : [...views, quarterTurns]);
  await readStepFigures(game.trainStep(owned.batch, timer), game.nonFiniteParameterCheck());
  owned.dispose();
  return performance.now() - started;
}

/** Runs a case's warm-up, timed, instrumented and profiled steps on the active backend. */
export async function runCase(benchCase: BenchCase): Promise<CaseResult> {
  const { config } = benchCase;
  const game = new ReferentialGame(config);
  const feeder = new BatchFeeder(game, config, randomImages(config.batchSize));
  await fillFeatureCache(feeder, benchCase);
  for (let step = 0; step < benchCase.warmupSteps; step++) await timedStep(game, feeder, null);

  const tensorsBefore = tf.memory().numTensors;
  const stepMs: number[] = [];
  for (let step = 0; step < benchCase.timedSteps; step++) stepMs.push(await timedStep(game, feeder, null));
  const tensorGrowth = tf.memory().numTensors - tensorsBefore;

  const timer = new StepPartTimer();
  const instrumentedMs: number[] = [];
  const parts: CaseResult['parts'] = [];
  for (let step = 0; step < benchCase.instrumentedSteps; step++) {
    instrumentedMs.push(await timedStep(game, feeder, timer));
    parts.push({ ...timer.times });
  }

  const profile = await tf.profile(() => timedStep(game, feeder, null));
  game.dispose();
  return {
    name: benchCase.name,
    backend: tf.getBackend(),
    batchSize: config.batchSize,
    substitution: benchCase.substitution,
    stepMs,
    instrumentedMs,
    parts,
    peakBytes: profile.peakBytes,
    tensorGrowth,
    flops: trainingStepFlops(config),
  };
}

/**
 * Measures `tf.matMul` of [m, k] x [k, n] on the active backend: one untimed product, then
 * `repeats` timed ones, each awaited through a one-element readback.
 */
export async function measureMatmul(m: number, k: number, n: number, repeats: number): Promise<MatmulResult> {
  const rng = new Rng(m * 31 + k * 7 + n);
  const a = tf.tensor2d(rng.normalArray(m * k, 1), [m, k]);
  const b = tf.tensor2d(rng.normalArray(k * n, 1), [k, n]);
  const gflopsPerSecond: number[] = [];
  for (let repeat = 0; repeat <= repeats; repeat++) {
    const started = performance.now();
    const product = tf.matMul(a, b);
    const corner = tf.slice(product, [0, 0], [1, 1]);
    await corner.data();
    const elapsedMs = performance.now() - started;
    tf.dispose([product, corner]);
    if (repeat > 0) gflopsPerSecond.push((2 * m * k * n) / elapsedMs / 1e6);
  }
  tf.dispose([a, b]);
  return { m, k, n, gflopsPerSecond };
}
