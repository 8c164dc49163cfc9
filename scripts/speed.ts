/**
 * Measures training speed of the referential game on TF.js' wasm backend in Node, which runs the
 * same kernels at the same speed as the browser's wasm backend.
 *
 * Usage: npm run speed -- [--steps N] [--backbone vgg16|narrow] [--batch N] [--eval-games N]
 * Prints games per second (median and range over the timed steps) after 2 warm-up steps, then
 * the time of one evaluation on `--eval-games` held-out games (median and range of 3), which
 * the training loop runs between two steps.
 * Pixels are random: the speed of a step does not depend on image content.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Backbone, DEFAULT_RUN_CONFIG } from '../src/game/config';
import { ReferentialGame } from '../src/game/game';
import { IMAGE_BYTES, pixelBatch } from '../src/game/images';
import { Rng } from '../src/game/random';

const WARMUP_STEPS = 2;

/** Timed evaluations per backbone, after one untimed one. */
const EVALUATIONS = 3;

/** Returns the median and the range of `values`, sorted in place, as "median (range low-high)". */
function describeFigures(values: number[], digits: number): string {
  values.sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)] ?? NaN;
  return `${median.toFixed(digits)} (median; range ${(values[0] ?? NaN).toFixed(digits)}-${(values[values.length - 1] ?? NaN).toFixed(digits)})`;
}

/** Times `game.evaluate` on `games` held-out games of random images, in milliseconds. */
async function measureEvaluation(game: ReferentialGame, games: number): Promise<number[]> {
  const rng = new Rng(2);
  const pixels = Uint8Array.from({ length: games * IMAGE_BYTES }, () => rng.int(256));
  const batch = pixelBatch(pixels, Array.from({ length: games }, (_, i) => i));
  const features = game.features(batch);
  const labels = Array.from({ length: games }, (_, i) => i % 10);
  const times: number[] = [];
  for (let round = 0; round <= EVALUATIONS; round++) {
    const started = performance.now();
    await game.evaluate(features, labels);
    if (round > 0) times.push(performance.now() - started);
  }
  tf.dispose([batch, features]);
  return times;
}

async function measure(backbone: Backbone, batchSize: number, steps: number, evalGames: number): Promise<{ gamesPerSecond: number[]; evaluationMs: number[] }> {
  const game = new ReferentialGame({ ...DEFAULT_RUN_CONFIG, backbone, batchSize });
  const rng = new Rng(1);
  const pixels = Uint8Array.from({ length: batchSize * IMAGE_BYTES }, () => rng.int(256));
  const indices = Array.from({ length: batchSize }, (_, i) => i);
  const gamesPerSecond: number[] = [];
  for (let step = 0; step < WARMUP_STEPS + steps; step++) {
    const started = performance.now();
    const batch = pixelBatch(pixels, indices);
    const { loss, success } = game.trainStep(batch);
    await Promise.all([loss.data(), success.data()]);
    tf.dispose([batch, loss, success]);
    if (step >= WARMUP_STEPS) gamesPerSecond.push((batchSize * 1000) / (performance.now() - started));
  }
  const evaluationMs = await measureEvaluation(game, evalGames);
  game.dispose();
  return { gamesPerSecond, evaluationMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '5' },
      backbone: { type: 'string', multiple: true, default: ['narrow', 'vgg16'] },
      batch: { type: 'string', default: String(DEFAULT_RUN_CONFIG.batchSize) },
      'eval-games': { type: 'string', default: String(DEFAULT_RUN_CONFIG.evalGames) },
    },
  });
  setWasmPaths(path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  await tf.setBackend('wasm');
  const steps = Number(values.steps);
  const batchSize = Number(values.batch);
  console.log(`backend ${tf.getBackend()}, batch ${batchSize}, ${steps} timed steps after ${WARMUP_STEPS} warm-up steps`);
  const evalGames = Math.floor(Number(values['eval-games']) / batchSize) * batchSize;
  for (const backbone of values.backbone as Backbone[]) {
    const { gamesPerSecond, evaluationMs } = await measure(backbone, batchSize, steps, evalGames);
    console.log(`${backbone.padEnd(7)} ${describeFigures(gamesPerSecond, 1)} games/s`);
    console.log(`${backbone.padEnd(7)} evaluation of ${evalGames} held-out games: ${describeFigures(evaluationMs, 0)} ms`);
  }
}

await main();
